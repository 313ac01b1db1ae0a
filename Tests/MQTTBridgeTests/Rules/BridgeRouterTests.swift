import Foundation
import MQTTBridge
import PubSub
import PubSubXMPP
import Testing
import XMPPCore

@Suite struct BridgeRouterTests {
    let bridgeJID = try! JID("mqtt-bridge@example.org")

    private func router(_ mappings: [BridgeMapping], name: String = "broker") throws -> BridgeRouter {
        BridgeRouter(rules: try BridgeConnectionRules(name: name, mappings: mappings), bridgeJID: bridgeJID)
    }

    private func item(_ payload: [UInt8], from publisher: String? = "alice@example.org/phone") throws -> Item {
        Item(id: "1", publisher: try publisher.map { try JID($0).bare }, payload: payload, published: Date(timeIntervalSince1970: 0))
    }

    private static let temps = try! BridgeMapping(
        name: "temps", filter: "sensors/+/temp", nodeTemplate: "sensors/{1}/temp", direction: .both, format: .text)
    private static let plant = try! BridgeMapping(
        name: "plant", filter: "plant/#", nodeTemplate: "plant/{1}", direction: .both, qos: 0, format: .raw, retain: true)

    // MARK: inbound

    @Test func wildcardMappingRoutesInbound() throws {
        let route = try #require(try router([Self.temps]).inbound(topic: "sensors/7/temp", payload: Array("21.5".utf8), retained: true))
        #expect(route.node == (try NodeID("sensors/7/temp")))
        #expect(route.mapping.name == "temps")
        #expect(route.retained)
        #expect(route.payload == .item(ItemPayload.encode(Element("text", namespace: PayloadCodec.namespace, text: "21.5"))))
    }

    @Test func subtreeMappingRoutesInbound() throws {
        let router = try router([Self.plant])
        #expect(try router.inbound(topic: "plant/hall/press", payload: [0xFF], retained: false)?.node == (try NodeID("plant/hall/press")))
        #expect(try router.inbound(topic: "plant", payload: [0xFF], retained: false)?.node == (try NodeID("plant")))
        #expect(try router.inbound(topic: "factory/hall", payload: [0xFF], retained: false) == nil)
    }

