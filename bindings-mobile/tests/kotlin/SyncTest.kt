// Offline work and sync on the JVM: a portal Hub (its own SQLite file, built with staff
// commands) answers two members' phones (each its own SQLite file with a SyncDevice) through
// the bytes an app's transport would move. Both claim the same need offline; the portal keeps
// the first push; the other phone is told why, keeps the note of the completion it queued
// after its claim, and after a pull shows the winner's claim. An outbox survives closing and
// reopening the app; a lost push answer is sent again without doing the work twice.
// Uses check/refused/World/holds of NeedbridgeTest.kt; scripts/mobile-test.sh runs it.
import org.needbridge.*
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

data class Round(val pushed: PushSummary?, val pulled: PullSummary)

// What the app's transport does: push first, then pull until the portal has no more pages.
// Here the "network" is a call into the portal's Hub as the authenticated user.
fun syncRound(device: SyncDevice, user: Actor, portal: Hub): Round {
    val pushed = device.pushRequest()?.let { body -> device.applyPush(portal.servePush(user, body)) }
    var pulled: PullSummary
    var rounds = 0
    do {
        pulled = device.applyPull(portal.servePull(user, device.pullRequest(0L)))
        check(++rounds < 50) { "pulling does not end: $pulled" }
    } while (pulled.more || pulled.reset)
    return Round(pushed, pulled)
}

class Phone(dir: File, name: String, val member: java.util.UUID) {
    val path = File(dir, "$name.db").path
    val me = Actor.Member(member)
    var hub = Hub.open(path)
    var device = SyncDevice(hub, me)

    fun reopen() {
        device.destroy()
        hub.destroy()
        System.gc()
        hub = Hub.open(path)
        device = SyncDevice(hub, me)
    }
}

