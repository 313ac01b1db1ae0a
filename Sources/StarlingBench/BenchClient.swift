import Accounts
import NIOCore
import NIOPosix
import NIOSSL

/// Opens and closes XMPP sessions against one server; every outcome lands in `counters`.
struct BenchClient: Sendable {
    let group: MultiThreadedEventLoopGroup
    let address: SocketAddress
    let counters = BenchCounters()
    private let target: TargetSnapshot
    private let tls: NIOSSLContext

    /// The `TargetOptions` fields a session needs, captured once (option groups are not Sendable).
    private struct TargetSnapshot: Sendable {
        var domain: String
        var sessionTimeout: Int
        var algorithm: SCRAMCredentials.Algorithm?
        var scheme: CredentialScheme
    }

    init(target: TargetOptions) throws {
        address = try target.loopbackAddress()
        group = MultiThreadedEventLoopGroup(numberOfThreads: target.threads)
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Benchmarks run against throwaway self-signed certificates on loopback.
        configuration.certificateVerification = .none
        tls = try NIOSSLContext(configuration: configuration)
        self.target = TargetSnapshot(
            domain: target.domain, sessionTimeout: target.sessionTimeout,
            algorithm: target.preferredAlgorithm, scheme: target.credentialScheme)
    }

    /// Connects session `index` and returns once its resource is bound; throws (and counts a
    /// failure) otherwise. `configure` adds the scenario's handlers behind the login handler (on
    /// the channel's event loop), so they see the stanzas of the established session.
    func open(session index: Int, configure: (@Sendable (Channel) throws -> Void)? = nil) async throws -> Channel {
        counters.started.add(1, ordering: .relaxed)
        let loop = group.next()
        let established = loop.makePromise(of: Void.self)
        let parameters = LoginHandler.Parameters(
            domain: target.domain, credentials: target.scheme.credentials(forSession: index),
            preferredAlgorithm: target.algorithm, tls: tls,
            timeout: .seconds(Int64(target.sessionTimeout)))
        let counters = self.counters
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(Int64(target.sessionTimeout)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            LoginHandler(parameters: parameters, established: established, counters: counters))
                        try configure?(channel)
                    }
                }
                .connect(to: address)
                .get()
            do {
                try await established.futureResult.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
            counters.established.add(1, ordering: .relaxed)
            return channel
        } catch {
            established.fail(error)
            counters.recordFailure(error)
            throw error
        }
    }

    /// Ends the session's stream (RFC 6120 §4.4) and waits until the connection is closed.
    func close(_ channel: Channel) async {
        channel.pipeline.fireUserInboundEventTriggered(CloseRequest())
        try? await channel.closeFuture.get()
        counters.closed.add(1, ordering: .relaxed)
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
