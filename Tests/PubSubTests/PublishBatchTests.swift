import Foundation
import PubSub
import Synchronization
import Testing

/// `performPublishes`: a session's pipelined publishes handled together, with the outcome each would
/// have had alone (RFC 6120 §10.1 order; XEP-0060 §7.1 rules), notifications back to back.
@Suite struct PublishBatchTests {
    static func publish(_ itemID: String, to name: String = "temp") -> PubSubCommand {
        .publish(node: node(name), itemID: itemID, payload: Array("<r>\(itemID)</r>".utf8), options: nil)
    }

    @Test func eachPublishGetsItsOwnOutcomeAndOtherCommandsRunInPlace() async throws {
        let f = Fixture()
        try await f.createNode("temp") { $0.notifyRetract = true }
        try await f.createNode("tree", type: .collection)
        try await f.subscribe("temp", alice)
        var results: [Result<PubSubResult, PubSubError>] = []
        let events = try await f.events {
            results = await f.service.performPublishes([
                Self.publish("a"),
                Self.publish("b"),
                Self.publish("x", to: "tree"),
                // Sees "a" stored: everything before it in the run is stored first.
                .retract(node: node("temp"), itemIDs: ["a"], notify: true),
                Self.publish("c"),
            ], as: .entity(owner))
        }
        #expect(results == [
            .success(.published(node: node("temp"), itemID: "a")),
            .success(.published(node: node("temp"), itemID: "b")),
            .failure(.unsupported(.publish)),
            .success(.done),
            .success(.published(node: node("temp"), itemID: "c")),
        ])
        let order = events.compactMap { event -> String? in
            switch event {
            case .published(_, let item, _, let recipients):
                #expect(recipients.map(\.jid) == [alice])
                return "published \(item.id)"
            case .retracted(_, let ids, _): return "retracted \(ids.joined())"
            default: return nil
            }
        }
        #expect(order == ["published a", "published b", "retracted a", "published c"])
        let stored = try await f.items("temp").items
        #expect(stored.map(\.id) == ["b", "c"])
        #expect(stored[0].published < stored[1].published)
    }

    @Test func allAreStoredBeforeTheFirstNotificationIsPrepared() async throws {
        // The store's call log: appends, and the subscription read that announcing needs.
        let log = Mutex<[String]>([])
        let store = HookedStore(hooks: HookedStore.Hooks(
            afterAppend: { item in log.withLock { $0.append("append \(item.id)") } },
            beforeSubscriptionsRead: { log.withLock { $0.append("subscriptions") } }
        ))
        let service = PubSubService(
            jid: jid("pubsub.example.org"), store: store,
            configuration: PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org")))
        _ = try await service.perform(.create(node: node("temp"), configuration: NodeConfiguration()), as: .entity(owner))
        _ = try await service.perform(.subscribe(node: node("temp"), jid: alice, options: nil), as: .entity(alice))
        log.withLock { $0.removeAll() }
        let stream = await service.events()
        let results = await service.performPublishes(["1", "2", "3"].map { Self.publish($0) }, as: .entity(owner))
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        let calls = log.withLock { $0 }
        // The subscription change emptied the recipient cache, so the first announcement reads the
        // subscriptions once, after every append (one by one, it would come between the first two).
        #expect(calls == ["append 1", "append 2", "append 3", "subscriptions"])
        await service.finishEvents()
        var published: [String] = []
        for await event in stream {
            if case .published(_, let item, _, _) = event { published.append(item.id) }
        }
        #expect(published == ["1", "2", "3"])
    }

    @Test func fullnessIsCheckedInOrder() async throws {
        let f = Fixture()
        try await f.createNode("full") { $0.maxItems = 2; $0.publishNodeFull = .reject }
        let results = await f.service.performPublishes(
            ["a", "b", "c", "a"].map { Self.publish($0, to: "full") }, as: .entity(owner))
        // §7.1.3.4: the third finds the node full; re-publishing "a" replaces it (§13.1).
        #expect(results == [
            .success(.published(node: node("full"), itemID: "a")),
            .success(.published(node: node("full"), itemID: "b")),
            .failure(.nodeFull),
            .success(.published(node: node("full"), itemID: "a")),
        ])
        #expect(try await f.items("full").items.map(\.id) == ["b", "a"])
    }

    /// Runs from several requesters (one loop turn's sessions): each publish has the outcome it
    /// would have alone, the runs made only of plain appends reach the store in one submission, a run
    /// holding any other publish is stored one by one in its own order, and the notifications follow
    /// in run order.
    @Test func runsFromSeveralRequestersShareOneStoreSubmission() async throws {
        let submissions = Mutex<[[String]]>([])
        let stored = Mutex<[String]>([])
        let store = HookedStore(hooks: HookedStore.Hooks(
            afterAppend: { item in stored.withLock { $0.append(item.id) } },
            beforeAppendItems: { ids in submissions.withLock { $0.append(ids) } }))
        let f = Fixture(store: store)
        try await f.createNode("temp")   // publish model "publishers": bob may not publish
        try await f.createNode("open") { $0.publishModel = .open }
        try await f.createNode("full") { $0.maxItems = 1; $0.publishNodeFull = .reject }
        try await f.subscribe("temp", alice)
        var results: [[Result<PubSubResult, PubSubError>]] = []
        let events = try await f.events {
            results = await f.service.performPublishes([
                (commands: [Self.publish("a"), Self.publish("b")], actor: .entity(owner)),
                (commands: [Self.publish("x"), Self.publish("y", to: "open")], actor: .entity(bob)),
                // A node-full gate between plain appends: this run is stored in its own order.
                (commands: [Self.publish("p"), Self.publish("c", to: "full"), Self.publish("d", to: "full"), Self.publish("q")],
                 actor: .entity(owner)),
                // Not only publishes: performed as one session's run, in place.
                (commands: [Self.publish("e"), .retract(node: node("temp"), itemIDs: ["e"], notify: false)],
                 actor: .entity(owner)),
            ])
        }
        #expect(results == [
            [.success(.published(node: node("temp"), itemID: "a")), .success(.published(node: node("temp"), itemID: "b"))],
            [.failure(.forbidden), .success(.published(node: node("open"), itemID: "y"))],
            [.success(.published(node: node("temp"), itemID: "p")), .success(.published(node: node("full"), itemID: "c")),
             .failure(.nodeFull), .success(.published(node: node("temp"), itemID: "q"))],
            [.success(.published(node: node("temp"), itemID: "e")), .success(.done)],
        ])
        // One submission for a, b and y; e went alone in its place, p, c, q one by one after it.
        #expect(submissions.withLock { $0 } == [["a", "b", "y"]])
        #expect(stored.withLock { $0 } == ["e", "a", "b", "y", "p", "c", "q"])
        let published = events.compactMap { event -> String? in
            if case .published(_, let item, _, _) = event { return item.id }
            return nil
        }
        #expect(published == ["e", "a", "b", "y", "p", "c", "q"])
        #expect(try await f.items("temp").items.map(\.id).sorted() == ["a", "b", "p", "q"])
        #expect(try await f.items("full").items.map(\.id) == ["c"])
    }
}
