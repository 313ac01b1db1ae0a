import Accounts
import Logging
import NIOCore
import Synchronization
import XMPPCore

/// What every connection handler shares: configuration, storage, the session registry, per-IP
/// limits, and the stanza services. One per server; Sendable, used from every event loop.
public final class ServerCore: Sendable {
    public let configuration: ServerConfiguration
    public let storage: any AccountStorage
    public let sessions: SessionRegistry
    public let limits: ConnectionLimits
    let logger: Logger
    public let domainJID: JID
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])
    private let components = Mutex<[String: any ComponentHandler]>([:])
    /// Per event loop, the component hand-overs of its current loop turn.
    private let inboxes = Mutex<[ObjectIdentifier: ComponentInbox]>([:])
    let im: InstantMessaging

    public init(configuration: ServerConfiguration, storage: any AccountStorage, logger: Logger) throws {
        self.configuration = configuration
        self.storage = storage
        self.sessions = SessionRegistry(maximumResources: configuration.maximumResourcesPerAccount)
        self.limits = ConnectionLimits(configuration: configuration.connectionLimits)
        self.logger = logger
        self.domainJID = try JID(localpart: nil, domainpart: configuration.domain)
        self.im = InstantMessaging(domain: domainJID, sessions: sessions, storage: storage, logger: logger)
    }

    /// A random identifier for stream ids and generated resources: 16 characters of base-32
    /// (`a`–`z`, `2`–`7`), 80 bits from the system CSPRNG, so ids cannot be guessed
    /// (RFC 6120 §4.7.3). The bits come from two 64-bit draws, each one getrandom(2) call, rather
    /// than one draw per character.
    static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let words: (UInt64, UInt64) = (generator.next(), generator.next())
        return String(unsafeUninitializedCapacity: 16) { buffer in
            // 12 characters (60 bits) from the first word, 4 (20 bits) from the second.
            for index in 0..<16 {
                let word = index < 12 ? words.0 >> (5 * index) : words.1 >> (5 * (index - 12))
                let value = UInt8(truncatingIfNeeded: word & 31)
                buffer[index] = value < 26 ? UInt8(ascii: "a") + value : UInt8(ascii: "2") + (value - 26)
            }
            return 16
        }
    }

    // MARK: - Components (e.g. the pubsub service)

    /// Routes stanzas addressed to `handler.domain` (and its JIDs) to the handler.
    public func register(component handler: any ComponentHandler) {
        components.withLock { $0[handler.domain.domainpart] = handler }
    }

    /// Observers of initial presence (see `PresenceObserver`).
    public func register(presenceObserver: any PresenceObserver) {
        im.presenceObservers.withLock { $0.append(presenceObserver) }
    }

    var componentDomains: [JID] {
        components.withLock { $0.values.map(\.domain) }.sorted()
    }

    // MARK: - Connections

    func connectionOpened(ip: String, channel: Channel) -> Bool {
        guard limits.openConnection(ip: ip) else { return false }
        channels.withLock { $0[ObjectIdentifier(channel)] = channel }
        return true
    }

    func connectionClosed(ip: String, channel: Channel) {
        let removed = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) != nil }
        if removed { limits.closeConnection(ip: ip) }
    }

    /// Ends every stream with `error` (`<system-shutdown/>` on shutdown) and returns when the
    /// connections have closed or `timeout` passed.
    public func closeAll(with error: StreamError, timeout: TimeAmount = .seconds(5)) async {
        let all = channels.withLock { Array($0.values) }
        for channel in all {
            channel.pipeline.fireUserInboundEventTriggered(C2SHandler.CloseStream(error: error))
        }
        let deadline = NIODeadline.now() + timeout
        for channel in all {
            let remaining = deadline - .now()
            guard remaining > .zero else { channel.close(promise: nil); continue }
            let closed = channel.closeFuture
            let timer = channel.eventLoop.scheduleTask(in: remaining) { channel.close(promise: nil) }
            try? await closed.get()
            timer.cancel()
        }
    }

    public var connectionCount: Int { channels.withLock { $0.count } }

    // MARK: - Stanzas

    func sessionEnded(_ session: Session) {
        guard sessions.unbind(session) else { return }
        im.sessionEnded(session)
    }

    /// Handles a stanza from a bound session; a returned future holds the session's further input
    /// until it completes (RFC 6120 §10.1 in-order processing).
    func handle(_ stanza: Stanza, from session: Session) -> EventLoopFuture<Void>? {
        if let component = component(for: stanza) {
            return handle([stanza], by: component, from: session)
        }
        return im.handle(stanza, from: session, core: self)
    }

    /// The component a stanza is addressed to (its domain or a JID of it), if any.
    func component(for stanza: Stanza) -> (any ComponentHandler)? {
        guard let to = stanza.to, to.localpart == nil, to.domainpart != configuration.domain else { return nil }
        return components.withLock { $0[to.domainpart] }
    }

    /// Stanzas from one session that follow each other to one component, handed over together
    /// and handled in order; the future completes when the last is handled. On the session's loop:
    /// the batch joins the other sessions' of this loop turn (``ComponentInbox``).
    func handle(_ stanzas: [Stanza], by component: any ComponentHandler, from session: Session) -> EventLoopFuture<Void> {
        let loop = session.eventLoop
        let inbox = inboxes.withLock { inboxes in
            if let inbox = inboxes[ObjectIdentifier(loop)] { return inbox }
            let inbox = ComponentInbox(eventLoop: loop)
            inboxes[ObjectIdentifier(loop)] = inbox
            return inbox
        }
        let batch = ComponentBatch(session: session, stanzas: stanzas)
        guard loop.inEventLoop else { return loop.flatSubmit { inbox.add(batch, for: component) } }
        return inbox.add(batch, for: component)
    }

    /// XEP-0077 registration before authentication.
    func handleUnauthenticated(_ iq: IQ, ip: String, eventLoop: EventLoop) -> EventLoopFuture<Element> {
        eventLoop.makeFutureWithTask {
            await self.im.registration(iq, ip: ip, core: self)
        }
    }
}

