// Two members' phones working offline against a portal (examples/sync/portal.py), on the JVM
// (the same code runs on Android). Each phone keeps its own needbridge file; the transport is
// plain HTTP to the portal, cut while the members are out of signal.
//
//   python examples/sync/portal.py WORKDIR &          # writes WORKDIR/portal.properties
//   kotlinc -cp jna.jar needbridge.kt App.kt -d app.jar
//   java -Djna.library.path=target/debug -cp app.jar:jna.jar:kotlin-stdlib.jar AppKt WORKDIR
//
// The story: both phones sync; signal is lost; both members claim the same schoolbag need and
// one also records the work done, with a note; signal returns; the first to sync wins; the
// other phone shows why its claim was refused — and still has its note; the committee's staff
// see the refused work on the portal. Exits non-zero if any of that does not hold.
import org.needbridge.*
import java.io.File
import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.util.Properties
import java.util.UUID

/// The app's transport: POSTs the message with the user's token. `online = false` is a phone
/// without signal.
class Transport(private val base: String, private val token: String) {
    var online = true
    private val http = HttpClient.newHttpClient()

    fun post(path: String, body: ByteArray): ByteArray {
        if (!online) throw IOException("no signal")
        val req = HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer $token")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build()
        val res = http.send(req, HttpResponse.BodyHandlers.ofByteArray())
        if (res.statusCode() != 200) throw IOException("portal answered ${res.statusCode()}: ${String(res.body())}")
        return res.body()
    }

    fun get(path: String): String {
        val req = HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer $token").GET().build()
        return http.send(req, HttpResponse.BodyHandlers.ofString()).body()
    }
}

/// One phone: its Hub (its own file), its sync device, its transport.
class Phone(dir: File, val name: String, member: UUID, val net: Transport) {
    val me = Actor.Member(member)
    val hub = Hub.open(File(dir, "$name.db").path)
    val device = SyncDevice(hub, me)

    /// What an app does when it may have signal: push first, then pull until the portal has
    /// no more pages. Without signal it keeps everything queued and says so.
    fun sync(): Boolean = try {
        device.pushRequest()?.let { body ->
            try {
                device.applyPush(net.post("/sync/push", body))
            } catch (e: IOException) {
                device.pushFailed() // the same mutations go again next time
                throw e
            }
        }
        do {
            val pulled = device.applyPull(net.post("/sync/pull", device.pullRequest(0L)))
        } while (pulled.more || pulled.reset)
        true
    } catch (e: IOException) {
        println("  $name: not synced (${e.message}); ${device.status().pending} change(s) kept on the phone")
        false
    }
}

fun expect(ok: Boolean, what: String) {
    if (!ok) {
        System.err.println("example failed: $what")
        kotlin.system.exitProcess(1)
    }
}

fun main(args: Array<String>) {
    val dir = File(args.getOrElse(0) { "sync-example" })
    val setup = Properties().apply { File(dir, "portal.properties").inputStream().use { load(it) } }
    val base = "http://127.0.0.1:${setup.getProperty("port")}"
    val need = UUID.fromString(setup.getProperty("need"))
    val wang = Phone(dir, "phone-wang", UUID.fromString(setup.getProperty("member_a")), Transport(base, setup.getProperty("token_a")))
    val zhao = Phone(dir, "phone-zhao", UUID.fromString(setup.getProperty("member_b")), Transport(base, setup.getProperty("token_b")))

    println("1. both phones sync with the portal")
    for (p in listOf(wang, zhao)) {
        expect(p.sync(), "${p.name} syncs")
        val n = p.hub.need(p.me, need)
        val child = p.hub.resident(p.me, n.resident!!)
        println("  ${p.name}: sees \"${n.title}\" for ${child.name} (masked: ${child.masked})")
        expect(child.masked, "a member who is not doing the need sees the child masked")
    }

    println("2. out of signal: both claim the schoolbag; Zhao also records the work done")
    wang.net.online = false
    zhao.net.online = false
    val until = Instant.now().plus(Duration.ofDays(5))
    wang.device.execute(Command.ClaimNeed(need, Claimant.Member(wang.me.member), until))
    val zhaoClaim = (zhao.device.execute(Command.ClaimNeed(need, Claimant.Member(zhao.me.member), until)) as AnyRecord.Claim).claim
    val note = "周六上门送去书包和文具，孩子很高兴"
    zhao.device.execute(Command.CompleteClaim(zhaoClaim.id,
        Fulfilment(12_000L, listOf(Item(1L, "书包"), Item(1L, "文具盒")), 60L, 1L, listOf("IMG_0412.jpg"), note)))
    expect(!wang.sync() && !zhao.sync(), "no sync without signal")
    expect(zhao.hub.need(zhao.me, need).status == NeedStatus.DONE, "Zhao's phone shows its own work at once")

    println("3. signal returns: Wang syncs first, then Zhao")
    wang.net.online = true
    zhao.net.online = true
    expect(wang.sync(), "Wang syncs")
    expect(zhao.sync(), "Zhao syncs")
    val refused = zhao.device.rejected()
    for (r in refused) println("  zhao: refused ${r.command} — ${r.reason}")
    expect(wang.device.rejected().isEmpty() && wang.device.status().pending == 0L, "Wang's claim won")
    expect(refused.map { it.command } == listOf("claim_need", "complete_claim"), "Zhao is told both were refused")
    expect(refused[1].content.contains(note), "Zhao's note is kept on the phone")
    val seen = zhao.hub.need(zhao.me, need)
    expect(seen.status == NeedStatus.CLAIMED, "Zhao's phone now shows the need claimed by Wang")
    expect(zhao.hub.claims(zhao.me, need, null, listOf()).all { it.claimant == Claimant.Member(wang.me.member) },
        "only Wang's claim is on Zhao's phone")

    println("4. the committee's staff see the refused work on the portal")
    val staff = Transport(base, setup.getProperty("token_staff"))
    val list = staff.get("/staff/rejected")
    expect(list.contains(note), "the staff see Zhao's note")
    println("  staff: ${list.length} bytes of refused work, Zhao's note included")
    println("done: one claim won, the other phone was told why and kept its note")
    wang.device.destroy(); zhao.device.destroy(); wang.hub.destroy(); zhao.hub.destroy()
}
