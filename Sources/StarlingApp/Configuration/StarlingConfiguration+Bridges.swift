import MQTTBridge
import PubSub
import XMPPCore
import Yams

extension StarlingConfiguration {
    /// One `bridges:` entry: a connection to an MQTT broker and its mappings (docs/BRIDGE.md).
    public struct Bridge: Sendable, Equatable {
        /// `name`: names the connection in logs, metrics and errors, and its outbound queue in the store.
        public var name: String
        public var host: String
        /// `port` (1883, or 8883 with `tls`).
        public var port: Int
        /// `client_id` ("starling-" + name): MQTT 3.1.1 §3.1.3.1.
        public var clientID: String
        /// `clean_session` (false): a persistent session keeps QoS 1 messages for us while we are away.
        public var cleanSession: Bool
        public var keepAliveSeconds: Int
        /// `protocol` ("3.1.1" or "5").
        public var protocolVersion: MQTTProtocolVersionSetting
        public var username: String?
        public var password: String?
        public var tls: TLS?
        public var reconnectMinSeconds: Int
        public var reconnectMaxSeconds: Int
        /// `queue_limit` (100000): outbound messages kept while the broker is away; beyond it the oldest go.
        public var queueLimit: Int
        /// `jid` ("mqtt." + domain): the publisher of items that came from MQTT.
        public var jid: String
        public var mappings: [Mapping]

        public struct TLS: Sendable, Equatable {
            public var caFile: String
            public var certFile: String?
            public var keyFile: String?
            public var verifyHostname: Bool
        }

        public struct Mapping: Sendable, Equatable {
            public var name: String
            /// `topic`: an MQTT topic filter, `+` and `#` allowed (MQTT 3.1.1 §4.7).
            public var topic: String
            /// `node`: a node path template, `{n}` = the n-th wildcard of `topic`.
            public var node: String
            public var direction: Direction
            public var qos: Int
            /// `format` (raw): how MQTT bytes become an item payload and back (docs/BRIDGE.md).
            public var format: Format
            /// `retain` (false): outbound messages are published retained (the broker keeps the last one).
            public var retain: Bool
            /// `clear_retained_on_retract` (false): after a retract the retained message follows the node's
            /// newest item, or is cleared when none is left.
            public var clearRetainedOnRetract: Bool
            /// `auto_create` (true): inbound messages create missing nodes, with their parent collections.
            public var autoCreate: Bool
            /// `node_config`: settings of nodes the bridge creates.
            public var nodeConfig: NodeSettings

            public enum Direction: String, Sendable, Equatable, CaseIterable { case `in`, out, both }
            public enum Format: String, Sendable, Equatable, CaseIterable { case raw, text, json, xml }
        }

        /// `node_config` of a mapping.
        public struct NodeSettings: Sendable, Equatable {
            public var accessModel: AccessModel = .open
            /// `max_items` (nil: the service default).
            public var maxItems: Int?
            public var itemExpireSeconds: Int?
            public var title: String?
            public init() {}
        }
    }

    public enum MQTTProtocolVersionSetting: String, Sendable, Equatable, CaseIterable {
        case v311 = "3.1.1"
        case v5 = "5"
    }

    // MARK: - Parsing

    static func parseBridges(_ node: Yams.Node?, domain: String) throws(ConfigurationError) -> [Bridge] {
        guard let node, !ConfigurationValue.isNull(node) else { return [] }
        guard case .sequence(let sequence) = node else {
            throw ConfigurationError(key: "bridges", message: "expected a list of broker connections, got \(ConfigurationValue.describe(node))")
        }
        var bridges: [Bridge] = []
        for (index, entry) in sequence.enumerated() {
            let bridge = try parseBridge(entry, path: "bridges[\(index)]", domain: domain)
            if bridges.contains(where: { $0.name == bridge.name }) {
                throw ConfigurationError(key: "bridges[\(index)].name", message: "bridge '\(bridge.name)' is defined twice")
            }
            bridges.append(bridge)
        }
        return bridges
    }