/// Told when a resource sends initial presence (RFC 6121 §4.2), e.g. so the pubsub service can
/// send last published items to subscribers that come online (XEP-0060 `on_sub_and_presence`).
/// Called on the session's event loop: return quickly (start a task for slow work).
public protocol PresenceObserver: Sendable {
    func resourceBecameAvailable(_ jid: JID)
}

/// A service that owns a domain of its own (RFC 6120 §2.5 "domain-based services"), such as the
/// pubsub service at `pubsub.<domain>`. XMPPServer routes to it without knowing what it is.
public protocol ComponentHandler: Sendable {
    var domain: JID { get }
    /// Handles a stanza addressed to the component; replies go out through `session` or the registry.
    func handle(_ stanza: Stanza, from session: Session) async
    /// Handles stanzas that one session sent in a row to the component, in order (RFC 6120 §10.1),
    /// so that a component may do their common work once (the default handles them one by one).
    func handle(_ stanzas: [Stanza], from session: Session) async
    /// Handles the batches that several sessions handed over in one event-loop turn: each in
    /// order, the sessions independently of each other, so a component may do their common work
    /// once (the default handles the sessions concurrently, each with the method above).
    func handle(_ batches: [ComponentBatch]) async
    /// disco#items entry for the server's item list (XEP-0030 §4).
    var discoName: String? { get }
}

extension ComponentHandler {
    public func handle(_ stanzas: [Stanza], from session: Session) async {
        for stanza in stanzas { await handle(stanza, from: session) }
    }

    public func handle(_ batches: [ComponentBatch]) async {
        if batches.count == 1, let only = batches.first {
            await handle(only.stanzas, from: only.session)
            return
        }
        await withDiscardingTaskGroup { group in
            for batch in batches { group.addTask { await self.handle(batch.stanzas, from: batch.session) } }
        }
    }
}
