import Foundation
import PubSub
import Testing
import XMPPCore

/// A roster per owner: `presence[owner]` holds the contacts subscribed to that owner's presence,
/// `groups[owner][contact]` the groups the owner put the contact in. Unlike ``StubRoster`` it shows
/// which owner's roster a check consulted.
private struct OwnerRosters: RosterLookup {
    var presence: [JID: Set<JID>] = [:]
    var groups: [JID: [JID: Set<String>]] = [:]

    func isSubscribedToPresence(of owner: JID, contact: JID) async -> Bool {
        presence[owner.bare]?.contains(contact.bare) ?? false
    }

    func groups(of contact: JID, inRosterOf owner: JID) async -> Set<String> {
        groups[owner.bare]?[contact.bare] ?? []
    }
}

private let coOwner = jid("co-owner@example.org")

/// XEP-0060 error cases: §6.5.9.6–§6.5.9.8 retrieval under the presence, roster and whitelist access
/// models; §7.2.3.2 and §7.2.3.5 retract; §8.2.3 configure; §8.5.3 purge.
@Suite struct ErrorCaseTests {
    func affiliate(_ f: Fixture, _ id: String, _ who: JID, _ affiliation: Affiliation) async throws {
        _ = try await f.service.perform(
            .setOwnerAffiliations(node: node(id), changes: [AffiliationChange(jid: who, affiliation: affiliation)]),
            as: .entity(owner))
    }

    // MARK: §6.5.9.6–§6.5.9.8

