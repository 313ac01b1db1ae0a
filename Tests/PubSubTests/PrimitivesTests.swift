import Foundation
@testable import PubSub
import Testing

@Suite struct NodeIDTests {
    @Test func acceptsPaths() throws {
        #expect(try NodeID("site-a/floor-2/temp").rawValue == "site-a/floor-2/temp")
    }

    @Test(arguments: ["", String(repeating: "x", count: 1024), String(repeating: "é", count: 512)])
    func rejectsEmptyOrLong(_ raw: String) {
        #expect(throws: PubSubError.invalidNodeID) { try NodeID(raw) }
    }

    @Test func acceptsMaximumLength() throws {
        #expect(try NodeID(String(repeating: "x", count: 1023)).rawValue.utf8.count == 1023)
    }
}

@Suite struct IDGeneratorTests {
    @Test func idsAreUniqueAndSortedWithinOneMillisecond() {
        var generator = IDGenerator()
        let instant = Date(timeIntervalSince1970: 1_700_000_000)
        let ids = (0..<1000).map { _ in generator.next(at: instant) }
        #expect(Set(ids).count == 1000)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.count == 26 })
    }

    @Test func idsSortByTime() {
        var generator = IDGenerator()
        let early = generator.next(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = generator.next(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(early < late)
    }

    @Test func idsNeverGoBackwardsWhenTheClockDoes() {
        var generator = IDGenerator()
        let first = generator.next(at: Date(timeIntervalSince1970: 1_700_000_010))
        let second = generator.next(at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(first < second)
    }
}

@Suite struct ItemCursorTests {
    @Test func tokenRoundTrips() throws {
        let cursor = ItemCursor(published: Date(timeIntervalSince1970: 1_700_000_000.123456), id: "a.b")
        let parsed = try #require(ItemCursor(token: cursor.token))
        #expect(parsed.id == "a.b")
        #expect(ItemCursor.microseconds(parsed.published) == ItemCursor.microseconds(cursor.published))
    }

    @Test(arguments: ["", "abc", "12x.id"])
    func rejectsGarbage(_ token: String) {
        #expect(ItemCursor(token: token) == nil)
    }

    @Test func ordersByTimeThenID() {
        let t = Date(timeIntervalSince1970: 1)
        #expect(ItemCursor(published: t, id: "b") < ItemCursor(published: t.addingTimeInterval(1), id: "a"))
        #expect(ItemCursor(published: t, id: "a") < ItemCursor(published: t, id: "b"))
    }
}

@Suite struct PublishOptionsTests {
    @Test func matchesOnlyWhenEveryFieldAgrees() {
        var configuration = NodeConfiguration()
        configuration.accessModel = .whitelist
        #expect(PublishOptions(accessModel: .whitelist).isSatisfied(by: configuration))
        #expect(!PublishOptions(accessModel: .open).isSatisfied(by: configuration))
        #expect(PublishOptions(maxItems: .some(10)).isSatisfied(by: configuration))
        #expect(!PublishOptions(maxItems: .some(nil)).isSatisfied(by: configuration))
        #expect(PublishOptions().isSatisfied(by: configuration))
    }
}
