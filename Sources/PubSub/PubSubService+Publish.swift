import Foundation
import XMPPCore

/// Publisher use cases (XEP-0060 §7), item retrieval (§6.5) and retention.
extension PubSubService {
    // MARK: §7.1 Publish

    func publish(
        _ id: NodeID, itemID requestedID: String?, payload: [UInt8], options: PublishOptions?,
        payloadNamespace: String?, as actor: Requester
    ) async throws(PubSubError) -> PubSubResult {
        let prepared = try await preparePublish(
            id, itemID: requestedID, payload: payload, options: options, payloadNamespace: payloadNamespace, as: actor)
        let evicted = try await storePublished(prepared)
        try await announcePublished(prepared, evicted: evicted)
        return .published(node: id, itemID: prepared.item.id)
    }

    /// Several publishes from one requester, in order (RFC 6120 §10.1: a client's stanzas are
    /// processed in the order sent). Each is checked and given its item and publication time in
    /// turn, then stored in turn; only the notifications wait until the whole run is stored, so
    /// they leave back to back and each subscriber's connection takes them in one write. The
    /// outcome of each publish is what `perform` would have returned for it alone: no check of
    /// one depends on another's item (publish_node_full = reject checks fullness when storing,
    /// in order). Commands that are not publishes are performed alone, in their place.
    public func performPublishes(_ commands: [PubSubCommand], as actor: Requester)
        async -> [Result<PubSubResult, PubSubError>]
    {
        var results: [Result<PubSubResult, PubSubError>?] = Array(repeating: nil, count: commands.count)
        var unannounced: [(index: Int, prepared: PreparedPublish, evicted: [String])] = []
        for (index, command) in commands.enumerated() {
            guard case .publish(let node, let itemID, let payload, let options, let payloadNamespace) = command else {
                await announce(&unannounced, into: &results)
                do {
                    results[index] = .success(try await perform(command, as: actor))
                } catch {
                    results[index] = .failure(error)
                }
                continue
            }
            do {
                let prepared = try await preparePublish(
                    node, itemID: itemID, payload: payload, options: options, payloadNamespace: payloadNamespace,
                    as: actor)
                unannounced.append((index, prepared, try await storePublished(prepared)))
            } catch {
                results[index] = .failure(error)
            }
        }
        await announce(&unannounced, into: &results)
        return results.map { $0 ?? .failure(.storeFailure("publish left without an outcome")) }
    }

