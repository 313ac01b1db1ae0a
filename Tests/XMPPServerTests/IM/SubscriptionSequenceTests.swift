import Accounts
import Testing
import XMPPCore
import XMPPServer

/// Two users' rosters and the stanzas that pass between them, with each server applying
/// `SubscriptionRules` as RFC 6121 §3 describes.
private struct World {
    var rosters: [JID: [JID: RosterItem]] = [:]
    /// (to, event) for every subscription stanza delivered to a user.
    var delivered: [(to: JID, event: SubscriptionEvent)] = []
    /// (owner, item) for every roster push.
    var pushes: [(owner: JID, item: RosterItem)] = []
    /// (from, to) for every unavailable presence sent because a From subscription ended.
    var unavailable: [(from: JID, to: JID)] = []
    /// (from, to) for every "send current presence" request.
    var presenceSent: [(from: JID, to: JID)] = []

    func item(of owner: JID, for contact: JID) -> RosterItem? { rosters[owner]?[contact] }

    /// `user` sends `event` to `contact`: the user's server runs the outbound rules, and when
    /// it routes, the contact's server runs the inbound rules.
    mutating func send(_ event: SubscriptionEvent, from user: JID, to contact: JID) {
        let out = SubscriptionRules.outbound(event, item: item(of: user, for: contact), contact: contact)
        apply(out, owner: user, other: contact)
        if out.sendUnavailable { unavailable.append((user, contact)) }
        if out.sendCurrentPresence { presenceSent.append((user, contact)) }
        guard out.route else { return }
        receive(event, from: user, at: contact)
    }

    private mutating func receive(_ event: SubscriptionEvent, from user: JID, at contact: JID) {
        let inbound = SubscriptionRules.inbound(event, item: item(of: contact, for: user), from: user)
        apply(inbound, owner: contact, other: user)
        if inbound.route { delivered.append((contact, event)) }
        if inbound.sendUnavailable { unavailable.append((contact, user)) }
        if inbound.sendCurrentPresence {
            // Outbound direction of the presence: from the contact when it answered on its own.
            if inbound.autoReply != nil { presenceSent.append((contact, user)) } else { presenceSent.append((user, contact)) }
        }
        if let reply = inbound.autoReply {
            // Sent by the contact's server on the contact's behalf: only the user's server processes it.
            receive(reply, from: contact, at: user)
        }
    }

    private mutating func apply(_ outcome: SubscriptionOutcome, owner: JID, other: JID) {
        if outcome.itemChanged { rosters[owner, default: [:]][other] = outcome.item }
        if outcome.rosterPush, let item = outcome.item { pushes.append((owner, item)) }
    }

    func state(of owner: JID, for contact: JID) -> DefinedState { DefinedState(item(of: owner, for: contact)) }
}

@Suite struct SubscriptionSequenceTests {
    let alice = IMFixtures.alice
    let bob = IMFixtures.bob

    @Test func aliceSubscribesAndBobApproves() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        // §3.1.2: alice sees bob with ask='subscribe'; §3.1.3: bob's server notes the request only.
        #expect(world.state(of: alice, for: bob) == .noneOut)
        #expect(world.item(of: alice, for: bob)?.inRoster == true)
        #expect(world.pushes.map(\.owner) == [alice])
        #expect(world.item(of: bob, for: alice) == RosterItem(jid: alice, pendingIn: true, inRoster: false))
        #expect(world.delivered.map(\.to) == [bob])

