import Accounts
import Logging
import NIOCore
import NIOEmbedded
import SASL
import Testing
import XMPPCore
import XMPPStream
@testable import XMPPServer

/// `C2SHandler` in a channel pipeline with no socket: bytes in, bytes out (RFC 6120 negotiation).
@Suite struct C2SPipelineTests {
    static let domain = "example.com"
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"

    /// A channel running C2SHandler, and a client-side parser for what it writes.
    final class Harness {
        let channel = NIOAsyncTestingChannel()
        let parser = XMLStreamParser(limits: .init(maxStanzaBytes: 1 << 20))
        let core: ServerCore

        init(core: ServerCore) async throws {
            self.core = core
            let channel = self.channel
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(C2SHandler(core: core, remoteIP: "192.0.2.1", directTLS: false))
            }.get()
            try await channel.connect(to: try SocketAddress(ipAddress: "192.0.2.1", port: 5222)).get()
        }

        func send(_ text: String) async throws {
            try await channel.writeInbound(ByteBuffer(string: text))
        }

        /// Reads written buffers until `count` events have been parsed.
        func events(_ count: Int) async throws -> [StreamEvent] {
            var events: [StreamEvent] = []
            while events.count < count {
                let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
                try parser.feed(buffer, into: &events)
            }
            return events
        }

        func element() async throws -> Element {
            guard case .element(let element) = try await events(1).first else { throw TestFailure("not an element") }
            return element
        }
    }

    static func core(plainWithoutTLS: Bool = false) async throws -> ServerCore {
        let storage = InMemoryAccountStorage()
        _ = try await storage.createAccount(InstantMessaging.makeAccount(username: "juliet", password: "r0m30"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try ServerCore(
            configuration: ServerConfiguration(domain: domain, allowPlainWithoutTLS: plainWithoutTLS, tls: nil),
            storage: storage, logger: logger
        )
    }

    @Test func headerSplitAtEveryByteGetsHeaderAndFeatures() async throws {
        for split in stride(from: 1, to: Self.header.utf8.count, by: 7) {
            let harness = try await Harness(core: try await Self.core())
            let bytes = Array(Self.header.utf8)
            try await harness.send(String(decoding: bytes[..<split], as: UTF8.self))
            try await harness.send(String(decoding: bytes[split...], as: UTF8.self))
            let events = try await harness.events(2)
            guard case .streamStart(let header) = events[0], case .element(let features) = events[1] else {
                Issue.record("split \(split): \(events)")
                return
            }
            #expect(header[attribute: "from"] == Self.domain)
            #expect(header[attribute: "id"]?.isEmpty == false)
            #expect(features.child("mechanisms", namespace: Namespace.sasl) != nil)
        }
    }

    @Test func restrictedXMLWritesTheErrorAndClosesTheChannel() async throws {
        let harness = try await Harness(core: try await Self.core())
        try await harness.send(Self.header + "<!-- not allowed -->")
        _ = try await harness.events(2)
        let error = try await harness.element()
        #expect(StreamError(element: error)?.condition == .restrictedXML)
        try await harness.channel.closeFuture.get()
        #expect(harness.core.connectionCount == 0)
    }

    @Test func scramLoginAndBindThroughThePipeline() async throws {
        let harness = try await Harness(core: try await Self.core())
        try await harness.send(Self.header)
        _ = try await harness.events(2)
        var scram = SCRAMClient(algorithm: .sha256, username: "juliet", password: "r0m30")
        // The credential lookup is asynchronous; the handler holds input until it completes.
        try await harness.send(Element("auth", namespace: Namespace.sasl, ["mechanism": "SCRAM-SHA-256"],
                                       text: SASLBase64.encode(scram.clientFirstMessage())).serialized())
        let challenge = try await harness.element()
        #expect(challenge.name == "challenge")
        let final = try scram.clientFinalMessage(serverFirst: try SASLBase64.decode(challenge.text))
        try await harness.send(Element("response", namespace: Namespace.sasl, text: SASLBase64.encode(final)).serialized())
        let success = try await harness.element()
        #expect(success.name == "success")
        try scram.verifyServerFinal(try SASLBase64.decode(success.text))
        harness.parser.reset()
        // Restart, bind, and the session is registered.
        try await harness.send(Self.header)
        _ = try await harness.events(2)
        try await harness.send(IQ(type: .set, id: "b", payload: Element(name: "bind", namespace: Namespace.bind)).element.serialized())
        let bound = try await harness.element()
        let jid = try JID(try #require(bound.child("bind", namespace: Namespace.bind)?.child("jid", namespace: Namespace.bind)?.text))
        #expect(jid.bare == (try JID("juliet@example.com")))
        #expect(harness.core.sessions.session(jid) != nil)
        // Closing the channel unregisters the session.
        try await harness.channel.close()
        #expect(harness.core.sessions.session(jid) == nil)
    }

    @Test func pipelinedInputAfterAuthIsProcessedInOrder() async throws {
        let harness = try await Harness(core: try await Self.core(plainWithoutTLS: true))
        try await harness.send(Self.header)
        _ = try await harness.events(2)
        // PLAIN with a wrong password, then an immediate retry in the same read: the second waits
        // for the first's asynchronous lookup (RFC 6120 §10.1 in-order processing).
        let wrong = SASLBase64.encode(Array("\0juliet\0nope".utf8))
        let right = SASLBase64.encode(Array("\0juliet\0r0m30".utf8))
        try await harness.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>\(wrong)</auth><auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>\(right)</auth>")
        #expect(try await harness.element().name == "failure")
        #expect(try await harness.element().name == "success")
    }
}
