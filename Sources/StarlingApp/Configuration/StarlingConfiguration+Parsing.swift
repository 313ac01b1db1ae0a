import Foundation
import Logging
import XMPPCore
import Yams

// The YAML schema lives here, one function per section. Each section takes all of its keys,
// rejects unknown ones, then validates values, so a typo is reported before a value it hides.

extension StarlingConfiguration {
    /// Reads and validates the YAML file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> StarlingConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "", message: "cannot read configuration file '\(path)': \(error.localizedDescription)")
        }
        return try parse(yaml: text)
    }

    /// Validates a YAML document. An empty document is ``defaults``.
    public static func parse(yaml: String) throws(ConfigurationError) -> StarlingConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            // An unquoted `[::1]:5222` is read as the start of a YAML list and fails here, before
            // any key is known; the likely cause is worth saying.
            let text = "\(error)"
            let hint = text.contains("flow") ? "\n(an IPv6 address must be quoted: \"[::1]:5222\")" : ""
            throw ConfigurationError(key: "", message: "not valid YAML: \(text)\(hint)")
        }
        var top = try MappingReader(root, path: "")
        let domainNode = top.take("domain")
        let c2sNode = top.take("c2s")
        let tlsNode = top.take("tls")
        let storageNode = top.take("storage")
        let dataDirNode = top.take("data_dir")
        let registrationNode = top.take("registration")
        let adminsNode = top.take("admins")
        let httpNode = top.take("http")
        let pubsubNode = top.take("pubsub")
        let limitsNode = top.take("limits")
        let logNode = top.take("log")
        let bridgesNode = top.take("bridges")
        try top.finish()

        let domain = try parseDomain(domainNode)
        let dataDirectory = try nonEmptyString(dataDirNode, key: "data_dir") ?? defaults.dataDirectory
        let c2s = try parseC2S(c2sNode)
        let http = try parseHTTP(httpNode)
        if let httpListen = http.listen, httpListen == c2s.listen || httpListen == c2s.directTLSListen {
            throw ConfigurationError(key: "http.listen", message: "\(httpListen) is already used by a c2s listener")
        }
        return StarlingConfiguration(
            domain: domain,
            c2s: c2s,
            tls: try parseTLS(tlsNode),
            storage: try parseStorage(storageNode, dataDirectory: dataDirectory),
            dataDirectory: dataDirectory,
            registration: try parseRegistration(registrationNode),
            admins: try parseAdmins(adminsNode),
            http: http,
            pubsub: try parsePubSub(pubsubNode, domain: domain),
            limits: try parseLimits(limitsNode),
            log: try parseLog(logNode),
            bridges: try parseBridges(bridgesNode, domain: domain)
        )
    }

    // MARK: - Sections

    /// RFC 7622 §3.2: the domainpart, normalized (lower-cased, NFC, trailing dot removed).
    private static func parseDomain(_ node: Node?) throws(ConfigurationError) -> String {
        guard let raw = try nonEmptyString(node, key: "domain") else { return defaults.domain }
        do {
            return try JID(localpart: nil, domainpart: raw).domainpart
        } catch {
            throw ConfigurationError(key: "domain", message: "'\(raw)' is not a valid XMPP domain: \(error)")
        }
    }

    private static func parseC2S(_ node: Node?) throws(ConfigurationError) -> C2S {
        var section = try MappingReader(node, path: "c2s")
        let listen = section.take("listen")
        let starttls = section.take("starttls")
        let directTLS = section.take("direct_tls_listen")
        let allowPlain = section.take("allow_plain_without_tls")
        let maxConnections = section.take("max_connections_per_ip")
        let loginAttempts = section.take("login_attempts_per_minute_per_ip")
        let pingInterval = section.take("ping_interval_seconds")
        let pingTimeout = section.take("ping_timeout_seconds")
        let negotiationTimeout = section.take("negotiation_timeout_seconds")
        try section.finish()

        var c2s = C2S()
        if let listen { c2s.listen = try ConfigurationValue.socketAddress(listen, key: section.keyPath("listen")) }
        if let starttls {
            c2s.starttls = try ConfigurationValue.word(starttls, key: section.keyPath("starttls"), as: C2S.StartTLSPolicy.self)
        }
        c2s.directTLSListen = try ConfigurationValue.optionalSocketAddress(
            directTLS, key: section.keyPath("direct_tls_listen"))
        if c2s.directTLSListen == c2s.listen {
            throw ConfigurationError(
                key: section.keyPath("direct_tls_listen"), message: "must differ from c2s.listen (\(c2s.listen))")
        }
        if let allowPlain {
            c2s.allowPlainWithoutTLS = try ConfigurationValue.bool(allowPlain, key: section.keyPath("allow_plain_without_tls"))
        }
        c2s.maxConnectionsPerIP = try int(
            maxConnections, in: section, "max_connections_per_ip", 1...1_000_000, default: c2s.maxConnectionsPerIP)
        c2s.loginAttemptsPerMinutePerIP = try int(
            loginAttempts, in: section, "login_attempts_per_minute_per_ip", 1...10_000,
            default: c2s.loginAttemptsPerMinutePerIP)
        c2s.pingIntervalSeconds = try int(
            pingInterval, in: section, "ping_interval_seconds", 1...86_400, default: c2s.pingIntervalSeconds)
        c2s.pingTimeoutSeconds = try int(
            pingTimeout, in: section, "ping_timeout_seconds", 1...3_600, default: c2s.pingTimeoutSeconds)
        c2s.negotiationTimeoutSeconds = try int(
            negotiationTimeout, in: section, "negotiation_timeout_seconds", 1...3_600,
            default: c2s.negotiationTimeoutSeconds)
        return c2s
    }

    private static func parseTLS(_ node: Node?) throws(ConfigurationError) -> TLS {
        var section = try MappingReader(node, path: "tls")
        let certificate = section.take("certificate")
        let key = section.take("key")
        let keyExchange = section.take("key_exchange")
        try section.finish()

        let tls = TLS(
            certificatePath: try nonEmptyString(certificate, key: section.keyPath("certificate")),
            keyPath: try nonEmptyString(key, key: section.keyPath("key")),
            keyExchange: try parseKeyExchange(keyExchange, key: section.keyPath("key_exchange"))
        )
        // A certificate without its key (or the reverse) cannot be served, and silently falling
        // back to a self-signed certificate would hide the mistake.
        switch (tls.certificatePath, tls.keyPath) {
        case (.some, nil):
            throw ConfigurationError(key: section.keyPath("key"), message: "required when tls.certificate is set")
        case (nil, .some):
            throw ConfigurationError(key: section.keyPath("certificate"), message: "required when tls.key is set")
        default:
            return tls
        }
    }

    /// `tls.key_exchange`: a non-empty list of group names without repeats, or null for the
    /// TLS library's default list.
    private static func parseKeyExchange(
        _ node: Node?, key: String
    ) throws(ConfigurationError) -> [TLS.KeyExchangeGroup]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            throw ConfigurationError(
                key: key, message: "expected a list of group names, got \(ConfigurationValue.describe(node))")
        }
        var groups: [TLS.KeyExchangeGroup] = []
        for (index, item) in sequence.enumerated() {
            let group = try ConfigurationValue.word(item, key: "\(key)[\(index)]", as: TLS.KeyExchangeGroup.self)
            guard !groups.contains(group) else {
                throw ConfigurationError(key: "\(key)[\(index)]", message: "'\(group.rawValue)' is listed twice")
            }
            groups.append(group)
        }
        guard !groups.isEmpty else {
            throw ConfigurationError(key: key, message: "must name at least one group (or be null for the default)")
        }
        return groups
    }

    private static func parseStorage(_ node: Node?, dataDirectory: String) throws(ConfigurationError) -> Storage {
        var section = try MappingReader(node, path: "storage")
        let kindNode = section.take("kind")
        let pathNode = section.take("path")
        let urlNode = section.take("url")
        try section.finish()

        var storage = Storage(path: joinPath(dataDirectory, "starling.sqlite"))
        if let kindNode {
            storage.kind = try ConfigurationValue.word(kindNode, key: section.keyPath("kind"), as: Storage.Kind.self)
        }
        if let path = try nonEmptyString(pathNode, key: section.keyPath("path")) { storage.path = path }
        storage.url = try nonEmptyString(urlNode, key: section.keyPath("url"))
        switch (storage.kind, storage.url) {
        case (.postgres, nil):
            throw ConfigurationError(
                key: section.keyPath("url"), message: "required when storage.kind is 'postgres' (postgres://user@host/db)")
        case (.postgres, let url?):
            // The URL may carry a password, so it is never echoed back in the message.
            guard let components = URLComponents(string: url),
                  let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
            else {
                throw ConfigurationError(
                    key: section.keyPath("url"), message: "expected a postgres:// or postgresql:// URL")
            }
        case (.sqlite, .some):
            throw ConfigurationError(
                key: section.keyPath("url"), message: "only used when storage.kind is 'postgres'; remove it or set kind")
        case (.sqlite, nil):
            break
        }
        return storage
    }

    /// XEP-0077 in-band registration.
    private static func parseRegistration(_ node: Node?) throws(ConfigurationError) -> Registration {
        var section = try MappingReader(node, path: "registration")
        let enabled = section.take("enabled")
        let attempts = section.take("attempts_per_hour_per_ip")
        try section.finish()

        var registration = Registration()
        if let enabled {
            registration.enabled = try ConfigurationValue.bool(enabled, key: section.keyPath("enabled"))
        }
        registration.attemptsPerHourPerIP = try int(
            attempts, in: section, "attempts_per_hour_per_ip", 1...10_000, default: registration.attemptsPerHourPerIP)
        return registration
    }

    /// Administrators are accounts: bare JIDs with a localpart (RFC 7622 §3).
    private static func parseAdmins(_ node: Node?) throws(ConfigurationError) -> [JID] {
        guard let node, !ConfigurationValue.isNull(node) else { return [] }
        guard case .sequence(let sequence) = node else {
            throw ConfigurationError(key: "admins", message: "expected a list of JIDs, got \(ConfigurationValue.describe(node))")
        }
        var admins: [JID] = []
        for (index, entry) in sequence.enumerated() {
            let key = "admins[\(index)]"
            let raw = try ConfigurationValue.string(entry, key: key)
            let jid: JID
            do {
                jid = try JID(raw)
            } catch {
                throw ConfigurationError(key: key, message: "'\(raw)' is not a valid JID: \(error)")
            }
            guard jid.localpart != nil, jid.resourcepart == nil else {
                throw ConfigurationError(key: key, message: "expected a bare account JID like 'admin@example.com', got '\(raw)'")
            }
            admins.append(jid)
        }
        return admins
    }

    private static func parseHTTP(_ node: Node?) throws(ConfigurationError) -> HTTP {
        var section = try MappingReader(node, path: "http")
        let listen = section.take("listen")
        try section.finish()
        return HTTP(listen: try ConfigurationValue.optionalSocketAddress(listen, key: section.keyPath("listen")))
    }

    /// The service is a domain JID (no localpart or resource), by default a subdomain of `domain`.
    private static func parsePubSub(_ node: Node?, domain: String) throws(ConfigurationError) -> PubSub {
        var section = try MappingReader(node, path: "pubsub")
        let jidNode = section.take("jid")
        let creationNode = section.take("node_creation")
        let expiryNode = section.take("expiry_interval_seconds")
        try section.finish()
        var nodeCreation = PubSub.NodeCreation.anyLocalUser
        if let creationNode, !ConfigurationValue.isNull(creationNode) {
            nodeCreation = try ConfigurationValue.word(creationNode, key: section.keyPath("node_creation"), as: PubSub.NodeCreation.self)
        }
        let expiryInterval = try int(expiryNode, in: section, "expiry_interval_seconds", 1...86_400, default: 60)

        let key = section.keyPath("jid")
        let explicit = try nonEmptyString(jidNode, key: key)
        let raw = explicit ?? "pubsub.\(domain)"
        let jid: JID
        do {
            jid = try JID(raw)
        } catch {
            let hint = explicit == nil ? "; set pubsub.jid explicitly" : ""
            throw ConfigurationError(key: key, message: "'\(raw)' is not a valid JID: \(error)\(hint)")
        }
        guard jid.localpart == nil, jid.resourcepart == nil else {
            throw ConfigurationError(key: key, message: "expected a domain JID like 'pubsub.example.com', got '\(raw)'")
        }
        guard jid.domainpart != domain else {
            throw ConfigurationError(key: key, message: "must differ from domain '\(domain)'")
        }
        return PubSub(jid: jid.domainpart, nodeCreation: nodeCreation, expiryIntervalSeconds: expiryInterval)
    }

    /// RFC 6120 §13.12 bars stanza size limits below 10000 bytes; the other bounds keep a
    /// pubsub publish with a nested payload parseable and a hostile document cheap to reject.
    private static func parseLimits(_ node: Node?) throws(ConfigurationError) -> Limits {
        var section = try MappingReader(node, path: "limits")
        let stanzaBytes = section.take("max_stanza_bytes")
        let depth = section.take("max_depth")
        let attributes = section.take("max_attributes")
        let resources = section.take("max_resources_per_account")
        try section.finish()

        var limits = Limits()
        limits.maxStanzaBytes = try int(
            stanzaBytes, in: section, "max_stanza_bytes", 10_000...16_777_216, default: limits.maxStanzaBytes)
        limits.maxDepth = try int(depth, in: section, "max_depth", 8...1_024, default: limits.maxDepth)
        limits.maxAttributes = try int(attributes, in: section, "max_attributes", 8...1_024, default: limits.maxAttributes)
        limits.maxResourcesPerAccount = try int(
            resources, in: section, "max_resources_per_account", 1...10_000, default: limits.maxResourcesPerAccount)
        return limits
    }

    private static func parseLog(_ node: Node?) throws(ConfigurationError) -> Log {
        var section = try MappingReader(node, path: "log")
        let level = section.take("level")
        try section.finish()
        guard let level else { return Log() }
        return Log(level: try ConfigurationValue.word(level, key: section.keyPath("level"), as: Logger.Level.self))
    }

    // MARK: - Helpers

    static func int(
        _ node: Node?, in section: MappingReader, _ key: String, _ range: ClosedRange<Int>, default value: Int
    ) throws(ConfigurationError) -> Int {
        guard let node else { return value }
        return try ConfigurationValue.int(node, key: section.keyPath(key), in: range)
    }

    /// A string that may be null/absent (nil) but not empty: an empty path or URL is a mistake.
    static func nonEmptyString(_ node: Node?, key: String) throws(ConfigurationError) -> String? {
        guard let value = try ConfigurationValue.optionalString(node, key: key) else { return nil }
        guard !value.isEmpty else { throw ConfigurationError(key: key, message: "must not be empty") }
        return value
    }

    private static func joinPath(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