fun twoPhonesOneNeed(dir: File) {
    val portal = World(Hub.open(File(dir, "portal.db").path))
    val need = portal.publishedNeed("轮椅")
    val a = Phone(dir, "phone-a", portal.members[0])
    val b = Phone(dir, "phone-b", portal.members[1])
    val heard = CopyOnWriteArrayList<SyncStatus>()
    b.device.addListener(object : SyncListener {
        override fun onSync(status: SyncStatus) { heard.add(status) }
    })
    check(a.device.clientId() != b.device.clientId()) { "one client id per install" }
    check(!a.device.status().ready && a.device.status().pending == 0L) { "a new phone: ${a.device.status()}" }

    // First sync: the member's committee, masked for the member; the full phone number never
    // reaches the member's file.
    for (p in listOf(a, b)) {
        val (pushed, pulled) = syncRound(p.device, p.me, portal.hub)
        check(pushed == null && pulled.ready && pulled.changes > 0L) { "first sync: $pushed $pulled" }
        check(p.hub.need(p.me, need).status == NeedStatus.PUBLISHED) { "the phone shows the need" }
        val r = p.hub.resident(p.me, portal.resident)
        check(r.masked && r.phone != "13912345678") { "the resident masked on the phone: $r" }
        check(!File(p.path).holds("13912345678") && !File(p.path + "-wal").holds("13912345678")) {
            "the resident's phone number is in the member's file"
        }
    }
    check(heard.last().ready) { "the listener heard the view become ready: $heard" }

    // Offline: both claim; B also reports the work done, with a note.
    val until = Instant.now().plus(Duration.ofDays(3))
    val claimA = (a.device.execute(Command.ClaimNeed(need, Claimant.Member(a.member), until)) as AnyRecord.Claim).claim
    val claimB = (b.device.execute(Command.ClaimNeed(need, Claimant.Member(b.member), until)) as AnyRecord.Claim).claim
    val note = "给陈大爷送去轮椅，已调试好"
    val done = b.device.execute(Command.CompleteClaim(claimB.id,
        Fulfilment(50_000L, listOf(Item(1L, "轮椅")), 90L, 1L, listOf("IMG_7.jpg"), note)))
    check((done as AnyRecord.Claim).claim.status == ClaimStatus.DONE) { "done on B's phone: $done" }
    check(b.hub.need(b.me, need).status == NeedStatus.DONE) { "B's phone shows its own work" }
    // A command the rules refuse on the phone throws and queues nothing.
    refused<NeedbridgeException> {
        b.device.execute(Command.ClaimNeed(need, Claimant.Member(b.member), until))
    }
    val bad = refused<NeedbridgeException.Invalid> {
        b.device.execute(Command.LogHours(b.member, Instant.now(), -5L, "巡逻"))
    }
    check(bad.field == "minutes") { "names the command's argument: $bad" }
    check(b.device.status().pending == 2L && a.device.status().pending == 1L) { "outboxes: ${b.device.status()}" }
    check(heard.last().pending == 2L) { "the listener heard the outbox grow: ${heard.last()}" }

    // A pushes first and wins; B's two mutations are refused, each with why.
    val (pushA, _) = syncRound(a.device, a.me, portal.hub)
    check(pushA!!.applied == 1L && pushA.rejected == 0L && !pushA.unavailable) { "A's push: $pushA" }
    val pushB = b.device.applyPush(portal.hub.servePush(b.me, b.device.pushRequest()!!))
    check(pushB.applied == 0L && pushB.rejected == 2L && pushB.lastApplied == 2L) { "B's push: $pushB" }
    check(heard.last().rejected == 2L) { "the listener heard the refusals: ${heard.last()}" }
    val rejected = b.device.rejected()
    check(rejected.map { it.command } == listOf("claim_need", "complete_claim")) { "rejected: $rejected" }
    val (lost, later) = rejected
    check(lost.id == 1L && lost.kind == ErrorKind.CONFLICT && lost.reason.isNotBlank()) { "the claim's refusal: $lost" }
    check(lost.newId == claimB.id) { "the claim's id, made on the phone: $lost" }
    check(!lost.at.isAfter(Instant.now()) && lost.at.isAfter(Instant.now().minusSeconds(600))) { "the phone's time: ${lost.at}" }
    check(later.id == 2L && later.reason.isNotBlank()) { "the completion's refusal: $later" }
    check(later.content.contains(note) && later.content.contains("IMG_7.jpg") && later.content.contains(claimB.id.toString())) {
        "the completion's content is kept: ${later.content}"
    }
    check(!lost.reason.contains("陈大爷")) { "no personal data in a reason" }

    // B pulls: the view is the portal's, with A's claim; B's own claim is gone; the refusals stay.
    val (_, pullB) = syncRound(b.device, b.me, portal.hub)
    check(pullB.ready && !pullB.stale) { "B's pull: $pullB" }
    val seen = b.hub.need(b.me, need)
    check(seen.status == NeedStatus.CLAIMED && seen.liveClaim == claimA.id) { "B sees A's claim: $seen" }
    val claims = b.hub.claims(Actor.System, need, null, listOf())
    check(claims.map { it.id } == listOf(claimA.id) && claims[0].claimant == Claimant.Member(a.member)) {
        "the claims on B's phone: $claims"
    }
    refused<NeedbridgeException.NotFound> { b.hub.claim(Actor.System, claimB.id) }
    check(b.device.status().let { it.pending == 0L && it.rejected == 2L && it.ready }) { "B: ${b.device.status()}" }

    // The portal: one claim, A's; the refusals kept for the committee's staff with their content.
    check(portal.hub.claims(Actor.System, need, null, listOf()).map { it.id } == listOf(claimA.id)) { "portal claims" }
    val stored = portal.hub.syncRejected(portal.staff, portal.committee)
    check(stored.size == 2 && stored.all { it.client == b.device.clientId() && it.actor == b.me }) { "stored: $stored" }
    check(stored.any { it.mutation.command == "complete_claim" && it.mutation.content.contains(note) }) { "staff see the note" }
    refused<NeedbridgeException.Forbidden> { portal.hub.syncRejected(a.me, portal.committee) }

    // The app shows the refusals, then dismisses them one by one.
    b.device.dismiss(lost.id)
    check(b.device.rejected().map { it.id } == listOf(2L) && b.device.status().rejected == 1L) { "dismissed" }
    check(heard.last().rejected == 1L) { "the listener heard the dismissal" }

    // A works on offline; the app is closed and opened again: the outbox is still there.
    val served = Instant.now().minus(Duration.ofHours(2))
    a.device.execute(Command.StartWork(claimA.id))
    val hours = (a.device.execute(Command.LogHours(a.member, served, 90L, "送轮椅")) as AnyRecord.Hours).hours
    val client = a.device.clientId()
    check(a.device.status().pending == 2L) { "A's outbox: ${a.device.status()}" }
    a.reopen()
    check(a.device.clientId() == client) { "the client id survives reopening" }
    check(a.device.status().pending == 2L && a.device.status().ready) { "the outbox survives reopening: ${a.device.status()}" }
    check(a.hub.claim(a.me, claimA.id).status == ClaimStatus.IN_PROGRESS) { "the view survives reopening" }
    check(a.hub.hoursOf(a.me, a.member).map { it.id } == listOf(hours.id)) { "the logged hours survive reopening" }
    refused<NeedbridgeException.Forbidden> { SyncDevice(a.hub, b.me) }

    // The push's answer is lost: the phone sends the same again; the portal does the work once.
    val body = a.device.pushRequest()!!
    check(a.device.pushRequest() == null && a.device.status().inFlight) { "one push in flight" }
    portal.hub.servePush(a.me, body)          // applied on the portal, the answer never arrives
    a.device.pushFailed()
    val again = a.device.pushRequest()!!
    check(again.contentEquals(body)) { "the retry sends the same mutations" }
    val retried = a.device.applyPush(portal.hub.servePush(a.me, again))
    check(retried.applied == 2L && retried.rejected == 0L) { "the retry answered from what was stored: $retried" }
    syncRound(a.device, a.me, portal.hub)
    check(a.device.status().pending == 0L) { "A's outbox emptied: ${a.device.status()}" }
    check(portal.hub.hoursOf(Actor.System, a.member).map { it.id } == listOf(hours.id)) { "hours logged once, with the phone's id" }
    check(portal.hub.claim(Actor.System, claimA.id).status == ClaimStatus.IN_PROGRESS) { "work started on the portal" }

    // Bytes that are not a message are refused naming the part, never echoed.
    val junk = refused<NeedbridgeException.Invalid> { a.device.applyPull("<html>502 Bad Gateway</html>".toByteArray()) }
    check(junk.field == "message" && !junk.reason.contains("502")) { "junk: $junk" }
    refused<NeedbridgeException.Invalid> { portal.hub.servePush(a.me, "{}".toByteArray()) }
    refused<NeedbridgeException.Invalid> { a.device.pullRequest(-1L) }
    // An answer from a newer portal: sync pauses, the outbox stays.
    val pendingBefore = a.device.status().pending
    val newer = refused<NeedbridgeException.VersionNotSupported> {
        a.device.applyPull("{\"protocol\": 2}".toByteArray())
    }
    check(newer.part == "protocol" && newer.version == 2L && newer.supported == 1L) { "newer: $newer" }
    check(a.device.status().pending == pendingBefore) { "the outbox is kept" }
    // A client id belongs to the user of its first push.
    refused<NeedbridgeException.Forbidden> { portal.hub.servePull(b.me, a.device.pullRequest(0L)) }
    listOf(a, b).forEach { it.device.destroy(); it.hub.destroy() }
    portal.hub.destroy()
}

fun main() {
    val dir = Files.createTempDirectory("needbridge-sync").toFile()
    try {
        twoPhonesOneNeed(dir)
    } finally {
        dir.deleteRecursively()
    }
    println("Kotlin sync: $checks checks passed")
}
