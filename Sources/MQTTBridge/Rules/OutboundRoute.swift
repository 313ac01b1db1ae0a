import PubSub

/// What one published item causes on an MQTT connection: one message per distinct topic, and the
/// mappings that matched but could not convert the payload.
public struct OutboundRoute: Hashable, Sendable {
    /// A message and the mapping that produced it (for its counters).
    public struct Forward: Hashable, Sendable {
        public let mapping: BridgeMapping
        public let message: OutboxMessage
    }

    public internal(set) var forwards: [Forward] = []
    public internal(set) var failures: [BridgeRoutingError] = []
    /// The item was published by the bridge itself, i.e. it came from MQTT: never sent back.
    public internal(set) var cameFromBridge = false

    /// The messages to enqueue, in mapping order.
    public var messages: [OutboxMessage] { forwards.map(\.message) }
}