    private static func parseBridge(_ node: Yams.Node, path: String, domain: String) throws(ConfigurationError) -> Bridge {
        var section = try MappingReader(node, path: path)
        let nameNode = section.take("name")
        let hostNode = section.take("host")
        let portNode = section.take("port")
        let clientNode = section.take("client_id")
        let cleanNode = section.take("clean_session")
        let keepAliveNode = section.take("keepalive_seconds")
        let protocolNode = section.take("protocol")
        let userNode = section.take("username")
        let passwordNode = section.take("password")
        let tlsNode = section.take("tls")
        let minNode = section.take("reconnect_min_seconds")
        let maxNode = section.take("reconnect_max_seconds")
        let queueNode = section.take("queue_limit")
        let jidNode = section.take("jid")
        let mappingsNode = section.take("mappings")
        try section.finish()

        guard let name = try nonEmptyString(nameNode, key: section.keyPath("name")) else {
            throw ConfigurationError(key: section.keyPath("name"), message: "every bridge needs a name")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError(key: section.keyPath("name"), message: "'\(name)': use letters, digits, '-' and '_'")
        }
        let host = try nonEmptyString(hostNode, key: section.keyPath("host")) ?? "127.0.0.1"
        let tls = try parseBridgeTLS(tlsNode, path: section.keyPath("tls"))
        let port = try int(portNode, in: section, "port", 1...65_535, default: tls == nil ? 1883 : 8883)
        let clientID = try nonEmptyString(clientNode, key: section.keyPath("client_id")) ?? "starling-\(name)"
        let cleanSession = try cleanNode.map { (n) throws(ConfigurationError) in
            try ConfigurationValue.bool(n, key: section.keyPath("clean_session"))
        } ?? false
        let keepAlive = try int(keepAliveNode, in: section, "keepalive_seconds", 5...65_535, default: 60)
        var protocolVersion = MQTTProtocolVersionSetting.v311
        if let protocolNode {
            protocolVersion = try ConfigurationValue.word(protocolNode, key: section.keyPath("protocol"), as: MQTTProtocolVersionSetting.self)
        }
        let username = try ConfigurationValue.optionalString(userNode, key: section.keyPath("username"))
        let password = try ConfigurationValue.optionalString(passwordNode, key: section.keyPath("password"))
        if password != nil && username == nil {
            throw ConfigurationError(key: section.keyPath("password"), message: "a password needs a username (MQTT 3.1.1 §3.1.2.9)")
        }
        let reconnectMin = try int(minNode, in: section, "reconnect_min_seconds", 1...3_600, default: 1)
        let reconnectMax = try int(maxNode, in: section, "reconnect_max_seconds", 1...86_400, default: 30)
        guard reconnectMin <= reconnectMax else {
            throw ConfigurationError(key: section.keyPath("reconnect_max_seconds"), message: "must be at least reconnect_min_seconds (\(reconnectMin))")
        }
        let queueLimit = try int(queueNode, in: section, "queue_limit", 1...100_000_000, default: 100_000)
        let jid = try parseBridgeJID(jidNode, key: section.keyPath("jid"), domain: domain)

        guard let mappingsNode, case .sequence(let list) = mappingsNode, !list.isEmpty else {
            throw ConfigurationError(key: section.keyPath("mappings"), message: "bridge '\(name)' needs a non-empty list of mappings")
        }
        var mappings: [Bridge.Mapping] = []
        for (index, entry) in list.enumerated() {
            let mapping = try parseMapping(entry, path: section.keyPath("mappings[\(index)]"))
            if mappings.contains(where: { $0.name == mapping.name }) {
                throw ConfigurationError(key: section.keyPath("mappings[\(index)].name"), message: "mapping '\(mapping.name)' is defined twice in bridge '\(name)'")
            }
            mappings.append(mapping)
        }
        // Rules over the whole list (an `in` mapping an earlier filter shadows, …), named by mapping.
        do {
            _ = try BridgeConnectionRules(name: name, mappings: mappings.map { try $0.bridgeMapping() })
        } catch {
            throw ConfigurationError(key: section.keyPath("mappings"), message: "\(error)")
        }
        return Bridge(
            name: name, host: host, port: port, clientID: clientID, cleanSession: cleanSession,
            keepAliveSeconds: keepAlive, protocolVersion: protocolVersion, username: username, password: password,
            tls: tls, reconnectMinSeconds: reconnectMin, reconnectMaxSeconds: reconnectMax, queueLimit: queueLimit,
            jid: jid, mappings: mappings)
    }

    private static func parseBridgeTLS(_ node: Yams.Node?, path: String) throws(ConfigurationError) -> Bridge.TLS? {
        guard let node, !ConfigurationValue.isNull(node) else { return nil }
        var section = try MappingReader(node, path: path)
        let caNode = section.take("ca_file")
        let certNode = section.take("cert_file")
        let keyNode = section.take("key_file")
        let verifyNode = section.take("verify_hostname")
        try section.finish()
        guard let ca = try nonEmptyString(caNode, key: section.keyPath("ca_file")) else {
            throw ConfigurationError(key: section.keyPath("ca_file"), message: "TLS needs the CA file that signed the broker's certificate")
        }
        let cert = try nonEmptyString(certNode, key: section.keyPath("cert_file"))
        let key = try nonEmptyString(keyNode, key: section.keyPath("key_file"))
        guard (cert == nil) == (key == nil) else {
            throw ConfigurationError(key: section.keyPath(cert == nil ? "cert_file" : "key_file"), message: "cert_file and key_file go together")
        }
        let verify = try verifyNode.map { (n) throws(ConfigurationError) in
            try ConfigurationValue.bool(n, key: section.keyPath("verify_hostname"))
        } ?? true
        return Bridge.TLS(caFile: ca, certFile: cert, keyFile: key, verifyHostname: verify)
    }

