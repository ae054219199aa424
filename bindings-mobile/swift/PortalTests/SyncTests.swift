// Offline work and sync in Swift, the mirror of tests/kotlin/SyncTest.kt: a portal Hub (its own
// SQLite file) answers two members' phones (each its own file with a SyncDevice). Both claim
// the same need offline; the first push wins; the other phone is told why, keeps the note of
// the completion it queued, and after a pull shows the winner's claim; an outbox survives
// reopening; a lost push answer is sent again without doing the work twice.
//
// The portal's side (`servePush`, …) is in the JVM's library only (feature `portal`), not in
// the phones' bindings this package holds: scripts/mobile-test.sh runs this file, where
// `swift` exists, in a copy of the package whose sources it generates from the portal's build.
import Foundation
import XCTest
@testable import NeedBridge

final class StatusCollector: SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [SyncStatus] = []
    func onSync(status: SyncStatus) {
        lock.lock(); seen.append(status); lock.unlock()
    }
    var last: SyncStatus? {
        lock.lock(); defer { lock.unlock() }
        return seen.last
    }
}

final class SyncTests: XCTestCase {
    struct Round {
        let pushed: PushSummary?
        let pulled: PullSummary
    }

    /// What the app's transport does: push first, then pull until there are no more pages.
    func round(_ device: SyncDevice, _ user: Actor, _ portal: Hub) throws -> Round {
        var pushed: PushSummary? = nil
        if let body = try device.pushRequest() {
            pushed = try device.applyPush(response: try portal.servePush(actor: user, body: body))
        }
        var pulled: PullSummary
        var rounds = 0
        repeat {
            let request = try device.pullRequest(limit: 0)
            pulled = try device.applyPull(response: try portal.servePull(actor: user, body: request))
            rounds += 1
            if rounds > 50 { XCTFail("pulling does not end"); break }
        } while pulled.more || pulled.reset
        return Round(pushed: pushed, pulled: pulled)
    }

    func holds(_ path: String, _ text: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.range(of: Data(text.utf8)) != nil
    }

    func claim(_ record: AnyRecord) -> Claim? {
        if case let .claim(claim) = record { return claim }
        return nil
    }

