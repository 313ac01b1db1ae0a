import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing
@testable import StarlingApp

/// `tls.key_exchange`: parsing, and that the listed groups are the only ones the server's TLS
/// context accepts (RFC 8446 §4.2.7: the server picks from the client's offer among its own groups).
@Suite struct TLSKeyExchangeTests {
    // MARK: - Parsing

    @Test func defaultIsTheLibraryList() throws {
        #expect(StarlingConfiguration.defaults.tls.keyExchange == nil)
        #expect(try StarlingConfiguration.parse(yaml: "tls:\n  key_exchange: ~\n").tls.keyExchange == nil)
    }

    @Test func listInOrder() throws {
        let config = try StarlingConfiguration.parse(yaml: "tls:\n  key_exchange: [x25519, p256]\n")
        #expect(config.tls.keyExchange == [.x25519, .p256])
        let all = try StarlingConfiguration.parse(
            yaml: "tls:\n  key_exchange:\n    - p521\n    - x25519_mlkem768\n    - p384\n    - x25519\n    - p256\n")
        #expect(all.tls.keyExchange == [.p521, .x25519MLKEM768, .p384, .x25519, .p256])
    }

    @Test func unknownNameIsNamedWithItsIndex() {
        let error = parseError("tls:\n  key_exchange: [x25519, x448]\n")
        #expect(error?.key == "tls.key_exchange[1]")
        #expect(error?.description
            == "tls.key_exchange[1]: expected 'x25519_mlkem768', 'x25519', 'p256', 'p384' or 'p521', got 'x448'")
    }

    @Test(arguments: [
        ("tls:\n  key_exchange: x25519\n", "tls.key_exchange"),
        ("tls:\n  key_exchange: []\n", "tls.key_exchange"),
        ("tls:\n  key_exchange: {x25519: 1}\n", "tls.key_exchange"),
        ("tls:\n  key_exchange: [X25519]\n", "tls.key_exchange[0]"),
        ("tls:\n  key_exchange: [[x25519]]\n", "tls.key_exchange[0]"),
        ("tls:\n  key_exchange: [x25519, p256, x25519]\n", "tls.key_exchange[2]"),
        ("tls:\n  key_exchang: [x25519]\n", "tls.key_exchang"),
    ])
    func errorNamesKey(yaml: String, key: String) {
        let error = parseError(yaml)
        #expect(error?.key == key, "\(yaml) -> \(error.map(String.init(describing:)) ?? "no error")")
    }

    // MARK: - The TLS context

    @Test func serverAcceptsOnlyTheConfiguredGroups() throws {
        let restricted = try serverContext(keyExchange: [.x25519])
        // A client offering the hybrid first still connects: the server picks X25519 from its offer.
        #expect(try handshake(server: restricted, clientGroups: [.x25519_MLKEM768, .x25519]))
        // Offering only a group the server does not list fails, so the list is what is enforced.
        #expect(try !handshake(server: restricted, clientGroups: [.x25519_MLKEM768]))
        // The default keeps the post-quantum hybrid.
        #expect(try handshake(server: serverContext(keyExchange: nil), clientGroups: [.x25519_MLKEM768]))
    }

    private func serverContext(keyExchange: [StarlingConfiguration.TLS.KeyExchangeGroup]?) throws -> NIOSSLContext {
        let dataDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-kex-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var configuration = StarlingConfiguration.defaults
        configuration.dataDirectory = dataDir
        configuration.tls.keyExchange = keyExchange
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try StarlingService(configuration: configuration, logger: logger).makeTLSContext()
    }

    /// Runs a TLS handshake between two in-memory channels; true if application data then
    /// reaches the server.
    private func handshake(server context: NIOSSLContext, clientGroups: [NIOTLSCurve]) throws -> Bool {
        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.certificateVerification = .none
        clientConfiguration.curves = clientGroups
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        defer {
            // A TLS close waits for the peer's close_notify or NIOSSL's shutdown timeout; the
            // embedded loops only run that timer when their clock is advanced (finish() alone
            // would wait forever).
            client.close(promise: nil)
            server.close(promise: nil)
            client.embeddedEventLoop.advanceTime(by: .seconds(60))
            server.embeddedEventLoop.advanceTime(by: .seconds(60))
        }
        try client.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: NIOSSLContext(configuration: clientConfiguration), serverHostname: nil))
        try server.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5222)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
        // Held by the TLS handler until the handshake completes.
        client.writeAndFlush(ByteBuffer(string: "ping"), promise: nil)
        do {
            for _ in 0..<10 {
                var moved = false
                while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                    try server.writeInbound(bytes)
                    moved = true
                }
                while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                    try client.writeInbound(bytes)
                    moved = true
                }
                if !moved { break }
            }
        } catch {
            return false
        }
        return try server.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "ping")
    }

    private func parseError(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try StarlingConfiguration.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }
}
