import PubSub

/// Where an inbound MQTT message goes: the item to publish on a node (as the bridge's JID, XEP-0060
/// §7.1), or nothing for a zero-length message, and the mapping that decided (for its counters and
/// its `autoCreate`).
public struct InboundRoute: Hashable, Sendable {
    public let mapping: BridgeMapping
    public let topic: String
    public let node: NodeID
    /// `.item(bytes)`: publish these payload bytes. `.empty`: a zero-length message — with `retained`
    /// a retained-message clear (MQTT 3.1.1 §3.3.1.3) — which never becomes an item.
    public let payload: PayloadCodec.InboundPayload
    /// The RETAIN flag as delivered: set for a retained message sent when the subscription was made
    /// (§3.3.1.3), which becomes the node's last item like any other.
    public let retained: Bool

    public init(mapping: BridgeMapping, topic: String, node: NodeID, payload: PayloadCodec.InboundPayload, retained: Bool) {
        self.mapping = mapping
        self.topic = topic
        self.node = node
        self.payload = payload
        self.retained = retained
    }
}
