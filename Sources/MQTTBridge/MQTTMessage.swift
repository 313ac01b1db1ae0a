/// An application message received from the broker (MQTT 3.1.1 §3.3 PUBLISH).
///
/// The payload is bytes exactly as published: MQTT puts no encoding on it (§3.3.3), so a sensor's
/// binary frame survives untouched, `0x00` and `0xFF` included.
public struct MQTTMessage: Hashable, Sendable {
    /// The topic name (§4.7; UTF-8, no wildcards).
    public var topic: String
    public var payload: [UInt8]
    /// The QoS the message was delivered with: the lower of the publisher's and the subscription's.
    public var qos: Int
    /// Set when the broker delivers a retained message because of a new subscription (§3.3.1.3).
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
