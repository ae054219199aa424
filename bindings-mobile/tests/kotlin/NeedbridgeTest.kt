// The Kotlin bindings on the JVM: the claim flow, reads, every error kind, the change
// listener, use from several threads and a reopened database. A plain program (no test
// framework to install): every check throws on failure; scripts/test.sh runs it.
import org.needbridge.*
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.UUID
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread

var checks = 0
fun check(ok: Boolean, what: () -> String) {
    checks++
    if (!ok) throw AssertionError(what())
}

inline fun <reified E : NeedbridgeException> refused(block: () -> Unit): E {
    try {
        block()
    } catch (e: NeedbridgeException) {
        check(e is E) { "expected ${E::class.simpleName}, got ${e::class.simpleName}: ${e.message}" }
        check(!e.message.isNullOrBlank()) { "an error without a message" }
        return e as E
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun idNumber(birth: String, seq: Int): String {
    val body = "520201$birth" + String.format("%03d", seq % 1000)
    val w = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    val sum = body.mapIndexed { i, c -> (c - '0') * w[i] }.sum()
    return body + "10X98765432"[sum % 11]
}

class World(val hub: Hub) {
    val sys = Actor.System
    val later: Instant = Instant.now().plus(Duration.ofDays(30))
    val district = hub.createUnit(sys, UnitKind.DISTRICT, "钟山区", null).id
    val admin = Actor.DistrictAdmin(district)
    val community = hub.createUnit(admin, UnitKind.COMMUNITY, "荷城街道", district).id
    val committee = hub.createUnit(admin, UnitKind.COMMITTEE, "凤凰社区居委会", community).id
    val other = hub.createUnit(admin, UnitKind.COMMITTEE, "明湖社区居委会", community).id
    val staff = Actor.CommitteeStaff(committee)
    val workUnit = hub.registerWorkUnit(admin, "区财政局", "区财政局机关党支部").id
    val members = (1..3).map { i ->
        val sec = Actor.WorkUnitSecretary(workUnit)
        val m = hub.issueCertificate(sec, workUnit, "党员$i", "1380000000$i", idNumber("19850101", i), "BD-$i", later).id
        hub.reportMember(Actor.Member(m), m, committee, "每月服务一次", listOf("教师"))
        hub.acceptReport(staff, m, null)
        m
    }
    val resident = hub.registerResident(staff, committee, null, "陈大爷", "13912345678",
        idNumber("19360815", 1), "凤凰社区5栋", listOf(ResidentGroup.EMPTY_NEST_ELDERLY)).id

    fun publishedNeed(title: String): UUID {
        val n = hub.draftNeed(staff, committee, null, resident, null, title, "居民需求", "festival_goods",
            Channel.FAMILY, Scale.INDIVIDUAL, 20_000L, later).id
        hub.publishNeed(staff, n)
        return n
    }
}

fun claimFlowAndReads() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val need = w.publishedNeed("书包")
    val me = Actor.Member(w.members[0])
    val claim = hub.claimNeed(me, need, Claimant.Member(w.members[0]), Instant.now().plus(Duration.ofDays(3)))
    check(claim.status == ClaimStatus.ACTIVE) { "claim status ${claim.status}" }
    hub.startWork(me, claim.id)
    val items = listOf(Item(1L, "书包"))
    hub.completeClaim(me, claim.id, Fulfilment(8850L, items, 30L, 1L, listOf("IMG_1.jpg"), "已送到"))
    val verified = hub.verifyClaim(w.staff, claim.id)
    check(verified.status == ClaimStatus.VERIFIED) { "verified? ${verified.status}" }
    check(hub.need(w.sys, need).status == NeedStatus.VERIFIED) { "need status" }
    check(hub.claimsOf(w.sys, Claimant.Member(w.members[0])).size == 1) { "claimsOf" }
    check(hub.claims(w.sys, need, null, listOf()).single().id == claim.id) { "claims" }
    val page = hub.library(w.staff, null, listOf(NeedStatus.VERIFIED), null, null, 0L)
    check(page.needs.map { it.id } == listOf(need)) { "library ${page.needs}" }
    val report = hub.report(w.admin, w.district, Period(null, null))
    check(report.data.needs.needsVerified == 1L) { "report ${report.data.needs}" }
    check(report.data.needs.moneyFen == 8850L && report.data.needs.items == 1L) { "money/items" }
    check(report.committeeNames[w.committee] == "凤凰社区居委会") { "committee names" }
    check(report.categoryNames["festival_goods"]?.first == "节日物资") { "category names" }
    check(hub.units(w.sys, w.community, null).size == 2) { "units" }
    check(hub.unit(w.sys, w.committee).path == listOf(w.district, w.community, w.committee)) { "path" }
    check(hub.categories().isNotEmpty()) { "categories" }
    check(hub.members(w.staff, w.committee, listOf(MemberStatus.ACCEPTED)).size == 3) { "members" }
    check(hub.committeeLedger(w.staff, w.committee, Period(null, null)).size == 1) { "ledger" }
    check(hub.tick().lapsed == 0L) { "tick" }
    // Masking: a member sees the resident masked, staff in full.
    check(hub.resident(w.staff, w.resident).phone == "13912345678") { "staff sees the phone" }
    val masked = hub.resident(me, w.resident)
    check(masked.masked && masked.phone != "13912345678" && masked.name != "陈大爷") { "masked resident" }
}

// Issue 14: a one-character name and an address of six characters or fewer stay hidden for
// everyone who is not entitled — in one read, a unit's list and the committee ledger.
fun maskingHidesShortValues() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val r = hub.registerResident(w.staff, w.committee, null, "犇", "13912340000", null, "幸福里3号",
        listOf(ResidentGroup.ELDERLY)).id
    val n = hub.draftNeed(w.staff, w.committee, null, r, null, "助餐", "居民需求", "festival_goods",
        Channel.FAMILY, Scale.INDIVIDUAL, 5_000L, w.later).id
    for (actor in listOf(w.admin, Actor.Member(w.members[0]), Actor.CommitteeStaff(w.other))) {
        val m = hub.resident(actor, r)
        check(m.masked && m.name == "***" && m.phone == "139****0000" && m.address == "***") { "masked for $actor: $m" }
    }
    val listed = hub.residents(w.admin, w.committee).single { it.id == r }
    check(listed.name == "***" && listed.address == "***") { "listed: $listed" }
    val row = hub.committeeLedger(w.admin, w.committee, Period(null, null)).single { it.need == n }
    check(row.resident == "***") { "ledger: ${row.resident}" }
    val full = hub.resident(w.staff, r)
    check(!full.masked && full.name == "犇" && full.address == "幸福里3号") { "staff: $full" }
}