    /// Runs of publishes from several requesters at once (one event-loop turn's worth from many
    /// sessions, each run in the order its requester sent it). Every publish is checked and given
    /// its item and publication time in turn, as ``performPublishes(_:as:)`` would; then the runs
    /// made only of plain appends (persistent nodes that evict rather than reject when full) go to
    /// the store in one ``PubSubStore/appendItems(_:)`` call, so they share group commits and this
    /// actor waits once instead of once per publish; the other runs are stored one publish at a
    /// time, each in its own order; notifications follow, in order.
    /// Each outcome is what `perform` would have returned for that publish alone. A run holding
    /// anything other than publishes is performed as ``performPublishes(_:as:)`` performs it.
    public func performPublishes(_ runs: [(commands: [PubSubCommand], actor: Requester)])
        async -> [[Result<PubSubResult, PubSubError>]]
    {
        var results: [[Result<PubSubResult, PubSubError>?]] = runs.map { Array(repeating: nil, count: $0.commands.count) }
        var prepared: [(run: Int, index: Int, publish: PreparedPublish)] = []
        for (run, entry) in runs.enumerated() {
            guard entry.commands.allSatisfy({ if case .publish = $0 { true } else { false } }) else {
                results[run] = await performPublishes(entry.commands, as: entry.actor)
                continue
            }
            for (index, command) in entry.commands.enumerated() {
                guard case .publish(let node, let itemID, let payload, let options, let payloadNamespace) = command else { continue }
                do {
                    prepared.append((run, index, try await preparePublish(
                        node, itemID: itemID, payload: payload, options: options,
                        payloadNamespace: payloadNamespace, as: entry.actor)))
                } catch {
                    results[run][index] = .failure(error)
                }
            }
        }
        // Store: the runs made only of plain appends together; a run holding any other publish
        // (node-full rejection, a transient node's outbox copies) one by one, in its own order, so
        // nothing of one requester is stored out of the order it was sent in.
        var evicted: [[String]?] = Array(repeating: nil, count: prepared.count)
        let sequentialRuns = Set(prepared.filter { !Self.isPlainAppend($0.publish.node.configuration) }.map(\.run))
        let together = prepared.indices.filter { !sequentialRuns.contains(prepared[$0].run) }
        let appends = together.map { i in
            let publish = prepared[i].publish
            return ItemAppend(item: publish.item, node: publish.node.id,
                              limit: effectiveMaxItems(publish.node.configuration), outbox: publish.outbox)
        }
        for (i, outcome) in zip(together, await store.appendItems(appends)) {
            switch outcome {
            case .success(let ids): evicted[i] = ids
            case .failure(let error as PubSubError): results[prepared[i].run][prepared[i].index] = .failure(error)
            case .failure(let error): results[prepared[i].run][prepared[i].index] = .failure(.storeFailure(String(describing: error)))
            }
        }
        for i in prepared.indices where sequentialRuns.contains(prepared[i].run) {
            do {
                evicted[i] = try await storePublished(prepared[i].publish)
            } catch {
                results[prepared[i].run][prepared[i].index] = .failure(error)
            }
        }
        for (i, entry) in prepared.enumerated() {
            guard let evictedIDs = evicted[i] else { continue }
            do {
                try await announcePublished(entry.publish, evicted: evictedIDs)
                results[entry.run][entry.index] = .success(.published(node: entry.publish.node.id, itemID: entry.publish.item.id))
            } catch {
                results[entry.run][entry.index] = .failure(error)
            }
        }
        return results.map { run in run.map { $0 ?? .failure(.storeFailure("publish left without an outcome")) } }
    }

    /// Stored by a bare `appendItem` (``storePublished(_:)``'s middle branch): persistent, and not
    /// `publish_node_full = reject` with a limit, which needs its count-then-append gate.
    static func isPlainAppend(_ configuration: NodeConfiguration) -> Bool {
        configuration.persistItems && configuration.publishNodeFull != .reject
    }

    private func announce(
        _ unannounced: inout [(index: Int, prepared: PreparedPublish, evicted: [String])],
        into results: inout [Result<PubSubResult, PubSubError>?]
    ) async {
        for entry in unannounced {
            do {
                try await announcePublished(entry.prepared, evicted: entry.evicted)
                results[entry.index] = .success(.published(node: entry.prepared.node.id, itemID: entry.prepared.item.id))
            } catch {
                // Stored but not announced (the subscriber lookup failed): the publish is
                // durable, yet the caller learns that part of it went wrong, as it would alone.
                results[entry.index] = .failure(error)
            }
        }
        unannounced.removeAll()
    }

    /// A publish that passed every check (§7.1.3), with its item and outbound copies.
    struct PreparedPublish {
        let node: Node
        let item: Item
        let outbox: [OutboxMessage]
    }

