import Foundation
@testable import MQTTBridge
import Synchronization
import Testing

/// Handler mode against a real mosquitto: the PUBACK of a QoS 1 message leaves only after the
/// handler returned (issue #5: "acknowledged to the broker only after the item is stored").
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct MQTTClientHandlerTests {
    var port: String { String(MQTTTestEnvironment.port ?? 0) }

    /// Were the PUBACK written before the handler returned (as libmosquitto does without a handler),
    /// the broker would consider B delivered and never send it again.
    @Test(arguments: [MQTTProtocolVersion.v311, .v5])
    func messageWhoseHandlerWasCutOffIsRedeliveredAndOnlyThatOne(version: MQTTProtocolVersion) async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let gate = Gate()
        let (seenStream, seen) = AsyncStream.makeStream(of: String.self)
        let handled = Recorder(seenStream)
        let client = try MQTTClient(
            configuration: MQTTTestEnvironment.configuration(cleanSession: false, protocolVersion: version),
            handler: { message in
                let text = String(decoding: message.payload, as: UTF8.self)
                seen.yield(text)
                if text == "B" { await gate.wait() }
            })
        let events = Recorder(client.events)
        try await client.connect()
        try await client.subscribe(topic, qos: 1)

        // A: handled at once; its PUBACK leaves right after the handler returned.
        try await publish("A", on: topic)
        try await handled.wait(for: "A") { $0 == ["A"] }
        try await Task.sleep(for: .milliseconds(500))

        // B: the handler holds it; cut the link under libmosquitto, then let the handler finish.
        try await publish("B", on: topic)
        try await handled.wait(for: "B in its handler") { $0 == ["A", "B"] }
        try await Task.sleep(for: .milliseconds(200))
        client._severConnectionForTesting()
        gate.open()

        // libmosquitto reconnects to the same session; the broker sends B again (§4.4), not A.
        try await handled.wait(for: "B again", timeout: .seconds(15)) { $0.count >= 3 }
        try await events.wait(for: "the session resumed") { $0.contains(.connected(sessionPresent: true)) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(handled.snapshot == ["A", "B", "B"])
        #expect(events.snapshot.first == .connected(sessionPresent: false))
        #expect(events.snapshot.contains(.reconnecting))
        await client.disconnect()
        seen.finish()
    }

    @Test func handlerRunsOneMessageAtATimeInArrivalOrder() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let running = Locked((now: 0, most: 0))
        let (seenStream, seen) = AsyncStream.makeStream(of: Int.self)
        let handled = Recorder(seenStream)
        let subscriber = try MQTTClient(configuration: MQTTTestEnvironment.configuration()) { message in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try? await Task.sleep(for: .milliseconds(5))
            running.withLock { $0.now -= 1 }
            seen.yield(Int(message.payload[0]))
        }
        #expect(await subscriber.messages.first { _ in true } == nil, "messages is finished in handler mode")
        try await subscriber.connect()
        try await subscriber.subscribe(topic, qos: 1)

        let publisher = try MQTTTestEnvironment.makeClient()
        try await publisher.connect()
        for index in 0..<40 {
            try await publisher.publish(topic: topic, payload: [UInt8(index)], qos: index % 2, retain: false)
        }
        try await handled.wait(for: "40 messages") { $0.count == 40 }
        #expect(handled.snapshot == Array(0..<40))
        #expect(running.withLock { $0.most } == 1)
        await publisher.disconnect()
        await subscriber.disconnect()
        seen.finish()
    }

    @Test func disconnectReturnsWithinItsTimeoutWhileAHandlerIsStuck() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let gate = Gate()
        let (seenStream, seen) = AsyncStream.makeStream(of: String.self)
        let handled = Recorder(seenStream)
        let client = try MQTTClient(
            configuration: MQTTTestEnvironment.configuration(disconnectTimeout: .seconds(1)),
            handler: { message in
                seen.yield(message.topic)
                await gate.wait()
            })
        let events = Recorder(client.events)
        try await client.connect()
        try await client.subscribe(topic, qos: 1)
        try await publish("stuck", on: topic)
        try await handled.wait(for: "the message in its handler") { !$0.isEmpty }

        let start = ContinuousClock.now
        await client.disconnect()
        #expect(ContinuousClock.now - start < .seconds(3))
        try await events.waitUntilFinished()
        #expect(events.snapshot.last == .disconnected(.requested))
        // The handler finishes later; the network thread then ends by itself.
        gate.open()
        try await Task.sleep(for: .milliseconds(200))
        seen.finish()
    }

    private func publish(_ text: String, on topic: String) async throws {
        let pub = try await CommandLineTool.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-m", text])
        #expect(pub.status == 0, "\(pub.stderr)")
    }
}