    func testTwoPhonesOneNeed() throws {
        let dir = NSTemporaryDirectory() + "/needbridge-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let portal = try NeedBridgeTests.World(try Hub.open(path: dir + "/portal.db"))
        let need = try portal.publishedNeed("轮椅")
        let ma = portal.members[0], mb = portal.members[1]
        let meA = Actor.member(member: ma), meB = Actor.member(member: mb)
        let pathA = dir + "/phone-a.db", pathB = dir + "/phone-b.db"
        var hubA = try Hub.open(path: pathA)
        var devA = try SyncDevice(hub: hubA, actor: meA)
        let hubB = try Hub.open(path: pathB)
        let devB = try SyncDevice(hub: hubB, actor: meB)
        let heard = StatusCollector()
        devB.addListener(listener: heard)
        XCTAssertNotEqual(devA.clientId(), devB.clientId())
        XCTAssertFalse(try devA.status().ready)

        // First sync: the committee, masked for the member; the phone number never reaches the file.
        for (hub, device, me, path) in [(hubA, devA, meA, pathA), (hubB, devB, meB, pathB)] {
            let first = try round(device, me, portal.hub)
            XCTAssertNil(first.pushed)
            XCTAssertTrue(first.pulled.ready)
            XCTAssertGreaterThan(first.pulled.changes, 0)
            XCTAssertEqual(try hub.need(actor: me, id: need).status, .published)
            let resident = try hub.resident(actor: me, id: portal.resident)
            XCTAssertTrue(resident.masked)
            XCTAssertNotEqual(resident.phone, "13912345678")
            XCTAssertFalse(holds(path, "13912345678") || holds(path + "-wal", "13912345678"))
        }
        XCTAssertEqual(heard.last?.ready, true)

        // Offline: both claim; B also reports the work done, with a note.
        let until = Date().addingTimeInterval(3 * 86400)
        let claimA = try XCTUnwrap(claim(try devA.execute(command: .claimNeed(need: need, claimant: .member(id: ma), promisedBy: until))))
        let claimB = try XCTUnwrap(claim(try devB.execute(command: .claimNeed(need: need, claimant: .member(id: mb), promisedBy: until))))
        let note = "给陈大爷送去轮椅，已调试好"
        let fulfilment = Fulfilment(moneyFen: 50_000, items: [Item(count: 1, description: "轮椅")], minutes: 90,
                                    peopleServed: 1, evidence: ["IMG_7.jpg"], note: note)
        let done = try XCTUnwrap(claim(try devB.execute(command: .completeClaim(claim: claimB.id, fulfilment: fulfilment))))
        XCTAssertEqual(done.status, .done)
        XCTAssertEqual(try hubB.need(actor: meB, id: need).status, .done)
        XCTAssertThrowsError(try devB.execute(command: .claimNeed(need: need, claimant: .member(id: mb), promisedBy: until)))
        XCTAssertThrowsError(try devB.execute(command: .logHours(member: mb, servedAt: Date(), minutes: -5, description: "巡逻"))) {
            guard case let NeedbridgeError.Invalid(field, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "minutes")
        }
        XCTAssertEqual(try devB.status().pending, 2)
        XCTAssertEqual(heard.last?.pending, 2)

        // A pushes first and wins; B's two mutations are refused, each with why.
        let pushA = try round(devA, meA, portal.hub).pushed
        XCTAssertEqual(pushA?.applied, 1)
        XCTAssertEqual(pushA?.rejected, 0)
        let bodyB = try XCTUnwrap(try devB.pushRequest())
        let pushB = try devB.applyPush(response: try portal.hub.servePush(actor: meB, body: bodyB))
        XCTAssertEqual(pushB.applied, 0)
        XCTAssertEqual(pushB.rejected, 2)
        XCTAssertEqual(heard.last?.rejected, 2)
        let rejected = try devB.rejected()
        XCTAssertEqual(rejected.map { $0.command }, ["claim_need", "complete_claim"])
        XCTAssertEqual(rejected[0].kind, .conflict)
        XCTAssertEqual(rejected[0].newId, claimB.id)
        XCTAssertFalse(rejected[0].reason.isEmpty)
        XCTAssertTrue(rejected[1].content.contains(note))
        XCTAssertTrue(rejected[1].content.contains("IMG_7.jpg"))

        // B pulls: the portal's view, with A's claim; B's own claim is gone; the refusals stay.
        XCTAssertTrue(try round(devB, meB, portal.hub).pulled.ready)
        let seen = try hubB.need(actor: meB, id: need)
        XCTAssertEqual(seen.status, .claimed)
        XCTAssertEqual(seen.liveClaim, claimA.id)
        XCTAssertEqual(try hubB.claims(actor: .system, need: need, unit: nil, statuses: []).map { $0.id }, [claimA.id])
        XCTAssertThrowsError(try hubB.claim(actor: .system, id: claimB.id))
        XCTAssertEqual(try devB.status().pending, 0)
        XCTAssertEqual(try devB.status().rejected, 2)

        // The portal: A's claim only; the refusals kept for the committee's staff.
        XCTAssertEqual(try portal.hub.claims(actor: .system, need: need, unit: nil, statuses: []).map { $0.id }, [claimA.id])
        let stored = try portal.hub.syncRejected(actor: portal.staff, unit: portal.committee)
        XCTAssertEqual(stored.count, 2)
        XCTAssertTrue(stored.allSatisfy { $0.client == devB.clientId() && $0.actor == meB })
        XCTAssertTrue(stored.contains { $0.mutation.command == "complete_claim" && $0.mutation.content.contains(note) })
        try devB.dismiss(id: rejected[0].id)
        XCTAssertEqual(try devB.rejected().map { $0.id }, [2])
        XCTAssertEqual(heard.last?.rejected, 1)

        // A works on offline; the app is closed and opened again: the outbox is still there.
        _ = try devA.execute(command: .startWork(claim: claimA.id))
        let served = Date().addingTimeInterval(-7200)
        let logged = try devA.execute(command: .logHours(member: ma, servedAt: served, minutes: 90, description: "送轮椅"))
        guard case let .hours(hours) = logged else { return XCTFail("\(logged)") }
        let client = devA.clientId()
        XCTAssertEqual(try devA.status().pending, 2)
        hubA = try Hub.open(path: pathA)
        devA = try SyncDevice(hub: hubA, actor: meA)
        XCTAssertEqual(devA.clientId(), client)
        XCTAssertEqual(try devA.status().pending, 2)
        XCTAssertEqual(try hubA.claim(actor: meA, id: claimA.id).status, .inProgress)
        XCTAssertThrowsError(try SyncDevice(hub: hubA, actor: meB)) {
            guard case NeedbridgeError.Forbidden = $0 else { return XCTFail("\($0)") }
        }

        // The push's answer is lost: the same is sent again; the portal does the work once.
        let body = try XCTUnwrap(try devA.pushRequest())
        XCTAssertNil(try devA.pushRequest())
        XCTAssertTrue(try devA.status().inFlight)
        _ = try portal.hub.servePush(actor: meA, body: body)
        devA.pushFailed()
        let again = try XCTUnwrap(try devA.pushRequest())
        XCTAssertEqual(again, body)
        let retried = try devA.applyPush(response: try portal.hub.servePush(actor: meA, body: again))
        XCTAssertEqual(retried.applied, 2)
        _ = try round(devA, meA, portal.hub)
        XCTAssertEqual(try devA.status().pending, 0)
        XCTAssertEqual(try portal.hub.hoursOf(actor: .system, member: ma).map { $0.id }, [hours.id])

        // Bytes that are not a message are refused naming the part.
        XCTAssertThrowsError(try devA.applyPull(response: Data("<html>502</html>".utf8))) {
            guard case let NeedbridgeError.Invalid(field, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "message")
        }
    }
}
