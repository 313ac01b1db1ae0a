import XMPPCore

/// XEP-0060 §8.7 "Process Pending Subscription Requests": an owner asks again for the §8.6
/// authorization requests of a node (the XEP-0050 `get-pending` command drives it).
extension PubSubService {
    /// The nodes `actor` owns, sorted: the choices of the get-pending form (§8.7.2).
    public func ownedNodes(as actor: Requester) async throws(PubSubError) -> [NodeID] {
        guard let jid = actor.bareJID else { return [] }
        return try await stored { try await store.affiliations(of: jid) }
            .filter { $0.affiliation == .owner }.map(\.node).sorted()
    }

    /// Sends `actor` one authorization request per pending subscription of `node` (§8.7.4), as
    /// ``PubSubEvent/approvalRequested(_:owners:)`` events; returns how many. Only owners (and the
    /// managers Table 4 allows) may: forbidden otherwise (§8.7.3.3), item-not-found for a missing node.
    @discardableResult
    public func requestPendingApprovals(_ node: NodeID, as actor: Requester) async throws(PubSubError) -> Int {
        guard case .subscriptions(let pending) = try await pending(node, as: actor) else { return 0 }
        guard let jid = actor.bareJID else { return 0 }
        for subscription in pending { emit(.approvalRequested(subscription, owners: [jid])) }
        return pending.count
    }
}
