import CMosquitto
import Dispatch

extension MQTTClient {
    /// Connects and waits for the broker's CONNACK (§3.2). Throws `.connectionFailed` when the broker
    /// cannot be reached (TCP, TLS: the message carries OpenSSL's reason) and `.connectionRefused`
    /// when it refuses (§3.2.2.3); the client is then idle and `connect()` may be tried again. Once
    /// connected, the client reconnects by itself. Cancelling the task abandons the attempt and
    /// throws `CancellationError` once the network thread has stopped.
    public func connect() async throws {
        let core = self.core
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                switch core.state.withLock({ $0.beginConnect(waiter) }) {
                case .fail(let error):
                    waiter.resume(throwing: error)
                case .start:
                    core.queue.async { core.startNetwork() }
                    // Cancelled before the waiter was registered: the handler below found nothing.
                    if Task.isCancelled { core.cancelConnect() }
                }
            }
        } onCancel: {
            core.cancelConnect()
        }
    }

    /// Calls `connect()` until it succeeds, waiting `backoff.jitteredDelay(afterAttempt: n)` after
    /// failed attempt n and reporting it on `events` as `.connectAttemptFailed(attempt: n, error:)`
    /// (issue #5, "Outages"). Returns on the first CONNACK; from then on libmosquitto reconnects by
    /// itself. Throws `CancellationError` when the task is cancelled, `.closed` when `disconnect()`
    /// was called meanwhile, `.alreadyConnected` as `connect()` does, `.invalidArgument` for a bad
    /// backoff.
    public func connect(retryingWith backoff: MQTTBackoff) async throws {
        try backoff.validate()
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            try Task.checkCancellation()
            attempt += 1
            do {
                try await connect()
                return
            } catch let error as MQTTError {
                switch error.code {
                case .connectionFailed, .connectionRefused, .connectionLost, .notConnected, .library:
                    core.eventSink.yield(.connectAttemptFailed(attempt: attempt, error: error))
                default:
                    throw error
                }
            }
            try await waitUnlessClosed(backoff.jitteredDelay(afterAttempt: attempt, using: &generator))
        }
    }

    /// Sends DISCONNECT (§3.14), stops the network thread and ends `messages` and `events`. Pending
    /// calls fail with `.closed`. Final: the client cannot connect again. Returns within
    /// `configuration.disconnectTimeout` even when libmosquitto's thread is stuck in a blocking
    /// reconnect or waits for a message handler; that thread then ends in the background (a
    /// handler's PUBACK still leaves when the handler returns, if the link is up).
    public func disconnect() async {
        let action = core.state.withLock { $0.close() }
        guard !action.wasClosed else { return }
        let error = MQTTError(.closed, "the client was disconnected")
        action.connectWaiter?.resume(throwing: error)
        for waiter in action.publishWaiters { waiter.resume(throwing: error) }
        for waiter in action.subscribeWaiters { waiter.resume(throwing: error) }
        if await !core.stopNetwork(within: configuration.disconnectTimeout) {
            core.logger.warning(
                "MQTT network thread still busy after \(configuration.disconnectTimeout); it stops in the background",
                metadata: ["broker": "\(core.endpoint)"])
        }
        if action.wasUp { core.eventSink.yield(.disconnected(.requested)) }
        core.messageSink.finish()
        core.eventSink.finish()
    }

    /// Test hook: breaks the TCP connection under libmosquitto without letting it write another
    /// byte (a queued PUBACK included), as a crash or a cut cable would. libmosquitto then reconnects.
    func _severConnectionForTesting() {
        core.severConnection()
    }

    /// Sleeps `delay` in short steps so that `disconnect()` ends the wait early with `.closed`.
    private func waitUnlessClosed(_ delay: Duration) async throws {
        let deadline = ContinuousClock.now + delay
        while true {
            try checkNotClosed()
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return }
            try await Task.sleep(for: min(left, .milliseconds(100)))
        }
    }

    private func checkNotClosed() throws(MQTTError) {
        if core.state.withLock({ $0.isClosed }) { throw MQTTError(.closed, "the client was disconnected") }
    }
}