    private static func parseBridgeJID(_ node: Yams.Node?, key: String, domain: String) throws(ConfigurationError) -> String {
        let raw = try nonEmptyString(node, key: key) ?? "mqtt.\(domain)"
        do {
            return try JID(raw).bare.description
        } catch {
            throw ConfigurationError(key: key, message: "'\(raw)' is not a valid JID: \(error)")
        }
    }

    private static func parseMapping(_ node: Yams.Node, path: String) throws(ConfigurationError) -> Bridge.Mapping {
        var section = try MappingReader(node, path: path)
        let nameNode = section.take("name")
        let topicNode = section.take("topic")
        let nodeNode = section.take("node")
        let directionNode = section.take("direction")
        let qosNode = section.take("qos")
        let formatNode = section.take("format")
        let retainNode = section.take("retain")
        let clearNode = section.take("clear_retained_on_retract")
        let autoNode = section.take("auto_create")
        let configNode = section.take("node_config")
        try section.finish()

        guard let name = try nonEmptyString(nameNode, key: section.keyPath("name")) else {
            throw ConfigurationError(key: section.keyPath("name"), message: "every mapping needs a name")
        }
        guard let topic = try nonEmptyString(topicNode, key: section.keyPath("topic")) else {
            throw ConfigurationError(key: section.keyPath("topic"), message: "mapping '\(name)' needs a topic filter")
        }
        guard let nodeTemplate = try nonEmptyString(nodeNode, key: section.keyPath("node")) else {
            throw ConfigurationError(key: section.keyPath("node"), message: "mapping '\(name)' needs a node template")
        }
        var direction = Bridge.Mapping.Direction.in
        if let directionNode {
            direction = try ConfigurationValue.word(directionNode, key: section.keyPath("direction"), as: Bridge.Mapping.Direction.self)
        }
        let qos = try int(qosNode, in: section, "qos", 0...1, default: 1)
        var format = Bridge.Mapping.Format.raw
        if let formatNode {
            format = try ConfigurationValue.word(formatNode, key: section.keyPath("format"), as: Bridge.Mapping.Format.self)
        }
        func flag(_ node: Yams.Node?, _ key: String, _ value: Bool) throws(ConfigurationError) -> Bool {
            guard let node else { return value }
            return try ConfigurationValue.bool(node, key: section.keyPath(key))
        }
        let mapping = Bridge.Mapping(
            name: name, topic: topic, node: nodeTemplate, direction: direction, qos: qos, format: format,
            retain: try flag(retainNode, "retain", false),
            clearRetainedOnRetract: try flag(clearNode, "clear_retained_on_retract", false),
            // Creating nodes is what an inbound mapping usually wants; an `out` mapping creates nothing.
            autoCreate: try flag(autoNode, "auto_create", direction != .out),
            nodeConfig: try parseNodeSettings(configNode, path: section.keyPath("node_config")))
        // The mapping rules (filter, template, reversibility, options per direction) live with the
        // bridge; their message names the mapping.
        do {
            _ = try mapping.bridgeMapping()
        } catch {
            throw ConfigurationError(key: path, message: error.description)
        }
        return mapping
    }

    private static func parseNodeSettings(_ node: Yams.Node?, path: String) throws(ConfigurationError) -> Bridge.NodeSettings {
        var settings = Bridge.NodeSettings()
        guard let node, !ConfigurationValue.isNull(node) else { return settings }
        var section = try MappingReader(node, path: path)
        let accessNode = section.take("access_model")
        let maxItemsNode = section.take("max_items")
        let expireNode = section.take("item_expire_seconds")
        let titleNode = section.take("title")
        try section.finish()
        if let accessNode {
            settings.accessModel = try ConfigurationValue.word(accessNode, key: section.keyPath("access_model"), as: AccessModel.self)
        }
        if let maxItemsNode { settings.maxItems = try ConfigurationValue.int(maxItemsNode, key: section.keyPath("max_items"), in: 1...1_000_000) }
        if let expireNode {
            settings.itemExpireSeconds = try ConfigurationValue.int(expireNode, key: section.keyPath("item_expire_seconds"), in: 1...315_360_000)
        }
        settings.title = try ConfigurationValue.optionalString(titleNode, key: section.keyPath("title"))
        return settings
    }
}

extension StarlingConfiguration.Bridge.Mapping {
    /// The bridge's own value for this mapping; throws what makes it unusable, naming the mapping.
    public func bridgeMapping() throws(BridgeConfigurationError) -> BridgeMapping {
        let direction: BridgeMapping.Direction = switch self.direction {
        case .in: .inbound
        case .out: .outbound
        case .both: .both
        }
        let format: PayloadFormat = switch self.format {
        case .raw: .raw
        case .text: .text
        case .json: .json
        case .xml: .xml
        }
        return try BridgeMapping(
            name: name, filter: topic, nodeTemplate: node, direction: direction, qos: qos, format: format,
            retain: retain, clearRetainedOnRetract: clearRetainedOnRetract, autoCreate: autoCreate)
    }
}
