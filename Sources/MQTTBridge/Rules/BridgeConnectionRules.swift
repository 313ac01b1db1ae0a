/// The mappings of one broker connection, in configuration order, checked as a whole: unique
/// non-empty names, at least one mapping, and no `in` mapping that first-match routing could never
/// reach. ``BridgeRouter`` applies them; ``subscriptions`` says what to SUBSCRIBE to.
public struct BridgeConnectionRules: Hashable, Sendable {
    /// The connection's configured name; also the outbox queue name (`OutboxMessage.queue`).
    public let name: String
    /// In configuration order, which is the order inbound routing tries them.
    public let mappings: [BridgeMapping]

    public init(name: String, mappings: [BridgeMapping]) throws(BridgeConfigurationError) {
        guard !name.isEmpty else { throw BridgeConfigurationError(mapping: nil, reason: .emptyConnectionName) }
        guard !mappings.isEmpty else {
            throw BridgeConfigurationError(connection: name, mapping: nil, reason: .noMappings)
        }
        var names: Set<String> = []
        for mapping in mappings where !names.insert(mapping.name).inserted {
            throw BridgeConfigurationError(connection: name, mapping: mapping.name, reason: .duplicateMappingName)
        }
        let inbound = mappings.filter(\.direction.isInbound)
        for (position, mapping) in inbound.enumerated() where mapping.direction == .inbound {
            if let earlier = inbound[..<position].first(where: { $0.filter.covers(mapping.filter) }) {
                throw BridgeConfigurationError(
                    connection: name, mapping: mapping.name, reason: .shadowed(by: earlier.name))
            }
        }
        self.name = name
        self.mappings = mappings
    }

    /// Checks what only the whole `bridges:` list can show: connection names are unique (each is an
    /// outbox queue).
    public static func validate(_ connections: [BridgeConnectionRules]) throws(BridgeConfigurationError) {
        var names: Set<String> = []
        for connection in connections where !names.insert(connection.name).inserted {
            throw BridgeConfigurationError(connection: connection.name, mapping: nil, reason: .duplicateConnectionName)
        }
    }

    /// One MQTT subscription (MQTT 3.1.1 §3.8.3: a topic filter and a requested QoS).
    public struct Subscription: Hashable, Sendable {
        public let filter: MQTTTopicFilter
        public let qos: Int
    }

    /// The filters to SUBSCRIBE to: those of the `in`/`both` mappings, in configuration order, minus
    /// any filter another one covers, each with the highest QoS of the filters it covers.
    ///
    /// Overlapping subscriptions may make a broker deliver one PUBLISH once per matching subscription
    /// (MQTT 3.1.1 §3.3.5 lets it); subscribing to a cover gets each message exactly once, which
    /// inbound routing (one message, one item) and ``EchoFilter`` (one record, one echo) rely on.
    public var subscriptions: [Subscription] {
        let inbound = mappings.filter(\.direction.isInbound)
        var result: [Subscription] = []
        for mapping in inbound {
            let filter = mapping.filter
            let coveredByAnother = inbound.contains { other in
                other.filter != filter && other.filter.covers(filter)
            }
            guard !coveredByAnother, !result.contains(where: { $0.filter == filter }) else { continue }
            let qos = inbound.filter { filter.covers($0.filter) }.map(\.qos).max() ?? mapping.qos
            result.append(Subscription(filter: filter, qos: qos))
        }
        return result
    }
}
