import Logging
import XMPPCore

/// Everything an operator can set in `starling.yml`: one YAML file, every key optional, strictly
/// validated (an unknown key or a bad value stops the server with a ``ConfigurationError`` naming
/// the key path). The reference table is docs/CONFIGURATION.md; `ops/starling.example.yml` lists
/// every key at its default and is checked against ``defaults`` by the tests.
///
/// Values are already validated and normalized: `domain` is a normalized JID domainpart
/// (RFC 7622 §3.2), `admins` are bare JIDs, listen addresses are parsed, and keys whose default
/// depends on another key (`storage.path`, `pubsub.jid`) hold their resolved value.
public struct StarlingConfiguration: Sendable, Equatable {
    /// `domain`: the XMPP domain this server is authoritative for (RFC 6120 §2.1), normalized.
    public var domain: String
    /// `c2s.*`: client-to-server listeners and per-connection policy.
    public var c2s: C2S
    /// `tls.*`: the certificate served on STARTTLS and direct TLS.
    public var tls: TLS
    /// `storage.*`: where accounts, nodes and items are kept.
    public var storage: Storage
    /// `data_dir`: where generated certificates and the embedded database live by default.
    public var dataDirectory: String
    /// `registration.*`: XEP-0077 in-band registration.
    public var registration: Registration
    /// `admins`: bare JIDs with server-wide administrator rights.
    public var admins: [JID]
    /// `http.*`: the HTTP listener (health, metrics, XEP-0363 uploads, RFC 7395 WebSocket).
    public var http: HTTP
    /// `pubsub.*`: the XEP-0060 service.
    public var pubsub: PubSub
    /// `limits.*`: per-stream parser limits (RFC 6120 §13.12).
    public var limits: Limits
    /// `log.*`: logging.
    public var log: Log
    /// `bridges`: MQTT broker connections and their topic ↔ node mappings (docs/BRIDGE.md).
    public var bridges: [Bridge]

    public init(
        domain: String,
        c2s: C2S,
        tls: TLS,
        storage: Storage,
        dataDirectory: String,
        registration: Registration,
        admins: [JID],
        http: HTTP,
        pubsub: PubSub,
        limits: Limits,
        log: Log,
        bridges: [Bridge] = []
    ) {
        self.domain = domain
        self.c2s = c2s
        self.tls = tls
        self.storage = storage
        self.dataDirectory = dataDirectory
        self.registration = registration
        self.admins = admins
        self.http = http
        self.pubsub = pubsub
        self.limits = limits
        self.log = log
        self.bridges = bridges
    }

    /// What `starling serve` uses without a configuration file. Identical to parsing an empty
    /// document, and to parsing `ops/starling.example.yml`.
    public static let defaults = StarlingConfiguration(
        domain: "localhost",
        c2s: C2S(),
        tls: TLS(),
        storage: Storage(),
        dataDirectory: "data",
        registration: Registration(),
        admins: [],
        http: HTTP(),
        pubsub: PubSub(jid: "pubsub.localhost"),
        limits: Limits(),
        log: Log()
    )
}

// MARK: - Sections

extension StarlingConfiguration {
    /// `c2s.*`: client connections (RFC 6120 §4–§7; direct TLS per XEP-0368).
    public struct C2S: Sendable, Equatable {
        /// `c2s.starttls`: whether a client may skip STARTTLS (RFC 6120 §5.3.1 lets the server
        /// declare it mandatory-to-negotiate with `<required/>`).
        public enum StartTLSPolicy: String, Sendable, Equatable, CaseIterable {
            /// STARTTLS is offered with `<required/>`; nothing else is offered before TLS.
            case required
            /// STARTTLS is offered; a client may continue in plain text.
            case optional
        }

