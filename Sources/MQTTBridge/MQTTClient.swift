import CMosquitto
import Dispatch
import Logging
import Synchronization

/// An MQTT 3.1.1 or 5 client over libmosquitto 2.0, for the bridge between pubsub nodes and an
/// external broker (issue #5). No C type appears in its API.
///
/// libmosquitto runs the connection on its own thread (`mosquitto_loop_start`). Its callbacks copy
/// what they receive and hand it to Swift through `messages` (or the handler), `events` and the
/// continuations of pending calls, so nothing here blocks an event loop or the cooperative pool: the
/// calls that may block (name resolution, joining the network thread) run on a private serial
/// `DispatchQueue`.
///
/// ```swift
/// MQTTClient.initializeLibrary()                       // once, from StarlingApp
/// let client = try MQTTClient(configuration: .init(host: "127.0.0.1", clientID: "starling")) { message in
///     await store(message)                             // the PUBACK leaves after this returns
/// }
/// try await client.connect(retryingWith: MQTTBackoff())  // C: CONNECT  S: CONNACK (§3.1, §3.2)
/// try await client.subscribe("site/+/temp", qos: 1)    // C: SUBSCRIBE  S: SUBACK (§3.8, §3.9)
/// try await client.publish(topic: "site/a/temp", payload: [0x32], qos: 1, retain: false)  // on PUBACK (§4.3.2)
/// await client.disconnect()
/// ```
///
/// After the first successful `connect()`, a lost link is retried with capped backoff
/// (`mosquitto_reconnect_delay_set`); unacknowledged QoS 1 publishes are resent after the reconnect,
/// and subscriptions are renewed when the broker lost the session.
///
/// Two ways to receive:
/// - Handler mode (`init(configuration:logger:handler:)`), for "a QoS 1 message is acknowledged to
///   the broker only after the item is stored" (issue #5). The network thread runs the handler for
///   each message, of any QoS, and waits until it returns before it writes the PUBACK and reads the
///   next message. So messages are handled one at a time, in arrival order, and a message whose
///   handler did not finish (crash, lost link, `disconnect()` first) is delivered again by the broker
///   in the same session (§4.4; with `cleanSession` false, across restarts too). The price: inbound
///   throughput per connection is 1 / handler latency, and keepalive PINGREQs go out only between
///   messages, so a handler slower than the keepalive lets the broker drop the link (the message is
///   then redelivered). The handler must not await this client's QoS ≥ 1 `publish` or `subscribe`:
///   their acknowledgements are read by the thread that waits for the handler. `messages` stays empty.
/// - `messages` (the handler is nil): libmosquitto acknowledges a QoS 1 message before the stream
///   sees it, and the stream buffers without bound so nothing received is dropped.
public final class MQTTClient: Sendable {
    public let configuration: MQTTClientConfiguration
    /// Application messages from the subscriptions, in arrival order. One consumer; ends after
    /// `disconnect()`. Finished from the start in handler mode.
    public let messages: AsyncStream<MQTTMessage>
    /// Link state changes, in order. One consumer; ends after `disconnect()`.
    public let events: AsyncStream<MQTTConnectionEvent>
    let core: MQTTClientCore

    // Thread-safe one-time initialisation (a Swift static), in place of a hidden flag.
    private static let libraryInitialization: Int32 = mosquitto_lib_init()

    /// Runs `mosquitto_lib_init` the first time; later calls do nothing. Call it once at start-up
    /// (StarlingApp) before creating clients.
    public static func initializeLibrary() {
        _ = libraryInitialization
    }

    /// A client whose received messages go to `messages`.
    public convenience init(
        configuration: MQTTClientConfiguration,
        logger: Logger = Logger(label: "starling.mqtt")
    ) throws(MQTTError) {
        try self.init(configuration: configuration, logger: logger, handler: nil)
    }

