import Foundation
import MQTTBridge
import Testing

/// MQTT 5 through the same calls as 3.1.1, against mosquitto.
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct MQTTClientProtocolVersionTests {
    var port: String { String(MQTTTestEnvironment.port ?? 0) }

    @Test func v5PublishesSubscribesAndReceivesWithTheSameCalls() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let client = try MQTTClient(configuration: MQTTTestEnvironment.configuration(protocolVersion: .v5))
        let events = Recorder(client.events)
        let messages = Recorder(client.messages)
        try await client.connect()
        try await events.wait(for: "connected") { $0 == [.connected(sessionPresent: false)] }
        try await client.subscribe(topic.replacingOccurrences(of: "/test/", with: "/+/"), qos: 1)

        try await client.publish(topic: topic, payload: [0x00, 0xFF], qos: 1, retain: false)
        try await client.publish(topic: topic, payload: [0x01], qos: 0, retain: false)
        let pub = try await CommandLineTool.run(
            "mosquitto_pub", ["-V", "mqttv5", "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-m", "v5 peer"])
        #expect(pub.status == 0, "\(pub.stderr)")
        try await messages.wait(for: "three messages") { $0.count == 3 }
        // Two connections publish, so the broker may interleave them: compare as a set of (payload, QoS)
        // (a QoS 0 publish returns when libmosquitto has taken it, possibly before the broker read it).
        let received = Set(messages.snapshot.map { "\($0.payload) q\($0.qos)" })
        #expect(received == ["[0, 255] q1", "[1] q0", "\(Array("v5 peer".utf8)) q1"])

        // The v5 peer gets what the client publishes, bit-exact.
        let sub = try CommandLineTool("mosquitto_sub", [
            "-V", "mqttv5", "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic + "/out", "-C", "1", "-N", "-W", "20",
        ])
        var published = 0
        while !sub.hasExited, published < 100 {
            try await client.publish(topic: topic + "/out", payload: [0xFE, 0x00, 0x7F], qos: 1, retain: false)
            published += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        let result = await sub.result()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == [0xFE, 0x00, 0x7F])
        await client.disconnect()
    }

    @Test func v5PersistentSessionSurvivesADisconnect() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        var configuration = MQTTTestEnvironment.configuration(cleanSession: false, protocolVersion: .v5)
        let first = try MQTTClient(configuration: configuration)
        try await first.connect()
        try await first.subscribe(topic, qos: 1)
        await first.disconnect()

        // Queued for the absent session (a Session Expiry Interval of 0 would have ended it).
        let pub = try await CommandLineTool.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-m", "while away"])
        #expect(pub.status == 0, "\(pub.stderr)")

        configuration.reconnectDelayMin = .seconds(1)
        let second = try MQTTClient(configuration: configuration)
        let events = Recorder(second.events)
        let messages = Recorder(second.messages)
        try await second.connect()
        try await messages.wait(for: "the queued message") { !$0.isEmpty }
        #expect(events.snapshot.first == .connected(sessionPresent: true))
        #expect(messages.snapshot.map(\.payload) == [Array("while away".utf8)])
        await second.disconnect()
    }
}