        /// `c2s.listen` ("127.0.0.1:5222"): the plain-TCP listener that offers STARTTLS.
        public var listen: SocketAddressSpec
        /// `c2s.starttls` (required).
        public var starttls: StartTLSPolicy
        /// `c2s.direct_tls_listen` (nil = off): a listener where TLS starts at once (XEP-0368).
        public var directTLSListen: SocketAddressSpec?
        /// `c2s.allow_plain_without_tls` (false): offer SASL PLAIN on unencrypted streams.
        /// Only matters with `starttls: optional`.
        public var allowPlainWithoutTLS: Bool
        /// `c2s.max_connections_per_ip` (100).
        public var maxConnectionsPerIP: Int
        /// `c2s.login_attempts_per_minute_per_ip` (10): failed logins per IP per minute before
        /// further attempts are throttled.
        public var loginAttemptsPerMinutePerIP: Int
        /// `c2s.ping_interval_seconds` (300): an idle session gets an XEP-0199 ping after this.
        public var pingIntervalSeconds: Int
        /// `c2s.ping_timeout_seconds` (60): how long a ping may go unanswered before the session
        /// is closed with `<connection-timeout/>` (RFC 6120 §4.9.3.4).
        public var pingTimeoutSeconds: Int
        /// `c2s.negotiation_timeout_seconds` (30): time from TCP accept to a bound resource.
        public var negotiationTimeoutSeconds: Int

        public init(
            listen: SocketAddressSpec = SocketAddressSpec(host: "127.0.0.1", port: 5222),
            starttls: StartTLSPolicy = .required,
            directTLSListen: SocketAddressSpec? = nil,
            allowPlainWithoutTLS: Bool = false,
            maxConnectionsPerIP: Int = 100,
            loginAttemptsPerMinutePerIP: Int = 10,
            pingIntervalSeconds: Int = 300,
            pingTimeoutSeconds: Int = 60,
            negotiationTimeoutSeconds: Int = 30
        ) {
            self.listen = listen
            self.starttls = starttls
            self.directTLSListen = directTLSListen
            self.allowPlainWithoutTLS = allowPlainWithoutTLS
            self.maxConnectionsPerIP = maxConnectionsPerIP
            self.loginAttemptsPerMinutePerIP = loginAttemptsPerMinutePerIP
            self.pingIntervalSeconds = pingIntervalSeconds
            self.pingTimeoutSeconds = pingTimeoutSeconds
            self.negotiationTimeoutSeconds = negotiationTimeoutSeconds
        }
    }

    /// `tls.*`: the server certificate (RFC 6120 §13.7.1). Both nil means a self-signed
    /// certificate generated under `data_dir/tls/` on first start (``SelfSignedCertificate``).
    public struct TLS: Sendable, Equatable {
        /// `tls.certificate` (nil): PEM certificate chain file, leaf first.
        public var certificatePath: String?
        /// `tls.key` (nil): PEM private key file for the certificate.
        public var keyPath: String?
        /// `tls.key_exchange` (nil): the (EC)DHE/KEM groups offered for the TLS key exchange, most
        /// preferred first (RFC 8446 §4.2.7). Nil keeps the TLS library's built-in list, which puts
        /// the post-quantum hybrid X25519MLKEM768 first.
        public var keyExchange: [KeyExchangeGroup]?

        public init(certificatePath: String? = nil, keyPath: String? = nil, keyExchange: [KeyExchangeGroup]? = nil) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.keyExchange = keyExchange
        }

