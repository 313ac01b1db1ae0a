import Foundation
import Logging
import MetricsTestKit
@testable import MQTTBridge
import PubSub
import Testing
import XMPPCore

/// The bridge runtime against a real mosquitto and the real pubsub service (in-memory store): items
/// both ways, the node tree it creates, loop prevention, the outbox drained, and the per-mapping
/// counters (issue 5: "Counters per mapping (messages in/out, bytes, queue depth, reconnects)").
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct BridgeConnectionTests {
    struct Harness {
        let prefix = "bt\(UUID().uuidString.prefix(8).lowercased())"
        let store = InMemoryPubSubStore()
        let service: PubSubService
        let metrics = TestMetrics()
        let connection: BridgeConnection
        let router: BridgeRouter
        let bridgeJID: JID
        let alice: JID

        init() throws {
            bridgeJID = try JID("mqtt.example.org")
            alice = try JID("alice@example.org")
            service = PubSubService(
                jid: try JID("pubsub.example.org"), store: store,
                configuration: PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org")))
            let rules = try BridgeConnectionRules(name: "test", mappings: [
                try BridgeMapping(name: "in", filter: "\(prefix)/in/+/temp", nodeTemplate: "\(prefix)/in/{1}/temp",
                                  direction: .inbound, autoCreate: true),
                try BridgeMapping(name: "both", filter: "\(prefix)/both/+", nodeTemplate: "\(prefix)/both/{1}",
                                  direction: .both, autoCreate: true),
                try BridgeMapping(name: "out", filter: "\(prefix)/out/#", nodeTemplate: "\(prefix)/xmpp/{1}",
                                  direction: .outbound),
                try BridgeMapping(name: "probe", filter: "\(prefix)/probe", nodeTemplate: "\(prefix)/probe",
                                  direction: .inbound, autoCreate: true),
            ])
            router = BridgeRouter(rules: rules, bridgeJID: bridgeJID)
            var leaf = NodeConfiguration.defaults(for: .leaf)
            leaf.maxPayloadSize = nil
            let settings = BridgeConnection.Settings(
                client: MQTTTestEnvironment.configuration(),
                backoff: MQTTBackoff(initial: .milliseconds(200), maximum: .seconds(1)),
                router: router, queueLimit: 1000,
                leafConfigurations: ["in": leaf, "both": leaf, "probe": leaf],
                collectionConfiguration: NodeConfiguration.defaults(for: .collection))
            connection = BridgeConnection(
                settings: settings, service: service, store: store, logger: Logger(label: "test"),
                metricsFactory: metrics)
        }

        func node(_ path: String) throws -> NodeID { try NodeID("\(prefix)/\(path)") }

        func items(_ path: String) async throws -> [Item] {
            guard case .items(_, let page)? = try? await service.perform(
                .items(node: try node(path), query: .all), as: .system) else { return [] }
            return page.items
        }

        func waitForItems(_ path: String, count: Int) async throws -> [Item] {
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                let found = try await items(path)
                if found.count >= count { return found }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("\(path): fewer than \(count) items within 15 s")
            return try await items(path)
        }

        func counter(_ label: String, mapping: String) -> Int64 {
            metrics.counterTotal(label: label, dimensions: [("bridge", "test"), ("mapping", mapping)])
        }
    }

    @Test func itemsFlowBothWaysWithoutLoopsAndAreCounted() async throws {
        let h = try Harness()
        await h.service.setForwarder(BridgeForwarder(routers: [h.router]))
        let run = Task { await h.connection.run() }
        defer { run.cancel() }

        // A peer that watches every outbound topic (QoS 1).
        let peer = try MQTTTestEnvironment.makeClient()
        let seen = Recorder(peer.messages)
        try await peer.connect()
        try await peer.subscribe("\(h.prefix)/#", qos: 1)
        // The bridge subscribes after connecting: probe until a probe message has become an item.
        let deadline = ContinuousClock.now + .seconds(15)
        while try await h.items("probe").isEmpty, ContinuousClock.now < deadline {
            try await peer.publish(topic: "\(h.prefix)/probe", payload: Array("probe".utf8), qos: 1, retain: false)
            try await Task.sleep(for: .milliseconds(200))
        }
        let reading: [UInt8] = Array(0...255)
        try await peer.publish(topic: "\(h.prefix)/in/boiler/temp", payload: reading, qos: 1, retain: false)
        let inbound = try await h.waitForItems("in/boiler/temp", count: 1)
        // Inbound: published as the bridge, under collections made for its path.
        #expect(inbound.first?.publisher == h.bridgeJID)
        guard case .configuration(let leaf, _) = try await h.service.perform(.getConfiguration(node: try h.node("in/boiler/temp")), as: .system),
              case .configuration(let parent, _) = try await h.service.perform(.getConfiguration(node: try h.node("in/boiler")), as: .system)
        else { Issue.record("no configuration"); return }
        let boiler = try h.node("in/boiler"), top = try h.node("in")
        #expect(leaf.collections == [boiler])
        #expect(parent.nodeType == .collection && parent.collections == [top])
        #expect(h.counter("starling_bridge_messages_in_total", mapping: "in") == 1)
        #expect(h.counter("starling_bridge_bytes_in_total", mapping: "in") == 256)

        // Outbound: an XMPP publish leaves on the mapped topic, bit-exact after Base64.
        let blob = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let payload = Array("<data xmlns='urn:starling:mqtt:0'>\(Data(blob).base64EncodedString())</data>".utf8)
        _ = try await h.service.perform(.create(node: try h.node("xmpp/valve"), configuration: nil), as: .entity(h.alice))
        var config = NodeConfiguration.defaults(for: .leaf)
        config.maxPayloadSize = nil
        _ = try await h.service.perform(.configure(node: try h.node("xmpp/valve"), configuration: config, children: nil), as: .entity(h.alice))
        _ = try await h.service.perform(.publish(node: try h.node("xmpp/valve"), itemID: nil, payload: payload, options: nil), as: .entity(h.alice))
        try await seen.wait(for: "outbound message") { $0.contains { $0.topic == "\(h.prefix)/out/valve" } }
        #expect(seen.snapshot.first { $0.topic == "\(h.prefix)/out/valve" }?.payload == blob)
        #expect(h.counter("starling_bridge_messages_out_total", mapping: "out") == 1)
        #expect(h.counter("starling_bridge_bytes_out_total", mapping: "out") == Int64(blob.count))

        // `both`: a message from MQTT becomes one item and is not sent back; an XMPP publish goes out
        // once and its echo does not come back as an item.
        try await peer.publish(topic: "\(h.prefix)/both/a", payload: Array("from-mqtt".utf8), qos: 1, retain: false)
        _ = try await h.waitForItems("both/a", count: 1)
        _ = try await h.service.perform(.publish(node: try h.node("both/b"), itemID: nil,
                                                 payload: Array("<data xmlns='urn:starling:mqtt:0'>eA==</data>".utf8), options: nil),
                                        as: .entity(h.alice))
        try await seen.wait(for: "both/b out") { $0.contains { $0.topic == "\(h.prefix)/both/b" } }
        // The broker sends our both/b back to the bridge's subscription: wait until the bridge has
        // recognised that echo, then check it made no item.
        let echoes = { h.metrics.counterTotal(label: "starling_bridge_echoes_dropped_total", dimensions: [("bridge", "test")]) }
        let echoDeadline = ContinuousClock.now + .seconds(15)
        while echoes() < 1, ContinuousClock.now < echoDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await h.items("both/b").count == 1)
        #expect(try await h.items("both/a").count == 1)
        #expect(seen.snapshot.filter { $0.topic == "\(h.prefix)/both/a" }.count == 1, "only the original, not a copy")
        #expect(echoes() == 1)
        // The sender deletes delivered rows after the broker's PUBACK, so shortly after the peer saw them.
        var queued = try await h.store.outboxCount("test")
        let drained = ContinuousClock.now + .seconds(15)
        while queued > 0, ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(50))
            queued = try await h.store.outboxCount("test")
        }
        #expect(queued == 0)
        await peer.disconnect()
    }
}