    /// A client that runs `handler` for each received message and acknowledges it to the broker only
    /// after `handler` returned (see the type's documentation). With a nil handler, messages go to
    /// `messages`. The handler runs in a task of its own, never on libmosquitto's thread; it is not
    /// cancelled by `disconnect()`.
    public init(
        configuration: MQTTClientConfiguration,
        logger: Logger = Logger(label: "starling.mqtt"),
        handler: (@Sendable (MQTTMessage) async -> Void)?
    ) throws(MQTTError) {
        try configuration.validate()
        guard let pointer = mosquitto_new(configuration.clientID, configuration.cleanSession, nil) else {
            throw MQTTError(.library, "mosquitto_new failed (out of memory, or the library is not initialised)")
        }
        let handle = MosquittoHandle(pointer: pointer)
        do {
            try Self.apply(configuration, to: handle)
        } catch {
            mosquitto_destroy(pointer)
            throw error
        }
        let (messages, messageSink) = AsyncStream.makeStream(of: MQTTMessage.self, bufferingPolicy: .unbounded)
        let (events, eventSink) = AsyncStream.makeStream(of: MQTTConnectionEvent.self, bufferingPolicy: .unbounded)
        if handler != nil { messageSink.finish() }
        self.configuration = configuration
        self.messages = messages
        self.events = events
        self.core = MQTTClientCore(
            handle: handle, configuration: configuration,
            messageSink: messageSink, eventSink: eventSink, handler: handler, logger: logger)
        Self.installCallbacks(on: handle, core: core)
    }

    deinit {
        // Usually `disconnect()` has stopped the thread already. Either way the work goes to the
        // queue, which keeps `core` (the callbacks' target) alive until the handle is destroyed.
        let core = self.core
        core.queue.async {
            mosquitto_disconnect(core.handle.pointer)
            mosquitto_loop_stop(core.handle.pointer, false)
            mosquitto_destroy(core.handle.pointer)
            core.messageSink.finish()
            core.eventSink.finish()
        }
    }

    /// Subscribes to `filter` (§3.8) and returns when the SUBACK grants it; throws
    /// `.subscriptionRejected` when the broker answers 0x80 or, in MQTT 5, another reason code ≥ 0x80
    /// (§3.9.3), `.notConnected` while the link is down.
    public func subscribe(_ filter: String, qos: Int) async throws {
        do {
            _ = try MQTTTopicFilter(filter)
        } catch {
            throw MQTTError(.invalidArgument, "topic filter '\(filter)' \(error)")
        }
        guard (0...2).contains(qos) else { throw MQTTError(.invalidArgument, "QoS \(qos) is not 0, 1 or 2") }
        try checkLinkUp()
        let granted: Int32 = try await withCheckedThrowingContinuation { waiter in
            var mid: Int32 = 0
            let code = mosquitto_subscribe(core.handle.pointer, &mid, filter, Int32(qos))
            if let error = mosquittoError(code, doing: "subscribe to \(filter)") {
                waiter.resume(throwing: error)
                return
            }
            let early: Result<Int32, MQTTError>? = core.state.withLock { state in
                if state.isClosed { return .failure(MQTTError(.closed, "disconnected while subscribing")) }
                return state.subscribes.register(mid: mid, waiter: waiter, lostWithConnection: true).map { .success($0) }
            }
            if let early { waiter.resume(with: early) }
        }
        guard granted < 0x80 else {
            throw MQTTError(.subscriptionRejected, "the broker refused the subscription to '\(filter)'")
        }
        core.state.withLock { $0.recordSubscription(filter: filter, qos: Int32(qos)) }
    }