        /// A TLS named group (RFC 8446 §4.2.7, IANA "TLS Supported Groups"), by the name used in
        /// `starling.yml`.
        public enum KeyExchangeGroup: String, Sendable, Equatable, CaseIterable {
            /// X25519 with ML-KEM-768, the post-quantum hybrid (draft-ietf-tls-ecdhe-mlkem), 0x11EC.
            case x25519MLKEM768 = "x25519_mlkem768"
            /// X25519 (RFC 7748), 0x001D.
            case x25519
            /// secp256r1, 0x0017.
            case p256
            /// secp384r1, 0x0018.
            case p384
            /// secp521r1, 0x0019.
            case p521
        }
    }

    /// `storage.*`: the store backend.
    public struct Storage: Sendable, Equatable {
        /// `storage.kind`.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// The embedded SQLite database at ``Storage/path``.
            case sqlite
            /// PostgreSQL at ``Storage/url``.
            case postgres
        }

        /// `storage.kind` (sqlite).
        public var kind: Kind
        /// `storage.path` (`<data_dir>/starling.sqlite`, so "data/starling.sqlite"): the SQLite
        /// file; relative paths are relative to the current directory.
        public var path: String
        /// `storage.url` (nil; required when `kind` is postgres): a `postgres://` URL.
        public var url: String?

        public init(kind: Kind = .sqlite, path: String = "data/starling.sqlite", url: String? = nil) {
            self.kind = kind
            self.path = path
            self.url = url
        }
    }

    /// `registration.*`: XEP-0077 in-band registration.
    public struct Registration: Sendable, Equatable {
        /// `registration.enabled` (false).
        public var enabled: Bool
        /// `registration.attempts_per_hour_per_ip` (5): registrations an IP may attempt per hour.
        public var attemptsPerHourPerIP: Int

        public init(enabled: Bool = false, attemptsPerHourPerIP: Int = 5) {
            self.enabled = enabled
            self.attemptsPerHourPerIP = attemptsPerHourPerIP
        }
    }

    /// `http.*`: the HTTP listener.
    public struct HTTP: Sendable, Equatable {
        /// `http.listen` (nil = off).
        public var listen: SocketAddressSpec?

        public init(listen: SocketAddressSpec? = nil) {
            self.listen = listen
        }
    }

    /// `pubsub.*`: the XEP-0060 service.
    public struct PubSub: Sendable, Equatable {
        /// `pubsub.jid` ("pubsub." + domain): the service's domain JID, normalized
        /// (XEP-0060 §4.6 addresses a service by a JID; ours has no localpart).
        public var jid: String
        /// `pubsub.node_creation` (any_local_user): who may create nodes — any local user, or only
        /// the `admins` (XEP-0060 §8.1 lets a service restrict creation).
        public var nodeCreation: NodeCreation
        /// `pubsub.expiry_interval_seconds` (60): how often items past their node's `pubsub#item_expire`
        /// are removed; an expired item disappears within this delay.
        public var expiryIntervalSeconds: Int

        public enum NodeCreation: String, Sendable, Equatable, CaseIterable {
            case anyLocalUser = "any_local_user"
            case admins
        }

        public init(jid: String, nodeCreation: NodeCreation = .anyLocalUser, expiryIntervalSeconds: Int = 60) {
            self.jid = jid
            self.nodeCreation = nodeCreation
            self.expiryIntervalSeconds = expiryIntervalSeconds
        }
    }

    /// `limits.*`: bounds the XML stream parser enforces per stanza (RFC 6120 §13.12); exceeding
    /// one closes the stream with `<policy-violation/>` (RFC 6120 §4.9.3.14).
    public struct Limits: Sendable, Equatable {
        /// `limits.max_stanza_bytes` (262144): bytes in one top-level stream element.
        public var maxStanzaBytes: Int
        /// `limits.max_depth` (32): element nesting depth within a stanza.
        public var maxDepth: Int
        /// `limits.max_attributes` (64): attributes on one element.
        public var maxAttributes: Int
        /// `limits.max_resources_per_account` (32): concurrent sessions of one account; one more
        /// bind gets `<resource-constraint/>` (RFC 6120 §7.6.2.1).
        public var maxResourcesPerAccount: Int

        public init(maxStanzaBytes: Int = 262_144, maxDepth: Int = 32, maxAttributes: Int = 64,
                    maxResourcesPerAccount: Int = 32) {
            self.maxStanzaBytes = maxStanzaBytes
            self.maxDepth = maxDepth
            self.maxAttributes = maxAttributes
            self.maxResourcesPerAccount = maxResourcesPerAccount
        }
    }

    /// `log.*`: logging.
    public struct Log: Sendable, Equatable {
        /// `log.level` (info): one of swift-log's levels, by name
        /// (trace, debug, info, notice, warning, error, critical).
        public var level: Logger.Level

        public init(level: Logger.Level = .info) {
            self.level = level
        }
    }
}
