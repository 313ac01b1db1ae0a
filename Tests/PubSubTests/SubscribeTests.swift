import Foundation
import PubSub
import Testing

/// XEP-0060 §6.1–§6.3 and the access models of §4.5.
@Suite struct SubscribeTests {
    @Test func openNodeSubscribes() async throws {
        let f = Fixture()
        try await f.createNode("n")
        let subscription = try await f.subscribe("n", alice)
        #expect(subscription.state == .subscribed)
        #expect(subscription.jid == alice)
    }

    @Test func subscribingSomeoneElseIsInvalidJID() async throws {
        let f = Fixture()
        try await f.createNode("n")
        await #expect(throws: PubSubError.invalidJID) {
            try await f.service.perform(.subscribe(node: node("n"), jid: bob, options: nil), as: .entity(alice))
        }
        // A full JID of the same bare JID is the same entity (§6.1.3.1 compares bare JIDs).
        let full = try alice.with(resource: "phone")
        _ = try await f.service.perform(.subscribe(node: node("n"), jid: full, options: nil), as: .entity(alice))
    }

    @Test func missingNode() async throws {
        let f = Fixture()
        await #expect(throws: PubSubError.nodeNotFound) { try await f.subscribe("missing", alice) }
    }

    @Test func subscriptionsCanBeDisabled() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.subscribe = false }
        await #expect(throws: PubSubError.unsupported(.subscribe)) { try await f.subscribe("n", alice) }
    }

    @Test func outcastIsBlocked() async throws {
        let f = Fixture()
        try await f.createNode("n")
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node("n"), changes: [AffiliationChange(jid: alice, affiliation: .outcast)]),
            as: .entity(owner))
        await #expect(throws: PubSubError.forbidden) { try await f.subscribe("n", alice) }
        await #expect(throws: PubSubError.forbidden) { try await f.items("n", as: .entity(alice)) }
    }

    @Test func presenceAccessModel() async throws {
        let f = Fixture(roster: StubRoster(presence: [alice]))
        try await f.createNode("n") { $0.accessModel = .presence }
        try await f.subscribe("n", alice)
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await f.subscribe("n", bob) }
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await f.items("n", as: .entity(bob)) }
    }

    @Test func presenceModelWithoutRosterDenies() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .presence }
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await f.subscribe("n", alice) }
    }

    @Test func rosterAccessModel() async throws {
        let f = Fixture(roster: StubRoster(groups: [alice: ["sensors"], bob: ["friends"]]))
        try await f.createNode("n") {
            $0.accessModel = .roster
            $0.rosterGroupsAllowed = ["sensors"]
        }
        try await f.subscribe("n", alice)
        await #expect(throws: PubSubError.notInRosterGroup) { try await f.subscribe("n", bob) }
    }

    @Test func whitelistAccessModel() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .whitelist }
        await #expect(throws: PubSubError.closedNode) { try await f.subscribe("n", alice) }
        await #expect(throws: PubSubError.closedNode) { try await f.items("n", as: .entity(alice)) }
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node("n"), changes: [AffiliationChange(jid: alice, affiliation: .member)]),
            as: .entity(owner))
        #expect(try await f.subscribe("n", alice).state == .subscribed)
        _ = try await f.items("n", as: .entity(alice))
    }

    @Test func authorizeModelPendsUntilApproved() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .authorize }
        var pending: Subscription?
        let events = try await f.events {
            pending = try await f.subscribe("n", alice)
        }
        let subscription = try #require(pending)
        #expect(subscription.state == .pending)
        #expect(events == [.approvalRequested(subscription, owners: [owner])])
        await #expect(throws: PubSubError.pendingSubscription) { try await f.subscribe("n", alice) }
        await #expect(throws: PubSubError.retrievalRequiresSubscription) { try await f.items("n", as: .entity(alice)) }
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.approve(node: node("n"), subscriptionID: subscription.id, allow: true), as: .entity(bob))
        }
        #expect(try await f.service.perform(.pending(node: node("n")), as: .entity(owner)) == .subscriptions([subscription]))

        _ = try await f.service.perform(.approve(node: node("n"), subscriptionID: subscription.id, allow: true), as: .entity(owner))
        let stored = await f.store.subscriptions(on: node("n"))
        #expect(stored.map(\.state) == [.subscribed])
        _ = try await f.items("n", as: .entity(alice))
    }

    @Test func deniedSubscriptionIsRemoved() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .authorize }
        let subscription = try await f.subscribe("n", alice)
        let events = try await f.events {
            _ = try await f.service.perform(.approve(node: node("n"), subscriptionID: subscription.id, allow: false), as: .entity(owner))
        }
        var denied = subscription
        denied.state = .none
        #expect(events == [.subscriptionChanged(denied, owners: [])])
        #expect(try await f.store.subscriptions(on: node("n")).isEmpty)
    }

    @Test func multipleSubscriptionsWithDifferentOptions() async throws {
        let f = Fixture()
        try await f.createNode("n")
        let first = try await f.subscribe("n", alice)
        let second = try await f.subscribe("n", alice, options: SubscriptionOptions(includeBody: true))
        #expect(first.id != second.id)
        // Repeating an identical request returns the existing subscription.
        #expect(try await f.subscribe("n", alice) == first)

        await #expect(throws: PubSubError.subIDRequired) {
            try await f.service.perform(.unsubscribe(node: node("n"), jid: alice, subscriptionID: nil), as: .entity(alice))
        }
        await #expect(throws: PubSubError.invalidSubID) {
            try await f.service.perform(
                .unsubscribe(node: node("n"), jid: alice, subscriptionID: SubscriptionID("nope")), as: .entity(alice))
        }
        _ = try await f.service.perform(.unsubscribe(node: node("n"), jid: alice, subscriptionID: first.id), as: .entity(alice))
        _ = try await f.service.perform(.unsubscribe(node: node("n"), jid: alice, subscriptionID: nil), as: .entity(alice))
        #expect(try await f.store.subscriptions(on: node("n")).isEmpty)
    }

    @Test func unsubscribeErrors() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.subscribe("n", alice)
        await #expect(throws: PubSubError.notSubscribed) {
            try await f.service.perform(.unsubscribe(node: node("n"), jid: bob, subscriptionID: nil), as: .entity(bob))
        }
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.unsubscribe(node: node("n"), jid: alice, subscriptionID: nil), as: .entity(bob))
        }
        await #expect(throws: PubSubError.nodeNotFound) {
            try await f.service.perform(.unsubscribe(node: node("gone"), jid: alice, subscriptionID: nil), as: .entity(alice))
        }
    }

    @Test func tooManySubscriptions() async throws {
        let f = Fixture { $0.maxSubscriptionsPerNode = 2 }
        try await f.createNode("n")
        try await f.subscribe("n", alice, options: SubscriptionOptions(includeBody: true))
        try await f.subscribe("n", alice, options: SubscriptionOptions(includeBody: false))
        await #expect(throws: PubSubError.tooManySubscriptions) {
            try await f.subscribe("n", alice, options: SubscriptionOptions(showValues: ["chat"]))
        }
    }

    @Test func collectionRejectsSecondSubscriptionOfSameType() async throws {
        let f = Fixture()
        try await f.createNode("col", type: .collection)
        try await f.subscribe("col", alice, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .one))
        await #expect(throws: PubSubError.alreadySubscribed) {
            try await f.subscribe("col", alice, options: SubscriptionOptions(subscriptionType: .items, subscriptionDepth: .all))
        }
        try await f.subscribe("col", alice, options: SubscriptionOptions(subscriptionType: .nodes))
    }

    @Test func subscriptionOptionsGetAndSet() async throws {
        let f = Fixture()
        try await f.createNode("n")
        let subscription = try await f.subscribe("n", alice)
        let expire = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await f.service.perform(
            .setSubscriptionOptions(node: node("n"), jid: alice, subscriptionID: nil,
                                    options: SubscriptionOptions(deliver: false, expire: expire)),
            as: .entity(alice))
        let result = try await f.service.perform(
            .getSubscriptionOptions(node: node("n"), jid: alice, subscriptionID: subscription.id), as: .entity(alice))
        guard case .subscription(let updated) = result else { Issue.record("\(result)"); return }
        #expect(updated.options.deliver == false)
        #expect(updated.options.expire == expire)
        await #expect(throws: PubSubError.invalidOptions) {
            try await f.service.perform(
                .setSubscriptionOptions(node: node("n"), jid: alice, subscriptionID: nil,
                                        options: SubscriptionOptions(subscriptionDepth: .levels(-1))),
                as: .entity(alice))
        }
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.perform(.getSubscriptionOptions(node: node("n"), jid: alice, subscriptionID: nil), as: .entity(bob))
        }
    }

    @Test func entityListsOwnSubscriptionsAndAffiliations() async throws {
        let f = Fixture()
        try await f.createNode("a")
        try await f.createNode("b", as: alice)
        try await f.subscribe("a", alice)
        let subscriptions = try await f.service.perform(.subscriptions(node: nil), as: .entity(alice))
        guard case .subscriptions(let list) = subscriptions else { Issue.record("\(subscriptions)"); return }
        #expect(list.map(\.node) == [node("a")])
        let affiliations = try await f.service.perform(.affiliations(node: nil), as: .entity(alice))
        #expect(affiliations == .affiliations([AffiliationEntry(node: node("b"), jid: alice, affiliation: .owner)]))
    }

    @Test func sendLastPublishedItemOnSubscribe() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.sendLastPublishedItem = .onSub }
        try await f.publish("n", itemID: "1", "old")
        try await f.publish("n", itemID: "2", "new")
        var subscription: Subscription?
        let events = try await f.events { subscription = try await f.subscribe("n", alice) }
        let subscribed = try #require(subscription)
        guard case .lastPublished(_, let item, _, let recipient) = try #require(events.first) else {
            Issue.record("\(events)"); return
        }
        #expect(item.id == "2")
        #expect(recipient == Recipient(jid: alice, subscriptionIDs: [subscribed.id], collections: []))
    }
}
