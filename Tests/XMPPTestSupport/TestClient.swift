import NIOCore
import NIOPosix
import NIOSSL
import Accounts
import SASL
import Synchronization
import XMPPCore
import XMPPStream

/// A minimal XMPP client over a real socket for tests: sends raw text, parses what the server sends
/// with `XMLStreamParser`, and waits (bounded) for events or for the connection to close.
public final class TestClient: Sendable {
    public enum ClientError: Error, CustomStringConvertible {
        case timeout(String)
        case closed(String)
        case unexpected(String)

        public var description: String {
            switch self {
            case .timeout(let what): "timed out waiting for \(what)"
            case .closed(let what): "connection closed while waiting for \(what)"
            case .unexpected(let what): "unexpected: \(what)"
            }
        }
    }

    private final class Inbox: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        // Touched only on the channel's event loop (handler callbacks) and under `state`'s lock.
        let parser = XMLStreamParser(limits: .init(maxStanzaBytes: 16 << 20, maxDepth: 64))
        let state: Mutex<(events: [StreamEvent], closed: Bool, error: StreamError?, raw: String)>

        init() { state = Mutex((events: [], closed: false, error: nil, raw: "")) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            var events: [StreamEvent] = []
            var failure: StreamError?
            do { try parser.feed(buffer, into: &events) } catch { failure = error }
            let text = String(buffer: buffer)
            state.withLock {
                $0.events.append(contentsOf: events)
                $0.raw += text
                if let failure { $0.error = failure }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLock { $0.closed = true }
        }

        func reset() { parser.reset() }
    }

    public let channel: Channel
    private let inbox: Inbox
    private let consumed = Mutex(0)

    private init(channel: Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects; with `directTLS` the connection starts with a TLS handshake (XEP-0368).
    public static func connect(host: String = "127.0.0.1", port: Int, directTLS: Bool = false,
                               group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> TestClient {
        let inbox = Inbox()
        let tls = directTLS ? try Self.tlsContext() : nil
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(inbox)
                }
            }
            .connect(host: host, port: port)
            .get()
        return TestClient(channel: channel, inbox: inbox)
    }

    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    public func send(_ element: Element) async throws {
        try await send(element.serialized(streamNamespace: Namespace.client))
    }

    /// Everything received so far as text (for diagnostics).
    public var received: String { inbox.state.withLock { $0.raw } }
    public var isClosed: Bool { inbox.state.withLock { $0.closed } }

    /// The next event not yet returned, waiting up to `timeout`.
    public func next(_ what: String = "an event", timeout: Duration = .seconds(10)) async throws -> StreamEvent {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let (event, closed): (StreamEvent?, Bool) = inbox.state.withLock { state in
                let index = consumed.withLock { $0 }
                if index < state.events.count {
                    consumed.withLock { $0 += 1 }
                    return (state.events[index], false)
                }
                return (nil, state.closed)
            }
            if let event { return event }
            if closed { throw ClientError.closed(what) }
            if clock.now >= deadline { throw ClientError.timeout(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The next top-level element, skipping nothing: throws if the next event is not an element.
    public func nextElement(_ what: String = "an element", timeout: Duration = .seconds(10)) async throws -> Element {
        switch try await next(what, timeout: timeout) {
        case .element(let element): return element
        case let other: throw ClientError.unexpected("\(other) while waiting for \(what)")
        }
    }

    /// Skips events until an element satisfying `predicate` arrives.
    public func waitFor(_ what: String, timeout: Duration = .seconds(10), where predicate: (Element) -> Bool) async throws -> Element {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let remaining = deadline - clock.now
            guard remaining > .zero else { throw ClientError.timeout(what) }
            if case .element(let element) = try await next(what, timeout: remaining), predicate(element) {
                return element
            }
        }
    }

    /// Waits until the server closes the connection.
    public func waitForClose(timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !isClosed {
            if clock.now >= deadline { throw ClientError.timeout("the connection to close") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    public func close() async {
        try? await channel.close()
    }

    // MARK: - Conveniences

    public static func streamHeader(to domain: String) -> String {
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='\(domain)' version='1.0'>"
    }

    /// Opens the stream and returns the features element.
    public func open(domain: String) async throws -> Element {
        try await send(Self.streamHeader(to: domain))
        guard case .streamStart = try await next("the stream header") else { throw ClientError.unexpected("no stream header") }
        return try await nextElement("stream features")
    }

    /// Puts TLS under the connection after `<proceed/>` (certificate not verified: tests use self-signed ones).
    public func startTLS(serverHostname: String?) async throws {
        let context = try Self.tlsContext()
        let inbox = self.inbox
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try self.channel.pipeline.syncOperations.addHandler(handler, position: .first)
            inbox.reset()
        }.get()
    }

    static func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }

    /// Whether TLS protects the connection now.
    public func isEncrypted() async throws -> Bool {
        try await channel.eventLoop.submit {
            (try? self.channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)) != nil
        }.get()
    }

    /// SCRAM login on an open stream whose features offered it; returns after `<success/>`.
    public func authenticate(username: String, password: String, algorithm: SCRAMCredentials.Algorithm = .sha256) async throws {
        var scram = SCRAMClient(algorithm: algorithm, username: username, password: password)
        try await send(Element("auth", namespace: Namespace.sasl, ["mechanism": algorithm.rawValue],
                               text: SASLBase64.encode(scram.clientFirstMessage())))
        let challenge = try await nextElement("SASL challenge")
        guard challenge.name == "challenge" else { throw ClientError.unexpected("SASL: \(challenge.serialized())") }
        let final = try scram.clientFinalMessage(serverFirst: try SASLBase64.decode(challenge.text))
        try await send(Element("response", namespace: Namespace.sasl, text: SASLBase64.encode(final)))
        let outcome = try await nextElement("SASL outcome")
        guard outcome.name == "success" else { throw ClientError.unexpected("SASL: \(outcome.serialized())") }
        try scram.verifyServerFinal(try SASLBase64.decode(outcome.text))
        let inbox = self.inbox
        try await channel.eventLoop.submit { inbox.reset() }.get()
    }

    /// Binds a resource on an authenticated stream (after `open`); returns the bound JID.
    public func bind(resource: String?) async throws -> JID {
        var bind = Element(name: "bind", namespace: Namespace.bind)
        if let resource { bind.append(Element("resource", namespace: Namespace.bind, text: resource)) }
        try await send(IQ(type: .set, id: "bind-1", payload: bind).element)
        let result = try await waitFor("bind result") { $0.name == "iq" && $0[attribute: "id"] == "bind-1" }
        guard let text = result.child("bind", namespace: Namespace.bind)?.child("jid", namespace: Namespace.bind)?.text else {
            throw ClientError.unexpected("bind failed: \(result.serialized())")
        }
        return try JID(text)
    }
}
