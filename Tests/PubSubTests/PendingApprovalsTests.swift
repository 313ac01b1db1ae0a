import PubSub
import Testing
import XMPPCore

/// XEP-0060 §8.7 "Process Pending Subscription Requests" in the domain: the owner's nodes, and one
/// authorization request per pending subscription, to the asking owner only.
@Suite struct PendingApprovalsTests {
    @Test func ownerGetsOneRequestPerPendingSubscription() async throws {
        let f = Fixture()
        try await f.createNode("a") { $0.accessModel = .authorize }
        try await f.createNode("b") { $0.accessModel = .authorize }
        let first = try await f.subscribe("a", alice)
        let second = try await f.subscribe("a", bob)
        _ = try await f.subscribe("b", alice)
        #expect(try await f.service.ownedNodes(as: .entity(owner)) == [node("a"), node("b")])
        #expect(try await f.service.ownedNodes(as: .entity(alice)).isEmpty)

        var count = 0
        let events = try await f.events {
            count = try await f.service.requestPendingApprovals(node("a"), as: .entity(owner))
        }
        #expect(count == 2)
        #expect(events == [.approvalRequested(first, owners: [owner]), .approvalRequested(second, owners: [owner])])

        // An approved subscription is no longer pending, so it is not asked about again.
        _ = try await f.service.perform(.approve(node: node("a"), subscriptionID: first.id, allow: true), as: .entity(owner))
        let again = try await f.events {
            _ = try await f.service.requestPendingApprovals(node("a"), as: .entity(owner))
        }
        #expect(again == [.approvalRequested(second, owners: [owner])])
    }

    @Test func onlyOwnersAndExistingNodes() async throws {
        let f = Fixture()
        try await f.createNode("a") { $0.accessModel = .authorize }
        await #expect(throws: PubSubError.forbidden) {
            try await f.service.requestPendingApprovals(node("a"), as: .entity(alice))
        }
        await #expect(throws: PubSubError.nodeNotFound) {
            try await f.service.requestPendingApprovals(node("missing"), as: .entity(owner))
        }
    }
}