    /// §6.5.9.6: "if the requesting entity is not subscribed to the owner's presence then the pubsub
    /// service MUST respond with a not-authorized error" + presence-subscription-required. Every owner's
    /// roster counts; affiliated entities pass on their affiliation (Table 4).
    @Test func presenceNodeRetrievalNeedsAPresenceSubscriptionToAnOwner() async throws {
        let rosters = OwnerRosters(presence: [owner: [alice], coOwner: [bob]])
        let g = Fixture(rosterLookup: rosters)
        try await g.createNode("n") { $0.accessModel = .presence }
        try await g.publish("n", itemID: "1")
        #expect(try await g.items("n", as: .entity(alice)).items.map(\.id) == ["1"])
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await g.items("n", as: .entity(bob)) }
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await g.items("n", as: .entity(stranger)) }
        // A full JID is checked by its bare JID.
        #expect(try await g.items("n", as: .entity(jid("alice@example.org/phone"))).items.map(\.id) == ["1"])
        // bob shares presence with the second owner only: once it owns the node, bob may read.
        try await affiliate(g, "n", coOwner, .owner)
        #expect(try await g.items("n", as: .entity(bob)).items.map(\.id) == ["1"])
        #expect(try await g.items("n", as: .entity(alice)).items.map(\.id) == ["1"])
        await #expect(throws: PubSubError.presenceSubscriptionRequired) { try await g.items("n", as: .entity(stranger)) }
        // A member passes without a presence subscription.
        try await affiliate(g, "n", stranger, .member)
        #expect(try await g.items("n", as: .entity(stranger)).items.map(\.id) == ["1"])
    }

    /// §6.5.9.7: "if the requesting entity is not in one of the authorized roster groups then the pubsub
    /// service MUST respond with a not-authorized error" + not-in-roster-group.
    @Test func rosterNodeRetrievalNeedsAnAllowedGroup() async throws {
        let f = Fixture(rosterLookup: OwnerRosters(groups: [owner: [alice: ["sensors"], bob: ["friends"]]]))
        try await f.createNode("n") {
            $0.accessModel = .roster
            $0.rosterGroupsAllowed = ["sensors"]
        }
        try await f.publish("n", itemID: "1")
        #expect(try await f.items("n", as: .entity(alice)).items.map(\.id) == ["1"])
        await #expect(throws: PubSubError.notInRosterGroup) { try await f.items("n", as: .entity(bob)) }
        await #expect(throws: PubSubError.notInRosterGroup) { try await f.items("n", as: .entity(stranger)) }
        // The owner allows bob's group: the same request now succeeds.
        var configuration = NodeConfiguration()
        configuration.accessModel = .roster
        configuration.rosterGroupsAllowed = ["sensors", "friends"]
        _ = try await f.service.perform(.configure(node: node("n"), configuration: configuration, children: nil),
                                        as: .entity(owner))
        #expect(try await f.items("n", as: .entity(bob)).items.map(\.id) == ["1"])
        // No groups allowed at all: nobody outside the affiliations reads.
        configuration.rosterGroupsAllowed = []
        _ = try await f.service.perform(.configure(node: node("n"), configuration: configuration, children: nil),
                                        as: .entity(owner))
        await #expect(throws: PubSubError.notInRosterGroup) { try await f.items("n", as: .entity(alice)) }
    }

    /// §6.5.9.8: "if the requesting entity is not on the whitelist then the service MUST return a
    /// not-allowed error, specifying … closed-node". The whitelist is the member/publisher/owner
    /// affiliations; an outcast is blocked (§6.5.9.10 forbidden), and leaving the list closes it again.
    @Test func whitelistNodeRetrievalNeedsAnAffiliation() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .whitelist }
        try await f.publish("n", itemID: "1")
        await #expect(throws: PubSubError.closedNode) { try await f.items("n", as: .entity(alice)) }
        await #expect(throws: PubSubError.closedNode) { try await f.items("n", .ids(["1"]), as: .entity(alice)) }
        for affiliation in [Affiliation.member, .publisher] {
            try await affiliate(f, "n", alice, affiliation)
            #expect(try await f.items("n", as: .entity(alice)).items.map(\.id) == ["1"], "\(affiliation)")
        }
        try await affiliate(f, "n", alice, .none)
        await #expect(throws: PubSubError.closedNode) { try await f.items("n", as: .entity(alice)) }
        try await affiliate(f, "n", alice, .outcast)
        await #expect(throws: PubSubError.forbidden) { try await f.items("n", as: .entity(alice)) }
    }

    // MARK: §6.4

    /// §6.4.2: the defaults of an existing node or of the service; a node that does not exist is
    /// item-not-found, like every request naming one.
    @Test func defaultSubscriptionOptionsNeedAnExistingNode() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.accessModel = .whitelist }
        for target in [node("n"), nil] {
            #expect(try await f.service.perform(.defaultSubscriptionOptions(node: target), as: .entity(stranger))
                == .subscriptionOptions(SubscriptionOptions()))
        }
        await #expect(throws: PubSubError.nodeNotFound) {
            try await f.service.perform(.defaultSubscriptionOptions(node: node("missing")), as: .entity(alice))
        }
    }

    // MARK: §7.2.3

    /// §7.2.3.2: "If the node or item does not exist, the service MUST return an item-not-found error."
    @Test func retractOnAMissingNodeIsItemNotFound() async throws {
        let f = Fixture()
        for actor in [owner, alice] {
            await #expect(throws: PubSubError.nodeNotFound) {
                try await f.service.perform(.retract(node: node("missing"), itemIDs: ["1"], notify: true), as: .entity(actor))
            }
        }
        // Not auto-created on the way.
        await #expect(throws: PubSubError.nodeNotFound) { try await f.items("missing") }
    }

    /// §7.2.3.5: "If the node does not support persistent items (e.g., because it is a collection node or a
    /// transient node that does not deliver payloads), the service MUST return a feature-not-implemented
    /// error, specifying … unsupported … persistent-items." Nothing is announced.
    @Test func retractOnATransientNodeOrACollectionIsUnsupported() async throws {
        let f = Fixture()
        try await f.createNode("transient") { $0.persistItems = false }
        try await f.createNode("folder", type: .collection)
        try await f.createNode("folder/leaf", parents: ["folder"])
        try await f.publish("transient", itemID: "1")
        try await f.publish("folder/leaf", itemID: "1")
        let events = try await f.events {
            for id in ["transient", "folder"] {
                await #expect(throws: PubSubError.unsupported(.persistentItems), "\(id)") {
                    try await f.service.perform(.retract(node: node(id), itemIDs: ["1"], notify: true), as: .entity(owner))
                }
            }
        }
        #expect(events.isEmpty)
        // The leaf below the collection keeps its item.
        #expect(try await f.items("folder/leaf").items.map(\.id) == ["1"])
    }

    // MARK: §8.2.3

    /// §8.2.3.2 forbidden for every affiliation but owner, §8.2.3.5 item-not-found for a missing node
    /// (both the form request and the submission); a refused submission changes nothing.
    @Test func configureErrors() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await affiliate(f, "n", alice, .publisher)
        try await affiliate(f, "n", bob, .member)
        var configuration = NodeConfiguration()
        configuration.title = "changed"
        for actor in [alice, bob, stranger] {
            await #expect(throws: PubSubError.forbidden, "\(actor)") {
                try await f.service.perform(.getConfiguration(node: node("n")), as: .entity(actor))
            }
            await #expect(throws: PubSubError.forbidden, "\(actor)") {
                try await f.service.perform(.configure(node: node("n"), configuration: configuration, children: nil),
                                            as: .entity(actor))
            }
        }
        #expect(try await f.service.perform(.getConfiguration(node: node("n")), as: .entity(owner))
            == .configuration(NodeConfiguration(), children: []))
        await #expect(throws: PubSubError.nodeNotFound) {
            try await f.service.perform(.getConfiguration(node: node("missing")), as: .entity(owner))
        }
        await #expect(throws: PubSubError.nodeNotFound) {
            try await f.service.perform(.configure(node: node("missing"), configuration: configuration, children: nil),
                                        as: .entity(owner))
        }
    }

    // MARK: §8.5.3

    /// §8.5.3.3: "If the node or service does not support persistent items, it MUST return a
    /// feature-not-implemented error" + unsupported persistent-items — a transient node, and a collection
    /// (XEP-0248 §4.1: collections hold no items); §8.5.3.4 item-not-found for a missing node. Nothing
    /// is purged or announced.
    @Test func purgeErrors() async throws {
        let f = Fixture()
        try await f.createNode("transient") { $0.persistItems = false }
        try await f.createNode("folder", type: .collection)
        try await f.createNode("folder/leaf", parents: ["folder"])
        try await f.publish("folder/leaf", itemID: "1")
        _ = try await f.subscribe("transient", alice)
        _ = try await f.subscribe("folder", alice)
        let events = try await f.events {
            for id in ["transient", "folder"] {
                await #expect(throws: PubSubError.unsupported(.persistentItems), "\(id)") {
                    try await f.service.perform(.purge(node: node(id)), as: .entity(owner))
                }
            }
            await #expect(throws: PubSubError.nodeNotFound) {
                try await f.service.perform(.purge(node: node("missing")), as: .entity(owner))
            }
        }
        #expect(events.isEmpty)
        #expect(try await f.items("folder/leaf").items.map(\.id) == ["1"])
    }
}

extension Fixture {
    /// A fixture like ``Fixture/init(roster:configure:)`` whose service looks rosters up in `rosterLookup`.
    fileprivate init(rosterLookup: OwnerRosters) {
        clock = TestClock()
        store = InMemoryPubSubStore()
        service = PubSubService(
            jid: jid("pubsub.example.org"), store: CachingPubSubStore(store),
            configuration: PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org")), clock: clock,
            rosterLookup: rosterLookup
        )
    }
}
