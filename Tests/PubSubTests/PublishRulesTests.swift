import Foundation
import PubSub
import Testing

/// XEP-0060 §4.3 event types with §7.1.3.7 (item-forbidden, itemless publish), §7.1.3.6 (`pubsub#type`),
/// §7.1.2.5 / §7.1.3.4 (`pubsub#publish_node_full`).
@Suite struct PublishRulesTests {
    func publish(_ f: Fixture, _ id: String, itemID: String? = nil, namespace: String?) async throws -> PubSubResult {
        try await f.service.perform(
            .publish(node: node(id), itemID: itemID, payload: Array("<t/>".utf8), options: nil, payloadNamespace: namespace),
            as: .entity(owner))
    }

    func publishWithoutItem(_ f: Fixture, _ id: String, options: PublishOptions? = nil) async throws -> PubSubResult {
        try await f.service.perform(.publishWithoutItem(node: node(id), options: options), as: .entity(owner))
    }

    @Test func notificationOnlyTransientNodeForbidsItemsAndNotifiesWithout() async throws {
        let f = Fixture()
        try await f.createNode("doorbell") { $0.deliverPayloads = false; $0.persistItems = false }
        try await f.subscribe("doorbell", alice)
        // §7.1.3.7: "MUST bounce … <item-forbidden/>", with or without a payload in the item.
        await #expect(throws: PubSubError.itemForbidden) { try await f.publish("doorbell") }
        await #expect(throws: PubSubError.itemForbidden) { try await f.publish("doorbell", "") }
        var result: PubSubResult?
        let events = try await f.events { result = try await publishWithoutItem(f, "doorbell") }
        #expect(result == .done)
        guard case .notified(let id, let delivery, let recipients) = try #require(events.first) else {
            Issue.record("\(events)"); return
        }
        #expect(id == node("doorbell"))
        #expect(!delivery.deliverPayloads)
        #expect(recipients.map(\.jid) == [alice])
        #expect(try await f.items("doorbell").items.isEmpty)
    }

    @Test func itemlessPublishNeedsTheNotificationTransientEventType() async throws {
        let f = Fixture()
        try await f.createNode("persistent")
        try await f.createNode("persistent-notify") { $0.deliverPayloads = false }
        try await f.createNode("transient-payload") { $0.persistItems = false }
        // §7.1.3.7: persistent → item-required; payload → payload-required.
        await #expect(throws: PubSubError.itemRequired) { try await publishWithoutItem(f, "persistent") }
        await #expect(throws: PubSubError.itemRequired) { try await publishWithoutItem(f, "persistent-notify") }
        await #expect(throws: PubSubError.payloadRequired) { try await publishWithoutItem(f, "transient-payload") }
        // Collections never take publishes (XEP-0248 §4.1).
        try await f.createNode("tree", type: .collection)
        await #expect(throws: PubSubError.unsupported(.publish)) { try await publishWithoutItem(f, "tree") }
    }

    @Test func refusedItemlessPublishAutoCreatesNothing() async throws {
        let f = Fixture()
        await #expect(throws: PubSubError.itemRequired) { try await publishWithoutItem(f, "missing") }
        await #expect(throws: PubSubError.nodeNotFound) { try await f.items("missing") }
        // With publish-options making it notification-only and transient, auto-create succeeds.
        let options = PublishOptions(persistItems: false, deliverPayloads: false)
        #expect(try await publishWithoutItem(f, "bell", options: options) == .done)
        #expect(try await f.items("bell").items.isEmpty)
    }

    @Test func payloadNamespaceMustMatchPubSubType() async throws {
        let f = Fixture()
        try await f.createNode("typed") { $0.payloadType = "urn:example:temp" }
        // §7.1.3.6: "the namespace of the root payload element does not match the configured namespace".
        await #expect(throws: PubSubError.invalidPayload) { try await publish(f, "typed", namespace: "urn:example:other") }
        await #expect(throws: PubSubError.invalidPayload) { try await publish(f, "typed", namespace: "") }
        _ = try await publish(f, "typed", itemID: "ok", namespace: "urn:example:temp")
        // Raw payloads (nil namespace: not XML, e.g. from a bridge) and untyped nodes are not checked.
        _ = try await publish(f, "typed", itemID: "raw", namespace: nil)
        try await f.createNode("untyped")
        _ = try await publish(f, "untyped", namespace: "urn:anything")
        #expect(try await f.items("typed").items.map(\.id) == ["ok", "raw"])
    }

    @Test func rejectWhenFullRefusesNewItemsButAllowsOverwrites() async throws {
        let f = Fixture()
        try await f.createNode("full") { $0.maxItems = 2; $0.publishNodeFull = .reject }
        try await f.publish("full", itemID: "a")
        try await f.publish("full", itemID: "b")
        // §7.1.3.4: conflict + node-full.
        await #expect(throws: PubSubError.nodeFull) { try await f.publish("full", itemID: "c") }
        await #expect(throws: PubSubError.nodeFull) { try await f.publish("full") }
        // Re-publishing an ItemID replaces it (§13.1), so the node does not get fuller.
        try await f.publish("full", itemID: "a", "newer")
        #expect(try await f.items("full").items.map(\.id) == ["b", "a"])
        // Room again after a retract.
        _ = try await f.service.perform(.retract(node: node("full"), itemIDs: ["b"], notify: false), as: .entity(owner))
        try await f.publish("full", itemID: "c")
    }

    @Test func rejectWhenFullHoldsUnderConcurrentPublishes() async throws {
        // Item reads that suspend, so "count, then append" would interleave without the per-node gate.
        let service = PubSubService(
            jid: jid("pubsub.example.org"), store: HookedStore.slowItems(),
            configuration: PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org")))
        var configuration = NodeConfiguration()
        configuration.maxItems = 3
        configuration.publishNodeFull = .reject
        _ = try await service.perform(.create(node: node("full"), configuration: configuration), as: .entity(owner))
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<12 {
                group.addTask {
                    let command = PubSubCommand.publish(node: node("full"), itemID: "i\(index)", payload: Array("x".utf8), options: nil)
                    return (try? await service.perform(command, as: .entity(owner))) != nil
                }
            }
            var accepted = 0
            for await ok in group where ok { accepted += 1 }
            return accepted
        }
        #expect(outcomes == 3)
        let items = try await service.perform(.items(node: node("full"), query: .all), as: .entity(owner))
        guard case .items(_, let page) = items else { Issue.record("\(items)"); return }
        #expect(page.count == 3)
    }

    @Test func retractOldestNotifiesWithNotifyRetractDiscardOldestDoesNot() async throws {
        let f = Fixture()
        try await f.createNode("retract") { $0.maxItems = 1; $0.notifyRetract = true }
        try await f.createNode("discard") { $0.maxItems = 1; $0.notifyRetract = true; $0.publishNodeFull = .discardOldest }
        try await f.subscribe("retract", alice)
        try await f.subscribe("discard", alice)
        for id in ["retract", "discard"] { try await f.publish(id, itemID: "old") }
        let events = try await f.events {
            try await f.publish("retract", itemID: "new")
            try await f.publish("discard", itemID: "new")
        }
        let retractions = events.compactMap { event -> (NodeID, [String], [Recipient])? in
            if case .retracted(let id, let ids, let recipients) = event { return (id, ids, recipients) }
            return nil
        }
        // §7.1.2.5: retract-oldest MAY notify (Starling does with notify_retract); discard-oldest is silent.
        #expect(retractions.count == 1)
        #expect(retractions.first?.0 == node("retract"))
        #expect(retractions.first?.1 == ["old"])
        #expect(retractions.first?.2.map(\.jid) == [alice])
        #expect(try await f.items("discard").items.map(\.id) == ["new"])
    }

    @Test func includeBodyIsExposedPerRecipient() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.title = "Temperature" }
        try await f.subscribe("n", alice, options: SubscriptionOptions(includeBody: true))
        try await f.subscribe("n", bob)
        let events = try await f.events { try await f.publish("n") }
        guard case .published(_, _, let delivery, let recipients) = try #require(events.first) else {
            Issue.record("\(events)"); return
        }
        // §13.8: the codec needs the flag per recipient and the node title for the body text.
        #expect(recipients.map(\.includeBody) == [true, false])
        #expect(delivery.title == "Temperature")
    }
}
