import Foundation
import GRDB
import PubSub
import XMPPCore

/// The item half of ``PubSubStore`` in SQLite: `pubsub_items`, ordered by `(published_us, item_id)`
/// on the index of the same name. Payloads are BLOBs, byte-exact.
extension EmbeddedStore {
    public func appendItem(
        _ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage]
    ) async throws -> [String] {
        // Group commit: concurrent appends share one transaction, so one WAL fsync (synchronous=FULL)
        // per batch; each caller resumes after its batch committed, i.e. once its item is durable.
        try await appends.submit(ItemAppend(item: item, node: node, limit: limit, outbox: outbox)) { batch in
            try await self.database().write { db in try batch.map { try Self.append($0, in: db) } }
        }
    }

    /// Many appends, one submission to the same group commit (``PubSubStore/appendItems(_:)``).
    public func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>] {
        await self.appends.submit(all: appends) { batch in
            try await self.database().write { db in try batch.map { try Self.append($0, in: db) } }
        }
    }

    /// One append inside the batch's transaction: the upsert and the trim commit together or not at
    /// all (XEP-0060 §13.1, STYLE.md §7). Returns the evicted ids, oldest first.
    ///
    /// Cached statements (compiled once per connection: compiling each time cost more than the
    /// writes themselves, SQLite's parser plus GRDB's authorizer callback on every column), bound
    /// and stepped through SQLite's C API (``RawStep``: GRDB's per-execution bookkeeping cost more
    /// Swift than SQLite spends on the insert).
    private static func append(_ pending: ItemAppend, in db: Database) throws -> [String] {
        let (item, node) = (pending.item, pending.node)
        // An overwrite takes the new published time, so it becomes the newest. A node deleted
        // meanwhile fails the foreign key (checked at once, not deferred): that statement alone
        // is undone, nothing is stored and nothing evicted, as for a node that is gone.
        do {
            let insert = RawStep(try db.cachedStatement(sql: """
                INSERT INTO pubsub_items (node, item_id, publisher, payload, published_us)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (node, item_id) DO UPDATE SET
                    publisher = excluded.publisher, payload = excluded.payload,
                    published_us = excluded.published_us
                """), in: db)
            insert.bind(1, node.rawValue)
            insert.bind(2, item.id)
            insert.bind(3, item.publisher?.description)
            insert.bind(4, blob: item.payload)
            insert.bind(5, Microseconds.from(item.published))
            try insert.run()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            return []
        }
        try insert(pending.outbox, at: item.published, in: db)
        guard let limit = pending.limit else { return [] }
        let select = RawStep(try db.cachedStatement(sql: """
            SELECT item_id FROM pubsub_items WHERE node = ?
            ORDER BY published_us DESC, item_id DESC LIMIT -1 OFFSET ?
            """), in: db)
        select.bind(1, node.rawValue)
        select.bind(2, Int64(max(limit, 0)))
        let evicted = try select.strings()
        guard !evicted.isEmpty else { return [] }
        // (One DELETE … RETURNING with this SELECT as its subquery was tried: SQLite spent more on
        // it than on the SELECT and the deletes by primary key.)
        let delete = try db.cachedStatement(sql: "DELETE FROM pubsub_items WHERE node = ? AND item_id = ?")
        for id in evicted {
            let step = RawStep(delete, in: db)
            step.bind(1, node.rawValue)
            step.bind(2, id)
            try step.run()
        }
        return evicted.reversed()
    }

    public func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage {
        var conditions = ["node = ?"]
        var arguments: [DatabaseValue] = [node.rawValue.databaseValue]
        if let ids = query.ids {
            conditions.append("item_id IN (SELECT value FROM json_each(?))")
            arguments.append(try Self.jsonArray(ids).databaseValue)
        }
        if let after = query.after {
            conditions.append("(published_us, item_id) > (?, ?)")
            arguments += [Microseconds.from(after.published).databaseValue, after.id.databaseValue]
        }
        if let before = query.before {
            conditions.append("(published_us, item_id) < (?, ?)")
            arguments += [Microseconds.from(before.published).databaseValue, before.id.databaseValue]
        }
        // Without `after`, a limit means the most recent items (§6.5.7): read those newest first and
        // reverse. Same rule as InMemoryPubSubStore.select.
        var forward = true
        var limitClause = ""
        if let requested = query.limit {
            forward = query.after != nil || (query.fromOldest && query.before == nil)
            limitClause = "LIMIT ?"
            arguments.append(max(requested, 0).databaseValue)
        }
        let direction = forward ? "ASC" : "DESC"
        let (sql, bound) = ("""
            SELECT item_id, publisher, payload, published_us FROM pubsub_items
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY published_us \(direction), item_id \(direction)
            \(limitClause)
            """, arguments)
        // One read: the page and the total come from the same snapshot (RSM <count/> matches the page).
        let (items, total) = try await database().read { db in
            let items = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(bound)).map { row in
                Item(
                    id: try row.decode(forColumn: "item_id"),
                    publisher: try row.decode(String?.self, forColumn: "publisher")
                        .map { try Self.jid($0, column: "pubsub_items.publisher") },
                    payload: [UInt8](try row.decode(Data.self, forColumn: "payload")),
                    published: Microseconds.date(try row.decode(forColumn: "published_us")))
            }
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM pubsub_items WHERE node = ?", arguments: [node.rawValue]) ?? 0
            return (items, total)
        }
        return ItemPage(items: forward ? items : items.reversed(), count: total)
    }

    public func retractItems(_ ids: [String], from node: NodeID) async throws -> [String] {
        try await deleteItems(where: "item_id IN (SELECT value FROM json_each(?))", in: node, try Self.jsonArray(ids).databaseValue)
    }

    public func purgeItems(in node: NodeID) async throws -> [String] {
        try await deleteItems(where: "1", in: node, nil)
    }

    public func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String] {
        try await deleteItems(where: "published_us < ?", in: node, Microseconds.firstNotBefore(cutoff).databaseValue)
    }

    /// Deletes the node's items matching `condition` (one `?`, bound to `argument` unless nil);
    /// returns their ids oldest first, as the reference store reports them.
    private func deleteItems(
        where condition: String, in node: NodeID, _ argument: DatabaseValue?
    ) async throws -> [String] {
        let arguments = [node.rawValue.databaseValue] + (argument.map { [$0] } ?? [])
        return try await database().write { db in
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT item_id FROM pubsub_items WHERE node = ? AND \(condition)
                    ORDER BY published_us, item_id
                    """,
                arguments: StatementArguments(arguments))
            try db.execute(
                sql: "DELETE FROM pubsub_items WHERE node = ? AND \(condition)",
                arguments: StatementArguments(arguments))
            return ids
        }
    }
}
