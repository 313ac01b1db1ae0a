import Foundation
import PubSub
import Testing

/// XEP-0060 §7.1 publish, §7.2 retract, §8.4 delete, §8.5 purge.
@Suite struct PublishTests {
    @Test func publishWithAndWithoutItemID() async throws {
        let f = Fixture()
        try await f.createNode("n")
        #expect(try await f.publish("n", itemID: "current") == "current")
        let generated = try await f.publish("n")
        #expect(generated.count == 26)
        let page = try await f.items("n")
        #expect(page.items.map(\.id) == ["current", generated])
        #expect(page.items.first?.publisher == owner)
        #expect(page.items.first?.payload == Array("reading".utf8))
    }

    @Test func generatedIDsAreUniqueAndTimeOrdered() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.maxItems = nil }
        var ids: [String] = []
        for step in 0..<50 {
            if step % 10 == 0 { f.clock.advance(seconds: 1) }
            ids.append(try await f.publish("n"))
        }
        #expect(Set(ids).count == 50)
        #expect(ids == ids.sorted())
        #expect(try await f.items("n").items.map(\.id) == ids)
    }

    @Test func overwriteByIDMakesTheItemNewest() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.publish("n", itemID: "a", "first")
        try await f.publish("n", itemID: "b")
        try await f.publish("n", itemID: "a", "second")
        let items = try await f.items("n").items
        #expect(items.map(\.id) == ["b", "a"])
        #expect(items.last?.payload == Array("second".utf8))
    }

    @Test func publishModels() async throws {
        let f = Fixture()
        try await f.createNode("publishers")
        await #expect(throws: PubSubError.forbidden) { try await f.publish("publishers", as: alice) }
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node("publishers"), changes: [
                AffiliationChange(jid: alice, affiliation: .publisher),
                AffiliationChange(jid: bob, affiliation: .publishOnly),
            ]), as: .entity(owner))
        try await f.publish("publishers", as: alice)
        try await f.publish("publishers", as: bob)

        try await f.createNode("subscribers") { $0.publishModel = .subscribers }
        await #expect(throws: PubSubError.forbidden) { try await f.publish("subscribers", as: alice) }
        try await f.subscribe("subscribers", alice)
        try await f.publish("subscribers", as: alice)

        try await f.createNode("open") { $0.publishModel = .open }
        try await f.publish("open", as: stranger)
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node("open"), changes: [AffiliationChange(jid: stranger, affiliation: .outcast)]),
            as: .entity(owner))
        await #expect(throws: PubSubError.forbidden) { try await f.publish("open", as: stranger) }
    }

    @Test func payloadTooBig() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.maxPayloadSize = 8 }
        try await f.publish("n", "12345678")
        await #expect(throws: PubSubError.payloadTooBig) { try await f.publish("n", "123456789") }
    }

    /// §7.1.3.7: an empty item on a node that delivers payloads is bounced; a notification-only
    /// node (deliver_payloads false) takes it.
    @Test func payloadRequiredWhenTheNodeDeliversPayloads() async throws {
        let f = Fixture()
        try await f.createNode("payloads")
        await #expect(throws: PubSubError.payloadRequired) { try await f.publish("payloads", "") }
        try await f.createNode("notifications") { $0.deliverPayloads = false }
        try await f.publish("notifications", "")
    }

    @Test func overlongItemIDIsRejected() async throws {
        let f = Fixture()
        try await f.createNode("n")
        await #expect(throws: PubSubError.invalidItemID) {
            try await f.publish("n", itemID: String(repeating: "x", count: Item.maximumIDLength + 1))
        }
    }

    @Test func serviceCapsPayloadSizeWhateverTheNodeSays() async throws {
        let f = Fixture { $0.maxPayloadSizeLimit = 4 }
        await #expect(throws: PubSubError.invalidConfiguration) { try await f.createNode("n") { $0.maxPayloadSize = 100 } }
        try await f.createNode("n") { $0.maxPayloadSize = nil }
        await #expect(throws: PubSubError.payloadTooBig) { try await f.publish("n", "12345") }
    }

    @Test func publishOptionsPreconditions() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .whitelist }
        _ = try await f.service.perform(
            .publish(node: node("n"), itemID: nil, payload: [1], options: PublishOptions(accessModel: .whitelist)),
            as: .entity(owner))
        await #expect(throws: PubSubError.preconditionNotMet) {
            try await f.service.perform(
                .publish(node: node("n"), itemID: nil, payload: [1], options: PublishOptions(accessModel: .open)),
                as: .entity(owner))
        }
    }

    @Test func autoCreateAppliesPublishOptions() async throws {
        let f = Fixture()
        _ = try await f.service.perform(
            .publish(node: node("new"), itemID: "1", payload: [1], options: PublishOptions(accessModel: .whitelist, maxItems: .some(1))),
            as: .entity(alice))
        let created = try #require(try await f.store.node(node("new")))
        #expect(created.configuration.accessModel == .whitelist)
        #expect(created.configuration.maxItems == 1)
        #expect(try await f.store.affiliation(of: alice, on: node("new")) == .owner)
    }

    @Test func autoCreateCanBeDisabled() async throws {
        let f = Fixture { $0.autoCreate = false }
        await #expect(throws: PubSubError.nodeNotFound) { try await f.publish("new") }
    }

    @Test func autoCreateFollowsCreationPolicy() async throws {
        let f = Fixture()
        await #expect(throws: PubSubError.forbidden) { try await f.publish("new", as: stranger) }
    }

    @Test func publishEventCarriesItemAndRecipients() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.deliverPayloads = false }
        let subscription = try await f.subscribe("n", alice)
        let events = try await f.events { try await f.publish("n", itemID: "x") }
        guard case .published(let id, let item, let delivery, let recipients) = try #require(events.first) else {
            Issue.record("\(events)"); return
        }
        #expect(id == node("n"))
        #expect(item.id == "x")
        #expect(delivery.deliverPayloads == false)
        #expect(delivery.notificationType == .headline)
        #expect(recipients == [Recipient(jid: alice, subscriptionIDs: [subscription.id], collections: [])])
    }

    @Test func transientNodeNotifiesWithoutStoring() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.persistItems = false }
        let events = try await f.events { try await f.publish("n") }
        #expect(events.count == 1)
        #expect(try await f.store.items(in: node("n"), query: .all).count == 0)
    }

    @Test func retractWithAndWithoutNotify() async throws {
        let f = Fixture()
        try await f.createNode("n")
        let subscription = try await f.subscribe("n", alice)
        try await f.publish("n", itemID: "1")
        try await f.publish("n", itemID: "2")
        let quiet = try await f.events {
            _ = try await f.service.perform(.retract(node: node("n"), itemIDs: ["1"], notify: false), as: .entity(owner))
        }
        #expect(quiet == [.retracted(node: node("n"), itemIDs: ["1"], recipients: [])])
        let loud = try await f.events {
            _ = try await f.service.perform(.retract(node: node("n"), itemIDs: ["2"], notify: true), as: .entity(owner))
        }
        #expect(loud == [.retracted(node: node("n"), itemIDs: ["2"],
                                    recipients: [Recipient(jid: alice, subscriptionIDs: [subscription.id], collections: [])])])
        #expect(try await f.items("n").items.isEmpty)
    }

    @Test func retractErrors() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.publish("n", itemID: "1")
        await #expect(throws: PubSubError.itemNotFound) {
            try await f.service.perform(.retract(node: node("n"), itemIDs: ["nope"], notify: false), as: .entity(owner))
        }
        await #expect(throws: PubSubError.itemRequired) {
            try await f.service.perform(.retract(node: node("n"), itemIDs: [], notify: false), as: .entity(owner))
        }
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.retract(node: node("n"), itemIDs: ["1"], notify: false), as: .entity(alice))
        }
    }

    /// Table 4 footnote: publish-only may retract only its own items.
    @Test func publishOnlyRetractsOnlyOwnItems() async throws {
        let f = Fixture()
        try await f.createNode("n")
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node("n"), changes: [AffiliationChange(jid: bob, affiliation: .publishOnly)]),
            as: .entity(owner))
        try await f.publish("n", itemID: "owners")
        try await f.publish("n", itemID: "bobs", as: bob)
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.retract(node: node("n"), itemIDs: ["owners"], notify: false), as: .entity(bob))
        }
        _ = try await f.service.perform(.retract(node: node("n"), itemIDs: ["bobs"], notify: false), as: .entity(bob))
        await #expect(throws: PubSubError.forbidden) { try await f.items("n", as: .entity(bob)) }
    }

    @Test func purge() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.publish("n")
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.purge(node: node("n")), as: .entity(alice))
        }
        let events = try await f.events {
            _ = try await f.service.perform(.purge(node: node("n")), as: .entity(owner))
        }
        #expect(events == [.purged(node: node("n"), recipients: [])])
        #expect(try await f.items("n").items.isEmpty)
    }

    @Test func deleteWithRedirect() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.notifyDelete = true }
        let subscription = try await f.subscribe("n", alice)
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.delete(node: node("n"), redirect: nil), as: .entity(alice))
        }
        let events = try await f.events {
            _ = try await f.service.perform(.delete(node: node("n"), redirect: "xmpp:pubsub.example.org?;node=m"), as: .entity(owner))
        }
        #expect(events == [.deleted(node: node("n"), redirect: "xmpp:pubsub.example.org?;node=m",
                                    recipients: [Recipient(jid: alice, subscriptionIDs: [subscription.id], collections: [])])])
        #expect(try await f.store.node(node("n")) == nil)
        await #expect(throws: PubSubError.nodeNotFound) { try await f.items("n") }
    }
}
