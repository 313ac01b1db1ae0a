import Accounts
import Logging
import NIOCore
import NIOSSL
import XMPPCore
import XMPPStream

/// Runs one client-to-server connection: bytes → `XMLStreamParser` → `C2SStateMachine` → actions.
///
/// Input is processed strictly in order (RFC 6120 §10.1). While an action waits for storage (a
/// credential lookup, a roster change) further events queue and socket reads pause, so one slow
/// store call never lets a client's input pile up unbounded.
final class C2SHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Fired into the pipeline to end the stream from outside (conflict, shutdown).
    struct CloseStream: Sendable {
        var error: StreamError?
    }

    private enum Input {
        case event(StreamEvent)
        case failure(StreamError)
    }

    private let core: ServerCore
    private var machine: C2SStateMachine
    private let parser: XMLStreamParser
    private let remoteIP: String
    private var logger: Logger
    private var scratch: [StreamEvent] = []
    private var queue = CircularBuffer<Input>(initialCapacity: 4)
    private var busy = false
    /// The action of the input that ended a component batch, run when the batch is done.
    private var heldAction: C2SAction?
    private var readHeld = false
    private var closing = false
    private var context: ChannelHandlerContext?
    private var session: Session?
    private var lastInput = NIODeadline.now()
    private var pingSentAt: NIODeadline?
    private var pingCounter = 0
    private var timer: Scheduled<Void>?
    private let startedAt = NIODeadline.now()

    init(core: ServerCore, remoteIP: String, directTLS: Bool) {
        self.core = core
        self.remoteIP = remoteIP
        self.parser = XMLStreamParser(limits: core.configuration.streamLimits)
        self.machine = C2SStateMachine(
            configuration: core.configuration.stateMachineConfiguration(),
            isSecure: directTLS,
            makeStreamID: { ServerCore.makeID() }
        )
        var logger = core.logger
        logger[metadataKey: "peer"] = "\(remoteIP)"
        self.logger = logger
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        scheduleTick()
    }

    /// Timers run on the connection's own loop; one pending tick at a time.
    private func scheduleTick() {
        guard let context, !closing else { return }
        let interval = min(core.configuration.pingTimeout, core.configuration.negotiationTimeout, .seconds(5))
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [weak self] in
            guard let self else { return }
            self.tick()
            self.scheduleTick()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        queue.removeAll()
        heldAction = nil
        if let session {
            self.session = nil
            core.sessionEnded(session)
        }
        core.connectionClosed(ip: remoteIP, channel: context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // TLS handshake failures and resets end here; nothing to tell a peer whose transport failed.
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let close = event as? CloseStream {
            run(machine.serverClosing(close.error))
            flushIfNeeded()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: - Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        lastInput = .now()
        pingSentAt = nil
        let bytes = unwrapInboundIn(data)
        scratch.removeAll(keepingCapacity: true)
        var failure: StreamError?
        do {
            try parser.feed(bytes, into: &scratch)
        } catch {
            failure = error
        }
        for event in scratch { queue.append(.event(event)) }
        if let failure { queue.append(.failure(failure)) }
        drain()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    /// Backpressure: no new reads while an action is waiting.
    func read(context: ChannelHandlerContext) {
        if busy {
            readHeld = true
        } else {
            context.read()
        }
    }

    private var needsFlush = false

    private func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    private func drain() {
        while !busy, !closing, let input = queue.popFirst() {
            switch input {
            case .event(let event):
                run(machine.received(event))
            case .failure(let error):
                logger.debug("stream error from parser: \(error)")
                run(machine.streamFailed(error))
            }
        }
        if !busy, readHeld, let context {
            readHeld = false
            context.read()
        }
    }

    // MARK: - Actions

    private func run(_ action: C2SAction) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .write(let outputs):
            write(outputs)
        case .startTLS(let outputs):
            write(outputs)
            flushIfNeeded()
            guard let tls = core.configuration.tls else {
                close()
                return
            }
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                close()
                return
            }
            restartParser()
        case .restartStream(let outputs):
            write(outputs)
            restartParser()
        case .close(let outputs):
            write(outputs)
            close()
        case .authenticationFailed(let outputs, let thenClose):
            core.limits.recordFailedLogin(ip: remoteIP)
            logger.info("failed login")
            write(outputs)
            if thenClose { close() }
        case .lookupCredentials(let username):
            lookupCredentials(username)
        case .bind(let username, let resource, let iq):
            bind(username: username, requestedResource: resource, iq: iq)
        case .stanza(let stanza):
            guard let session else { return }
            if let component = core.component(for: stanza) {
                var batch = [stanza]
                collectFollowing(into: &batch, for: component)
                wait(for: core.handle(batch, by: component, from: session)) { [weak self] _ in
                    guard let self, !self.closing, let held = self.heldAction else { return }
                    self.heldAction = nil
                    self.run(held)
                }
            } else if let pending = core.handle(stanza, from: session) {
                wait(for: pending) { _ in }
            }
        case .unauthenticatedIQ(let iq):
            let pending = core.handleUnauthenticated(iq, ip: remoteIP, eventLoop: context.eventLoop)
            wait(for: pending) { [weak self] result in
                if case .success(let reply) = result { self?.write([.element(reply)]) }
            }
        }
    }

    /// Most stanzas a component gets from one session in one hand-over.
    static let componentBatchLimit = 16

    /// Stanzas already parsed that follow `batch` to the same component join it (a device's
    /// pipelined publishes: the component stores them in order and notifies their subscribers back
    /// to back). The first input that does not is turned into its action, which waits in
    /// `heldAction` until the batch is done, so everything still happens in the order received
    /// (RFC 6120 §10.1).
    private func collectFollowing(into batch: inout [Stanza], for component: any ComponentHandler) {
        while batch.count < Self.componentBatchLimit, case .event(let event)? = queue.first {
            queue.removeFirst()
            let action = machine.received(event)
            guard case .stanza(let next) = action, let target = core.component(for: next),
                  target.domain == component.domain else {
                heldAction = action
                return
            }
            batch.append(next)
        }
    }

    /// Holds input until `future` completes, then resumes in order.
    private func wait<T: Sendable>(for future: EventLoopFuture<T>, then body: @escaping (Result<T, Error>) -> Void) {
        guard let eventLoop = context?.eventLoop else { return }
        busy = true
        future.hop(to: eventLoop).assumeIsolated().whenComplete { [weak self] result in
            guard let self else { return }
            self.busy = false
            body(result)
            self.drain()
            self.flushIfNeeded()
        }
    }

    private func lookupCredentials(_ username: String) {
        guard let context else { return }
        if core.limits.isLoginThrottled(ip: remoteIP) {
            // RFC 6120 §6.5.12: temporary-auth-failure while this address is cooling down.
            logger.notice("login throttled")
            run(machine.credentialsUnavailable(.temporaryAuthFailure))
            return
        }
        // SCRAM/PLAIN usernames are the localpart; normalize as the JID would (RFC 7622 §3.3).
        guard let local = (try? JID(localpart: username, domainpart: core.configuration.domain))?.localpart else {
            run(machine.credentialsLoaded(nil))
            return
        }
        let storage = core.storage
        let lookup = context.eventLoop.makePromise(of: Account?.self)
        storage.lookUpAccount(username: local) { lookup.completeWith($0) }
        wait(for: lookup.futureResult) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let account):
                self.run(self.machine.credentialsLoaded(account))
            case .failure(let error):
                self.logger.error("account lookup failed: \(error)")
                self.run(self.machine.credentialsUnavailable(.temporaryAuthFailure))
            }
        }
    }

    private func bind(username: String, requestedResource: String?, iq: IQ) {
        guard let context else { return }
        let domain = core.configuration.domain
        let jid: JID
        do {
            jid = try JID(localpart: username, domainpart: domain, resourcepart: requestedResource ?? ServerCore.makeID())
        } catch {
            // RFC 6120 §7.7.2.1: a resourcepart that cannot be processed.
            run(machine.bindFailed(.badRequest("invalid resourcepart: \(error)"), iq: iq))
            return
        }
        let session = Session(jid: jid, channel: context.channel)
        switch core.sessions.bind(session) {
        case .tooManyResources:
            run(machine.bindFailed(.resourceConstraint("too many sessions for this account"), iq: iq))
        case .bound(let replaced):
            self.session = session
            logger[metadataKey: "jid"] = "\(jid)"
            logger.info("session bound")
            replaced?.close(with: StreamError(.conflict, text: "replaced by a new session"))
            run(machine.bindCompleted(jid, iq: iq))
        }
    }

    private func restartParser() {
        // Anything parsed after <proceed/> or <success/> was sent before the restart: drop it
        // (RFC 6120 §5.4.3.3 forbids acting on pre-TLS data afterwards).
        parser.reset()
        queue.removeAll()
    }

    private func write(_ outputs: [C2SOutput]) {
        guard let context, !outputs.isEmpty else { return }
        var buffer = context.channel.allocator.buffer(capacity: 512)
        for output in outputs {
            switch output {
            case .raw(let text): buffer.writeString(text)
            case .element(let element): element.write(to: &buffer, streamNamespace: Namespace.client)
            }
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        needsFlush = true
    }

    private func close() {
        guard let context, !closing else { return }
        closing = true
        queue.removeAll()
        heldAction = nil
        needsFlush = false
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: - Timers

    /// Input silence after which the stream parser gives its memory back (`releaseMemory()`):
    /// most telemetry connections are idle most of the time, and libxml2's context is about a
    /// third of an idle session's memory. Waking it again costs a few microseconds.
    static let parserIdleRelease = TimeAmount.seconds(5)

    private func tick() {
        guard !closing else { return }
        let now = NIODeadline.now()
        if now - lastInput >= Self.parserIdleRelease { parser.releaseMemory() }
        let configuration = core.configuration
        if session == nil {
            if now - startedAt >= configuration.negotiationTimeout {
                run(machine.serverClosing(StreamError(.connectionTimeout, text: "stream negotiation took too long")))
                flushIfNeeded()
            }
            return
        }
        if let sentAt = pingSentAt {
            if now - sentAt >= configuration.pingTimeout {
                logger.info("ping timeout")
                run(machine.serverClosing(StreamError(.connectionTimeout)))
                flushIfNeeded()
            }
        } else if now - lastInput >= configuration.pingInterval, let session {
            // XEP-0199 §4.2 server-to-client ping; any input counts as the answer.
            pingCounter += 1
            pingSentAt = now
            let ping = IQ(
                type: .get, id: "ping-\(pingCounter)", from: core.domainJID, to: session.jid,
                payload: Element(name: "ping", namespace: Namespace.ping)
            )
            write([.element(ping.element)])
            flushIfNeeded()
        }
    }
}