fun everyErrorKind(dir: File) {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val need = w.publishedNeed("轮椅")
    val nf = refused<NeedbridgeException.NotFound> { hub.need(w.sys, UUID.fromString("01a21476-0000-7000-8000-000000000000")) }
    check(nf.entity == "need" && nf.id == "01a21476-0000-7000-8000-000000000000") { "the entity and id: $nf" }
    val e = refused<NeedbridgeException.Invalid> { hub.createUnit(w.admin, UnitKind.COMMITTEE, "", w.community) }
    check(e.message!!.contains("name")) { "the message names the field: ${e.message}" }
    // The error keeps its data: which field, and why; toString() is the core's sentence.
    check(e.field == "name" && e.reason.isNotBlank()) { "field and reason: $e" }
    check(e.toString() == "invalid name: ${e.reason}") { "the core's sentence: $e" }
    // A refused argument of a command is named by its path, without its value.
    val badCount = refused<NeedbridgeException.Invalid> {
        hub.logHours(Actor.Member(w.members[0]), w.members[0], Instant.now(), -5, "巡逻")
    }
    check(badCount.field == "minutes" && !badCount.reason.contains("-5")) { "minutes: $badCount" }
    refused<NeedbridgeException.Forbidden> { hub.publishNeed(Actor.CommitteeStaff(w.other), need) }
    val until = Instant.now().plus(Duration.ofDays(2))
    hub.claimNeed(Actor.Member(w.members[0]), need, Claimant.Member(w.members[0]), until)
    refused<NeedbridgeException.Conflict> {
        hub.claimNeed(Actor.Member(w.members[1]), need, Claimant.Member(w.members[1]), until)
    }
    refused<NeedbridgeException.IllegalState> { hub.publishNeed(w.staff, need) }
    val me = Actor.Member(w.members[1])
    repeat(3) { hub.claimNeed(me, w.publishedNeed("需求$it"), Claimant.Member(w.members[1]), until) }
    refused<NeedbridgeException.LimitReached> {
        hub.claimNeed(me, w.publishedNeed("第四个"), Claimant.Member(w.members[1]), until)
    }
    refused<NeedbridgeException.Storage> { Hub.open(dir.path) }
    // No personal data in messages.
    val bad = refused<NeedbridgeException.Invalid> {
        hub.registerResident(w.staff, w.committee, null, "李四", "12345", null, null, listOf(ResidentGroup.ELDERLY))
    }
    check(!bad.message!!.contains("12345")) { "a phone leaked into a message" }
    check(bad.field == "phone" && !bad.reason.contains("12345")) { "names the phone: $bad" }
}

fun listenerAndThreads() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val seen = CopyOnWriteArrayList<ChangeEvent>()
    hub.addListener(object : ChangeListener {
        override fun onChange(event: ChangeEvent) { seen.add(event) }
    })
    val needs = (1..6).map { w.publishedNeed("需求$it") }
    check(seen.size == 12 && seen.map { it.kind }.toSet() == setOf("need_drafted", "need_published")) {
        "listener saw ${seen.map { it.kind }}"
    }
    check(seen.all { it.committee == w.committee }) { "events name their committee" }
    // Three members race from three threads for every need: each need is claimed once.
    val wins = AtomicInteger()
    val start = CountDownLatch(1)
    val until = Instant.now().plus(Duration.ofDays(2))
    val threads = w.members.map { m ->
        thread {
            start.await()
            for (n in needs) {
                try {
                    hub.claimNeed(Actor.Member(m), n, Claimant.Member(m), until)
                    wins.incrementAndGet()
                } catch (e: NeedbridgeException.Conflict) {
                } catch (e: NeedbridgeException.LimitReached) {
                } catch (e: NeedbridgeException.IllegalState) {
                }
            }
        }
    }
    start.countDown()
    threads.forEach { it.join() }
    check(wins.get() == 6) { "${wins.get()} wins for 6 needs" }
    for (n in needs) {
        check(hub.claims(w.sys, n, null, listOf(ClaimStatus.ACTIVE)).size == 1) { "one live claim for $n" }
    }
    check(seen.count { it.kind == "need_claimed" } == 6) { "listener saw every claim" }
    check(seen.map { it.seq }.toSet().size == seen.size) { "every event once" }
}