    func preparePublish(
        _ id: NodeID, itemID requestedID: String?, payload: [UInt8], options: PublishOptions?,
        payloadNamespace: String?, as actor: Requester
    ) async throws(PubSubError) -> PreparedPublish {
        let node = try await nodeForPublish(id, options: options, as: actor)
        // XEP-0248 §4.1: collections MUST NOT support "publish".
        guard node.type == .leaf else { throw .unsupported(.publish) }
        try await requirePublishRight(on: node, as: actor)
        // §7.1.3.7: a notification-only transient node takes no <item/> at all (§4.3 table).
        if node.configuration.isNotificationOnlyTransient { throw .itemForbidden }
        let sizeLimit = min(node.configuration.maxPayloadSize ?? .max, configuration.maxPayloadSizeLimit)
        guard payload.count <= sizeLimit else { throw .payloadTooBig }
        // §7.1.3.7: the event type is "payload", so an item without one is bounced.
        guard !payload.isEmpty || !node.configuration.deliverPayloads else { throw .payloadRequired }
        // §7.1.3.6: the root payload namespace must match the configured pubsub#type.
        if let payloadNamespace, !payload.isEmpty, let type = node.configuration.payloadType, !type.isEmpty,
           payloadNamespace != type { throw .invalidPayload }
        if let requestedID, requestedID.utf8.count > Item.maximumIDLength { throw .invalidItemID }

        let published = nextPublishedTime()
        let itemID = requestedID.flatMap { $0.isEmpty ? nil : $0 } ?? ids.next(at: published)
        let item = Item(id: itemID, publisher: actor.publisherJID, payload: payload, published: published)
        // Outbound copies (MQTT bridge) commit with the item, so an acknowledged publish is never
        // lost on its way out (transactional outbox, Outbox.swift).
        let outbox = forwarder?.outbox(forPublished: item, on: id) ?? []
        return PreparedPublish(node: node, item: item, outbox: outbox)
    }

    /// Stores the item (or only its outbound copies); returns the items evicted to make room.
    func storePublished(_ prepared: PreparedPublish) async throws(PubSubError) -> [String] {
        let node = prepared.node
        let (id, item, outbox) = (node.id, prepared.item, prepared.outbox)
        // §4.3: a transient node (persist_items false) notifies without storing the item.
        if node.configuration.persistItems, node.configuration.publishNodeFull == .reject,
           let limit = effectiveMaxItems(node.configuration) {
            return try await appendUnlessFull(item, to: id, limit: limit, outbox: outbox)
        } else if node.configuration.persistItems {
            return try await stored {
                try await store.appendItem(
                    item, to: id, keepingAtMost: effectiveMaxItems(node.configuration), outbox: outbox)
            }
        } else if !outbox.isEmpty {
            try await stored { try await store.enqueue(outbox, at: item.published) }
        }
        return []
    }

    /// §7.1.2: the notifications of a stored publish, and of the items it evicted.
    func announcePublished(_ prepared: PreparedPublish, evicted: [String]) async throws(PubSubError) {
        let node = prepared.node
        let recipients = node.configuration.deliverNotifications
            ? try await recipients(for: node, kind: .items, includeNode: true) : []
        emit(.published(node: node.id, item: prepared.item, delivery: Delivery(node.configuration), recipients: recipients))
        if !evicted.isEmpty {
            emit(.itemsRemoved(node: node.id, itemIDs: evicted, reason: .evicted))
            // §7.1.2.5: "retract-oldest" MAY notify the retraction; Starling does when notify_retract is on.
            if node.configuration.publishNodeFull == .retractOldest, node.configuration.notifyRetract {
                emit(.retracted(node: node.id, itemIDs: evicted, recipients: recipients))
            }
        }
    }

    /// The node to publish to, auto-created when missing (§7.1.4) with the publish-options applied
    /// (§7.1.5 rule 3); an existing node must satisfy the preconditions (rules 1 and 2).
    func nodeForPublish(_ id: NodeID, options: PublishOptions?, as actor: Requester) async throws(PubSubError) -> Node {
        if let node = try await stored({ try await store.node(id) }) {
            if let options, !options.isSatisfied(by: node.configuration) { throw .preconditionNotMet }
            return node
        }
        guard configuration.autoCreate else { throw .nodeNotFound }
        var nodeConfiguration = defaultConfiguration(for: .leaf)
        options?.apply(to: &nodeConfiguration)
        do {
            _ = try await create(id, configuration: nodeConfiguration, as: actor)
        } catch .nodeExists {
            // Created concurrently: publish to it like to any existing node.
            let node = try await loadNode(id)
            if let options, !options.isSatisfied(by: node.configuration) { throw .preconditionNotMet }
            return node
        }
        return try await loadNode(id)
    }

