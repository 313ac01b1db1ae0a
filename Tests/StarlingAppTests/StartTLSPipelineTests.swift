import Accounts
import Logging
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing
import XMPPCore
import XMPPStream
@testable import StarlingApp
@testable import XMPPServer

/// RFC 6120 §5.4.3.3: TLS starts right after `<proceed/>`, and nothing the client sent before the
/// handshake may be acted on afterwards (the STARTTLS command-injection class of bugs).
@Suite struct StartTLSPipelineTests {
    @Test func plaintextPipelinedAfterStartTLSIsDiscarded() async throws {
        let pem = try SelfSignedCertificate.generate(domain: "example.com")
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(pem.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pem.privateKeyPEM.utf8), format: .pem))
        ))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let core = try ServerCore(configuration: ServerConfiguration(domain: "example.com", tls: tls),
                                  storage: InMemoryAccountStorage(), logger: logger)
        let channel = NIOAsyncTestingChannel()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(C2SHandler(core: core, remoteIP: "192.0.2.7", directTLS: false))
        }.get()
        try await channel.connect(to: try SocketAddress(ipAddress: "192.0.2.7", port: 5222)).get()

        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        try await channel.writeInbound(ByteBuffer(string: "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"))
        while events.count < 2 { try parser.feed(try await channel.waitForOutboundWrite(as: ByteBuffer.self), into: &events) }
        // <starttls/> and an injected stanza in one TCP segment.
        try await channel.writeInbound(ByteBuffer(string: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><iq type='get' id='evil'><ping xmlns='urn:xmpp:ping'/></iq>"))
        events.removeAll()
        while events.isEmpty { try parser.feed(try await channel.waitForOutboundWrite(as: ByteBuffer.self), into: &events) }
        guard case .element(let proceed) = events.first else { throw TestFailure("no proceed") }
        #expect(proceed.name == "proceed")
        #expect(events.count == 1)
        let hasTLS = try await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)) != nil
        }.get()
        #expect(hasTLS)
        // Nothing answers the injected IQ: the next bytes out, if any, would be TLS, and there are none.
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try? await channel.finish()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
