// A JVM portal's first ten minutes with needbridge, in plain Java, against the one jar
// scripts/jar.sh writes (bindings, native library, JNA and the Kotlin stdlib inside):
//
//   javac -cp needbridge-0.1.0.jar Portal.java
//   java -cp needbridge-0.1.0.jar:. Portal
//
// Opens a SQLite hub in a temp directory, sets up a district with one residents' committee, a
// member reported from their work unit and a resident, publishes a need, lets the member claim
// it, do it and have it checked, and prints a report figure; then a typed refusal, shown to
// people with errorMessage. Exits 1 when a figure is not what the story makes it.
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.needbridge.*;

public class Portal {
    public static void main(String[] args) throws Exception {
        // One Hub per database file; share it between the portal's request threads. Calls
        // block (they write the file): run them on the request's worker thread.
        Path dir = Files.createTempDirectory("needbridge-portal");
        Hub hub = Hub.Companion.open(dir.resolve("needbridge.db").toString());
        Instant in30Days = Instant.now().plus(Duration.ofDays(30));

        // The portal signs its users in and says who acts: needbridge decides what they may do.
        Actor system = Actor.System.INSTANCE;
        UUID district = hub.createUnit(system, UnitKind.DISTRICT, "钟山区", null).getId();
        Actor admin = new Actor.DistrictAdmin(district);
        UUID community = hub.createUnit(admin, UnitKind.COMMUNITY, "荷城街道", district).getId();
        UUID committee = hub.createUnit(admin, UnitKind.COMMITTEE, "凤凰社区居委会", community).getId();
        Actor staff = new Actor.CommitteeStaff(committee);

        // A work unit certifies a member, who reports to the committee where they live.
        UUID workUnit = hub.registerWorkUnit(admin, "区财政局", "区财政局机关党支部").getId();
        UUID member = hub.issueCertificate(new Actor.WorkUnitSecretary(workUnit), workUnit, "王芳",
                null, null, "BD-2026-001", in30Days).getId();
        Actor me = new Actor.Member(member);
        hub.reportMember(me, member, committee, "每月至少服务一次", List.of("教师"));
        hub.acceptReport(staff, member, null);

        // The committee registers a resident and publishes a need for them.
        UUID resident = hub.registerResident(staff, committee, null, "陈大爷", null, null, null,
                List.of(ResidentGroup.EMPTY_NEST_ELDERLY), null).getId();
        UUID need = hub.draftNeed(staff, committee, null, resident, null, "轮椅", "行动不便，需要一辆轮椅",
                "mobility_aids", Channel.FAMILY, Scale.INDIVIDUAL, 60_000L, in30Days, List.of(), null, null, null).getId();
        hub.publishNeed(staff, need);

        // The member claims it, does it, and the committee checks it.
        Claim claim = hub.claimNeed(me, need, new Claimant.Member(member), Instant.now().plus(Duration.ofDays(7)));
        System.out.println("claimed: " + hub.need(staff, need).getStatus());
        hub.completeClaim(me, claim.getId(),
                new Fulfilment(58_000L, List.of(new Item(1L, "轮椅")), 45L, 1L, List.of(), "已送到", List.of()));
        hub.verifyClaim(staff, claim.getId());

        // The district's report: money is in fen.
        NeedFigures figures = hub.report(admin, district, new Period(null, null)).getData().getNeeds();
        System.out.printf("needs verified: %d, money: %.2f yuan%n", figures.getNeedsVerified(), figures.getMoneyFen() / 100.0);

        // A refusal is a typed exception carrying its data; errorMessage makes the sentence
        // for people (Chinese by default, never the refused value).
        String shown = null;
        try {
            hub.registerResident(staff, committee, null, "李四", "12345", null, null, List.of(ResidentGroup.ELDERLY), null);
        } catch (NeedbridgeException.Invalid e) {
            System.out.println("refused: field=" + e.getField() + ", reason=" + e.getReason());
            shown = NeedbridgeKt.errorMessage(e, Language.ZH);
            System.out.println("shown: " + shown);
            System.out.println("shown (en): " + NeedbridgeKt.errorMessage(e, Language.EN));
        }
        hub.destroy();
        for (var f : Files.list(dir).toList()) Files.delete(f);
        Files.delete(dir);

        boolean ok = figures.getNeedsVerified() == 1L && figures.getMoneyFen() == 58_000L
                && shown != null && !shown.contains("12345");
        if (!ok) {
            System.err.println("unexpected figures: " + figures);
            System.exit(1);
        }
    }
}
