/// How an `MQTTClient` reaches its broker (one `bridges:` entry of the configuration, issue #5):
/// MQTT 3.1.1 or 5, plain TCP or TLS.
public struct MQTTClientConfiguration: Hashable, Sendable {
    public var host: String
    public var port: Int
    /// The client identifier (§3.1.3.1). nil lets libmosquitto pick a random one, which only works
    /// with `cleanSession` (§3.1.3.1: a server may reject an empty id otherwise).
    public var clientID: String?
    /// §3.1.2.4: false asks the broker to keep subscriptions and queued QoS 1 messages while away.
    public var cleanSession: Bool
    /// §3.1.2.10; zero turns keepalive off, otherwise libmosquitto wants at least 5 seconds.
    public var keepAlive: Duration
    public var username: String?
    /// §3.1.2.9: a password needs a username.
    public var password: String?
    /// The first reconnect delay. libmosquitto counts whole seconds, so this rounds up to at least 1 s.
    public var reconnectDelayMin: Duration
    /// The cap of the growing reconnect delay (libmosquitto grows it as min × attempts²).
    public var reconnectDelayMax: Duration
    /// MQTT 3.1.1 (default) or 5; the client's calls are the same for both.
    public var protocolVersion: MQTTProtocolVersion
    /// TLS towards the broker; nil for plain TCP. Brokers usually listen for TLS on 8883, so set `port` too.
    public var tls: MQTTTLSConfiguration?
    /// How long `MQTTClient.disconnect()` waits for libmosquitto's network thread to stop (it may be
    /// inside a blocking reconnect, or waiting for a message handler) before it returns anyway and
    /// lets the thread end in the background.
    public var disconnectTimeout: Duration

    public init(
        host: String,
        port: Int = 1883,
        clientID: String? = nil,
        cleanSession: Bool = true,
        keepAlive: Duration = .seconds(60),
        username: String? = nil,
        password: String? = nil,
        reconnectDelayMin: Duration = .seconds(1),
        reconnectDelayMax: Duration = .seconds(30),
        protocolVersion: MQTTProtocolVersion = .v311,
        tls: MQTTTLSConfiguration? = nil,
        disconnectTimeout: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.reconnectDelayMin = reconnectDelayMin
        self.reconnectDelayMax = reconnectDelayMax
        self.protocolVersion = protocolVersion
        self.tls = tls
        self.disconnectTimeout = disconnectTimeout
    }

    /// Checks what libmosquitto would refuse later, with a message an operator can act on.
    public func validate() throws(MQTTError) {
        func invalid(_ text: String) -> MQTTError { MQTTError(.invalidConfiguration, text) }
        guard !host.isEmpty else { throw invalid("host is empty") }
        guard (1...65_535).contains(port) else { throw invalid("port \(port) is not in 1...65535") }
        let keepAliveSeconds = keepAlive.wholeSecondsRoundedUp
        guard keepAliveSeconds == 0 || (5...65_535).contains(keepAliveSeconds) else {
            throw invalid("keepalive \(keepAlive) must be 0 or 5...65535 seconds")
        }
        if let clientID {
            guard !clientID.isEmpty, clientID.utf8.count <= 65_535, !clientID.contains("\u{0}") else {
                throw invalid("client id must be 1...65535 UTF-8 bytes without U+0000")
            }
        } else if !cleanSession {
            throw invalid("a persistent session (clean session false) needs a client id (MQTT 3.1.1 §3.1.3.1)")
        }
        if password != nil && username == nil {
            throw invalid("a password needs a username (MQTT 3.1.1 §3.1.2.9)")
        }
        guard reconnectDelayMin > .zero, reconnectDelayMin <= reconnectDelayMax else {
            throw invalid("reconnect delays need 0 < min (\(reconnectDelayMin)) ≤ max (\(reconnectDelayMax))")
        }
        guard disconnectTimeout > .zero else { throw invalid("disconnect timeout \(disconnectTimeout) must be positive") }
        try tls?.validate()
    }
}

extension Duration {
    /// Whole seconds, rounded up, for libmosquitto's second-granular settings.
    var wholeSecondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
