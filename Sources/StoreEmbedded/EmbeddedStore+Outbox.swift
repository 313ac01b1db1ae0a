import Foundation
import GRDB
import PubSub

/// ``OutboxStore`` in SQLite: `bridge_outbox`, one row per message waiting for an external broker,
/// ordered by `sequence` (AUTOINCREMENT, so a sequence is never reused even after the newest row was
/// delivered and deleted — a sender's "after" position stays valid).
extension EmbeddedStore {
    static let migration003Outbox = """
        -- 003: the transactional outbox of the MQTT bridge (PubSub/Outbox.swift). Rows are written in the
        -- transaction of the item that caused them and deleted once the broker acknowledged them.
        CREATE TABLE bridge_outbox (
            sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
            queue       TEXT    NOT NULL,
            topic       TEXT    NOT NULL,
            payload     BLOB    NOT NULL,
            qos         INTEGER NOT NULL CHECK (qos IN (0, 1, 2)),
            retain      INTEGER NOT NULL CHECK (retain IN (0, 1)),
            enqueued_us INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX bridge_outbox_queue ON bridge_outbox (queue, sequence);
        """

    public func enqueue(_ messages: [OutboxMessage], at time: Date) async throws {
        guard !messages.isEmpty else { return }
        try await database().write { db in try Self.insert(messages, at: time, in: db) }
    }

    /// Inserts inside the caller's transaction (also used by `appendItem`).
    static func insert(_ messages: [OutboxMessage], at time: Date, in db: Database) throws {
        guard !messages.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO bridge_outbox (queue, topic, payload, qos, retain, enqueued_us)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for message in messages {
            try statement.execute(
                arguments: [
                    message.queue, message.topic, Data(message.payload), message.qos, message.retain,
                    Microseconds.from(time),
                ])
        }
    }

    public func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry] {
        try await database().read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, topic, payload, qos, retain, enqueued_us FROM bridge_outbox
                    WHERE queue = ? AND sequence > ? ORDER BY sequence LIMIT ?
                    """,
                arguments: [queue, sequence ?? 0, max(limit, 0)]
            ).map { row in
                OutboxEntry(
                    sequence: try row.decode(forColumn: "sequence"),
                    message: OutboxMessage(
                        queue: queue,
                        topic: try row.decode(forColumn: "topic"),
                        payload: [UInt8](try row.decode(Data.self, forColumn: "payload")),
                        qos: try row.decode(forColumn: "qos"),
                        retain: try row.decode(forColumn: "retain")),
                    enqueued: Microseconds.date(try row.decode(forColumn: "enqueued_us")))
            }
        }
    }

    public func removeFromOutbox(_ queue: String, through sequence: Int64) async throws {
        try await database().write { db in
            try db.execute(
                sql: "DELETE FROM bridge_outbox WHERE queue = ? AND sequence <= ?", arguments: [queue, sequence])
        }
    }

    public func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int {
        try await database().write { db in
            try db.execute(
                sql: """
                    DELETE FROM bridge_outbox WHERE queue = ? AND sequence IN (
                        SELECT sequence FROM bridge_outbox WHERE queue = ?
                        ORDER BY sequence DESC LIMIT -1 OFFSET ?)
                    """,
                arguments: [queue, queue, max(limit, 0)])
            return db.changesCount
        }
    }

    public func outboxCount(_ queue: String) async throws -> Int {
        try await database().read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM bridge_outbox WHERE queue = ?", arguments: [queue]) ?? 0
        }
    }
}
