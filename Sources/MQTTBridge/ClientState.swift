/// Everything `MQTTClient` shares between Swift callers and libmosquitto's network thread. It lives
/// in one `Mutex` (`MQTTClientCore.state`); each method is one critical section and returns what the
/// caller must do outside it (resume continuations, call libmosquitto), so no C call and no
/// continuation resumption happens under the lock.
struct ClientState: Sendable {
    enum Phase: Sendable {
        /// No network thread. `connect()` may start one.
        case idle
        /// Network thread started; waiting for the first CONNACK or failure.
        case connecting(CheckedContinuation<Void, any Error>)
        /// Connected at least once; libmosquitto reconnects by itself from here on.
        case running
        /// `disconnect()` was called. Final.
        case closed
    }

    var phase: Phase = .idle
    /// Whether the link is up right now (so a loss is reported once, not per failed attempt).
    var linkUp = false
    var publishes = PendingTable<Void>()
    /// Subscriptions wait for the granted QoS (§3.9.3).
    var subscribes = PendingTable<Int32>()
    /// Granted subscriptions in order, for re-subscribing when the broker lost the session.
    var subscriptions: [(filter: String, qos: Int32)] = []
    /// The network thread ended by itself and a restart is scheduled (one at a time).
    var restartPending = false

    enum StartAction {
        case start
        case fail(MQTTError)
    }

    mutating func beginConnect(_ waiter: CheckedContinuation<Void, any Error>) -> StartAction {
        switch phase {
        case .idle:
            phase = .connecting(waiter)
            return .start
        case .connecting, .running:
            return .fail(MQTTError(.alreadyConnected, "connect() called while connecting or connected"))
        case .closed:
            return .fail(MQTTError(.closed, "the client was disconnected"))
        }
    }

    /// The connect attempt ended without a session: the waiter to fail, if it is still waiting.
    /// The caller stops the network thread.
    mutating func connectFailed() -> CheckedContinuation<Void, any Error>? {
        guard case .connecting(let waiter) = phase else { return nil }
        phase = .idle
        linkUp = false
        return waiter
    }

    struct ConnectedAction {
        var resumeConnect: CheckedContinuation<Void, any Error>?
        var emitEvent = false
        var resubscribe: [(filter: String, qos: Int32)] = []
        var failLost: [CheckedContinuation<Void, any Error>] = []
        var failLostSubscribes: [CheckedContinuation<Int32, any Error>] = []
    }

    /// CONNACK with return code 0.
    mutating func connected(sessionPresent: Bool) -> ConnectedAction {
        var action = ConnectedAction()
        switch phase {
        case .idle, .closed:
            return action
        case .connecting(let waiter):
            phase = .running
            action.resumeConnect = waiter
        case .running:
            // Requests registered after the loss was reported went out on no link; tell them now.
            action.failLost = publishes.takeLostWithConnection()
            action.failLostSubscribes = subscribes.takeLostWithConnection()
            if !sessionPresent { action.resubscribe = subscriptions }
        }
        linkUp = true
        action.emitEvent = true
        return action
    }

    struct LinkLostAction {
        var emitEvent = false
        var failLost: [CheckedContinuation<Void, any Error>] = []
        var failLostSubscribes: [CheckedContinuation<Int32, any Error>] = []
    }

    /// The link of a running client went down.
    mutating func linkLost() -> LinkLostAction {
        guard case .running = phase, linkUp else { return LinkLostAction() }
        linkUp = false
        return LinkLostAction(
            emitEvent: true,
            failLost: publishes.takeLostWithConnection(),
            failLostSubscribes: subscribes.takeLostWithConnection()
        )
    }

    struct CloseAction {
        var wasClosed: Bool
        var wasUp: Bool
        var connectWaiter: CheckedContinuation<Void, any Error>?
        var publishWaiters: [CheckedContinuation<Void, any Error>]
        var subscribeWaiters: [CheckedContinuation<Int32, any Error>]
    }

    mutating func close() -> CloseAction {
        var connectWaiter: CheckedContinuation<Void, any Error>?
        if case .connecting(let waiter) = phase { connectWaiter = waiter }
        var wasClosed = false
        if case .closed = phase { wasClosed = true }
        let action = CloseAction(
            wasClosed: wasClosed,
            wasUp: linkUp,
            connectWaiter: connectWaiter,
            publishWaiters: publishes.takeAll(),
            subscribeWaiters: subscribes.takeAll()
        )
        phase = .closed
        linkUp = false
        subscriptions.removeAll()
        return action
    }

    /// Whether to schedule a restart of the network thread: only while running, and once.
    mutating func scheduleRestart() -> Bool {
        guard case .running = phase, !restartPending else { return false }
        restartPending = true
        return true
    }

    /// The scheduled restart is due: whether to go ahead (`disconnect()` may have come first).
    mutating func beginRestart() -> Bool {
        restartPending = false
        if case .running = phase { return true } else { return false }
    }

    var isClosed: Bool {
        if case .closed = phase { true } else { false }
    }

    mutating func recordSubscription(filter: String, qos: Int32) {
        subscriptions.removeAll { $0.filter == filter }
        subscriptions.append((filter, qos))
    }
}
