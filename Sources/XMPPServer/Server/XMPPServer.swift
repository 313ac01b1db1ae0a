import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import XMPPCore

/// The listening side: a c2s listener (STARTTLS, RFC 6120 §5) and optionally a direct-TLS listener
/// (XEP-0368), each connection running a `C2SHandler` on its event loop.
public final class XMPPServer: Sendable {
    public let core: ServerCore
    private let group: EventLoopGroup
    private let logger: Logger
    private let listeners = Mutex<[Channel]>([])

    public init(core: ServerCore, group: EventLoopGroup, logger: Logger) {
        self.core = core
        self.group = group
        self.logger = logger
    }

    /// Binds the listeners; returns their local addresses (port 0 in the configuration picks a free port).
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        let configuration = core.configuration
        var bound: [SocketAddress] = []
        let plain = try await listen(host: configuration.c2sHost, port: configuration.c2sPort, directTLS: nil)
        bound.append(plain)
        if let host = configuration.directTLSHost, let port = configuration.directTLSPort {
            guard let tls = configuration.tls else {
                throw ServerStartError(message: "direct TLS listener needs a TLS certificate")
            }
            bound.append(try await listen(host: host, port: port, directTLS: tls))
        }
        return bound
    }

    private func listen(host: String, port: Int, directTLS: NIOSSLContext?) async throws -> SocketAddress {
        let core = self.core
        let logger = self.logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer { channel in
                let ip = channel.remoteAddress?.ipAddress ?? "unknown"
                guard core.connectionOpened(ip: ip, channel: channel) else {
                    logger.notice("connection refused: per-IP limit", metadata: ["peer": "\(ip)"])
                    return channel.close()
                }
                do {
                    let sync = channel.pipeline.syncOperations
                    if let directTLS {
                        try sync.addHandler(NIOSSLServerHandler(context: directTLS))
                    }
                    try sync.addHandler(C2SHandler(core: core, remoteIP: ip, directTLS: directTLS != nil))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: host, port: port)
            .get()
        listeners.withLock { $0.append(channel) }
        guard let address = channel.localAddress else {
            throw ServerStartError(message: "listener on \(host):\(port) has no local address")
        }
        logger.info("listening", metadata: ["address": "\(address)", "tls": "\(directTLS != nil ? "direct" : "starttls")"])
        return address
    }

    /// Stops accepting, sends `<system-shutdown/>` to every stream (RFC 6120 §4.9.3.19) and waits
    /// for the connections to close.
    public func shutdown() async {
        let channels = listeners.withLock { all in
            defer { all.removeAll() }
            return all
        }
        for channel in channels { try? await channel.close() }
        await core.closeAll(with: StreamError(.systemShutdown))
    }
}

public struct ServerStartError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