fun reopenedDatabase(dir: File) {
    val path = File(dir, "needbridge.db").path
    val need: UUID
    val district: UUID
    run {
        val w = World(Hub.open(path))
        need = w.publishedNeed("米面油")
        district = w.district
        check(w.hub.backendName() == "sqlite") { "backend ${w.hub.backendName()}" }
    }
    System.gc()
    val again = Hub.open(path)
    check(again.need(Actor.System, need).title == "米面油") { "the need survived reopening" }
    check(again.report(Actor.System, district, Period(null, null)).data.needs.needsPublished == 1L) { "report after reopen" }
}

fun File.holds(text: String): Boolean {
    if (!exists()) return false
    val hay = readBytes()
    val needle = text.toByteArray(Charsets.UTF_8)
    outer@ for (i in 0..hay.size - needle.size) {
        for (j in needle.indices) if (hay[i + j] != needle[j]) continue@outer
        return true
    }
    return false
}

// Encryption at rest: the file and its WAL hold no resident's data, a wrong or missing key is
// a typed error that leaves the file as it was, the key can be changed, and a plain file can
// be encrypted in place.
fun encryptedDatabase(dir: File) {
    val file = File(dir, "encrypted.db")
    val wal = File(dir, "encrypted.db-wal")
    val path = file.path
    val key = DatabaseKey.Passphrase("correct horse battery staple")
    val personal = listOf("陈大爷", "13912345678", idNumber("19360815", 1), "党员1")
    val w = World(Hub.openEncrypted(path, key))
    val need = w.publishedNeed("米面油")
    check(wal.length() > 0) { "the WAL holds the writes" }
    for (p in personal) check(!file.holds(p) && !wal.holds(p)) { "personal data readable in the file or WAL" }
    refused<NeedbridgeException.IllegalState> { rekeyDatabase(path, key, DatabaseKey.Passphrase("new")) }
    w.hub.destroy()
    for (p in personal) check(!file.holds(p) && !wal.holds(p)) { "personal data readable after the checkpoint" }

    val before = file.readBytes()
    val wrong = refused<NeedbridgeException.Invalid> { Hub.openEncrypted(path, DatabaseKey.Passphrase("hunter2-not-it")) }
    check(wrong.message!!.contains("key") && !wrong.message!!.contains("hunter2")) { "names the key, not its value: ${wrong.message}" }
    val missing = refused<NeedbridgeException.Invalid> { Hub.open(path) }
    check(missing.message!!.contains("encrypted")) { "says the file is encrypted: ${missing.message}" }
    check(before.contentEquals(file.readBytes())) { "the refused opens left the file as it was" }
    check(!wal.exists() || wal.length() == 0L) { "no WAL written by the refused opens" }

    Hub.openEncrypted(path, key).also {
        check(it.need(Actor.System, need).title == "米面油") { "reads back with the key" }
        it.destroy()
    }
    val newKey = DatabaseKey.Raw(ByteArray(32) { it.toByte() })
    rekeyDatabase(path, key, newKey)
    refused<NeedbridgeException.Invalid> { Hub.openEncrypted(path, key) }
    refused<NeedbridgeException.Invalid> { Hub.openEncrypted(path, DatabaseKey.Raw(ByteArray(31))) }
    Hub.openEncrypted(path, newKey).also {
        check(it.need(Actor.System, need).title == "米面油") { "reads back with the new key" }
        it.destroy()
    }

    val plain = File(dir, "plain.db")
    val pw = World(Hub.open(plain.path))
    val plainNeed = pw.publishedNeed("轮椅")
    pw.hub.destroy()
    check(plain.holds("陈大爷")) { "the scan finds the data in a plain file" }
    refused<NeedbridgeException.Invalid> { Hub.openEncrypted(plain.path, key) }
    encryptDatabase(plain.path, key)
    check(!plain.holds("陈大爷")) { "encrypted in place" }
    refused<NeedbridgeException.Invalid> { Hub.open(plain.path) }
    Hub.openEncrypted(plain.path, key).also {
        check(it.need(Actor.System, plainNeed).title == "轮椅") { "reads back after encrypting in place" }
        it.destroy()
    }
    decryptDatabase(plain.path, key)
    check(Hub.open(plain.path).need(Actor.System, plainNeed).title == "轮椅") { "decrypted back" }
}

