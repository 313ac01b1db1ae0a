import Foundation
import PubSub
import Testing
import XMPPCore

/// XEP-0248 §7.5 associate, §7.6 dissociate, §5.3.2 their notifications.
@Suite struct AssociationTests {
    func associate(_ f: Fixture, _ child: String, to collection: String, as actor: JID = owner) async throws {
        _ = try await f.service.perform(.associate(collection: node(collection), node: node(child)), as: .entity(actor))
    }

    func dissociate(_ f: Fixture, _ child: String, from collection: String, as actor: JID = owner) async throws {
        _ = try await f.service.perform(.dissociate(collection: node(collection), node: node(child)), as: .entity(actor))
    }

    func parents(_ f: Fixture, _ id: String) async throws -> [NodeID] {
        let result = try await f.service.perform(.metadata(node: node(id)), as: .entity(owner))
        guard case .metadata(let metadata) = result else { throw TestFailure("unexpected \(result)") }
        return metadata.node.parents
    }

    @Test func associateAndDissociateNotifyNodesSubscribers() async throws {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        try await f.createNode("site-a/floor", type: .collection, parents: ["site-a"])
        try await f.createNode("temp")
        try await f.subscribe("site-a/floor", alice)  // subscription_type nodes (the default)
        try await f.subscribe("site-a/floor", bob, options: SubscriptionOptions(subscriptionType: .items))
        let dave = jid("dave@example.org")
        try await f.subscribe("site-a", dave, options: SubscriptionOptions(subscriptionType: .all, subscriptionDepth: .all))
        let carol = jid("carol@example.org")
        try await f.subscribe("site-a", carol)  // depth 1: temp would be two levels below site-a

        let associated = try await f.events { try await associate(f, "temp", to: "site-a/floor") }
        #expect(try await parents(f, "temp") == [node("site-a/floor")])
        let aliceIDs = try await subIDs(f, "site-a/floor", alice)
        let daveIDs = try await subIDs(f, "site-a", dave)
        let expected: [PubSubEvent] = [.associated(collection: node("site-a/floor"), node: node("temp"), recipients: [
            Recipient(jid: alice, subscriptionIDs: aliceIDs, collections: []),
            Recipient(jid: dave, subscriptionIDs: daveIDs, collections: [node("site-a")]),
        ])]
        #expect(associated == expected)
        // Associating an existing edge is a no-op.
        #expect(try await f.events { try await associate(f, "temp", to: "site-a/floor") }.isEmpty)

        let dissociated = try await f.events { try await dissociate(f, "temp", from: "site-a/floor") }
        guard case .dissociated(let collection, let child, let recipients) = try #require(dissociated.first) else {
            Issue.record("\(dissociated)"); return
        }
        #expect((collection, child) == (node("site-a/floor"), node("temp")))
        #expect(recipients.map { $0.jid } == [alice, dave])
        #expect(try await parents(f, "temp").isEmpty)
        // §7.6.3.1: "not already associated" → bad-request.
        await #expect(throws: PubSubError.notAssociated) { try await dissociate(f, "temp", from: "site-a/floor") }
    }

    func subIDs(_ f: Fixture, _ id: String, _ subscriber: JID) async throws -> [SubscriptionID] {
        let result = try await f.service.perform(.subscriptions(node: node(id)), as: .entity(subscriber))
        guard case .subscriptions(let list) = result else { throw TestFailure("unexpected \(result)") }
        return list.map { $0.id }
    }

    @Test func associationErrors() async throws {
        let f = Fixture()
        try await f.createNode("a", type: .collection)
        try await f.createNode("b", type: .collection, parents: ["a"])
        try await f.createNode("leaf")
        try await f.createNode("small", type: .collection) { $0.childrenMax = 1 }
        try await f.createNode("x")
        // Missing nodes, a leaf as parent (XEP-0248 §7.2.3.1 shape), a cycle (§7.5.3.3), children_max (§7.5.3.2).
        await #expect(throws: PubSubError.nodeNotFound) { try await associate(f, "nope", to: "a") }
        await #expect(throws: PubSubError.nodeNotFound) { try await associate(f, "leaf", to: "nope") }
        await #expect(throws: PubSubError.invalidGraphChange) { try await associate(f, "x", to: "leaf") }
        await #expect(throws: PubSubError.invalidGraphChange) { try await associate(f, "a", to: "b") }
        await #expect(throws: PubSubError.invalidGraphChange) { try await associate(f, "a", to: "a") }
        try await associate(f, "leaf", to: "small")
        await #expect(throws: PubSubError.maxNodesExceeded) { try await associate(f, "x", to: "small") }
        // §7.5.3.1: neither owner of the collection nor of the child.
        await #expect(throws: PubSubError.forbidden) { try await associate(f, "x", to: "a", as: alice) }
        // §7.6.3.2: dissociation needs ownership of one end.
        await #expect(throws: PubSubError.forbidden) { try await dissociate(f, "b", from: "a", as: alice) }
    }

    @Test func ownersOfTheChildFollowTheCollectionsAssociationPolicy() async throws {
        let f = Fixture()
        try await f.createNode("open-tree", type: .collection) { $0.childrenAssociationPolicy = .all }
        try await f.createNode("owners-tree", type: .collection)
        try await f.createNode("mine", as: alice)
        try await associate(f, "mine", to: "open-tree", as: alice)
        await #expect(throws: PubSubError.forbidden) { try await associate(f, "mine", to: "owners-tree", as: alice) }
        // The collection's owner may adopt a node it does not own (as with pubsub#children) …
        try await associate(f, "mine", to: "owners-tree", as: owner)
        #expect(Set(try await parents(f, "mine")) == [node("open-tree"), node("owners-tree")])
        // … and either end's owner may cut the edge.
        try await dissociate(f, "mine", from: "owners-tree", as: alice)
        try await dissociate(f, "mine", from: "open-tree", as: owner)
    }

    @Test func configureAnnouncesEveryEdgeItChanges() async throws {
        let f = Fixture()
        try await f.createNode("c", type: .collection)
        try await f.createNode("d", type: .collection)
        try await f.createNode("leaf", parents: ["c"])
        try await f.createNode("kid")
        try await f.subscribe("c", alice)
        try await f.subscribe("d", alice)
        var configuration = NodeConfiguration()
        configuration.collections = [node("d")]
        let moved = try await f.events {
            _ = try await f.service.perform(.configure(node: node("leaf"), configuration: configuration, children: nil),
                                           as: .entity(owner))
        }
        #expect(moved.compactMap(Self.edge) == ["+d/leaf", "-c/leaf"])
        let adopted = try await f.events {
            _ = try await f.service.perform(
                .configure(node: node("c"), configuration: .defaults(for: .collection), children: [node("kid")]),
                as: .entity(owner))
        }
        #expect(adopted.compactMap(Self.edge) == ["+c/kid"])
    }

    static func edge(_ event: PubSubEvent) -> String? {
        switch event {
        case .associated(let collection, let child, let recipients) where !recipients.isEmpty:
            "+\(collection.rawValue)/\(child.rawValue)"
        case .dissociated(let collection, let child, let recipients) where !recipients.isEmpty:
            "-\(collection.rawValue)/\(child.rawValue)"
        default: nil
        }
    }
}
