import Foundation
import XMPPCore

/// Owner management of subscriptions and affiliations (XEP-0060 §8.6–§8.9).
extension PubSubService {
    // MARK: §8.8 Manage subscriptions

    func ownerSubscriptions(_ id: NodeID, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        _ = try await loadNode(id)
        try await require(.manageSubscriptions, on: id, as: actor)
        // §8.8.1: MUST NOT list state none, SHOULD NOT list pending (those are §8.7's).
        let all = try await stored { try await store.subscriptions(on: id) }
        return .subscriptions(all.filter { $0.state == .subscribed || $0.state == .unconfigured })
    }

    func setOwnerSubscriptions(_ id: NodeID, changes: [SubscriptionChange], as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        let node = try await loadNode(id)
        try await require(.manageSubscriptions, on: id, as: actor)
        let existing = try await stored { try await store.subscriptions(on: id) }
        // Validate every change before applying any, so a rejected request changes nothing (§8.8.2.4).
        var plan: [(change: SubscriptionChange, targets: [Subscription])] = []
        for change in changes {
            let ofJID = existing.filter { $0.jid == change.jid }
            if let subscriptionID = change.subscriptionID {
                guard let target = ofJID.first(where: { $0.id == subscriptionID }) else { throw .invalidSubID }
                plan.append((change, [target]))
            } else {
                plan.append((change, ofJID))
            }
        }
        let owners = node.configuration.notifySub ? try await owners(of: id) : []
        for (change, targets) in plan {
            if targets.isEmpty {
                guard change.state != .none else { continue }
                let created = Subscription(
                    node: id, jid: change.jid, id: SubscriptionID(ids.next(at: now())),
                    state: change.state, options: SubscriptionOptions()
                )
                try await stored { try await store.putSubscription(created) }
                emit(.subscriptionChanged(created, owners: owners))
                continue
            }
            for var target in targets {
                target.state = change.state
                let updated = target
                if change.state == .none {
                    try await stored { try await store.removeSubscription(updated.id, on: id) }
                } else {
                    try await stored { try await store.putSubscription(updated) }
                }
                emit(.subscriptionChanged(updated, owners: owners))
            }
        }
        invalidateFanOut()
        return .done
    }

    // MARK: §8.7 Pending subscriptions, §8.6 approval

    func pending(_ id: NodeID, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        _ = try await loadNode(id)
        try await require(.manageSubscriptions, on: id, as: actor)
        return .subscriptions(try await stored { try await store.subscriptions(on: id) }.filter { $0.state == .pending })
    }

    func approve(_ id: NodeID, subscriptionID: SubscriptionID, allow: Bool, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        let node = try await loadNode(id)
        try await require(.manageSubscriptions, on: id, as: actor)
        let all = try await stored { try await store.subscriptions(on: id) }
        guard var subscription = all.first(where: { $0.id == subscriptionID && $0.state == .pending }) else {
            throw .invalidSubID
        }
        if allow {
            subscription.state = .subscribed
            let approved = subscription
            try await stored { try await store.putSubscription(approved) }
        } else {
            subscription.state = .none
            try await stored { try await store.removeSubscription(subscriptionID, on: id) }
        }
        invalidateFanOut()
        // §8.6: the service SHOULD notify the subscriber of the decision either way.
        let owners = node.configuration.notifySub ? try await owners(of: id) : []
        emit(.subscriptionChanged(subscription, owners: owners))
        if allow { try await sendLastPublishedItem(of: node, to: subscription) }
        return .done
    }

    // MARK: §8.9 Manage affiliations

    func ownerAffiliations(_ id: NodeID, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        _ = try await loadNode(id)
        try await require(.manageAffiliations, on: id, as: actor)
        return .affiliations(try await stored { try await store.affiliations(on: id) })
    }

    func setOwnerAffiliations(_ id: NodeID, changes: [AffiliationChange], as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        _ = try await loadNode(id)
        try await require(.manageAffiliations, on: id, as: actor)
        let bareJIDs = changes.map(\.jid.bare)
        // §8.9.2.4: "The owner MUST NOT specify multiple affiliation elements for the same entity".
        guard Set(bareJIDs).count == bareJIDs.count else { throw .duplicateAffiliation }
        var owners = Set(try await owners(of: id))
        for change in changes {
            if change.affiliation == .owner { owners.insert(change.jid.bare) } else { owners.remove(change.jid.bare) }
        }
        // §8.9.2.4: demoting the only owner MUST NOT be allowed.
        guard !owners.isEmpty else { throw .lastOwner }
        for change in changes {
            try await stored { try await store.setAffiliation(change.affiliation, of: change.jid.bare, on: id) }
            if change.affiliation == .outcast {
                // §4.1: an outcast is blocked, so its subscriptions end.
                let subscriptions = try await stored { try await store.subscriptions(on: id) }
                for subscription in subscriptions where subscription.jid.bare == change.jid.bare {
                    try await stored { try await store.removeSubscription(subscription.id, on: id) }
                }
            }
        }
        invalidateFanOut()
        return .done
    }
}
