// Plain Java against the generated Kotlin (as a government portal would call it): open a Hub,
// run the claim flow, catch a typed error; open an encrypted database and change its key.
// Compiled with javac against the Kotlin jar, kotlin-stdlib and JNA by scripts/test.sh.
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.needbridge.*;

public class JavaPortalTest {
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    public static void main(String[] args) throws Exception {
        Hub hub = Hub.Companion.inMemory();
        Actor system = Actor.System.INSTANCE;
        Instant later = Instant.now().plus(Duration.ofDays(30));
        String district = hub.createUnit(system, UnitKind.DISTRICT, "钟山区", null).getId();
        Actor admin = new Actor.DistrictAdmin(district);
        String community = hub.createUnit(admin, UnitKind.COMMUNITY, "荷城街道", district).getId();
        String committee = hub.createUnit(admin, UnitKind.COMMITTEE, "凤凰社区居委会", community).getId();
        Actor staff = new Actor.CommitteeStaff(committee);
        String workUnit = hub.registerWorkUnit(admin, "区财政局", "区财政局机关党支部").getId();
        String member = hub.issueCertificate(new Actor.WorkUnitSecretary(workUnit), workUnit, "王芳",
                null, null, "BD-001", later).getId();
        hub.reportMember(new Actor.Member(member), member, committee, "每月服务一次", List.of());
        hub.acceptReport(staff, member, null);
        String resident = hub.registerResident(staff, committee, null, "陈大爷", null, null, null,
                List.of(ResidentGroup.EMPTY_NEST_ELDERLY)).getId();
        String need = hub.draftNeed(staff, committee, null, resident, "轮椅", "需要一辆轮椅",
                "mobility_aids", Channel.FAMILY, Scale.INDIVIDUAL, 50_000L, later).getId();
        hub.publishNeed(staff, need);

        Actor me = new Actor.Member(member);
        Claim claim = hub.claimNeed(me, need, new Claimant.Member(member), Instant.now().plus(Duration.ofDays(3)));
        check(claim.getStatus() == ClaimStatus.ACTIVE, "claimed");
        hub.completeClaim(me, claim.getId(), new Fulfilment(50_000L, List.of(new Item(1L, "轮椅")), 60L, 1L, List.of(), ""));
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
            hub.need(system, "not-an-id");
            throw new AssertionError("a bad id was accepted");
        } catch (NeedbridgeException.Invalid e) {
            check(e.getMessage().contains("id"), "names the field: " + e.getMessage());
            check(e.getField().equals("id") && !e.getReason().isEmpty(), "field and reason: " + e);
        }

        // Encryption at rest: open with a key, a wrong key is a typed error, rekey.
        java.io.File dir = java.nio.file.Files.createTempDirectory("needbridge-java").toFile();
        String path = new java.io.File(dir, "encrypted.db").getPath();
        DatabaseKey key = new DatabaseKey.Passphrase("correct horse battery staple");
        Hub encrypted = Hub.Companion.openEncrypted(path, key);
        String unit = encrypted.createUnit(system, UnitKind.DISTRICT, "钟山区", null).getId();
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
        System.out.println("Java: claim flow and typed errors passed");
    }
}
