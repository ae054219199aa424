// The Swift bindings: the same checks as the Kotlin test (claim flow and reads, every error
// kind, the change listener, several threads, a reopened database). Run by scripts/test.sh
// where `swift` is on PATH.
import Foundation
import XCTest
@testable import NeedBridge

final class Collector: ChangeListener, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [ChangeEvent] = []
    func onChange(event: ChangeEvent) {
        lock.lock(); events.append(event); lock.unlock()
    }
}

final class NeedBridgeTests: XCTestCase {
    struct World {
        let hub: Hub
        let district: UUID, community: UUID, committee: UUID, other: UUID
        let staff: Actor, admin: Actor
        let members: [UUID]
        let resident: UUID
        let later = Date().addingTimeInterval(30 * 86400)

        init(_ hub: Hub) throws {
            self.hub = hub
            district = try hub.createUnit(actor: .system, kind: .district, name: "钟山区", parent: nil).id
            admin = .districtAdmin(district: district)
            community = try hub.createUnit(actor: admin, kind: .community, name: "荷城街道", parent: district).id
            committee = try hub.createUnit(actor: admin, kind: .committee, name: "凤凰社区居委会", parent: community).id
            other = try hub.createUnit(actor: admin, kind: .committee, name: "明湖社区居委会", parent: community).id
            staff = .committeeStaff(unit: committee)
            let wu = try hub.registerWorkUnit(actor: admin, name: "区财政局", partyOrganisation: "区财政局机关党支部").id
            var ms: [UUID] = []
            for i in 1...3 {
                let m = try hub.issueCertificate(actor: .workUnitSecretary(workUnit: wu), workUnit: wu, name: "党员\(i)",
                                                 phone: nil, idNumber: nil, number: "BD-\(i)", deadline: later).id
                _ = try hub.reportMember(actor: .member(member: m), member: m, committee: committee,
                                         commitment: "每月服务一次", skills: [])
                _ = try hub.acceptReport(actor: staff, member: m, note: nil)
                ms.append(m)
            }
            members = ms
            resident = try hub.registerResident(actor: staff, committee: committee, grid: nil, name: "陈大爷",
                                                phone: "13912345678", idNumber: nil, address: nil,
                                                groups: [.emptyNestElderly]).id
        }

        func publishedNeed(_ title: String) throws -> UUID {
            let n = try hub.draftNeed(actor: staff, committee: committee, grid: nil, resident: resident, institution: nil, title: title,
                                      description: "居民需求", category: "festival_goods", channel: .family,
                                      scale: .individual, estimatedCostFen: 20_000, wantedBy: later).id
            _ = try hub.publishNeed(actor: staff, need: n)
            return n
        }
    }

    func testClaimFlowAndReads() throws {
        let w = try World(Hub.inMemory())
        let need = try w.publishedNeed("书包")
        let me = Actor.member(member: w.members[0])
        let claim = try w.hub.claimNeed(actor: me, need: need, claimant: .member(id: w.members[0]),
                                        promisedBy: Date().addingTimeInterval(3 * 86400))
        _ = try w.hub.completeClaim(actor: me, claim: claim.id, fulfilment: Fulfilment(
            moneyFen: 8850, items: [Item(count: 1, description: "书包")], minutes: 30, peopleServed: 1,
            evidence: [], note: ""))
        XCTAssertEqual(try w.hub.verifyClaim(actor: w.staff, claim: claim.id).status, .verified)
        let report = try w.hub.report(actor: w.admin, unit: w.district, period: Period(from: nil, to: nil))
        XCTAssertEqual(report.data.needs.moneyFen, 8850)
        XCTAssertEqual(try w.hub.resident(actor: w.staff, id: w.resident).phone, "13912345678")
        XCTAssertTrue(try w.hub.resident(actor: me, id: w.resident).masked)
    }

    func testEveryErrorKind() throws {
        let w = try World(Hub.inMemory())
        let need = try w.publishedNeed("轮椅")
        XCTAssertThrowsError(try w.hub.need(actor: .system, id: UUID(uuidString: "01a21476-0000-7000-8000-000000000000")!)) {
            guard case NeedbridgeError.NotFound = $0 else { return XCTFail("\($0)") } }
        XCTAssertThrowsError(try w.hub.createUnit(actor: w.admin, kind: .grid, name: "", parent: w.committee)) {
            guard let e = $0 as? NeedbridgeError, case let .Invalid(field, reason) = e else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "name")
            XCTAssertFalse(reason.isEmpty)
            XCTAssertEqual(e.description, "invalid name: \(reason)")
            XCTAssertEqual(errorMessage(error: e), "“姓名或名称”填写有误，请检查后重试。") }
        XCTAssertThrowsError(try w.hub.publishNeed(actor: .committeeStaff(unit: w.other), need: need)) {
            guard case NeedbridgeError.Forbidden = $0 else { return XCTFail("\($0)") } }
        let until = Date().addingTimeInterval(2 * 86400)
        _ = try w.hub.claimNeed(actor: .member(member: w.members[0]), need: need, claimant: .member(id: w.members[0]), promisedBy: until)
        XCTAssertThrowsError(try w.hub.claimNeed(actor: .member(member: w.members[1]), need: need,
                                                 claimant: .member(id: w.members[1]), promisedBy: until)) {
            guard case NeedbridgeError.Conflict = $0 else { return XCTFail("\($0)") } }
        XCTAssertThrowsError(try w.hub.publishNeed(actor: w.staff, need: need)) {
            guard case NeedbridgeError.IllegalState = $0 else { return XCTFail("\($0)") } }
        let me = Actor.member(member: w.members[1])
        for i in 0..<3 { _ = try w.hub.claimNeed(actor: me, need: try w.publishedNeed("需求\(i)"), claimant: .member(id: w.members[1]), promisedBy: until) }
        XCTAssertThrowsError(try w.hub.claimNeed(actor: me, need: try w.publishedNeed("第四个"), claimant: .member(id: w.members[1]), promisedBy: until)) {
            guard case NeedbridgeError.LimitReached = $0 else { return XCTFail("\($0)") } }
        XCTAssertThrowsError(try Hub.open(path: NSTemporaryDirectory())) {
            guard case NeedbridgeError.Storage = $0 else { return XCTFail("\($0)") } }
    }

    func testListenerThreadsAndReopen() throws {
        let path = NSTemporaryDirectory() + "/needbridge-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let district: UUID
        var needs: [UUID] = []
        do {
            let w = try World(try Hub.open(path: path))
            district = w.district
            let seen = Collector()
            w.hub.addListener(listener: seen)
            for i in 0..<6 { needs.append(try w.publishedNeed("需求\(i)")) }
            XCTAssertEqual(seen.events.count, 12)
            let until = Date().addingTimeInterval(2 * 86400)
            DispatchQueue.concurrentPerform(iterations: 3) { i in
                for n in needs {
                    _ = try? w.hub.claimNeed(actor: .member(member: w.members[i]), need: n,
                                             claimant: .member(id: w.members[i]), promisedBy: until)
                }
            }
            for n in needs {
                XCTAssertEqual(try w.hub.claims(actor: .system, need: n, unit: nil, statuses: [.active]).count, 1)
            }
        }
        let again = try Hub.open(path: path)
        XCTAssertEqual(try again.report(actor: .system, unit: district, period: Period(from: nil, to: nil)).data.needs.needsClaimed, 6)
    }
}
