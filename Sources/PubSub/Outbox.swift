import Foundation
import XMPPCore

/// A message leaving the broker for an external system, e.g. an MQTT broker through the bridge.
///
/// It is written by the store in the same transaction as the item that caused it (a transactional
/// outbox), so once a publish is acknowledged its outbound copy is durable too: a broker outage or a
/// `kill -9` of Starling delays it, never loses it. Opaque to the domain: the bridge decides the topic
/// and the bytes, the store keeps them, the bridge's sender drains them in order.
public struct OutboxMessage: Hashable, Sendable {
    /// Which queue (one per bridge connection, by its configured name) the message waits in.
    public var queue: String
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool

    public init(queue: String, topic: String, payload: [UInt8], qos: Int, retain: Bool) {
        self.queue = queue
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// A stored ``OutboxMessage`` with its position: `sequence` grows with every enqueue (store-wide), so
/// within a queue the order of sequences is the order of enqueueing.
public struct OutboxEntry: Hashable, Sendable {
    public let sequence: Int64
    public let message: OutboxMessage
    public let enqueued: Date

    public init(sequence: Int64, message: OutboxMessage, enqueued: Date) {
        self.sequence = sequence
        self.message = message
        self.enqueued = enqueued
    }
}

/// The outbox half of the store. Every method is atomic on its own; ``PubSubStore/appendItem(_:to:keepingAtMost:outbox:)``
/// writes outbox messages together with an item.
public protocol OutboxStore: Sendable {
    /// Appends messages not tied to an item (e.g. clearing a retained message after a retract).
    func enqueue(_ messages: [OutboxMessage], at time: Date) async throws
    /// The oldest `limit` entries of `queue` with a sequence above `after` (all when nil), oldest first.
    func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry]
    /// Deletes the entries of `queue` up to and including `sequence` (they were delivered).
    func removeFromOutbox(_ queue: String, through sequence: Int64) async throws
    /// Deletes the oldest entries of `queue` beyond `limit`; returns how many it deleted (the bound of a
    /// queue whose broker stays away).
    func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int
    func outboxCount(_ queue: String) async throws -> Int
}

/// Decides which outbound messages a publish causes; the MQTT bridge's mapping rules. Called by the
/// service inside the publish, before the item is stored, so it must be quick and must not block:
/// pure computation on the item, no I/O.
public protocol ItemForwarder: Sendable {
    func outbox(forPublished item: Item, on node: NodeID) -> [OutboxMessage]
}