// Every method of the Hub (commands and reads) called at least once; the list of methods is
// read from the generated interface, so a new export without a test here fails.
fun everyExportedFunction() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val called = mutableSetOf<String>()
    fun <T> call(name: String, f: () -> T): T { called.add(name); return f() }
    called.addAll(listOf("createUnit", "registerWorkUnit", "issueCertificate", "reportMember", "acceptReport",
        "registerResident", "draftNeed", "publishNeed"))
    val sys = w.sys
    val sec = Actor.WorkUnitSecretary(w.workUnit)
    val staff = w.staff
    val later = w.later
    call("addListener") { hub.addListener(object : ChangeListener { override fun onChange(event: ChangeEvent) {} }) }
    check(call("backendName") { hub.backendName() } == "memory") { "backend" }
    call("registerOrganisation") { hub.registerOrganisation(w.admin, "建材公司", OrganisationKind.ENTERPRISE, "李经理", "13985001234", w.district) }
    check(call("organisations") { hub.organisations(w.admin) }.size == 1) { "organisations" }
    check(call("defineCategory") { hub.defineCategory(w.admin, "winter_clothes", "冬衣", "Winter clothes") }.code == "winter_clothes") { "category" }
    check(call("categories") { hub.categories() }.any { it.code == "winter_clothes" }) { "categories" }
    check(call("workUnits") { hub.workUnits(sys) }.size == 1) { "work units" }
    check(call("workUnitMembers") { hub.workUnitMembers(sec, w.workUnit) }.size == 3) { "work unit members" }
    check(call("certificates") { hub.certificates(sec, w.workUnit) }.size == 3) { "certificates" }
    check(call("ledger") { hub.ledger(sec, w.workUnit) }.size == 3) { "ledger entries" }
    check(call("workUnitLedger") { hub.workUnitLedger(sec, w.workUnit, Period(null, null)) }.size == 3) { "work unit ledger" }
    val m = hub.issueCertificate(sec, w.workUnit, "钱伟", null, null, "BD-99", later).id
    hub.reportMember(Actor.Member(m), m, w.committee, "服务", listOf())
    check(call("returnReport") { hub.returnReport(staff, m, "材料不全") }.status == MemberStatus.RETURNED) { "returned" }
    call("reissueCertificate") { hub.reissueCertificate(sec, m, "BD-100", later) }
    call("member") { hub.member(staff, w.members[0]) }
    call("members") { hub.members(staff, w.committee, listOf()) }
    call("updateResident") { hub.updateResident(staff, w.resident, "陈大爷", null, null, null, listOf(ResidentGroup.DISABLED)) }
    call("resident") { hub.resident(staff, w.resident) }
    check(call("residents") { hub.residents(staff, w.committee) }.size == 1) { "residents" }
    call("unit") { hub.unit(sys, w.committee) }
    call("units") { hub.units(sys, null, UnitKind.COMMITTEE) }
    fun draft(title: String, wanted: Instant = later) =
        hub.draftNeed(staff, w.committee, null, w.resident, null, title, "d", "winter_clothes", Channel.COMMUNITY, Scale.INDIVIDUAL, 0L, wanted).id
    val n1 = draft("一")
    call("submitNeed") { hub.submitNeed(staff, n1) }
    call("rejectNeed") { hub.rejectNeed(staff, n1, "重复") }
    val n2 = draft("二"); hub.publishNeed(staff, n2)
    call("withdrawNeed") { hub.withdrawNeed(staff, n2, "已解决") }
    val need = draft("三"); hub.publishNeed(staff, need)
    call("need") { hub.need(sys, need) }
    call("library") { hub.library(staff, w.committee, listOf(), "三", null, 10L) }
    val me = Actor.Member(w.members[0])
    val until = Instant.now().plus(Duration.ofDays(2))
    var c = call("claimNeed") { hub.claimNeed(me, need, Claimant.Member(w.members[0]), until) }
    call("extendClaim") { hub.extendClaim(me, c.id, until.plus(Duration.ofDays(1))) }
    call("releaseClaim") { hub.releaseClaim(me, c.id, "出差") }
    c = hub.claimNeed(me, need, Claimant.Member(w.members[0]), until)
    call("warnClaimDue") { hub.warnClaimDue(sys, c.id) }
    call("startWork") { hub.startWork(me, c.id) }
    val f = Fulfilment(100L, listOf(), 30L, 1L, listOf(), "")
    call("completeClaim") { hub.completeClaim(me, c.id, f) }
    call("sendBackClaim") { hub.sendBackClaim(staff, c.id, "缺照片") }
    hub.completeClaim(me, c.id, f)
    call("verifyClaim") { hub.verifyClaim(staff, c.id) }
    call("recordFeedback") { hub.recordFeedback(staff, need, Feedback.SATISFIED, null) }
    call("claim") { hub.claim(sys, c.id) }
    call("claims") { hub.claims(sys, null, w.committee, listOf(ClaimStatus.VERIFIED)) }
    call("claimsOf") { hub.claimsOf(sys, Claimant.Member(w.members[0])) }
    val team = call("formTeam") { hub.formTeam(staff, w.committee, TeamKind.SECURITY_PATROL, "巡逻队", Channel.GRID) }.id
    call("appointCaptain") { hub.appointCaptain(staff, team, w.members[1]) }
    call("joinTeam") { hub.joinTeam(Actor.Member(w.members[2]), team, w.members[2]) }
    call("membersWithoutTeam") { hub.membersWithoutTeam(staff, w.committee) }
    call("leaveTeam") { hub.leaveTeam(Actor.Member(w.members[2]), team, w.members[2]) }
    call("team") { hub.team(sys, team) }
    call("teams") { hub.teams(sys, w.committee) }
    val served = Instant.now().minus(Duration.ofHours(1))
    val h1 = call("logHours") { hub.logHours(me, w.members[0], served, 60L, "探访") }
    call("rejectHours") { hub.rejectHours(staff, h1.id, "重复") }
    val h2 = hub.logHours(me, w.members[0], served, 30L, "巡逻")
    call("approveHours") { hub.approveHours(staff, h2.id) }
    call("hoursOf") { hub.hoursOf(me, w.members[0]) }
    call("hoursAt") { hub.hoursAt(staff, w.committee, HoursStatus.APPROVED) }
    call("recordActivity") { hub.recordActivity(staff, w.committee, ActivityKind.PATROL, "夜巡", Channel.GRID, team, served, 8L, 200L) }
    check(call("activities") { hub.activities(sys, w.committee, 0L) }.size == 1) { "activities" }
    val role = call("assignRole") { hub.assignRole(staff, w.members[0], RoleKind.BUILDING_HEAD, "5栋") }
    call("endRole") { hub.endRole(staff, role.id) }
    call("roles") { hub.roles(sys, w.committee, false) }
    val p = call("startPairing") { hub.startPairing(staff, w.members[0], w.resident) }
    call("endPairing") { hub.endPairing(staff, p.id, "已脱困") }
    call("pairings") { hub.pairings(staff, w.committee, false) }
    call("report") { hub.report(w.admin, w.district, Period(null, null)) }
    call("committeeLedger") { hub.committeeLedger(staff, w.committee, Period(null, null)) }
    check(call("changesSince") { hub.changesSince(sys, 0L, 1000L) }.isNotEmpty()) { "changes" }
    // The portal's side of sync (SyncTest.kt runs it with phones).
    val junk = "not a message".toByteArray()
    check(call("servePush") { refused<NeedbridgeException.Invalid> { hub.servePush(me, junk) } }.field == "message") { "push" }
    check(call("servePull") { refused<NeedbridgeException.Invalid> { hub.servePull(me, junk) } }.field == "message") { "pull" }
    check(call("syncRejected") { hub.syncRejected(staff, w.committee) }.isEmpty()) { "nothing refused yet" }
    // Expiry and lapse need time to pass.
    val n3 = draft("四", Instant.now().plusSeconds(2)); hub.publishNeed(staff, n3)
    val n4 = draft("五"); hub.publishNeed(staff, n4)
    val c4 = hub.claimNeed(Actor.Member(w.members[2]), n4, Claimant.Member(w.members[2]), Instant.now().plusSeconds(2))
    Thread.sleep(2500)
    check(call("expireNeed") { hub.expireNeed(sys, n3) }.status == NeedStatus.EXPIRED) { "expired" }
    check(call("lapseClaim") { hub.lapseClaim(sys, c4.id) }.status == ClaimStatus.LAPSED) { "lapsed" }
    call("tick") { hub.tick() }
    // Issue 18: rosters, a pairing's visit log, offers (派单) and matching by skill.
    val roster = listOf(RosterLine(minutes = 60L, member = w.members[0]),
        RosterLine(minutes = 30L, helper = HelperKind.FAMILY, people = 2L))
    val patrol = hub.recordActivity(staff, w.committee, ActivityKind.PATROL, "背街巡防", Channel.GRID,
        heldAt = served, participants = 0L, peopleReached = 40L, place = "凤凰路", roster = roster)
    check(patrol.participants == 3L && patrol.roster == roster) { "roster person-times: $patrol" }
    val pairing = hub.startPairing(staff, w.members[0], w.resident)
    val visit = hub.logHours(me, w.members[0], Instant.now(), 40L, "上门走访", pairing = pairing.id)
    check(call("visits") { hub.visits(me, pairing.id) }.map { it.id } == listOf(visit.id)) { "visit log" }
    check(call("membersWithSkill") { hub.membersWithSkill(staff, w.committee, "教") }.size == 3) { "skills" }
    val n6 = draft("六"); hub.publishNeed(staff, n6)
    val soon = Instant.now().plus(Duration.ofDays(1))
    val o1 = call("offerNeed") { hub.offerNeed(staff, n6, Claimant.Member(w.members[1]), soon, note = "会修电器") }
    check(o1.status == OfferStatus.OPEN && o1.source == OfferSource.COMMITTEE) { "offer $o1" }
    val o2 = hub.offerNeed(sec, n6, Claimant.Member(w.members[2]), soon)
    check(o2.source == OfferSource.BRANCH) { "支部安排 $o2" }
    check(call("declineOffer") { hub.declineOffer(Actor.Member(w.members[2]), o2.id, "出差") }.status == OfferStatus.DECLINED) { "declined" }
    val taken = call("acceptOffer") { hub.acceptOffer(Actor.Member(w.members[1]), o1.id, soon) }
    check(taken.claimant == Claimant.Member(w.members[1])) { "accepted $taken" }
    check(call("offers") { hub.offers(staff, need = n6) }.map { it.status }.toSet() == setOf(OfferStatus.ACCEPTED, OfferStatus.DECLINED)) { "offers" }
    refused<NeedbridgeException.IllegalState> { call("lapseOffer") { hub.lapseOffer(sys, o1.id) } }
    val home = call("registerHousehold") { hub.registerHousehold(staff, w.committee, null) }
    check(call("setHousehold") { hub.setHousehold(staff, w.resident, home.id) }.household == home.id) { "household" }
    check(call("households") { hub.households(staff, w.committee) }.map { it.id } == listOf(home.id)) { "households" }
    val weekly = hub.draftNeed(staff, w.committee, null, w.resident, null, "每周送餐", "d", "winter_clothes",
        Channel.FAMILY, Scale.INDIVIDUAL, 0L, Instant.now().plusSeconds(1),
        recurrence = Recurrence(Every.WEEK, 3L)).id
    hub.publishNeed(staff, weekly)
    Thread.sleep(1200)
    val next = call("nextOccurrence") { hub.nextOccurrence(sys, weekly) }
    check(next.series == weekly && next.occurrence == 2L) { "occurrence $next" }
    // Service records, a certificate checked by its number, a correction.
    val records = call("serviceRecords") { hub.serviceRecords(me, w.members[0]) }
    check(records.any { it.source == ServiceSource.ACTIVITY && it.minutes == 60L }) { "records $records" }
    val cert = call("issueServiceCertificate") { hub.issueServiceCertificate(staff, w.members[0], w.committee, null, null) }
    val checked = call("checkServiceCertificate") { hub.checkServiceCertificate(me, cert.number) }
    check(checked != null && checked.unchanged && checked.minutes == cert.minutes && checked.certificate == cert) { "check $checked" }
    check(hub.checkServiceCertificate(Actor.Member(w.members[2]), cert.number)?.certificate == null) { "only the figures for others" }
    check(hub.checkServiceCertificate(me, "ZY-NONE") == null) { "unknown number" }
    val ask = call("requestCorrection") { hub.requestCorrection(me, w.members[0], ServiceSource.ACTIVITY, patrol.id, "少记了半小时") }
    check(call("answerCorrection") { hub.answerCorrection(staff, ask.id, true, "已更正") }.status == CorrectionStatus.ACCEPTED) { "answered" }
    check(call("corrections") { hub.corrections(staff, w.committee) }.size == 1) { "corrections" }
    // Places: staff exact, others to about 100 m.
    val centre = GeoPoint(26_594_321L, 104_832_654L)
    val placed = hub.draftNeed(staff, w.committee, null, w.resident, null, "楼道灯", "坏了", "winter_clothes",
        Channel.COURTYARD, Scale.INDIVIDUAL, 0L, later, place = "凤凰路3号院", location = GeoPoint(26_595_400L, 104_832_654L)).id
    hub.publishNeed(staff, placed)
    val nearStaff = call("needsNear") { hub.needsNear(staff, w.committee, centre, 500L) }
    check(nearStaff.size == 1 && nearStaff[0].need.id == placed && nearStaff[0].metres in 115L..125L) { "near $nearStaff" }
    val nearMember = hub.needsNear(me, w.committee, centre, 500L)
    check(nearMember.single().need.location == GeoPoint(26_595_000L, 104_833_000L) && nearMember[0].metres % 100L == 0L) { "coarse $nearMember" }
    // The working calendar: dates as ISO text; a district admin sets a year, anyone reads it.
    val year = call("setWorkingCalendar") { hub.setWorkingCalendar(w.admin, 2026L, listOf("2026-10-01", "2026-10-02"), listOf("2026-10-10")) }
    check(year.holidays == listOf("2026-10-01", "2026-10-02") && year.workingWeekends == listOf("2026-10-10")) { "calendar $year" }
    check(call("workingCalendar") { hub.workingCalendar(me) } == listOf(year)) { "calendar read" }
    val badDay = refused<NeedbridgeException.Invalid> { hub.setWorkingCalendar(w.admin, 2026L, listOf("2026-02-30"), listOf()) }
    check(badDay.field == "holidays[0]") { "bad date $badDay" }
    // A need for an institution: no resident; both, or neither, refused naming the field.
    val careHome = hub.draftNeed(staff, w.committee, null, null, "白鹤养老服务中心", "助浴", "每周一次", "winter_clothes",
        Channel.COMMUNITY, Scale.COLLECTIVE, 0L, later)
    check(careHome.resident == null && careHome.institution == "白鹤养老服务中心") { "institution $careHome" }
    val both = refused<NeedbridgeException.Invalid> { hub.draftNeed(staff, w.committee, null, w.resident,
        "白鹤养老服务中心", "助浴", "d", "winter_clothes", Channel.COMMUNITY, Scale.COLLECTIVE, 0L, later) }
    check(both.field == "institution") { "both $both" }
    val r2 = hub.registerResident(staff, w.committee, null, "袁秀珍", "13698765432", null, "幸福里7栋", listOf(ResidentGroup.ELDERLY)).id
    val erased = call("eraseResident") { hub.eraseResident(staff, r2) }
    check(erased.erasedAt != null && erased.name == "" && erased.phone == null && erased.address == null) { "erased $erased" }
    // Kotlin writes a `name$default` helper beside each method with defaults: not an export.
    val exported = HubInterface::class.java.declaredMethods.map { it.name }.filterNot { it.endsWith("\$default") }.toSet()
    check(exported == called) { "not called: ${exported - called}; unknown: ${called - exported}" }
}

