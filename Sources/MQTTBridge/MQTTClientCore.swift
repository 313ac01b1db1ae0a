import CMosquitto
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of `MQTTClient` that libmosquitto's network thread reaches through the `obj` pointer of
/// its callbacks. Callbacks copy what they get (topic, payload) before returning, update `state` in
/// one short critical section, and hand results to Swift through continuations: nothing here is
/// touched from two threads except through a `Mutex` or the (Sendable) stream continuations.
///
/// The object outlives the network thread: `MQTTClient.deinit` keeps it alive until
/// `mosquitto_destroy` has run, so the unretained pointer given to libmosquitto stays valid.
final class MQTTClientCore: Sendable {
    let handle: MosquittoHandle
    let configuration: MQTTClientConfiguration
    let state = Mutex(ClientState())
    /// Serializes the libmosquitto calls that must not overlap or may block: connect (DNS, and the
    /// whole TCP/TLS connect for MQTT 5), starting and joining the network thread, destroy. Never the
    /// cooperative pool, never an event loop.
    let queue: DispatchQueue
    let messageSink: AsyncStream<MQTTMessage>.Continuation
    let eventSink: AsyncStream<MQTTConnectionEvent>.Continuation
    /// Handler mode (`MQTTClient.init(configuration:logger:handler:)`): runs each message before the
    /// network thread goes on. nil: messages go to `messageSink`.
    let handler: (@Sendable (MQTTMessage) async -> Void)?
    let logger: Logger
    /// The last error libmosquitto logged (OpenSSL's reason for a failed handshake, say), to make the
    /// error of a failed connect say more than "A TLS error occurred".
    private let lastLibraryError = Mutex<String?>(nil)

    init(
        handle: MosquittoHandle,
        configuration: MQTTClientConfiguration,
        messageSink: AsyncStream<MQTTMessage>.Continuation,
        eventSink: AsyncStream<MQTTConnectionEvent>.Continuation,
        handler: (@Sendable (MQTTMessage) async -> Void)?,
        logger: Logger
    ) {
        self.handle = handle
        self.configuration = configuration
        self.queue = DispatchQueue(label: "starling.mqtt.\(configuration.clientID ?? "anonymous")")
        self.messageSink = messageSink
        self.eventSink = eventSink
        self.handler = handler
        self.logger = logger
    }

    var endpoint: String { "\(configuration.host):\(configuration.port)" }

    // MARK: - Work on `queue`

    /// Opens the socket and starts the network thread; CONNACK arrives in `connackReceived`.
    func startNetwork() {
        guard case .connecting = state.withLock({ $0.phase }) else { return }
        lastLibraryError.withLock { $0 = nil }
        var code = openConnection()
        if code == Int32(MOSQ_ERR_SUCCESS.rawValue) {
            code = mosquitto_loop_start(handle.pointer)
        }
        guard let error = mosquittoError(code, doing: "connect to \(endpoint)") else { return }
        let detailed = MQTTError(error.code, error.message + libraryDetail())
        mosquitto_disconnect(handle.pointer)
        logger.warning("MQTT connection failed", metadata: ["broker": "\(endpoint)", "error": "\(detailed.message)"])
        state.withLock { $0.connectFailed() }?.resume(throwing: detailed)
    }

