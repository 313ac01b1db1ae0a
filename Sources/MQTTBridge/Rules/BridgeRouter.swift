import PubSub
import XMPPCore

/// The routing rules of one broker connection, applied to single messages and items: pure, no I/O,
/// safe to call from inside a publish (`ItemForwarder`).
///
/// Inbound (MQTT → pubsub): the first `in`/`both` mapping in configuration order whose filter
/// matches the topic decides. One MQTT message is one item: publishing it on every matching node
/// would make overlapping mappings (`plant/#` and `plant/+/press`) duplicate readings, and
/// collection subscribers (XEP-0248) of a common ancestor would receive each one twice. Put specific
/// mappings before general ones.
///
/// Outbound (pubsub → MQTT): every `out`/`both` mapping whose node template matches the node gives
/// a message on its topic (`TopicMapping.topic(forNode:)`), one per distinct topic (the first mapping
/// for a topic wins), with the mapping's QoS, RETAIN flag and payload conversion. Items the bridge
/// published itself are never forwarded (loop prevention part 1; ``EchoFilter`` is part 2).
public struct BridgeRouter: ItemForwarder, Hashable {
    public let rules: BridgeConnectionRules
    /// The JID the bridge publishes inbound items as (the service stamps its bare form, XEP-0060
    /// §7.1.2.3), recognised on outbound items as "came from MQTT".
    public let bridgeJID: JID
    public let codec: PayloadCodec

    public init(rules: BridgeConnectionRules, bridgeJID: JID, codec: PayloadCodec = PayloadCodec()) {
        self.rules = rules
        self.bridgeJID = bridgeJID
        self.codec = codec
    }

    /// The connection's name, which is also its outbox queue.
    public var connection: String { rules.name }

    // MARK: - MQTT → pubsub

    /// The route of a received PUBLISH (MQTT 3.1.1 §3.3); nil when no inbound mapping's filter
    /// matches the topic. Throws when the deciding mapping cannot convert it.
    public func inbound(topic: String, payload: [UInt8], retained: Bool) throws(BridgeRoutingError) -> InboundRoute? {
        guard let mapping = rules.mappings.first(where: {
            $0.direction.isInbound && $0.filter.matches(topic: topic) != nil
        }) else { return nil }
        func failure(_ reason: BridgeRoutingError.Reason) -> BridgeRoutingError {
            BridgeRoutingError(mapping: mapping.name, subject: topic, reason: reason)
        }
        guard let path = mapping.topicMapping.node(forTopic: topic) else { throw failure(.noNodePath) }
        let node: NodeID
        do {
            node = try NodeID(path)
        } catch {
            throw failure(.invalidNodeID(path))
        }
        let converted: PayloadCodec.InboundPayload
        do {
            converted = try codec.itemPayload(fromMessage: payload, format: mapping.format)
        } catch {
            throw failure(.payload(error))
        }
        return InboundRoute(mapping: mapping, topic: topic, node: node, payload: converted, retained: retained)
    }

    // MARK: - pubsub → MQTT

    /// The messages an item published on `node` causes, with the mappings behind them and the ones
    /// that could not convert it.
    public func outbound(item: Item, on node: NodeID) -> OutboundRoute {
        var route = OutboundRoute()
        if let publisher = item.publisher, publisher.bare == bridgeJID.bare {
            route.cameFromBridge = true
            return route
        }
        var topics: Set<String> = []
        for mapping in rules.mappings where mapping.direction.isOutbound {
            guard let topic = mapping.topicMapping.topic(forNode: node.rawValue),
                  topics.insert(topic).inserted else { continue }
            do {
                let payload = try codec.messagePayload(fromItem: item.payload, format: mapping.format)
                let message = OutboxMessage(
                    queue: connection, topic: topic, payload: payload, qos: mapping.qos, retain: mapping.retain)
                route.forwards.append(OutboundRoute.Forward(mapping: mapping, message: message))
            } catch {
                route.failures.append(BridgeRoutingError(mapping: mapping.name, subject: node.rawValue, reason: .payload(error)))
            }
        }
        return route
    }

    /// `ItemForwarder`: the messages of ``outbound(item:on:)``.
    public func outbox(forPublished item: Item, on node: NodeID) -> [OutboxMessage] {
        outbound(item: item, on: node).messages
    }

    /// After the node's last item was retracted (XEP-0060 §7.2) or the node purged (§8.5): a
    /// zero-length retained message per topic of an `out`/`both` mapping with `clearRetainedOnRetract`,
    /// which removes the retained message (MQTT 3.1.1 §3.3.1.3). The caller decides that the retracted
    /// item was the last one; retracting an older item must leave the retained message alone.
    public func retainedClears(forRetractOn node: NodeID) -> [OutboxMessage] {
        var topics: Set<String> = []
        var messages: [OutboxMessage] = []
        // The same first-mapping-per-topic rule as `outbound`, so the mapping that retains is the one asked.
        for mapping in rules.mappings where mapping.direction.isOutbound {
            guard let topic = mapping.topicMapping.topic(forNode: node.rawValue),
                  topics.insert(topic).inserted, mapping.clearRetainedOnRetract else { continue }
            messages.append(OutboxMessage(queue: connection, topic: topic, payload: [], qos: mapping.qos, retain: true))
        }
        return messages
    }
}