// Issue 14: a need the actor may not see answers like a missing one; erasure by the holding
// committee only, every figure kept.
fun hiddenNeedsAndErasure() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val draft = hub.draftNeed(w.staff, w.committee, null, w.resident, null, "年货", "春节", "festival_goods",
        Channel.FAMILY, Scale.INDIVIDUAL, 0L, w.later).id
    val outsider = Actor.CommitteeStaff(w.other)
    val random = UUID.fromString("01a21476-0000-7000-8000-000000000000")
    val hidden = refused<NeedbridgeException.NotFound> { hub.publishNeed(outsider, draft) }
    val missing = refused<NeedbridgeException.NotFound> { hub.publishNeed(outsider, random) }
    check(hidden.message!!.replace(draft.toString(), "<id>") == missing.message!!.replace(random.toString(), "<id>")) {
        "hidden: ${hidden.message}; missing: ${missing.message}"
    }
    refused<NeedbridgeException.Forbidden> { hub.eraseResident(outsider, w.resident) }
    refused<NeedbridgeException.Forbidden> { hub.eraseResident(w.admin, w.resident) }
    val before = hub.report(w.admin, w.district, Period(null, null)).data
    val erased = hub.eraseResident(w.staff, w.resident)
    check(erased.name == "" && erased.phone == null && erased.idNumber == null && erased.erasedAt != null) { "erased" }
    check(hub.report(w.admin, w.district, Period(null, null)).data == before) { "figures kept" }
    check(hub.changesSince(Actor.System, 0L, 1000L).last().kind == "resident_erased") { "erasure event" }
    refused<NeedbridgeException.IllegalState> { hub.eraseResident(w.staff, w.resident) }
}

