import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import XMPPCore
import XMPPTestSupport
@testable import StarlingApp

/// The whole broker as `starling serve` runs it: configuration, generated certificate, embedded
/// store, STARTTLS and XEP-0368 direct TLS listeners, graceful shutdown.
@Suite struct StarlingServiceTests {
    static func configuration(dataDir: String) -> StarlingConfiguration {
        var configuration = StarlingConfiguration.defaults
        configuration.dataDirectory = dataDir
        configuration.storage.path = dataDir + "/starling.sqlite"
        configuration.c2s.listen = SocketAddressSpec(host: "127.0.0.1", port: 0)
        configuration.c2s.directTLSListen = SocketAddressSpec(host: "127.0.0.1", port: 0)
        configuration.log.level = .critical
        return configuration
    }

    /// Runs the service in a ServiceGroup until `body` returns, then triggers graceful shutdown.
    static func withService(_ configuration: StarlingConfiguration,
                            _ body: @Sendable ([SocketAddress]) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let started = Mutex<[SocketAddress]?>(nil)
        let service = StarlingService(configuration: configuration, logger: logger) { addresses in
            started.withLock { $0 = addresses }
        }
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var addresses: [SocketAddress]?
            for _ in 0..<2000 {
                addresses = started.withLock { $0 }
                if addresses != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let addresses else { throw TestClient.ClientError.timeout("the service to start") }
            do {
                try await body(addresses)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "starling-service-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func startTLSAndDirectTLSLoginWithGeneratedCertificate() async throws {
        let dataDir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = Self.configuration(dataDir: dataDir)
        try await UserAdministration(configuration: configuration, logger: Logger(label: "test"))
            .add("juliet", password: "balcony")
        try await Self.withService(configuration) { addresses in
            #expect(addresses.count == 2)
            // STARTTLS (RFC 6120 §5): required, so features offer only <starttls><required/>.
            let client = try await TestClient.connect(port: addresses[0].port ?? 0)
            let features = try await client.open(domain: "localhost")
            #expect(features.child("starttls", namespace: Namespace.tls)?.child("required", namespace: Namespace.tls) != nil)
            #expect(features.child("mechanisms", namespace: Namespace.sasl) == nil)
            try await client.send(Element(name: "starttls", namespace: Namespace.tls))
            #expect(try await client.nextElement("proceed").name == "proceed")
            try await client.startTLS(serverHostname: "localhost")
            let secured = try await client.open(domain: "localhost")
            let mechanisms = secured.child("mechanisms", namespace: Namespace.sasl)?.elements.map(\.text) ?? []
            #expect(mechanisms.contains("PLAIN"))  // PLAIN only once TLS is up
            try await client.authenticate(username: "juliet", password: "balcony", algorithm: .sha1)
            _ = try await client.open(domain: "localhost")
            #expect(try await client.bind(resource: "tls").description == "juliet@localhost/tls")
            #expect(try await client.isEncrypted())

            // XEP-0368: TLS from the first byte; SASL offered at once.
            let direct = try await TestClient.connect(port: addresses[1].port ?? 0, directTLS: true)
            let directFeatures = try await direct.open(domain: "localhost")
            #expect(directFeatures.child("starttls", namespace: Namespace.tls) == nil)
            try await direct.authenticate(username: "juliet", password: "balcony")
            _ = try await direct.open(domain: "localhost")
            #expect(try await direct.bind(resource: "direct").resourcepart == "direct")

            // A wrong password is not-authorized (RFC 6120 §6.5.10).
            let intruder = try await TestClient.connect(port: addresses[1].port ?? 0, directTLS: true)
            _ = try await intruder.open(domain: "localhost")
            await #expect(throws: TestClient.ClientError.self) {
                try await intruder.authenticate(username: "juliet", password: "nightingale")
            }
            #expect(intruder.received.contains("<not-authorized"))
            for c in [client, direct, intruder] { await c.close() }
        }
        // The certificate was generated under the data directory on first start.
        #expect(FileManager.default.fileExists(atPath: dataDir + "/tls/localhost.crt"))
    }

    @Test func plainIsRefusedWithoutTLSWhenStartTLSIsRequired() async throws {
        let dataDir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = Self.configuration(dataDir: dataDir)
        try await Self.withService(configuration) { addresses in
            let client = try await TestClient.connect(port: addresses[0].port ?? 0)
            _ = try await client.open(domain: "localhost")
            try await client.send(Element("auth", namespace: Namespace.sasl, ["mechanism": "PLAIN"], text: "AGp1bGlldABiYWxjb255"))
            let failure = try await client.nextElement("SASL failure")
            #expect(failure.name == "failure")
            #expect(failure.elements.first?.name == "encryption-required")
            await client.close()
        }
    }

    @Test func gracefulShutdownSendsSystemShutdownAndKeepsAccounts() async throws {
        let dataDir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let configuration = Self.configuration(dataDir: dataDir)
        let admin = UserAdministration(configuration: configuration, logger: Logger(label: "test"))
        try await admin.add("romeo", password: "montague")
        let client = Mutex<TestClient?>(nil)
        try await Self.withService(configuration) { addresses in
            let c = try await TestClient.connect(port: addresses[1].port ?? 0, directTLS: true)
            _ = try await c.open(domain: "localhost")
            client.withLock { $0 = c }
        }
        let c = try #require(client.withLock { $0 })
        try await c.waitForClose()
        #expect(c.received.contains("<system-shutdown"))
        #expect(try await admin.list() == ["romeo"])
    }
}