    /// Publishes `payload` bytes on `topic` (§3.3). QoS 0 returns once the message is written to the
    /// socket; QoS 1 once the PUBACK arrives (§4.3.2), QoS 2 on PUBCOMP. While the link is down it
    /// throws `.notConnected` at once (the caller keeps its own queue); a QoS ≥ 1 publish already
    /// sent when the link drops is resent by libmosquitto after the reconnect (§4.4) and completes
    /// then, and `disconnect()` fails it with `.closed`.
    public func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) async throws {
        do {
            try MQTTTopicFilter.validateTopicName(topic)
        } catch {
            throw MQTTError(.invalidArgument, "topic '\(topic)': \(error)")
        }
        guard (0...2).contains(qos) else { throw MQTTError(.invalidArgument, "QoS \(qos) is not 0, 1 or 2") }
        // §2.2.3: the Remaining Length field tops out at 268,435,455 bytes for the whole packet.
        guard payload.count <= 268_435_455 - 2 - topic.utf8.count - 2 else {
            throw MQTTError(.invalidArgument, "payload of \(payload.count) bytes is too large for MQTT")
        }
        // libmosquitto 2.0 refuses every QoS while the link is down (MOSQ_ERR_NO_CONN); say so first.
        try checkLinkUp()
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            var mid: Int32 = 0
            let code = payload.withUnsafeBytes { bytes in
                mosquitto_publish(
                    core.handle.pointer, &mid, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos), retain)
            }
            if let error = mosquittoError(code, doing: "publish to \(topic)") {
                waiter.resume(throwing: error)
                return
            }
            let early: Result<Void, MQTTError>? = core.state.withLock { state in
                if state.isClosed { return .failure(MQTTError(.closed, "disconnected while publishing")) }
                return state.publishes.register(mid: mid, waiter: waiter, lostWithConnection: qos == 0)
                    .map { .success($0) }
            }
            if let early { waiter.resume(with: early) }
        }
    }

    // MARK: - Private

    func checkRunning() throws(MQTTError) {
        let phase = core.state.withLock { $0.phase }
        switch phase {
        case .running: return
        case .closed: throw MQTTError(.closed, "the client was disconnected")
        case .idle, .connecting: throw MQTTError(.notConnected, "connect() has not succeeded yet")
        }
    }

    private func checkLinkUp() throws(MQTTError) {
        try checkRunning()
        guard core.state.withLock({ $0.linkUp }) else {
            throw MQTTError(.notConnected, "the connection to \(core.endpoint) is down; reconnecting")
        }
    }

    private static func apply(_ configuration: MQTTClientConfiguration, to handle: MosquittoHandle) throws(MQTTError) {
        let pointer = handle.pointer
        let version = switch configuration.protocolVersion {
        case .v311: MQTT_PROTOCOL_V311
        case .v5: MQTT_PROTOCOL_V5
        }
        var code = mosquitto_int_option(pointer, MOSQ_OPT_PROTOCOL_VERSION, version)
        if let error = mosquittoError(code, doing: "select \(configuration.protocolVersion)") { throw error }
        if let username = configuration.username {
            code = mosquitto_username_pw_set(pointer, username, configuration.password)
            if let error = mosquittoError(code, doing: "set username and password") { throw error }
        }
        code = mosquitto_reconnect_delay_set(
            pointer,
            UInt32(max(1, configuration.reconnectDelayMin.wholeSecondsRoundedUp)),
            UInt32(max(1, configuration.reconnectDelayMax.wholeSecondsRoundedUp)),
            true)
        if let error = mosquittoError(code, doing: "set the reconnect delay") { throw error }
        if let tls = configuration.tls { try applyTLS(tls, to: pointer) }
    }

    private static func applyTLS(_ tls: MQTTTLSConfiguration, to pointer: OpaquePointer) throws(MQTTError) {
        func failed(_ code: Int32, _ doing: String) -> MQTTError? {
            mosquittoError(code, doing: doing).map { MQTTError(.invalidConfiguration, "TLS: \($0.message)") }
        }
        // libmosquitto opens each file here and answers MOSQ_ERR_INVAL for any it cannot read;
        // `validate()` has named the culprit already, barring a race with the file system.
        var code = mosquitto_tls_set(pointer, tls.caFile, nil, tls.certFile, tls.keyFile, nil)
        if let error = failed(code, "load the CA, certificate and key files") { throw error }
        // cert_reqs 1 = SSL_VERIFY_PEER: the broker must present a certificate the CA signed. A nil
        // tls_version lets OpenSSL negotiate the highest version both sides have.
        code = mosquitto_tls_opts_set(pointer, 1, nil, nil)
        if let error = failed(code, "set TLS options") { throw error }
        code = mosquitto_tls_insecure_set(pointer, !tls.verifyHostname)
        if let error = failed(code, "set host name verification") { throw error }
    }
}
