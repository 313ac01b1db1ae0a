import NIOCore
import NIOSSL
import XMPPCore
import XMPPStream

/// Everything the server needs to run, already validated and typed (StarlingApp builds it from the
/// YAML configuration).
public struct ServerConfiguration: Sendable {
    public enum StartTLS: Sendable, Equatable { case required, optional }

    public var domain: String
    public var c2sHost: String
    public var c2sPort: Int
    /// XEP-0368 direct TLS listener; nil = off.
    public var directTLSHost: String?
    public var directTLSPort: Int?
    public var startTLS: StartTLS
    public var allowPlainWithoutTLS: Bool
    /// nil: no TLS at all (tests only; STARTTLS is then not offered).
    public var tls: NIOSSLContext?
    public var streamLimits: XMLStreamLimits
    public var connectionLimits: ConnectionLimits.Configuration
    public var registrationEnabled: Bool
    public var admins: [JID]
    /// Idle sessions are pinged after this long without input (XEP-0199 §4.2) ...
    public var pingInterval: TimeAmount
    /// ... and closed with `<connection-timeout/>` when nothing arrives within this long after.
    public var pingTimeout: TimeAmount
    /// Streams not bound within this long are closed.
    public var negotiationTimeout: TimeAmount
    public var maximumResourcesPerAccount: Int
    public var softwareVersion: String

    public init(
        domain: String,
        c2sHost: String = "127.0.0.1",
        c2sPort: Int = 5222,
        directTLSHost: String? = nil,
        directTLSPort: Int? = nil,
        startTLS: StartTLS = .required,
        allowPlainWithoutTLS: Bool = false,
        tls: NIOSSLContext?,
        streamLimits: XMLStreamLimits = .init(),
        connectionLimits: ConnectionLimits.Configuration = .init(),
        registrationEnabled: Bool = false,
        admins: [JID] = [],
        pingInterval: TimeAmount = .seconds(300),
        pingTimeout: TimeAmount = .seconds(60),
        negotiationTimeout: TimeAmount = .seconds(30),
        maximumResourcesPerAccount: Int = 32,
        softwareVersion: String = "0.1.0"
    ) {
        self.domain = domain
        self.c2sHost = c2sHost
        self.c2sPort = c2sPort
        self.directTLSHost = directTLSHost
        self.directTLSPort = directTLSPort
        self.startTLS = startTLS
        self.allowPlainWithoutTLS = allowPlainWithoutTLS
        self.tls = tls
        self.streamLimits = streamLimits
        self.connectionLimits = connectionLimits
        self.registrationEnabled = registrationEnabled
        self.admins = admins
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.negotiationTimeout = negotiationTimeout
        self.maximumResourcesPerAccount = maximumResourcesPerAccount
        self.softwareVersion = softwareVersion
    }

    func stateMachineConfiguration() -> C2SStateMachine.Configuration {
        let policy: C2SStateMachine.Configuration.TLSPolicy
        if tls == nil {
            policy = .unavailable
        } else {
            policy = startTLS == .required ? .required : .optional
        }
        return .init(
            domain: domain, tls: policy, allowPlainWithoutTLS: allowPlainWithoutTLS,
            registrationEnabled: registrationEnabled
        )
    }
}