    private func openConnection() -> Int32 {
        let keepAlive = Int32(configuration.keepAlive.wholeSecondsRoundedUp)
        let port = Int32(configuration.port)
        switch configuration.protocolVersion {
        case .v311:
            return mosquitto_connect_async(handle.pointer, configuration.host, port, keepAlive)
        case .v5:
            var properties: OpaquePointer?
            defer { mosquitto_property_free_all(&properties) }
            if !configuration.cleanSession {
                // MQTT 5.0 §3.1.2.11.2, Session Expiry Interval (0x11 = 17): 0xFFFFFFFF never expires,
                // as a 3.1.1 persistent session; the default 0 would end the session with the connection.
                let code = mosquitto_property_add_int32(&properties, 17, UInt32.max)
                guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return code }
            }
            // libmosquitto 2.0 takes CONNECT properties only in this blocking call (there is no
            // async _v5 variant) and keeps them for its reconnects. It blocks `queue`, nothing else.
            return mosquitto_connect_bind_v5(handle.pointer, configuration.host, port, keepAlive, nil, properties)
        }
    }

    /// Stops the network thread after a failed or cancelled first attempt, then fails `connect()`.
    /// Runs on `queue` because a failure is seen on the network thread, which cannot join itself.
    func abandonConnect(_ waiter: CheckedContinuation<Void, any Error>, with error: any Error) {
        queue.async { [self] in
            mosquitto_disconnect(handle.pointer)
            mosquitto_loop_stop(handle.pointer, false)
            if let error = error as? MQTTError {
                logger.warning("MQTT connection failed", metadata: ["broker": "\(endpoint)", "error": "\(error.message)"])
            }
            waiter.resume(throwing: error)
        }
    }

    /// The task running `connect()` was cancelled: give up the attempt if it is still under way.
    func cancelConnect() {
        guard let waiter = state.withLock({ $0.connectFailed() }) else { return }
        abandonConnect(waiter, with: CancellationError())
    }

    /// libmosquitto's network thread ends by itself after errors it deems fatal (a protocol
    /// violation, an unknown host); join it and start over after the longest backoff.
    func restartNetwork() {
        let delay = configuration.reconnectDelayMax.wholeSecondsRoundedUp
        queue.asyncAfter(deadline: .now() + .seconds(delay)) { [self] in
            guard state.withLock({ $0.beginRestart() }) else { return }
            mosquitto_loop_stop(handle.pointer, false)
            _ = mosquitto_reconnect_async(handle.pointer)
            // A failed reconnect leaves no socket; the new thread's loop then retries with backoff.
            let code = mosquitto_loop_start(handle.pointer)
            if let error = mosquittoError(code, doing: "restart the MQTT network thread") {
                logger.error("MQTT client stopped", metadata: ["broker": "\(endpoint)", "error": "\(error.message)"])
            }
        }
    }

    /// Sends DISCONNECT and joins the network thread on `queue`. Returns true once joined, false
    /// when `timeout` passed first: the thread may sit in a blocking reconnect (libmosquitto's
    /// `mosquitto_reconnect` connects synchronously) or wait for a message handler. It is then
    /// left to end in the background, and `MQTTClient.deinit` destroys the handle after it.
    func stopNetwork(within timeout: Duration) async -> Bool {
        let stop = NetworkStop()
        return await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            stop.waiter.withLock { $0 = done }
            queue.async { [self] in
                mosquitto_disconnect(handle.pointer)
                mosquitto_loop_stop(handle.pointer, false)
                stop.joined.withLock { $0 = true }
                stop.finish(joined: true)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) {
                stop.finish(joined: false)
            }
            repeatDisconnect(until: stop)
        }
    }

    /// A reconnect that was under way when `mosquitto_disconnect` ran sets libmosquitto's state back
    /// to connected, and the thread would run on: ask again until it has ended.
    private func repeatDisconnect(until stop: NetworkStop) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(500)) { [self] in
            // Under the lock the queue takes to record the join, so no call reaches a handle that
            // `MQTTClient.deinit` destroys later on that queue.
            let again = stop.joined.withLock { joined in
                if !joined { mosquitto_disconnect(handle.pointer) }
                return !joined
            }
            if again { repeatDisconnect(until: stop) }
        }
    }

    /// Shuts the socket down under libmosquitto so nothing more leaves it (a PUBACK already queued
    /// included); libmosquitto then sees the connection lost and reconnects as for any broken link.
    func severConnection() {
        let socket = mosquitto_socket(handle.pointer)
        guard socket >= 0 else { return }
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    // MARK: - Callbacks (network thread)

    func connackReceived(code: Int32, sessionPresent: Bool) {
        guard code == 0 else {
            let reason: UnsafePointer<CChar>? = switch configuration.protocolVersion {
            case .v311: mosquitto_connack_string(code)
            case .v5: mosquitto_reason_string(code)
            }
            let text = reason.map { String(cString: $0) } ?? "return code \(code)"
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
            let code: MQTTError.Code = code == Int32(MOSQ_ERR_AUTH.rawValue) ? .connectionRefused : .connectionFailed
            abandonConnect(waiter, with: MQTTError(code, "connect to \(endpoint): \(text)" + libraryDetail()))
            return
        }
        let action = state.withLock { $0.linkLost() }
        failLost(action.failLost, action.failLostSubscribes)
        guard action.emitEvent else { return }
        logger.warning("MQTT connection lost", metadata: ["broker": "\(endpoint)", "error": "\(text)"])
        eventSink.yield(.disconnected(.connectionLost(text)))
        eventSink.yield(.reconnecting)
        if Self.endsNetworkThread(code), state.withLock({ $0.scheduleRestart() }) { restartNetwork() }
    }

    func published(mid: Int32) {
        state.withLock { $0.publishes.complete(mid: mid, with: ()) }?.resume()
    }

    func subscribed(mid: Int32, grantedQoS: Int32) {
        state.withLock { $0.subscribes.complete(mid: mid, with: grantedQoS) }?.resume(returning: grantedQoS)
    }

    /// One application message, on the network thread. In handler mode this thread waits here until
    /// the handler returns: libmosquitto 2.0.11 queues a QoS 1 PUBACK before this callback
    /// (`handle__publish`) but, in threaded mode, writes its queue only after the callback returned
    /// (`packet__queue` leaves the write to the loop), so the broker is acknowledged (§4.3.2) only
    /// once the message is handled, and the next message is read only then.
    func received(_ message: MQTTMessage) {
        guard let handler else {
            messageSink.yield(message)
            return
        }
        guard !state.withLock({ $0.isClosed }) else {
            // Nobody handles it after disconnect(). Keep its PUBACK from leaving: the broker
            // delivers the message again in the next session (§4.4).
            severConnection()
            return
        }
        let handled = DispatchSemaphore(value: 0)
        Task.detached {
            await handler(message)
            handled.signal()
        }
        handled.wait()
    }

    /// An error line from libmosquitto. A failed TLS handshake shows only here: libmosquitto 2.0.11
    /// finishes the handshake inside `mosquitto_loop` (the socket is non-blocking by then) and, when
    /// it fails, returns MOSQ_ERR_TLS without calling on_disconnect, and `mosquitto_loop_forever`
    /// ends the thread on that code. So a handshake error fails a pending `connect()`, or schedules
    /// a restart of the thread when it happened on a reconnect.
    func libraryLogged(level: Int32, text: String) {
        guard level & Int32(MOSQ_LOG_ERR) != 0 else { return }
        lastLibraryError.withLock { $0 = text }
        logger.debug("libmosquitto: \(text)", metadata: ["broker": "\(endpoint)"])
        guard configuration.tls != nil,
            text.hasPrefix("OpenSSL Error") || text.contains("host name verification failed")
        else { return }
        if let waiter = state.withLock({ $0.connectFailed() }) {
            lastLibraryError.withLock { $0 = nil }
            abandonConnect(waiter, with: MQTTError(.connectionFailed, "connect to \(endpoint): TLS handshake failed: \(text)"))
        } else if state.withLock({ $0.scheduleRestart() }) {
            logger.warning("MQTT TLS handshake failed", metadata: ["broker": "\(endpoint)", "error": "\(text)"])
            restartNetwork()
        }
    }

    /// `" (libmosquitto: …)"` with the last error libmosquitto logged, or "".
    private func libraryDetail() -> String {
        lastLibraryError.withLock { $0.take() }.map { " (libmosquitto: \($0))" } ?? ""
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

/// What `MQTTClientCore.stopNetwork(within:)` shares between the join on `queue`, its timeout and
/// the repeated DISCONNECT.
private final class NetworkStop: Sendable {
    /// Set on `queue` right after `mosquitto_loop_stop` returned.
    let joined = Mutex(false)
    /// `disconnect()`'s wait; resumed by the join or the timeout, whichever comes first.
    let waiter = Mutex<CheckedContinuation<Bool, Never>?>(nil)

    func finish(joined: Bool) {
        waiter.withLock { $0.take() }?.resume(returning: joined)
    }
}

extension Duration {
    /// For `DispatchQueue.asyncAfter`, at nanosecond precision.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
