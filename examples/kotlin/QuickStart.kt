// The Kotlin quick start: a committee's app on the JVM (the same code runs on Android).
//
//   bindings-mobile/README.md shows how to build the library and the bindings; then
//   kotlinc -cp jna.jar needbridge.kt QuickStart.kt -d quickstart.jar
//   java -Djna.library.path=target/debug -cp quickstart.jar:jna.jar:kotlin-stdlib.jar QuickStartKt
import org.needbridge.*
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

fun main() {
    // One Hub per database file (on Android: context.filesDir.resolve("needbridge.db")).
    val file = Files.createTempDirectory("quickstart").resolve("needbridge.db").toString()
    val hub = Hub.open(file)
    hub.addListener(object : ChangeListener {
        override fun onChange(event: ChangeEvent) = println("  changed #${event.seq}: ${event.kind}")
    })

    // The district sets up the tree; a committee registers a resident and a need.
    val district = hub.createUnit(Actor.System, UnitKind.DISTRICT, "钟山区", null)
    val admin = Actor.DistrictAdmin(district.id)
    val community = hub.createUnit(admin, UnitKind.COMMUNITY, "荷城街道", district.id)
    val committee = hub.createUnit(admin, UnitKind.COMMITTEE, "凤凰社区居委会", community.id)
    val staff = Actor.CommitteeStaff(committee.id)
    val child = hub.registerResident(staff, committee.id, null, "刘小明", null, null, null,
        listOf(ResidentGroup.LEFT_BEHIND_CHILD))
    val need = hub.draftNeed(staff, committee.id, null, child.id, null, "新学期书包", "留守儿童需要一个书包",
        "study_supplies", Channel.FAMILY, Scale.INDIVIDUAL, 12_000L, Instant.now().plus(Duration.ofDays(20)))
    hub.publishNeed(staff, need.id)

    // An in-service party member reports to the committee and claims the need.
    val workUnit = hub.registerWorkUnit(admin, "区财政局", "区财政局机关党支部")
    val wang = hub.issueCertificate(Actor.WorkUnitSecretary(workUnit.id), workUnit.id, "王芳", null, null,
        "BD-2026-001", Instant.now().plus(Duration.ofDays(30)))
    val me = Actor.Member(wang.id)
    hub.reportMember(me, wang.id, committee.id, "每月至少服务一次", listOf("教师"))
    hub.acceptReport(staff, wang.id, null)
    val claim = hub.claimNeed(me, need.id, Claimant.Member(wang.id), Instant.now().plus(Duration.ofDays(7)))
    hub.completeClaim(me, claim.id, Fulfilment(12_000L, listOf(Item(1L, "书包")), 30L, 1L, listOf(), "已送到"))
    hub.verifyClaim(staff, claim.id)

    // Errors are typed and readable, without personal data.
    try {
        hub.claimNeed(me, need.id, Claimant.Member(wang.id), Instant.now().plus(Duration.ofDays(7)))
    } catch (e: NeedbridgeException.IllegalState) {
        println("refused as expected: ${e.message}")
    }

    // The member's view masks the child's name; the committee's report counts the work.
    println("the member sees the resident as: ${hub.resident(me, child.id).name}")
    val figures = hub.report(staff, committee.id, Period(null, null)).data
    println("needs verified: ${figures.needs.needsVerified}, money: ${figures.needs.moneyFen / 100.0} yuan")
}