    @Test func theFirstMatchingMappingDecides() throws {
        let press = try BridgeMapping(name: "press", filter: "plant/+/press", nodeTemplate: "pressures/{1}", direction: .inbound, format: .json)
        let router = try router([press, Self.plant])
        let first = try router.inbound(topic: "plant/hall/press", payload: Array("1".utf8), retained: false)
        #expect(first?.mapping.name == "press")
        #expect(first?.node == (try NodeID("pressures/hall")))
        #expect(try router.inbound(topic: "plant/hall/temp", payload: [1], retained: false)?.mapping.name == "plant")
        // The deciding mapping's failure is reported, not passed on to the next mapping.
        #expect(throws: BridgeRoutingError(mapping: "press", subject: "plant/hall/press", reason: .payload(.notJSON(offset: 0)))) {
            try router.inbound(topic: "plant/hall/press", payload: Array("x".utf8), retained: false)
        }
    }

    @Test func outboundOnlyMappingsNeverRouteInbound() throws {
        let out = try BridgeMapping(name: "out", filter: "cmd/+", nodeTemplate: "cmd/{1}", direction: .outbound)
        #expect(try router([out]).inbound(topic: "cmd/x", payload: [1], retained: false) == nil)
    }

    @Test func emptyPayloadIsDistinct() throws {
        let route = try router([Self.temps]).inbound(topic: "sensors/7/temp", payload: [], retained: true)
        #expect(route?.payload == .empty)
        #expect(route?.retained == true)
    }

    @Test func inboundRejectionsNameTheMapping() throws {
        let router = try router([Self.temps])
        #expect(throws: BridgeRoutingError(mapping: "temps", subject: "sensors//temp", reason: .noNodePath)) {
            try router.inbound(topic: "sensors//temp", payload: [1], retained: false)
        }
        #expect(throws: BridgeRoutingError(mapping: "temps", subject: "sensors/7/temp", reason: .payload(.notUTF8))) {
            try router.inbound(topic: "sensors/7/temp", payload: [0xFF], retained: false)
        }
        let long = String(repeating: "x", count: 1_100)
        #expect(throws: BridgeRoutingError(mapping: "temps", subject: "sensors/\(long)/temp", reason: .invalidNodeID("sensors/\(long)/temp"))) {
            try router.inbound(topic: "sensors/\(long)/temp", payload: [1], retained: false)
        }
    }

    // MARK: outbound

    @Test func wildcardMappingRoutesOutbound() throws {
        let payload = ItemPayload.encode(Element("text", namespace: PayloadCodec.namespace, text: "21.5"))
        let messages = try router([Self.temps]).outbox(forPublished: item(payload), on: NodeID("sensors/7/temp"))
        #expect(messages == [OutboxMessage(queue: "broker", topic: "sensors/7/temp", payload: Array("21.5".utf8), qos: 1, retain: false)])
        #expect(try router([Self.temps]).outbox(forPublished: item(payload), on: NodeID("sensors/7/humidity")).isEmpty)
    }

    @Test func subtreeMappingRoutesOutboundRetained() throws {
        let bytes: [UInt8] = [0, 1, 0xFE, 0xFF]
        let payload = ItemPayload.encode(Element("data", namespace: PayloadCodec.namespace, text: Data(bytes).base64EncodedString()))
        let router = try router([Self.plant])
        #expect(router.outbox(forPublished: try item(payload), on: try NodeID("plant/hall/press"))
            == [OutboxMessage(queue: "broker", topic: "plant/hall/press", payload: bytes, qos: 0, retain: true)])
        #expect(router.outbox(forPublished: try item(payload), on: try NodeID("plant"))
            == [OutboxMessage(queue: "broker", topic: "plant", payload: bytes, qos: 0, retain: true)])
    }

    @Test func everyMatchingMappingSendsOncePerTopic() throws {
        let mirror = try BridgeMapping(name: "mirror", filter: "mirror/+/temp", nodeTemplate: "sensors/{1}/temp", direction: .outbound, format: .xml)
        let sameTopic = try BridgeMapping(name: "same", filter: "sensors/+/temp", nodeTemplate: "sensors/{1}/temp", direction: .outbound, format: .xml)
        let router = try router([Self.temps, mirror, sameTopic])
        let payload = ItemPayload.encode(Element("text", namespace: PayloadCodec.namespace, text: "20"))
        let route = router.outbound(item: try item(payload), on: try NodeID("sensors/3/temp"))
        #expect(route.forwards.map(\.mapping.name) == ["temps", "mirror"])
        #expect(route.messages.map(\.topic) == ["sensors/3/temp", "mirror/3/temp"])
        #expect(route.messages.map(\.payload) == [Array("20".utf8), payload])
    }

    @Test func itemsFromTheBridgeNeverGoBack() throws {
        let payload = ItemPayload.encode(Element("text", namespace: PayloadCodec.namespace, text: "20"))
        let router = try router([Self.temps])
        let route = router.outbound(item: try item(payload, from: "mqtt-bridge@example.org"), on: try NodeID("sensors/3/temp"))
        #expect(route.cameFromBridge)
        #expect(route.messages.isEmpty)
        #expect(!router.outbound(item: try item(payload, from: nil), on: try NodeID("sensors/3/temp")).messages.isEmpty)
    }

    @Test func aConversionFailureIsReportedPerMapping() throws {
        let json = try BridgeMapping(name: "json", filter: "j/+", nodeTemplate: "n/{1}", direction: .outbound, format: .json)
        let route = try router([json]).outbound(
            item: item(ItemPayload.encode(Element("x", namespace: "urn:x"))), on: NodeID("n/1"))
        #expect(route.messages.isEmpty)
        #expect(route.failures == [BridgeRoutingError(mapping: "json", subject: "n/1", reason: .payload(.notJSONContainer))])
    }

    @Test func retractClearsRetainedOnlyWhereConfigured() throws {
        let clearing = try BridgeMapping(
            name: "clearing", filter: "plant/#", nodeTemplate: "plant/{1}", direction: .outbound, retain: true,
            clearRetainedOnRetract: true)
        #expect(try router([clearing]).retainedClears(forRetractOn: NodeID("plant/a"))
            == [OutboxMessage(queue: "broker", topic: "plant/a", payload: [], qos: 1, retain: true)])
        #expect(try router([Self.plant]).retainedClears(forRetractOn: NodeID("plant/a")).isEmpty)
    }

    // MARK: both directions

    @Test func bothWaysAgree() throws {
        let router = try router([Self.temps, Self.plant])
        for (topic, payload) in [("sensors/9/temp", Array(" 7 ".utf8)), ("plant/a/b/c", (0...255).map(UInt8.init))] {
            let route = try #require(try router.inbound(topic: topic, payload: payload, retained: false))
            guard case .item(let stored) = route.payload else {
                Issue.record("no item")
                continue
            }
            let back = router.outbox(forPublished: try item(stored), on: route.node)
            #expect(back.map(\.topic) == [topic])
            #expect(back.map(\.payload) == [payload])
        }
    }

    @Test func echoFilterStopsTheReturnOfAPublishedMessage() throws {
        let router = try router([Self.temps])
        var echoes = EchoFilter(clock: ManualClock())
        let payload = ItemPayload.encode(Element("text", namespace: PayloadCodec.namespace, text: "20"))
        for message in router.outbox(forPublished: try item(payload), on: try NodeID("sensors/3/temp")) {
            echoes.recordPublished(topic: message.topic, payload: message.payload)
        }
        let echo1 = echoes.consumeEcho(topic: "sensors/3/temp", payload: Array("20".utf8))
        #expect(echo1)
        let echo2 = echoes.consumeEcho(topic: "sensors/3/temp", payload: Array("20".utf8))
        #expect(!echo2)
    }
}
