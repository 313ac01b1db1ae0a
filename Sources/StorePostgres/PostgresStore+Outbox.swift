import Foundation
import PostgresNIO
import PubSub

/// ``OutboxStore`` on PostgreSQL: `bridge_outbox` (migration 003), ordered by its identity `sequence`.
extension PostgresStore {
    public func enqueue(_ messages: [OutboxMessage], at time: Date) async throws {
        guard !messages.isEmpty else { return }
        let queues = messages.map(\.queue)
        let topics = messages.map(\.topic)
        let bodies = messages.map { ByteBuffer(bytes: $0.payload) }
        let qos = messages.map { Int16($0.qos) }
        let retain = messages.map(\.retain)
        let enqueued = PostgresTimestamp(time)
        _ = try await client().query(
            """
            INSERT INTO bridge_outbox (queue, topic, payload, qos, retain, enqueued)
            SELECT q, t, p, o, r, \(enqueued)
            FROM unnest(\(queues)::text[], \(topics)::text[], \(bodies)::bytea[], \(qos)::int2[], \(retain)::bool[])
                 WITH ORDINALITY AS u(q, t, p, o, r, n)
            ORDER BY n
            """,
            logger: logger)
    }

    public func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry] {
        let after = sequence ?? 0
        let count = Int64(max(limit, 0))
        let rows = try await client().query(
            """
            SELECT sequence, topic, payload, qos, retain, enqueued FROM bridge_outbox
            WHERE queue = \(queue) AND sequence > \(after) ORDER BY sequence LIMIT \(count)
            """,
            logger: logger)
        var entries: [OutboxEntry] = []
        for try await (sequence, topic, payload, qos, retain, enqueued) in rows.decode(
            (Int64, String, ByteBuffer, Int16, Bool, PostgresTimestamp).self
        ) {
            entries.append(OutboxEntry(
                sequence: sequence,
                message: OutboxMessage(
                    queue: queue, topic: topic, payload: Array(payload.readableBytesView), qos: Int(qos),
                    retain: retain),
                enqueued: enqueued.date))
        }
        return entries
    }

    public func removeFromOutbox(_ queue: String, through sequence: Int64) async throws {
        _ = try await client().query(
            "DELETE FROM bridge_outbox WHERE queue = \(queue) AND sequence <= \(sequence)", logger: logger)
    }

    public func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int {
        let keep = Int64(max(limit, 0))
        let rows = try await client().query(
            """
            WITH dropped AS (
                DELETE FROM bridge_outbox WHERE queue = \(queue) AND sequence IN (
                    SELECT sequence FROM bridge_outbox WHERE queue = \(queue)
                    ORDER BY sequence DESC OFFSET \(keep))
                RETURNING 1)
            SELECT count(*) FROM dropped
            """,
            logger: logger)
        var dropped = 0
        for try await count in rows.decode(Int.self) { dropped = count }
        return dropped
    }

    public func outboxCount(_ queue: String) async throws -> Int {
        let rows = try await client().query(
            "SELECT count(*) FROM bridge_outbox WHERE queue = \(queue)", logger: logger)
        var total = 0
        for try await count in rows.decode(Int.self) { total = count }
        return total
    }
}