// Arguments that may be left out have defaults (the optional ones null, lists empty, an open
// period); records are immutable (`val`, changed by `copy`).
fun defaultsAndImmutableRecords() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    // `grid` and `committee`'s optional neighbours left out by naming the rest.
    val need = hub.draftNeed(w.staff, committee = w.committee, resident = w.resident, title = "米面油",
        description = "春节慰问", category = "festival_goods", channel = Channel.FAMILY, scale = Scale.INDIVIDUAL,
        estimatedCostFen = 0L, wantedBy = w.later)
    check(need.grid == null && need.title == "米面油") { "drafted with defaults: $need" }
    hub.publishNeed(w.staff, need.id)
    check(hub.library(w.staff) == hub.library(w.staff, null, listOf(), null, null, 0L)) { "library's defaults" }
    check(hub.library(w.staff).needs.map { it.id } == listOf(need.id)) { "library: every status, every unit" }
    check(hub.units(w.sys).size == 4) { "units: all of them" }
    // One grid (网格) of the library, by name.
    val grid = hub.createUnit(w.admin, UnitKind.GRID, "第一网格", w.committee).id
    val inGrid = hub.draftNeed(w.staff, committee = w.committee, grid = grid, resident = w.resident,
        title = "修水管", description = "网格内", category = "festival_goods", channel = Channel.GRID,
        scale = Scale.INDIVIDUAL, estimatedCostFen = 0L, wantedBy = w.later)
    check(hub.library(w.staff, grid = grid).needs.map { it.id } == listOf(inGrid.id)) { "library by grid" }
    check(hub.library(w.staff).needs.size == 2) { "library: both" }
    check(hub.members(w.staff, w.committee).size == 3) { "members: every status" }
    val me = Actor.Member(w.members[0])
    val claim = hub.claimNeed(me, need.id, Claimant.Member(w.members[0]), Instant.now().plus(Duration.ofDays(2)))
    check(hub.claims(w.sys, need = need.id).single().id == claim.id) { "claims by need only" }
    // A fulfilment with only what was done: the rest are zero or empty.
    val f = Fulfilment(moneyFen = 3_000L, note = "已送到")
    check(f == Fulfilment(3_000L, listOf(), 0L, 0L, listOf(), "已送到")) { "fulfilment defaults: $f" }
    hub.completeClaim(me, claim.id, f)
    hub.verifyClaim(w.staff, claim.id)
    val all = hub.report(w.admin, w.district)
    check(all == hub.report(w.admin, w.district, Period(null, null)).copy(generatedAt = all.generatedAt)) { "report's open period" }
    check(all.data.needs.moneyFen == 3_000L) { "report money ${all.data.needs.moneyFen}" }
    check(hub.committeeLedger(w.staff, w.committee).size == 2) { "ledger's open period: both needs" }
    check(Period() == Period(null, null)) { "an open period" }
    // `Command` has the same defaults as the methods.
    check(Command.ReportMember(w.members[0], w.committee, "服务") == Command.ReportMember(w.members[0], w.committee, "服务", listOf())) {
        "command defaults"
    }
    // Immutable: no setters; `copy` makes a changed record and leaves the original as it was.
    for (c in listOf(Need::class.java, Claim::class.java, Resident::class.java, Fulfilment::class.java, Report::class.java)) {
        check(c.methods.none { it.name.startsWith("set") }) { "${c.simpleName} has setters" }
    }
    val renamed = need.copy(title = "年货")
    check(renamed.title == "年货" && need.title == "米面油" && renamed.id == need.id) { "copy: $renamed" }
    // Ids are java.util.UUID on every record, argument and event.
    check(need.id is UUID && claim.need == need.id && all.committeeNames[w.committee] == "凤凰社区居委会") { "typed ids" }
}

