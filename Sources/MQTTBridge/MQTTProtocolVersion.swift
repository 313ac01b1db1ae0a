/// The MQTT protocol an `MQTTClient` speaks (issue #5: "MQTT 3.1.1 or 5").
///
/// The client's calls are the same for both. With `.v5` and a persistent session (`cleanSession`
/// false) the client asks for a Session Expiry Interval of 0xFFFFFFFF (MQTT 5.0 §3.1.2.11.2: the session
/// never expires), which is what a 3.1.1 persistent session means; without it a v5 broker would drop
/// the session, and the QoS 1 messages queued in it, as soon as the connection closes.
public enum MQTTProtocolVersion: Hashable, Sendable, CustomStringConvertible {
    /// MQTT 3.1.1 (OASIS 2014), the default.
    case v311
    /// MQTT 5.0 (OASIS 2019).
    case v5

    public var description: String {
        switch self {
        case .v311: "MQTT 3.1.1"
        case .v5: "MQTT 5"
        }
    }
}
