import Accounts
import Logging
import MQTTBridge
import NIOCore
import NIOPosix
import NIOSSL
import PubSub
import ServiceLifecycle
import XMPPCore
import XMPPServer
import XMPPStream

/// The broker as one lifecycle service: opens storage, prepares TLS, starts the listeners, and on
/// graceful shutdown (SIGTERM/SIGINT through `ServiceGroup`) sends `<system-shutdown/>` to every
/// stream, then flushes and closes storage.
public final class StarlingService: Service {
    public let configuration: StarlingConfiguration
    private let logger: Logger
    private let group: EventLoopGroup
    /// Called with the bound listener addresses once serving (tests use it to learn the port).
    private let onStarted: @Sendable ([SocketAddress]) -> Void

    public init(
        configuration: StarlingConfiguration,
        logger: Logger,
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onStarted: @escaping @Sendable ([SocketAddress]) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
        self.onStarted = onStarted
    }

    public func run() async throws {
        XMLStreamParser.initializeLibrary()
        let storage = try await StorageFactory.open(configuration, logger: logger)
        do {
            let core = try ServerCore(configuration: try serverConfiguration(), storage: storage.accounts, logger: logger)
            let pubsub = try makePubSubService(storage)
            // The MQTT bridge (issue 5): its rules decide the outbound copies inside each publish.
            let bridges = try makeBridges(pubsub: pubsub, storage: storage)
            if let forwarder = bridges.forwarder { await pubsub.setForwarder(forwarder) }
            core.register(component: PubSubComponent(domain: pubsub.jid, service: pubsub, logger: logger))
            core.register(presenceObserver: PubSubPresenceObserver(service: pubsub, logger: logger))
            let server = XMPPServer(core: core, group: group, logger: logger)
            let expiryInterval = Duration.seconds(configuration.pubsub.expiryIntervalSeconds)
            let logger = self.logger
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { await PubSubNotifier(service: pubsub, core: core, logger: logger).run() }
                for bridge in bridges.connections {
                    tasks.addTask { await bridge.run() }
                }
                tasks.addTask {
                    // XEP-0060 pubsub#item_expire, enforced by the server: swept every interval.
                    while !Task.isCancelled {
                        // Cancellation (at shutdown) ends the loop; it is not a service failure.
                        guard (try? await Task.sleep(for: expiryInterval)) != nil else { return }
                        do {
                            let removed = try await pubsub.expireItems()
                            if removed > 0 { logger.debug("expired \(removed) items") }
                        } catch {
                            logger.error("item expiry failed: \(error)")
                        }
                    }
                }
                let addresses = try await server.start()
                logger.info("Starling serving", metadata: ["domain": "\(configuration.domain)", "pubsub": "\(pubsub.jid)"])
                onStarted(addresses)
                // Returns when graceful shutdown begins (or throws on cancellation).
                try? await gracefulShutdown()
                logger.info("shutting down")
                await server.shutdown()
                await pubsub.finishEvents()
                tasks.cancelAll()
            }
        } catch {
            try? await storage.close()
            throw error
        }
        try await storage.close()
        logger.info("stopped")
    }

    func makePubSubService(_ storage: StorageFactory.Storage) throws -> PubSubService {
        let jid = try JID(localpart: nil, domainpart: configuration.pubsub.jid)
        let policy: CreationPolicy = switch configuration.pubsub.nodeCreation {
        case .anyLocalUser: .anyLocalUser(domain: configuration.domain)
        case .admins: .admins(configuration.admins)
        }
        return PubSubService(
            jid: jid,
            // Nodes and affiliations from memory: the reads of every publish (one writer, this process).
            store: CachingPubSubStore(storage.pubsub),
            configuration: PubSubServiceConfiguration(creationPolicy: policy),
            rosterLookup: StoreRosterLookup(domain: configuration.domain, rosters: storage.accounts, logger: logger)
        )
    }

    func makeBridges(pubsub: PubSubService, storage: StorageFactory.Storage) throws
        -> (connections: [BridgeConnection], forwarder: BridgeForwarder?)
    {
        guard !configuration.bridges.isEmpty else { return ([], nil) }
        MQTTClient.initializeLibrary()
        let made = try BridgeFactory.make(
            configuration.bridges, service: pubsub, store: storage.pubsub,
            serviceDefaults: PubSubServiceConfiguration(creationPolicy: .systemOnly).defaultConfiguration,
            logger: logger)
        return (made.connections, made.forwarder)
    }

    func serverConfiguration() throws -> ServerConfiguration {
        let c2s = configuration.c2s
        let tls = try makeTLSContext()
        return ServerConfiguration(
            domain: configuration.domain,
            c2sHost: c2s.listen.host,
            c2sPort: c2s.listen.port,
            directTLSHost: c2s.directTLSListen?.host,
            directTLSPort: c2s.directTLSListen?.port,
            startTLS: c2s.starttls == .required ? .required : .optional,
            allowPlainWithoutTLS: c2s.allowPlainWithoutTLS,
            tls: tls,
            streamLimits: XMLStreamLimits(
                maxStanzaBytes: configuration.limits.maxStanzaBytes,
                maxDepth: configuration.limits.maxDepth,
                maxAttributes: configuration.limits.maxAttributes
            ),
            connectionLimits: .init(
                maxConnectionsPerIP: c2s.maxConnectionsPerIP,
                failedLoginsPerMinutePerIP: c2s.loginAttemptsPerMinutePerIP,
                registrationsPerHourPerIP: configuration.registration.attemptsPerHourPerIP
            ),
            registrationEnabled: configuration.registration.enabled,
            admins: configuration.admins,
            pingInterval: .seconds(Int64(c2s.pingIntervalSeconds)),
            pingTimeout: .seconds(Int64(c2s.pingTimeoutSeconds)),
            negotiationTimeout: .seconds(Int64(c2s.negotiationTimeoutSeconds)),
            maximumResourcesPerAccount: configuration.limits.maxResourcesPerAccount,
            softwareVersion: StarlingVersion.current
        )
    }

    /// The configured certificate, or a self-signed one generated under the data directory.
    func makeTLSContext() throws -> NIOSSLContext {
        let pem = try SelfSignedCertificate.loadOrCreate(
            certificatePath: configuration.tls.certificatePath,
            keyPath: configuration.tls.keyPath,
            dataDir: configuration.dataDirectory,
            domain: configuration.domain
        )
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(pem.certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(pem.privateKeyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        tls.minimumTLSVersion = .tlsv12
        // nil keeps NIOSSL's default order (X25519MLKEM768 first).
        tls.curves = configuration.tls.keyExchange?.map(\.curve)
        return try NIOSSLContext(configuration: tls)
    }
}

extension StarlingConfiguration.TLS.KeyExchangeGroup {
    /// The NIOSSL (BoringSSL) group with this IANA code point.
    var curve: NIOTLSCurve {
        switch self {
        case .x25519MLKEM768: .x25519_MLKEM768
        case .x25519: .x25519
        case .p256: .secp256r1
        case .p384: .secp384r1
        case .p521: .secp521r1
        }
    }
}

public enum StarlingVersion {
    public static let current = "0.1.0"
}
