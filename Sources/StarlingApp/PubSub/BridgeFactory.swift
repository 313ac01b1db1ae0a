import Logging
import MQTTBridge
import PubSub
import XMPPCore

/// Builds the MQTT bridge's connections from the `bridges:` configuration (docs/BRIDGE.md).
enum BridgeFactory {
    /// One runtime per configured broker connection, plus the forwarder the pubsub service needs so
    /// outbound copies commit with their items.
    static func make(
        _ bridges: [StarlingConfiguration.Bridge], service: PubSubService, store: any OutboxStore,
        serviceDefaults: NodeConfiguration, logger: Logger
    ) throws -> (connections: [BridgeConnection], forwarder: BridgeForwarder) {
        var connections: [BridgeConnection] = []
        var rules: [BridgeConnectionRules] = []
        for bridge in bridges {
            let connectionRules = try BridgeConnectionRules(name: bridge.name, mappings: bridge.mappings.map { try $0.bridgeMapping() })
            rules.append(connectionRules)
            let router = BridgeRouter(rules: connectionRules, bridgeJID: try JID(bridge.jid))
            var leaves: [String: NodeConfiguration] = [:]
            for mapping in bridge.mappings {
                leaves[mapping.name] = leafConfiguration(mapping.nodeConfig, defaults: serviceDefaults)
            }
            var collection = NodeConfiguration.defaults(for: .collection)
            collection.accessModel = bridge.mappings.first?.nodeConfig.accessModel ?? .open
            let settings = BridgeConnection.Settings(
                client: clientConfiguration(bridge),
                backoff: MQTTBackoff(
                    initial: .seconds(bridge.reconnectMinSeconds), maximum: .seconds(bridge.reconnectMaxSeconds)),
                router: router, queueLimit: bridge.queueLimit,
                leafConfigurations: leaves, collectionConfiguration: collection)
            connections.append(BridgeConnection(settings: settings, service: service, store: store, logger: logger))
        }
        try BridgeConnectionRules.validate(rules)
        let forwarder = BridgeForwarder(routers: connections.map(\.settings.router))
        return (connections, forwarder)
    }

    static func clientConfiguration(_ bridge: StarlingConfiguration.Bridge) -> MQTTClientConfiguration {
        var configuration = MQTTClientConfiguration(
            host: bridge.host, port: bridge.port, clientID: bridge.clientID, cleanSession: bridge.cleanSession,
            keepAlive: .seconds(bridge.keepAliveSeconds), username: bridge.username, password: bridge.password,
            reconnectDelayMin: .seconds(bridge.reconnectMinSeconds),
            reconnectDelayMax: .seconds(bridge.reconnectMaxSeconds))
        configuration.protocolVersion = bridge.protocolVersion == .v5 ? .v5 : .v311
        configuration.tls = bridge.tls.map {
            MQTTTLSConfiguration(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile, verifyHostname: $0.verifyHostname)
        }
        return configuration
    }

    /// A leaf the bridge creates: the service defaults, open to readers unless configured, payloads up
    /// to the service's cap (a Base64 reading is larger than the 9216-byte leaf default), and the
    /// mapping's `node_config`.
    static func leafConfiguration(_ settings: StarlingConfiguration.Bridge.NodeSettings, defaults: NodeConfiguration) -> NodeConfiguration {
        var configuration = defaults
        configuration.nodeType = .leaf
        configuration.accessModel = settings.accessModel
        configuration.maxPayloadSize = nil
        if let maxItems = settings.maxItems { configuration.maxItems = maxItems }
        if let seconds = settings.itemExpireSeconds { configuration.itemExpire = .seconds(seconds) }
        if let title = settings.title { configuration.title = title }
        // A late dashboard sees the current reading at once (XEP-0060 §6.1.7).
        configuration.sendLastPublishedItem = .onSub
        return configuration
    }
}