    /// `pubsub#publish_model` over Table 4: publishers (the table), subscribers (also anyone subscribed),
    /// open (anyone but outcasts).
    func requirePublishRight(on node: Node, as actor: Requester) async throws(PubSubError) {
        guard let jid = actor.bareJID else { return }
        let affiliation = try await affiliation(of: actor, on: node.id)
        if affiliation == .outcast { throw .forbidden }
        if CapabilityTable.allows(affiliation, .publish) { return }
        switch node.configuration.publishModel {
        case .publishers:
            throw .forbidden
        case .subscribers:
            let now = now()
            let subscribed = try await stored { try await store.subscriptions(on: node.id) }
                .contains { $0.jid.bare == jid && $0.isActive(at: now) }
            guard subscribed else { throw .forbidden }
        case .open:
            return
        }
    }

    /// `max_items` capped by the service ("max" means the service's limit).
    func effectiveMaxItems(_ nodeConfiguration: NodeConfiguration) -> Int? {
        switch (nodeConfiguration.maxItems, configuration.maxItemsLimit) {
        case (nil, let limit): limit
        case (let maxItems?, nil): maxItems
        case (let maxItems?, let limit?): min(maxItems, limit)
        }
    }

    // MARK: §7.2 Retract

    func retract(_ id: NodeID, itemIDs: [String], notify: Bool, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        guard node.type == .leaf, node.configuration.persistItems else { throw .unsupported(.persistentItems) }
        guard !itemIDs.isEmpty else { throw .itemRequired }
        let affiliation = try await affiliation(of: actor, on: id)
        let items = try await stored { try await store.items(in: id, query: .ids(itemIDs)) }.items
        guard Set(items.map(\.id)) == Set(itemIDs) else { throw .itemNotFound }
        if !CapabilityTable.allows(affiliation, .retractAnyItem) {
            // Table 4 footnote: publish-only may delete only what it published itself.
            guard CapabilityTable.allows(affiliation, .retractOwnItem),
                  items.allSatisfy({ $0.publisher == actor.bareJID }) else { throw .forbidden }
        }
        let removed = try await stored { try await store.retractItems(itemIDs, from: id) }
        // §7.2.2.1: notify when the request says so; pubsub#notify_retract makes it the node's default.
        let recipients = notify || node.configuration.notifyRetract
            ? try await recipients(for: node, kind: .items, includeNode: true) : []
        emit(.retracted(node: id, itemIDs: removed, recipients: recipients))
        return .done
    }

    // MARK: §6.5 Retrieve items

    func items(_ id: NodeID, query: ItemQuery, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        let node = try await loadNode(id)
        if node.type == .collection { return try await collectionItems(node, query: query, as: actor) }
        try await checkAccess(to: node, for: .retrieveItems, as: actor)
        let page = try await stored { try await store.items(in: id, query: query) }
        return .items(node: id, page: page)
    }

    // MARK: Retention

    /// Deletes items older than their node's `pubsub#item_expire`, measured from the injected clock, and
    /// returns how many went. Call it on a schedule: an item lives at most `item_expire` plus the period.
    public func expireItems() async throws(PubSubError) -> Int {
        let now = now()
        var total = 0
        for node in try await stored({ try await store.nodesWithItemExpiry() }) {
            guard let expire = node.configuration.itemExpire else { continue }
            let seconds = Double(expire.components.seconds) + Double(expire.components.attoseconds) / 1e18
            let cutoff = now.addingTimeInterval(-seconds)
            let removed = try await stored { try await store.expireItems(in: node.id, publishedBefore: cutoff) }
            if !removed.isEmpty { emit(.itemsRemoved(node: node.id, itemIDs: removed, reason: .expired)) }
            total += removed.count
        }
        return total
    }
}