        world.send(.subscribed, from: bob, to: alice)
        #expect(world.state(of: alice, for: bob) == .to)
        #expect(world.state(of: bob, for: alice) == .from)
        #expect(world.item(of: bob, for: alice)?.inRoster == true)
        #expect(world.delivered.map(\.event) == [.subscribe, .subscribed])
        #expect(world.pushes.map(\.owner) == [alice, bob, alice])
        // §3.1.5: bob's presence goes to alice.
        #expect(world.presenceSent.contains { $0.from == bob && $0.to == alice })
    }

    @Test func mutualSubscriptionEndsInBoth() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.subscribed, from: bob, to: alice)
        world.send(.subscribe, from: bob, to: alice)
        #expect(world.state(of: bob, for: alice) == .fromOut)
        #expect(world.state(of: alice, for: bob) == .toIn)
        world.send(.subscribed, from: alice, to: bob)
        #expect(world.state(of: alice, for: bob) == .both)
        #expect(world.state(of: bob, for: alice) == .both)
    }

    @Test func unsubscribeFromBoth() {
        var world = mutual()
        world.send(.unsubscribe, from: alice, to: bob)
        // §3.3.2 / §3.3.3: alice keeps From, bob keeps To, bob's resources go unavailable to alice.
        #expect(world.state(of: alice, for: bob) == .from)
        #expect(world.state(of: bob, for: alice) == .to)
        #expect(world.delivered.last?.event == .unsubscribe)
        #expect(world.unavailable.count == 1)
        #expect(world.unavailable.first?.from == bob && world.unavailable.first?.to == alice)
    }

    @Test func unsubscribedCancelsFrom() {
        var world = mutual()
        world.send(.unsubscribed, from: bob, to: alice)
        // §3.2.2 / §3.2.3: bob's resources go unavailable to alice first, then alice loses To.
        #expect(world.state(of: bob, for: alice) == .to)
        #expect(world.state(of: alice, for: bob) == .from)
        #expect(world.unavailable.count == 1)
        #expect(world.unavailable.first?.from == bob && world.unavailable.first?.to == alice)
        #expect(world.delivered.last?.event == .unsubscribed)
    }

    @Test func bobDeniesTheRequest() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.unsubscribed, from: bob, to: alice)
        // §3.1.4: bob's hidden record goes away without a push; alice's ask is cleared.
        #expect(world.item(of: bob, for: alice) == nil)
        #expect(!world.pushes.contains { $0.owner == bob })
        #expect(world.state(of: alice, for: bob) == .neither)
        #expect(world.item(of: alice, for: bob)?.inRoster == true)
    }

    @Test func subscribeWhileOfflineStoresPendingIn() {
        let outcome = SubscriptionRules.inbound(.subscribe, item: nil, from: IMFixtures.aliceResource)
        // §3.1.3 rule 4: the request is kept (pendingIn) but no roster item appears.
        #expect(outcome == SubscriptionOutcome(
            item: RosterItem(jid: alice, pendingIn: true, inRoster: false),
            itemChanged: true, route: true))
        #expect(RosterQuery.result(items: [outcome.item!]) == Element("query", namespace: Namespace.roster))

        // A second request is neither stored again nor delivered (A.3.1 "None + Pending In").
        let again = SubscriptionRules.inbound(.subscribe, item: outcome.item, from: alice)
        #expect(again == SubscriptionOutcome(item: outcome.item))
    }

    @Test func withdrawnRequestRemovesHiddenRecord() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.unsubscribe, from: alice, to: bob)
        // §3.3.3: bob's server drops the record of the request; alice is back to None.
        #expect(world.item(of: bob, for: alice) == nil)
        #expect(world.state(of: alice, for: bob) == .neither)
        #expect(world.delivered.map(\.event) == [.subscribe, .unsubscribe])
    }

    @Test func duplicateSubscribedIsNotRouted() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.subscribed, from: bob, to: alice)
        let deliveredBefore = world.delivered.count
        world.send(.subscribed, from: bob, to: alice)
        // §3.4.2 rule 1 / A.2.3 "From": silently ignored.
        #expect(world.delivered.count == deliveredBefore)
        #expect(world.state(of: bob, for: alice) == .from)
    }

    @Test func preApprovalThenSubscribe() {
        var world = World()
        world.send(.subscribed, from: bob, to: alice)
        // §3.4.2 rule 4: item created with approved, pushed, not routed.
        #expect(world.item(of: bob, for: alice) == RosterItem(jid: alice, preApproved: true))
        #expect(world.pushes.map(\.owner) == [bob])
        #expect(world.delivered.isEmpty)

        world.send(.subscribe, from: alice, to: bob)
        // §3.4 / §3.1.3 rule 2: bob's server approves on bob's behalf; bob is never asked.
        #expect(world.state(of: bob, for: alice) == .from)
        #expect(world.item(of: bob, for: alice)?.preApproved == false)
        #expect(world.state(of: alice, for: bob) == .to)
        #expect(world.delivered.map(\.to) == [alice])
        #expect(world.delivered.map(\.event) == [.subscribed])
        #expect(world.presenceSent.contains { $0.from == bob && $0.to == alice })
    }

    @Test func unsubscribedCancelsPreApproval() {
        let approved = RosterItem(jid: alice, subscription: .to, preApproved: true)
        let outcome = SubscriptionRules.outbound(.unsubscribed, item: approved, contact: alice)
        // §3.4.2: the pre-approval is removed and the stanza is not routed.
        #expect(outcome == SubscriptionOutcome(
            item: RosterItem(jid: alice, subscription: .to), itemChanged: true, rosterPush: true))
    }

    @Test func resubscribeWhenAlreadyFromIsAnsweredByServer() {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.subscribed, from: bob, to: alice)
        // alice's server lost the subscription (e.g. alice removed and re-added bob).
        world.rosters[alice]?[bob] = RosterItem(jid: bob)
        world.send(.subscribe, from: alice, to: bob)
        #expect(world.state(of: alice, for: bob) == .to)
        #expect(world.state(of: bob, for: alice) == .from)
        #expect(world.delivered.last.map { $0.to == alice && $0.event == .subscribed } == true)
    }

    @Test func preApprovalWithoutServerSupportIsIgnored() {
        let outcome = SubscriptionRules.outbound(.subscribed, item: nil, contact: alice, preApproval: false)
        #expect(outcome == SubscriptionOutcome(item: nil))
    }

    @Test func outboundToFullJIDCreatesBareItem() {
        let outcome = SubscriptionRules.outbound(.subscribe, item: nil, contact: IMFixtures.bobResource)
        #expect(outcome.item == RosterItem(jid: bob, askSubscribe: true))
        #expect(outcome.itemChanged && outcome.rosterPush && outcome.route)
    }

    @Test func outboundSubscribeAddsHiddenRecordToRoster() {
        // None + Pending In, never added by the user -> None + Pending Out+In, now visible.
        let hidden = RosterItem(jid: bob, pendingIn: true, inRoster: false)
        let outcome = SubscriptionRules.outbound(.subscribe, item: hidden, contact: bob)
        #expect(outcome.item == RosterItem(jid: bob, askSubscribe: true, pendingIn: true))
        #expect(outcome.rosterPush)
    }

    private func mutual() -> World {
        var world = World()
        world.send(.subscribe, from: alice, to: bob)
        world.send(.subscribed, from: bob, to: alice)
        world.send(.subscribe, from: bob, to: alice)
        world.send(.subscribed, from: alice, to: bob)
        world.delivered = []
        world.unavailable = []
        return world
    }
}
