import Foundation
import PostgresNIO
import PubSub
import XMPPCore

/// The item half of ``PubSubStore`` on PostgreSQL: `pubsub_items`, ordered by `(published, item_id)`
/// on the index of the same name. Payloads are `bytea`, byte-exact; times are whole microseconds
/// (``PostgresTimestamp``).
extension PostgresStore {
    public func appendItem(
        _ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage]
    ) async throws -> [String] {
        // Group commit: concurrent appends go to the server together, one statement (so one round
        // trip and one commit) per batch; each caller resumes once its batch has committed.
        try await appends.submit(ItemAppend(item: item, node: node, limit: limit, outbox: outbox)) { batch in
            try await self.append(batch)
        }
    }

    /// Many appends, one submission to the same group commit (``PubSubStore/appendItems(_:)``).
    public func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>] {
        await self.appends.submit(all: appends) { batch in
            try await self.append(batch)
        }
    }

    /// Writes a batch with `pubsub_append_items` (migration 002), which runs `pubsub_append_item` per
    /// entry: lock the node row, upsert (an overwrite becomes the newest, XEP-0060 §13.1), delete the
    /// oldest beyond the limit. Returns each append's evicted ids, oldest first.
    private func append(_ batch: [ItemAppend]) async throws -> [[String]] {
        // Stable sort by node: batches lock node rows in one order, and each node keeps arrival order.
        let order = batch.indices.sorted { (batch[$0].node, $0) < (batch[$1].node, $1) }
        let sorted = order.map { batch[$0] }
        let nodes = sorted.map(\.node.rawValue)
        let ids = sorted.map(\.item.id)
        let publishers = sorted.map { $0.item.publisher?.description ?? "" }
        let payloads = sorted.map { ByteBuffer(bytes: $0.item.payload) }
        let published = sorted.map { PostgresTimestamp($0.item.published) }
        let limits = sorted.map { $0.limit.map { Int64(max($0, 0)) } ?? -1 }
        // Outbound copies (the bridge's outbox) in arrival order, not node order: a data-modifying CTE
        // runs in the same statement, so they commit with the items or not at all.
        let queued = batch.flatMap { append in append.outbox.map { (append.item.published, $0, append.node.rawValue) } }
        let rows: PostgresRowSequence
        if queued.isEmpty {
            rows = try await client().query(
                """
                SELECT ordinal, evicted_id, evicted_published FROM pubsub_append_items(
                    \(nodes)::text[], \(ids)::text[], \(publishers)::text[], \(payloads)::bytea[],
                    \(published)::timestamptz[], \(limits)::int8[])
                """,
                logger: logger)
        } else {
            let queues = queued.map(\.1.queue)
            let topics = queued.map(\.1.topic)
            let bodies = queued.map { ByteBuffer(bytes: $0.1.payload) }
            let qos = queued.map { Int16($0.1.qos) }
            let retain = queued.map(\.1.retain)
            let enqueued = queued.map { PostgresTimestamp($0.0) }
            let owners = queued.map(\.2)
            rows = try await client().query(
                """
                WITH queued AS (
                    INSERT INTO bridge_outbox (queue, topic, payload, qos, retain, enqueued)
                    SELECT q, t, p, o, r, e
                    FROM unnest(\(queues)::text[], \(topics)::text[], \(bodies)::bytea[], \(qos)::int2[],
                                \(retain)::bool[], \(enqueued)::timestamptz[], \(owners)::text[])
                         WITH ORDINALITY AS u(q, t, p, o, r, e, nd, n)
                    -- As pubsub_append_item: an append to a missing node stores nothing.
                    WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE node = u.nd)
                    ORDER BY n
                )
                SELECT ordinal, evicted_id, evicted_published FROM pubsub_append_items(
                    \(nodes)::text[], \(ids)::text[], \(publishers)::text[], \(payloads)::bytea[],
                    \(published)::timestamptz[], \(limits)::int8[])
                """,
                logger: logger)
        }
        var evicted = [[(published: Int64, id: String)]](repeating: [], count: batch.count)
        for try await (ordinal, id, time) in rows.decode((Int, String, PostgresTimestamp).self) {
            guard sorted.indices.contains(ordinal - 1) else {
                throw PostgresStoreError.corruptValue(column: "pubsub_append_items.ordinal", value: "\(ordinal)")
            }
            evicted[order[ordinal - 1]].append((time.microseconds, id))
        }
        return evicted.map { list in
            list.sorted { ($0.published, $0.id) < ($1.published, $1.id) }.map(\.id)
        }
    }

    public func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage {
        var bindings = PostgresBindings()
        bindings.append(node.rawValue)
        var conditions = ["node = $1"]
        if let ids = query.ids {
            bindings.append(ids)
            conditions.append("item_id = ANY($\(bindings.count)::text[])")
        }
        if let after = query.after {
            bindings.append(PostgresTimestamp(after.published))
            bindings.append(after.id)
            conditions.append("(published, item_id) > ($\(bindings.count - 1), $\(bindings.count))")
        }
        if let before = query.before {
            bindings.append(PostgresTimestamp(before.published))
            bindings.append(before.id)
            conditions.append("(published, item_id) < ($\(bindings.count - 1), $\(bindings.count))")
        }
        // Without `after`, a limit means the most recent items (§6.5.7): read those newest first and
        // reverse. Same rule as InMemoryPubSubStore.select.
        var forward = true
        var limitClause = ""
        if let requested = query.limit {
            forward = query.after != nil || (query.fromOldest && query.before == nil)
            bindings.append(Int64(max(requested, 0)))
            limitClause = "LIMIT $\(bindings.count)"
        }
        let direction = forward ? "ASC" : "DESC"
        // The page and the total in one statement, so one snapshot: RSM <count/> matches the page.
        let sql = """
            WITH page AS (
                SELECT item_id, publisher, payload, published FROM pubsub_items
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY published \(direction), item_id \(direction)
                \(limitClause)
            )
            SELECT (SELECT count(*) FROM pubsub_items WHERE node = $1) AS total,
                   page.item_id, page.publisher, page.payload, page.published
            FROM (SELECT 1) AS one LEFT JOIN page ON true
            ORDER BY page.published \(direction), page.item_id \(direction)
            """
        let rows = try await client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var total = 0
        var items: [Item] = []
        for try await (count, id, publisher, payload, published) in rows.decode(
            (Int, String?, String?, ByteBuffer?, PostgresTimestamp?).self
        ) {
            total = count
            guard let id, let published else { continue }
            items.append(Item(
                id: id,
                publisher: try publisher.map { try Self.jid($0, column: "pubsub_items.publisher") },
                payload: payload.map { Array($0.readableBytesView) } ?? [],
                published: published.date))
        }
        return ItemPage(items: forward ? items : items.reversed(), count: total)
    }

    public func retractItems(_ ids: [String], from node: NodeID) async throws -> [String] {
        let rows = try await client().query(
            """
            DELETE FROM pubsub_items WHERE node = \(node.rawValue) AND item_id = ANY(\(ids)::text[])
            RETURNING item_id, published
            """,
            logger: logger)
        return try await Self.cursorOrderedIDs(rows)
    }

    public func purgeItems(in node: NodeID) async throws -> [String] {
        let rows = try await client().query(
            "DELETE FROM pubsub_items WHERE node = \(node.rawValue) RETURNING item_id, published", logger: logger)
        return try await Self.cursorOrderedIDs(rows)
    }

    public func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String] {
        let threshold = PostgresTimestamp(microseconds: MicrosecondThreshold.firstNotBefore(cutoff))
        let rows = try await client().query(
            """
            DELETE FROM pubsub_items WHERE node = \(node.rawValue) AND published < \(threshold)
            RETURNING item_id, published
            """,
            logger: logger)
        return try await Self.cursorOrderedIDs(rows)
    }

    /// `(item_id, published)` rows as ids, oldest first, as the reference store reports them.
    private static func cursorOrderedIDs(_ rows: PostgresRowSequence) async throws -> [String] {
        var removed: [(published: Int64, id: String)] = []
        for try await (id, published) in rows.decode((String?, PostgresTimestamp?).self) {
            guard let id, let published else { continue }
            removed.append((published.microseconds, id))
        }
        return removed.sorted { ($0.published, $0.id) < ($1.published, $1.id) }.map(\.id)
    }
}

/// Where "published strictly before `cutoff`" falls on the microsecond grid the stores keep.
enum MicrosecondThreshold {
    /// The smallest stored time `t` (in microseconds) whose Date is not before `cutoff`, so that
    /// `published < t` selects exactly the items the reference store's `published < cutoff` does,
    /// whatever the cutoff's sub-microsecond part.
    static func firstNotBefore(_ cutoff: Date) -> Int64 {
        func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
        var threshold = Int64((cutoff.timeIntervalSince1970 * 1_000_000).rounded(.up))
        while date(threshold - 1) >= cutoff { threshold -= 1 }
        while date(threshold) < cutoff { threshold += 1 }
        return threshold
    }
}
