import Foundation
import PubSub
import Testing

/// The rules ``PubSubStore`` documents, run against every store this target can build. The SQL stores
/// should run the same checks (STYLE.md §7: one suite, every backend); this list is where they start.
enum StoreKind: String, CaseIterable, CustomStringConvertible {
    case memory

    var description: String { rawValue }

    func make() -> any PubSubStore {
        switch self {
        case .memory: InMemoryPubSubStore()
        }
    }
}

private func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + seconds) }

private func makeNode(_ id: String, type: NodeType = .leaf, parents: [String] = []) -> Node {
    var configuration = NodeConfiguration.defaults(for: type)
    configuration.collections = parents.map(node)
    return Node(id: node(id), configuration: configuration, creator: owner, created: at(0))
}

private func item(_ id: String, _ seconds: Double) -> Item {
    Item(id: id, publisher: alice, payload: Array(id.utf8), published: at(seconds))
}

@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func createIsAtomicAndRecordsTheOwner(_ kind: StoreKind) async throws {
        let store = kind.make()
        #expect(try await store.createNode(makeNode("n"), owner: owner))
        #expect(try await !store.createNode(makeNode("n"), owner: alice))
        #expect(try await store.affiliation(of: owner, on: node("n")) == .owner)
        #expect(try await store.affiliation(of: alice, on: node("n")) == .none)
    }

    @Test(arguments: StoreKind.allCases)
    func deleteCascadesAndOrphansChildren(_ kind: StoreKind) async throws {
        let store = kind.make()
        _ = try await store.createNode(makeNode("col", type: .collection), owner: owner)
        _ = try await store.createNode(makeNode("leaf", parents: ["col"]), owner: owner)
        _ = try await store.appendItem(item("a", 1), to: node("col"), keepingAtMost: nil)
        try await store.putSubscription(Subscription(
            node: node("col"), jid: alice, id: SubscriptionID("s"), state: .subscribed, options: SubscriptionOptions()))
        #expect(try await store.deleteNode(node("col")))
        #expect(try await !store.deleteNode(node("col")))
        #expect(try await store.node(node("leaf"))?.parents == [])
        #expect(try await store.childNodes(of: nil).map(\.id) == [node("leaf")])
        #expect(try await store.subscriptions(ofBare: alice).isEmpty)
        #expect(try await store.affiliations(of: owner).map(\.node) == [node("leaf")])
        // A node re-created with the same id starts empty.
        _ = try await store.createNode(makeNode("col", type: .collection), owner: owner)
        #expect(try await store.items(in: node("col"), query: .all).count == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func appendTrimsAndReplaces(_ kind: StoreKind) async throws {
        let store = kind.make()
        _ = try await store.createNode(makeNode("n"), owner: owner)
        for index in 0..<4 { _ = try await store.appendItem(item("\(index)", Double(index)), to: node("n"), keepingAtMost: 4) }
        #expect(try await store.appendItem(item("4", 4), to: node("n"), keepingAtMost: 4) == ["0"])
        #expect(try await store.appendItem(item("2", 5), to: node("n"), keepingAtMost: 4) == [])
        #expect(try await store.items(in: node("n"), query: .all).items.map(\.id) == ["1", "3", "4", "2"])
        #expect(try await store.appendItem(item("5", 6), to: node("n"), keepingAtMost: 2) == ["1", "3", "4"])
    }

    @Test(arguments: StoreKind.allCases)
    func queriesFollowCursorOrder(_ kind: StoreKind) async throws {
        let store = kind.make()
        _ = try await store.createNode(makeNode("n"), owner: owner)
        // Two items share a timestamp: the id breaks the tie.
        for (id, seconds) in [("a", 1.0), ("c", 2.0), ("b", 2.0), ("d", 3.0)] {
            _ = try await store.appendItem(item(id, seconds), to: node("n"), keepingAtMost: nil)
        }
        func ids(_ query: ItemQuery) async throws -> [String] {
            try await store.items(in: node("n"), query: query).items.map(\.id)
        }
        #expect(try await ids(.all) == ["a", "b", "c", "d"])
        #expect(try await ids(.mostRecent(2)) == ["c", "d"])
        #expect(try await ids(ItemQuery(limit: 2, fromOldest: true)) == ["a", "b"])
        let b = ItemCursor(published: at(2), id: "b")
        #expect(try await ids(ItemQuery(limit: 1, after: b)) == ["c"])
        #expect(try await ids(ItemQuery(after: b)) == ["c", "d"])
        #expect(try await ids(ItemQuery(limit: 5, before: b)) == ["a"])
        #expect(try await ids(.ids(["d", "a", "x"])) == ["a", "d"])
        #expect(try await store.items(in: node("n"), query: .mostRecent(1)).count == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func retractPurgeExpire(_ kind: StoreKind) async throws {
        let store = kind.make()
        _ = try await store.createNode(makeNode("n"), owner: owner)
        for index in 0..<5 { _ = try await store.appendItem(item("\(index)", Double(index)), to: node("n"), keepingAtMost: nil) }
        #expect(try await store.retractItems(["1", "x"], from: node("n")) == ["1"])
        #expect(try await store.expireItems(in: node("n"), publishedBefore: at(3)) == ["0", "2"])
        #expect(try await store.purgeItems(in: node("n")) == ["3", "4"])
        #expect(try await store.items(in: node("n"), query: .all).count == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func affiliationsAndSubscriptions(_ kind: StoreKind) async throws {
        let store = kind.make()
        _ = try await store.createNode(makeNode("n"), owner: owner)
        try await store.setAffiliation(.publisher, of: try alice.with(resource: "r"), on: node("n"))
        #expect(try await store.affiliation(of: alice, on: node("n")) == .publisher)
        try await store.setAffiliation(.none, of: alice, on: node("n"))
        #expect(try await store.affiliations(on: node("n")).map(\.jid) == [owner])

        let full = try alice.with(resource: "phone")
        var subscription = Subscription(node: node("n"), jid: full, id: SubscriptionID("1"), state: .pending,
                                        options: SubscriptionOptions(subscriptionDepth: .all))
        try await store.putSubscription(subscription)
        subscription.state = .subscribed
        try await store.putSubscription(subscription)
        #expect(try await store.subscriptions(ofBare: alice) == [subscription])
        try await store.removeSubscription(SubscriptionID("1"), on: node("n"))
        #expect(try await store.subscriptions(on: node("n")).isEmpty)
    }
}
