/// What happens to an `MQTTClient`'s link to the broker, in order, on `MQTTClient.events`.
///
/// After the first successful `connect()`, a lost link is reported as `.disconnected` followed by
/// `.reconnecting`; libmosquitto then retries with capped backoff until a CONNACK brings `.connected`
/// again. `connect(retryingWith:)` reports each failed attempt before the first CONNACK as
/// `.connectAttemptFailed`. `disconnect()` ends with `.disconnected(.requested)` when the link was
/// up, then the stream ends.
public enum MQTTConnectionEvent: Hashable, Sendable {
    /// CONNACK accepted (MQTT 3.1.1 §3.2). `sessionPresent` (§3.2.2.2) says the broker kept the
    /// session, subscriptions included; when false the client has subscribed again by itself.
    case connected(sessionPresent: Bool)
    case disconnected(MQTTDisconnectReason)
    /// The network thread will retry; its attempts themselves are not reported.
    case reconnecting
    /// Attempt `attempt` (1, 2, …) of `MQTTClient.connect(retryingWith:)` failed with `error`; the
    /// client waits its backoff and tries again.
    case connectAttemptFailed(attempt: Int, error: MQTTError)
}

/// Why the link went down.
public enum MQTTDisconnectReason: Hashable, Sendable {
    /// `MQTTClient.disconnect()` was called.
    case requested
    /// The connection broke (broker gone, keepalive timeout, protocol error): libmosquitto's text.
    case connectionLost(String)
}
