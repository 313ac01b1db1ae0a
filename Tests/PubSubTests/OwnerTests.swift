import Foundation
import PubSub
import Testing

/// XEP-0060 §8.2, §8.3, §8.8, §8.9.
@Suite struct OwnerTests {
    @Test func configureRequiresOwner() async throws {
        let f = Fixture()
        try await f.createNode("n")
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.getConfiguration(node: node("n")), as: .entity(alice))
        }
        var configuration = NodeConfiguration()
        configuration.title = "Temperature"
        configuration.notifyConfig = true
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.configure(node: node("n"), configuration: configuration, children: nil), as: .entity(alice))
        }
        let subscription = try await f.subscribe("n", alice)
        let events = try await f.events {
            _ = try await f.service.perform(.configure(node: node("n"), configuration: configuration, children: nil), as: .entity(owner))
        }
        #expect(events == [.configured(node: node("n"), configuration: configuration,
                                       recipients: [Recipient(jid: alice, subscriptionIDs: [subscription.id], collections: [])])])
        #expect(try await f.service.perform(.getConfiguration(node: node("n")), as: .entity(owner))
            == .configuration(configuration, children: []))
    }

    @Test func defaultConfigurationComesFromTheService() async throws {
        let f = Fixture { $0.defaultConfiguration.maxItems = 1 }
        let result = try await f.service.perform(.defaultConfiguration(type: .collection), as: .entity(alice))
        guard case .configuration(let configuration, _) = result else { Issue.record("\(result)"); return }
        #expect(configuration.maxItems == 1)
        #expect(configuration.nodeType == .collection)
        #expect(NodeConfiguration().notificationType == .headline)
        #expect(NodeConfiguration().accessModel == .open)
        #expect(NodeConfiguration().publishModel == .publishers)
    }

    @Test func manageSubscriptions() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .authorize }
        let pending = try await f.subscribe("n", alice)
        #expect(try await f.service.perform(.ownerSubscriptions(node: node("n")), as: .entity(owner)) == .subscriptions([]))
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.ownerSubscriptions(node: node("n")), as: .entity(alice))
        }
        _ = try await f.service.perform(.setOwnerSubscriptions(node: node("n"), changes: [
            SubscriptionChange(jid: alice, subscriptionID: pending.id, state: .subscribed),
            SubscriptionChange(jid: bob, state: .subscribed),
        ]), as: .entity(owner))
        let result = try await f.service.perform(.ownerSubscriptions(node: node("n")), as: .entity(owner))
        guard case .subscriptions(let list) = result else { Issue.record("\(result)"); return }
        #expect(list.map(\.jid) == [alice, bob])
        #expect(list.allSatisfy { $0.state == .subscribed })

        await #expect(throws: PubSubError.invalidSubID) {
            try await f.service.perform(.setOwnerSubscriptions(node: node("n"), changes: [
                SubscriptionChange(jid: bob, state: .none),
                SubscriptionChange(jid: alice, subscriptionID: SubscriptionID("bad"), state: .none),
            ]), as: .entity(owner))
        }
        // The rejected request changed nothing.
        #expect(try await f.store.subscriptions(on: node("n")).count == 2)
        _ = try await f.service.perform(.setOwnerSubscriptions(node: node("n"), changes: [
            SubscriptionChange(jid: bob, state: .none),
        ]), as: .entity(owner))
        #expect(try await f.store.subscriptions(on: node("n")).map(\.jid) == [alice])
    }

    @Test func manageAffiliations() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.subscribe("n", bob)
        _ = try await f.service.perform(.setOwnerAffiliations(node: node("n"), changes: [
            AffiliationChange(jid: alice, affiliation: .publisher),
            AffiliationChange(jid: bob, affiliation: .outcast),
        ]), as: .entity(owner))
        #expect(try await f.service.perform(.ownerAffiliations(node: node("n")), as: .entity(owner)) == .affiliations([
            AffiliationEntry(node: node("n"), jid: alice, affiliation: .publisher),
            AffiliationEntry(node: node("n"), jid: bob, affiliation: .outcast),
            AffiliationEntry(node: node("n"), jid: owner, affiliation: .owner),
        ]))
        // An outcast's subscriptions end.
        #expect(try await f.store.subscriptions(on: node("n")).isEmpty)
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.ownerAffiliations(node: node("n")), as: .entity(alice))
        }
        _ = try await f.service.perform(.setOwnerAffiliations(node: node("n"), changes: [
            AffiliationChange(jid: alice, affiliation: .none),
        ]), as: .entity(owner))
        #expect(try await f.store.affiliation(of: alice, on: node("n")) == .none)
    }

    @Test func lastOwnerCannotBeRemovedAndDuplicatesAreRejected() async throws {
        let f = Fixture()
        try await f.createNode("n")
        await #expect(throws: PubSubError.lastOwner) {
            try await f.service.perform(.setOwnerAffiliations(node: node("n"), changes: [
                AffiliationChange(jid: owner, affiliation: .publisher),
            ]), as: .entity(owner))
        }
        await #expect(throws: PubSubError.duplicateAffiliation) {
            try await f.service.perform(.setOwnerAffiliations(node: node("n"), changes: [
                AffiliationChange(jid: alice, affiliation: .publisher),
                AffiliationChange(jid: alice, affiliation: .member),
            ]), as: .entity(owner))
        }
        // Handing ownership over in one request is fine.
        _ = try await f.service.perform(.setOwnerAffiliations(node: node("n"), changes: [
            AffiliationChange(jid: alice, affiliation: .owner),
            AffiliationChange(jid: owner, affiliation: .none),
        ]), as: .entity(owner))
        #expect(try await f.store.affiliation(of: alice, on: node("n")) == .owner)
    }

    @Test func systemActorPassesEveryCheck() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .whitelist }
        _ = try await f.service.perform(.publish(node: node("n"), itemID: "bridge", payload: [0xFF, 0x00], options: nil), as: .system)
        let page = try await f.items("n", as: .system)
        #expect(page.items.first?.publisher == nil)
        #expect(page.items.first?.payload == [0xFF, 0x00])
        _ = try await f.service.perform(.delete(node: node("n"), redirect: nil), as: .system)
    }
}
