// Plain Java against the generated Kotlin (as a government portal would call it): open a Hub,
// run the claim flow, catch a typed error; open an encrypted database and change its key;
// serve two phones' pushes and pulls (the portal's side of sync) and read what was refused.
// Compiled with javac against the Kotlin jar, kotlin-stdlib and JNA by scripts/test.sh.
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.needbridge.*;

public class JavaPortalTest {
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    public static void main(String[] args) throws Exception {
        Hub hub = Hub.Companion.inMemory();
        Actor system = Actor.System.INSTANCE;
        Instant later = Instant.now().plus(Duration.ofDays(30));
        UUID district = hub.createUnit(system, UnitKind.DISTRICT, "钟山区", null).getId();
        Actor admin = new Actor.DistrictAdmin(district);
        UUID community = hub.createUnit(admin, UnitKind.COMMUNITY, "荷城街道", district).getId();
        UUID committee = hub.createUnit(admin, UnitKind.COMMITTEE, "凤凰社区居委会", community).getId();
        Actor staff = new Actor.CommitteeStaff(committee);
        UUID workUnit = hub.registerWorkUnit(admin, "区财政局", "区财政局机关党支部").getId();
        UUID member = hub.issueCertificate(new Actor.WorkUnitSecretary(workUnit), workUnit, "王芳",
                null, null, "BD-001", later).getId();
        hub.reportMember(new Actor.Member(member), member, committee, "每月服务一次", List.of());
        hub.acceptReport(staff, member, null);
        UUID resident = hub.registerResident(staff, committee, null, "陈大爷", null, null, null,
                List.of(ResidentGroup.EMPTY_NEST_ELDERLY), null).getId();
        UUID need = hub.draftNeed(staff, committee, null, resident, null, "轮椅", "需要一辆轮椅",
                "mobility_aids", Channel.FAMILY, Scale.INDIVIDUAL, 50_000L, later, List.of(), null, null, null).getId();
        hub.publishNeed(staff, need);

        Actor me = new Actor.Member(member);
        Claim claim = hub.claimNeed(me, need, new Claimant.Member(member), Instant.now().plus(Duration.ofDays(3)));
        check(claim.getStatus() == ClaimStatus.ACTIVE, "claimed");
        hub.completeClaim(me, claim.getId(), new Fulfilment(50_000L, List.of(new Item(1L, "轮椅")), 60L, 1L, List.of(), "", List.of()));
        Claim verified = hub.verifyClaim(staff, claim.getId());
        check(verified.getStatus() == ClaimStatus.VERIFIED, "verified");
        long money = hub.report(admin, district, new Period(null, null)).getData().getNeeds().getMoneyFen();
        check(money == 50_000L, "report money " + money);

        try {
            hub.claimNeed(me, need, new Claimant.Member(member), Instant.now().plus(Duration.ofDays(3)));
            throw new AssertionError("a verified need was claimed again");
        } catch (NeedbridgeException.IllegalState e) {
            check(e.getMessage().contains("need"), "readable message: " + e.getMessage());
        }
        try {
            hub.createUnit(admin, UnitKind.GRID, "", committee);
            throw new AssertionError("an empty name was accepted");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getMessage().contains("name"), "names the field: " + e.getMessage());
            check(e.getField().equals("name") && !e.getReason().isEmpty(), "field and reason: " + e);
            check(NeedbridgeKt.errorMessage(e, Language.ZH).equals("“姓名或名称”填写有误，请检查后重试。"),
                    "a sentence for people: " + NeedbridgeKt.errorMessage(e, Language.ZH));
        }

        offlineSync(hub, staff, committee, resident, workUnit, later);

