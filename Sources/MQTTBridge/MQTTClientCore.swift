import CMosquitto
import Dispatch
import Logging
import Synchronization

/// The part of `MQTTClient` that libmosquitto's network thread reaches through the `obj` pointer of
/// its callbacks. Callbacks copy what they get (topic, payload) before returning, update `state` in
/// one short critical section, and hand results to Swift through continuations: nothing here is
/// touched from two threads except through `state`'s `Mutex` or the (Sendable) stream continuations.
///
/// The object outlives the network thread: `MQTTClient.deinit` keeps it alive until
/// `mosquitto_destroy` has run, so the unretained pointer given to libmosquitto stays valid.
final class MQTTClientCore: Sendable {
    let handle: MosquittoHandle
    let configuration: MQTTClientConfiguration
    let state = Mutex(ClientState())
    /// Serializes the libmosquitto calls that must not overlap or may block: connect (DNS), starting
    /// and joining the network thread, destroy. Never the cooperative pool, never an event loop.
    let queue: DispatchQueue
    let messageSink: AsyncStream<MQTTMessage>.Continuation
    let eventSink: AsyncStream<MQTTConnectionEvent>.Continuation
    let logger: Logger

    init(
        handle: MosquittoHandle,
        configuration: MQTTClientConfiguration,
        messageSink: AsyncStream<MQTTMessage>.Continuation,
        eventSink: AsyncStream<MQTTConnectionEvent>.Continuation,
        logger: Logger
    ) {
        self.handle = handle
        self.configuration = configuration
        self.queue = DispatchQueue(label: "starling.mqtt.\(configuration.clientID ?? "anonymous")")
        self.messageSink = messageSink
        self.eventSink = eventSink
        self.logger = logger
    }

    var endpoint: String { "\(configuration.host):\(configuration.port)" }

    // MARK: - Work on `queue`

    /// Opens the socket and starts the network thread; CONNACK arrives in `connackReceived`.
    func startNetwork() {
        guard case .connecting = state.withLock({ $0.phase }) else { return }
        var code = mosquitto_connect_async(
            handle.pointer, configuration.host, Int32(configuration.port),
            Int32(configuration.keepAlive.wholeSecondsRoundedUp))
        if code == Int32(MOSQ_ERR_SUCCESS.rawValue) {
            code = mosquitto_loop_start(handle.pointer)
        }
        guard let error = mosquittoError(code, doing: "connect to \(endpoint)") else { return }
        mosquitto_disconnect(handle.pointer)
        logger.warning("MQTT connection failed", metadata: ["broker": "\(endpoint)", "error": "\(error.message)"])
        state.withLock { $0.connectFailed() }?.resume(throwing: error)
    }

    /// Stops the network thread after a failed first attempt, then fails `connect()`. Runs on
    /// `queue` because the failure is seen on the network thread, which cannot join itself.
    func abandonConnect(_ waiter: CheckedContinuation<Void, any Error>, with error: MQTTError) {
        queue.async { [self] in
            mosquitto_disconnect(handle.pointer)
            mosquitto_loop_stop(handle.pointer, false)
            logger.warning("MQTT connection failed", metadata: ["broker": "\(endpoint)", "error": "\(error.message)"])
            waiter.resume(throwing: error)
        }
    }

    /// libmosquitto's network thread ends by itself after errors it deems fatal (a protocol
    /// violation, an unknown host); join it and start over after the longest backoff.
    func restartNetwork() {
        let delay = configuration.reconnectDelayMax.wholeSecondsRoundedUp
        queue.asyncAfter(deadline: .now() + .seconds(delay)) { [self] in
            guard case .running = state.withLock({ $0.phase }) else { return }
            mosquitto_loop_stop(handle.pointer, false)
            _ = mosquitto_reconnect_async(handle.pointer)
            // A failed reconnect leaves no socket; the new thread's loop then retries with backoff.
            let code = mosquitto_loop_start(handle.pointer)
            if let error = mosquittoError(code, doing: "restart the MQTT network thread") {
                logger.error("MQTT client stopped", metadata: ["broker": "\(endpoint)", "error": "\(error.message)"])
            }
        }
    }

    // MARK: - Callbacks (network thread)

    func connackReceived(code: Int32, sessionPresent: Bool) {
        guard code == 0 else {
            let text = mosquitto_connack_string(code).map { String(cString: $0) } ?? "return code \(code)"
            let error = MQTTError(.connectionRefused, "broker \(endpoint) refused the connection: \(text)")
            if let waiter = state.withLock({ $0.connectFailed() }) {
                abandonConnect(waiter, with: error)
            } else {
                logger.warning("MQTT reconnect refused", metadata: ["broker": "\(endpoint)", "error": "\(text)"])
            }
            return
        }
        let action = state.withLock { $0.connected(sessionPresent: sessionPresent) }
        failLost(action.failLost, action.failLostSubscribes)
        for (filter, qos) in action.resubscribe {
            // The broker forgot the session (clean session, or it lost its state): subscribe again.
            // Safe to register the mid after the call: its SUBACK is read on this very thread.
            var mid: Int32 = 0
            let code = mosquitto_subscribe(handle.pointer, &mid, filter, qos)
            if let error = mosquittoError(code, doing: "subscribe again to \(filter)") {
                logger.error("MQTT re-subscription failed", metadata: ["error": "\(error.message)"])
            } else {
                state.withLock { $0.subscribes.ignore(mid: mid) }
            }
        }
        guard action.emitEvent else { return }
        logger.info("MQTT connected", metadata: ["broker": "\(endpoint)", "sessionPresent": "\(sessionPresent)"])
        eventSink.yield(.connected(sessionPresent: sessionPresent))
        action.resumeConnect?.resume()
    }

    func disconnected(code: Int32) {
        let text = mosquittoErrorText(code)
        if let waiter = state.withLock({ $0.connectFailed() }) {
            abandonConnect(waiter, with: MQTTError(.connectionFailed, "connect to \(endpoint): \(text)"))
            return
        }
        let action = state.withLock { $0.linkLost() }
        failLost(action.failLost, action.failLostSubscribes)
        guard action.emitEvent else { return }
        logger.warning("MQTT connection lost", metadata: ["broker": "\(endpoint)", "error": "\(text)"])
        eventSink.yield(.disconnected(.connectionLost(text)))
        eventSink.yield(.reconnecting)
        if Self.endsNetworkThread(code) { restartNetwork() }
    }

    func published(mid: Int32) {
        state.withLock { $0.publishes.complete(mid: mid, with: ()) }?.resume()
    }

    func subscribed(mid: Int32, grantedQoS: Int32) {
        state.withLock { $0.subscribes.complete(mid: mid, with: grantedQoS) }?.resume(returning: grantedQoS)
    }

    func received(_ message: MQTTMessage) {
        messageSink.yield(message)
    }

    private func failLost(
        _ publishes: [CheckedContinuation<Void, any Error>],
        _ subscribes: [CheckedContinuation<Int32, any Error>]
    ) {
        let error = MQTTError(.connectionLost, "the connection to \(endpoint) broke before the broker acknowledged")
        for waiter in publishes { waiter.resume(throwing: error) }
        for waiter in subscribes { waiter.resume(throwing: error) }
    }

    /// The codes after which `mosquitto_loop_forever` returns instead of reconnecting (libmosquitto 2.0 `loop.c`).
    private static func endsNetworkThread(_ code: Int32) -> Bool {
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN, MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        return fatal.contains { Int32($0.rawValue) == code }
    }
}