// errorMessage: the error's data as a sentence for people, Chinese unless asked otherwise,
// never with the refused value, an id or personal data.
fun errorMessages() {
    val w = World(Hub.inMemory())
    val hub = w.hub
    val phone = refused<NeedbridgeException.Invalid> {
        hub.registerResident(w.staff, w.committee, null, "李四", "12345", null, null, listOf(ResidentGroup.ELDERLY))
    }
    check(phone.field == "phone") { "the refused field: $phone" }
    val zh = errorMessage(phone)
    check(zh == "“手机号码”填写有误，请检查后重试。") { "Chinese by default: $zh" }
    check(errorMessage(phone, Language.ZH) == zh) { "Chinese when asked" }
    val en = errorMessage(phone, Language.EN)
    check(en == "Please check the phone number: ${phone.reason}." && !en.contains("12345")) { "English: $en" }
    check(!zh.contains("12345") && !zh.contains("李四")) { "no value in $zh" }
    val random = UUID.fromString("01a21476-0000-7000-8000-000000000000")
    val missing = refused<NeedbridgeException.NotFound> { hub.need(w.sys, random) }
    val nf = errorMessage(missing)
    check(nf.contains("需求") && !nf.contains(random.toString())) { "not found, without the id: $nf" }
    check(errorMessage(missing, Language.EN).startsWith("This need was not found")) { errorMessage(missing, Language.EN) }
    val need = w.publishedNeed("书包")
    val until = Instant.now().plus(Duration.ofDays(2))
    hub.claimNeed(Actor.Member(w.members[0]), need, Claimant.Member(w.members[0]), until)
    val conflict = refused<NeedbridgeException.Conflict> {
        hub.claimNeed(Actor.Member(w.members[1]), need, Claimant.Member(w.members[1]), until)
    }
    check(errorMessage(conflict).contains("已被认领")) { errorMessage(conflict) }
    // A state by the core's own label (需求 "已认领").
    val illegal = refused<NeedbridgeException.IllegalState> { hub.publishNeed(w.staff, need) }
    check(illegal.state == "claimed") { "state code: $illegal" }
    check(errorMessage(illegal) == "该需求当前状态为“已认领”，不能进行此操作。") { errorMessage(illegal) }
    check(errorMessage(illegal, Language.EN) == "This cannot be done while the need is Claimed.") { errorMessage(illegal, Language.EN) }
    val forbidden = refused<NeedbridgeException.Forbidden> { hub.publishNeed(Actor.Member(w.members[1]), w.publishedNeed("二")) }
    check(errorMessage(forbidden) == "您没有权限进行此操作。") { errorMessage(forbidden) }
    val limit = NeedbridgeException.LimitReached("active claims per member", 3L)
    check(errorMessage(limit).contains("最多 3 个") && errorMessage(limit, Language.EN).contains("at most 3")) { errorMessage(limit) }
}

