import Foundation
import PubSub
import Testing

/// `pubsub#max_items` at append and `pubsub#item_expire` by the sweep, with a fixed clock.
@Suite struct RetentionTests {
    @Test func maxItemsEvictsOldestInTheSameAppend() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.maxItems = 2 }
        try await f.publish("n", itemID: "1")
        try await f.publish("n", itemID: "2")
        let events = try await f.events { try await f.publish("n", itemID: "3") }
        #expect(try await f.items("n").items.map(\.id) == ["2", "3"])
        #expect(events.last == .itemsRemoved(node: node("n"), itemIDs: ["1"], reason: .evicted))
    }

    @Test func storeReturnsEvictedIDs() async throws {
        let store = InMemoryPubSubStore()
        let id = node("n")
        _ = await store.createNode(Node(id: id, configuration: NodeConfiguration(), creator: nil, created: Date()), owner: nil)
        for index in 0..<5 {
            let item = Item(id: "\(index)", publisher: nil, payload: [], published: Date(timeIntervalSince1970: Double(index)))
            _ = try await store.appendItem(item, to: id, keepingAtMost: nil)
        }
        let evicted = try await store.appendItem(
            Item(id: "5", publisher: nil, payload: [], published: Date(timeIntervalSince1970: 5)), to: id, keepingAtMost: 3)
        #expect(evicted == ["0", "1", "2"])
        // Overwriting an id is a replacement, not an eviction.
        let replaced = try await store.appendItem(
            Item(id: "3", publisher: nil, payload: [], published: Date(timeIntervalSince1970: 6)), to: id, keepingAtMost: 3)
        #expect(replaced == [])
        #expect(await store.items(in: id, query: .all).items.map(\.id) == ["4", "5", "3"])
    }

    @Test func maxItemsMaxMeansServiceLimit() async throws {
        let f = Fixture { $0.maxItemsLimit = 3 }
        try await f.createNode("n") { $0.maxItems = nil }
        for _ in 0..<5 { try await f.publish("n") }
        #expect(try await f.items("n").count == 3)
        await #expect(throws: PubSubError.invalidConfiguration) { try await f.createNode("big") { $0.maxItems = 4 } }
    }

    @Test func itemExpireSweep() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.itemExpire = .seconds(60) }
        try await f.createNode("forever")
        try await f.publish("n", itemID: "old")
        try await f.publish("forever", itemID: "kept")
        f.clock.advance(seconds: 30)
        try await f.publish("n", itemID: "young")
        f.clock.advance(seconds: 31)
        var removed = 0
        let events = try await f.events { removed = try await f.service.expireItems() }
        #expect(removed == 1)
        #expect(events == [.itemsRemoved(node: node("n"), itemIDs: ["old"], reason: .expired)])
        #expect(try await f.items("n").items.map(\.id) == ["young"])
        f.clock.advance(seconds: 30)
        #expect(try await f.service.expireItems() == 1)
        #expect(try await f.items("n").items.isEmpty)
        #expect(try await f.items("forever").items.map(\.id) == ["kept"])
    }

    @Test func invalidRetentionValuesAreNotAcceptable() async throws {
        let f = Fixture()
        await #expect(throws: PubSubError.invalidConfiguration) { try await f.createNode("a") { $0.maxItems = -1 } }
        await #expect(throws: PubSubError.invalidConfiguration) { try await f.createNode("b") { $0.itemExpire = .zero } }
    }
}
