import Foundation
import XMPPCore

/// The XEP-0060 publish rules that depend on the node's event type and fullness: itemless publishing
/// (§4.3, §7.1.3.7) and `pubsub#publish_node_full = reject` (§7.1.3.4).
extension PubSubService {
    // MARK: §4.3 / §7.1.3.7 publish without an item

    /// `<publish node='…'/>` with no `<item/>`. The §4.3 table: a notification-only transient node MUST
    /// NOT get an item, and its notifications carry an empty `<items/>`; every other event type needs one
    /// (persistent → item-required, payload → payload-required).
    func publishWithoutItem(_ id: NodeID, options: PublishOptions?, as actor: Requester)
        async throws(PubSubError) -> PubSubResult
    {
        if configuration.autoCreate, try await stored({ try await store.node(id) }) == nil {
            // Refuse before auto-creating (§7.1.4), so a request that cannot succeed creates nothing.
            var candidate = defaultConfiguration(for: .leaf)
            options?.apply(to: &candidate)
            try Self.requireItemless(candidate)
        }
        let node = try await nodeForPublish(id, options: options, as: actor)
        guard node.type == .leaf else { throw .unsupported(.publish) }  // XEP-0248 §4.1
        try await requirePublishRight(on: node, as: actor)
        try Self.requireItemless(node.configuration)
        let recipients = node.configuration.deliverNotifications
            ? try await recipients(for: node, kind: .items, includeNode: true) : []
        emit(.notified(node: id, delivery: Delivery(node.configuration), recipients: recipients))
        return .done
    }

    private static func requireItemless(_ configuration: NodeConfiguration) throws(PubSubError) {
        if configuration.persistItems { throw .itemRequired }
        if configuration.deliverPayloads { throw .payloadRequired }
    }

    // MARK: §7.1.3.4 node is full

    /// Appends `item` unless the node already holds `limit` items and `item` is not an overwrite
    /// (§13.1: re-publishing an ItemID replaces, so it never makes the node fuller) — then conflict +
    /// node-full. Publishes to one such node are serialized by ``NodeGate`` so "count, then append" cannot
    /// interleave with another publish across the store's suspension points.
    func appendUnlessFull(_ item: Item, to id: NodeID, limit: Int, outbox: [OutboxMessage])
        async throws(PubSubError) -> [String]
    {
        await acquireGate(id)
        defer { releaseGate(id) }
        // One query answers both: `count` is the node's total, `items` whether the id exists.
        let existing = try await stored { try await store.items(in: id, query: .ids([item.id])) }
        if existing.items.isEmpty, existing.count >= limit { throw .nodeFull }
        return try await stored { try await store.appendItem(item, to: id, keepingAtMost: limit, outbox: outbox) }
    }

    private func acquireGate(_ id: NodeID) async {
        if fullNodeGate.tryAcquire(id) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            fullNodeGate.enqueue(continuation, for: id)
        }
    }

    private func releaseGate(_ id: NodeID) {
        fullNodeGate.release(id)?.resume()
    }
}

/// A per-node FIFO lock for an actor: `tryAcquire` takes a free node, waiters queue, and `release` hands
/// the node to the next waiter (returned for the caller to resume) or frees it.
struct NodeGate: Sendable {
    private var held: Set<NodeID> = []
    private var waiters: [NodeID: [CheckedContinuation<Void, Never>]] = [:]

    mutating func tryAcquire(_ id: NodeID) -> Bool { held.insert(id).inserted }

    mutating func enqueue(_ continuation: CheckedContinuation<Void, Never>, for id: NodeID) {
        waiters[id, default: []].append(continuation)
    }

    /// The waiter that now holds `id`, or nil when `id` is free again.
    mutating func release(_ id: NodeID) -> CheckedContinuation<Void, Never>? {
        guard var queue = waiters[id], !queue.isEmpty else {
            held.remove(id)
            return nil
        }
        let next = queue.removeFirst()
        waiters[id] = queue.isEmpty ? nil : queue
        return next
    }
}