        // Encryption at rest: open with a key, a wrong key is a typed error, rekey.
        java.io.File dir = java.nio.file.Files.createTempDirectory("needbridge-java").toFile();
        String path = new java.io.File(dir, "encrypted.db").getPath();
        DatabaseKey key = new DatabaseKey.Passphrase("correct horse battery staple");
        Hub encrypted = Hub.Companion.openEncrypted(path, key);
        UUID unit = encrypted.createUnit(system, UnitKind.DISTRICT, "钟山区", null).getId();
        encrypted.destroy();
        try {
            Hub.Companion.openEncrypted(path, new DatabaseKey.Passphrase("not the key"));
            throw new AssertionError("a wrong key opened the database");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getMessage().contains("key"), "names the key: " + e.getMessage());
        }
        try {
            Hub.Companion.open(path);
            throw new AssertionError("an encrypted database opened without its key");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getMessage().contains("encrypted"), "says it is encrypted: " + e.getMessage());
        }
        DatabaseKey newKey = new DatabaseKey.Raw(new byte[32]);
        NeedbridgeKt.rekeyDatabase(path, key, newKey);
        try {
            Hub.Companion.openEncrypted(path, key);
            throw new AssertionError("the old key still opens the database");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getMessage().contains("key"), "names the key: " + e.getMessage());
        }
        Hub reopened = Hub.Companion.openEncrypted(path, newKey);
        check(reopened.unit(system, unit).getName().equals("钟山区"), "reads back with the new key");
        reopened.destroy();
        for (java.io.File f : dir.listFiles()) f.delete();
        dir.delete();
        System.out.println("Java: claim flow, typed errors and sync passed");
    }

    // The app's round: push, then pull until the portal has no more pages. The portal's
    // servePush/servePull stand for the HTTP handlers a Java portal would write around them.
    static PullSummary round(SyncDevice device, Actor user, Hub portal) throws Exception {
        byte[] push = device.pushRequest();
        if (push != null) device.applyPush(portal.servePush(user, push));
        PullSummary pulled;
        int rounds = 0;
        do {
            pulled = device.applyPull(portal.servePull(user, device.pullRequest(0L)));
            check(++rounds < 50, "pulling does not end");
        } while (pulled.getMore() || pulled.getReset());
        return pulled;
    }

    static void offlineSync(Hub portal, Actor staff, UUID committee, UUID resident, UUID workUnit,
                            Instant later) throws Exception {
        Actor secretary = new Actor.WorkUnitSecretary(workUnit);
        UUID[] members = new UUID[2];
        for (int i = 0; i < 2; i++) {
            members[i] = portal.issueCertificate(secretary, workUnit, "党员" + i, null, null, "BD-S" + i, later).getId();
            portal.reportMember(new Actor.Member(members[i]), members[i], committee, "每月服务一次", List.of());
            portal.acceptReport(staff, members[i], null);
        }
        UUID need = portal.draftNeed(staff, committee, null, resident, null, "助餐", "送午饭", "festival_goods",
                Channel.FAMILY, Scale.INDIVIDUAL, 0L, later, List.of(), null, null, null).getId();
        portal.publishNeed(staff, need);

        Actor[] users = {new Actor.Member(members[0]), new Actor.Member(members[1])};
        SyncDevice[] phones = new SyncDevice[2];
        Hub[] views = new Hub[2];
        for (int i = 0; i < 2; i++) {
            views[i] = Hub.Companion.inMemory();
            phones[i] = new SyncDevice(views[i], users[i]);
            check(round(phones[i], users[i], portal).getReady(), "first pull ready");
            check(views[i].need(users[i], need).getStatus() == NeedStatus.PUBLISHED, "the phone shows the need");
        }
        Instant until = Instant.now().plus(Duration.ofDays(2));
        Claim mine = ((AnyRecord.Claim) phones[0].execute(
                new Command.ClaimNeed(need, new Claimant.Member(members[0]), until))).getClaim();
        phones[1].execute(new Command.ClaimNeed(need, new Claimant.Member(members[1]), until));
        check(phones[1].status().getPending() == 1L, "queued");

        round(phones[0], users[0], portal);
        byte[] body = phones[1].pushRequest();
        PushSummary pushed = phones[1].applyPush(portal.servePush(users[1], body));
        check(pushed.getApplied() == 0L && pushed.getRejected() == 1L, "the second claim refused: " + pushed);
        List<RejectedMutation> refused = phones[1].rejected();
        check(refused.size() == 1 && refused.get(0).getKind() == ErrorKind.CONFLICT
                && refused.get(0).getCommand().equals("claim_need")
                && refused.get(0).getContent().contains(need.toString()), "rejected: " + refused);
        round(phones[1], users[1], portal);
        check(need.equals(mine.getNeed()) && views[1].need(users[1], need).getLiveClaim().equals(mine.getId()),
                "the loser's phone shows the winner's claim");
        check(phones[1].status().getPending() == 0L, "nothing left to push");

        List<StoredRejection> stored = portal.syncRejected(staff, committee);
        check(stored.size() == 1 && stored.get(0).getClient().equals(phones[1].clientId())
                && stored.get(0).getActor().equals(users[1]), "the staff see the refusal: " + stored);
        phones[1].dismiss(refused.get(0).getId());
        check(phones[1].rejected().isEmpty(), "dismissed");
        try {
            phones[0].applyPush("not a push".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            throw new AssertionError("junk was taken as a push answer");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getField().equals("message"), "names the message: " + e);
        }
        for (int i = 0; i < 2; i++) {
            phones[i].destroy();
            views[i].destroy();
        }
    }
}