// The threading contract (bindings-mobile/README.md): calls block; one Hub is shared by
// threads; a need is claimed once however many threads race for it, every other claimant
// gets the typed refusal; the listener runs on the committing thread, before the call returns.
fun threadingContract(dir: File) {
    val w = World(Hub.open(File(dir, "threads.db").path))
    val hub = w.hub
    val sec = Actor.WorkUnitSecretary(w.workUnit)
    val members = w.members + (4..8).map { i ->
        val m = hub.issueCertificate(sec, w.workUnit, "党员$i", null, null, "BD-T$i", w.later).id
        hub.reportMember(Actor.Member(m), m, w.committee, "每月服务一次")
        hub.acceptReport(w.staff, m)
        m
    }
    val need = w.publishedNeed("轮椅")
    val heardOn = java.util.concurrent.ConcurrentHashMap<Long, Long>()   // seq -> listener thread id
    hub.addListener(object : ChangeListener {
        override fun onChange(event: ChangeEvent) {
            if (event.kind == "need_claimed") heardOn[event.seq] = Thread.currentThread().id
        }
    })
    val start = CountDownLatch(1)
    val winners = CopyOnWriteArrayList<Long>()
    val refusals = CopyOnWriteArrayList<NeedbridgeException>()
    val heardBeforeReturn = AtomicInteger()
    val until = Instant.now().plus(Duration.ofDays(2))
    val threads = members.map { m ->
        thread {
            start.await()
            try {
                hub.claimNeed(Actor.Member(m), need, Claimant.Member(m), until)
                winners.add(Thread.currentThread().id)
                if (heardOn.values.contains(Thread.currentThread().id)) heardBeforeReturn.incrementAndGet()
            } catch (e: NeedbridgeException) {
                refusals.add(e)
            }
        }
    }
    start.countDown()
    threads.forEach { it.join() }
    check(members.size == 8 && winners.size == 1) { "${winners.size} of ${members.size} claims succeeded" }
    check(refusals.size == 7 && refusals.all { it is NeedbridgeException.Conflict }) {
        "the others refused as Conflict: ${refusals.map { it::class.simpleName }}"
    }
    check(heardOn.size == 1 && heardOn.values.single() == winners.single()) {
        "the listener ran on the committing thread: heard on ${heardOn.values}, committed on $winners"
    }
    check(heardBeforeReturn.get() == 1) { "the listener ran before claimNeed returned" }
    check(hub.claims(w.sys, need).single().status == ClaimStatus.ACTIVE) { "one claim stored" }
    hub.destroy()
}

fun main() {
    val dir = Files.createTempDirectory("needbridge-kotlin").toFile()
    try {
        claimFlowAndReads()
        maskingHidesShortValues()
        everyExportedFunction()
        everyErrorKind(dir)
        listenerAndThreads()
        reopenedDatabase(dir)
        hiddenNeedsAndErasure()
        encryptedDatabase(dir)
        defaultsAndImmutableRecords()
        errorMessages()
        threadingContract(dir)
    } finally {
        dir.deleteRecursively()
    }
    println("Kotlin: $checks checks passed")
}
