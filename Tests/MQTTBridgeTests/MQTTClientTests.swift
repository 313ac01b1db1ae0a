import Foundation
import MQTTBridge
import Testing

/// `MQTTClient` against a real mosquitto (`STARLING_TEST_MQTT_PORT`), with the mosquitto command-line
/// clients as the independent peer on the other side.
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct MQTTClientTests {
    var port: String { String(MQTTTestEnvironment.port ?? 0) }

    @Test func connectReportsConnectedAndDisconnectEndsTheStreams() async throws {
        let client = try MQTTTestEnvironment.makeClient()
        let events = Recorder(client.events)
        let messages = Recorder(client.messages)
        try await client.connect()
        try await events.wait(for: "connected") { $0 == [.connected(sessionPresent: false)] }
        await #expect(throws: MQTTError.self) { try await client.connect() }

        await client.disconnect()
        try await events.waitUntilFinished()
        try await messages.waitUntilFinished()
        #expect(events.snapshot == [.connected(sessionPresent: false), .disconnected(.requested)])
        do {
            try await client.publish(topic: "a", payload: [], qos: 1, retain: false)
            Issue.record("publish after disconnect succeeded")
        } catch let error as MQTTError {
            #expect(error.code == .closed)
        }
    }

    @Test func receivesWhatMosquittoPubPublishes() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let client = try MQTTTestEnvironment.makeClient()
        let messages = Recorder(client.messages)
        try await client.connect()
        try await client.subscribe(topic.replacingOccurrences(of: "/test/", with: "/+/"), qos: 1)

        let payload: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D] + Array("temp=21.5".utf8)
        let file = try CommandLineTool.temporaryFile(payload)
        defer { try? FileManager.default.removeItem(at: file) }
        let pub = try await CommandLineTool.run("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-f", file.path])
        #expect(pub.status == 0, "\(pub.stderr)")

        try await messages.wait(for: "the message on \(topic)") { !$0.isEmpty }
        #expect(messages.snapshot == [MQTTMessage(topic: topic, payload: payload, qos: 1, retain: false)])
        await client.disconnect()
    }

    @Test func publishQoS1IsBitExactAtMosquittoSub() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        // Every byte value, NUL and 0xFF first, so no text handling can pass unnoticed.
        let payload: [UInt8] = [0x00, 0xFF, 0x00] + (0...255).map { UInt8($0) } + [0xFF]
        let client = try MQTTTestEnvironment.makeClient()
        try await client.connect()

        // -C 1: exit after one message; -N: no newline after it; -W: give up after 20 s.
        let sub = try CommandLineTool("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-C", "1", "-N", "-W", "20"])
        // mosquitto_sub says nothing when its SUBACK arrives: publish until it has one message.
        var published = 0
        while !sub.hasExited, published < 100 {
            try await client.publish(topic: topic, payload: payload, qos: 1, retain: false)
            published += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        let result = await sub.result()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == payload)
        await client.disconnect()
    }

    @Test func retainedMessageArrivesOnSubscribe() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let retained = try await CommandLineTool.run("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", "1", "-r", "-t", topic, "-m", "last value"])
        #expect(retained.status == 0, "\(retained.stderr)")

        let client = try MQTTTestEnvironment.makeClient()
        let messages = Recorder(client.messages)
        try await client.connect()
        try await client.subscribe(topic, qos: 1)
        try await messages.wait(for: "the retained message") { !$0.isEmpty }
        #expect(messages.snapshot == [MQTTMessage(topic: topic, payload: Array("last value".utf8), qos: 1, retain: true)])

        // Clear it through the client (§3.3.1.3: an empty retained message removes the retained one).
        try await client.publish(topic: topic, payload: [], qos: 1, retain: true)
        await client.disconnect()
    }

    @Test func subscribeRejectsInvalidFiltersBeforeTheBroker() async throws {
        let client = try MQTTTestEnvironment.makeClient()
        try await client.connect()
        for filter in ["a/#/b", "", "a+"] {
            do {
                try await client.subscribe(filter, qos: 1)
                Issue.record("'\(filter)' was accepted")
            } catch let error as MQTTError {
                #expect(error.code == .invalidArgument)
            }
        }
        await client.disconnect()
    }

    @Test func disconnectWhileMessagesFlowDoesNotCrashOrHang() async throws {
        let topic = MQTTTestEnvironment.uniqueTopic()
        let subscriber = try MQTTTestEnvironment.makeClient()
        let publisher = try MQTTTestEnvironment.makeClient()
        let received = Recorder(subscriber.messages)
        try await subscriber.connect()
        try await subscriber.subscribe(topic, qos: 1)
        try await publisher.connect()

        // Many publishes in flight at once, QoS 0 and 1, until the publisher is disconnected under them.
        let flow = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var index = 0
                        while true {
                            try await publisher.publish(
                                topic: topic, payload: [UInt8(lane), UInt8(truncatingIfNeeded: index)],
                                qos: lane % 2, retain: false)
                            index += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await received.wait(for: "200 messages") { $0.count >= 200 }
        await subscriber.disconnect()
        try await received.waitUntilFinished()
        let countAtClose = received.snapshot.count

        try await Task.sleep(for: .milliseconds(100))
        await publisher.disconnect()
        do {
            try await flow.value
            Issue.record("publishing went on after disconnect")
        } catch let error as MQTTError {
            #expect(error.code == .closed || error.code == .notConnected)
        }
        #expect(received.snapshot.count == countAtClose)
    }

    @Test func reconnectsAfterTheBrokerRestartsAndRenewsSubscriptions() async throws {
        // A broker of its own: stopping the shared one would break the tests running beside this one.
        try await PrivateBroker.with { broker in
            let topic = MQTTTestEnvironment.uniqueTopic()
            let client = try MQTTTestEnvironment.makeClient(port: Int(broker.port), reconnectMax: .seconds(2))
            let events = Recorder(client.events)
            let messages = Recorder(client.messages)
            try await client.connect()
            try await client.subscribe(topic, qos: 1)

            try await broker.stop()
            try await events.wait(for: "disconnected, reconnecting") { events in
                events.count == 3 && events[2] == .reconnecting
            }
            guard case .disconnected(.connectionLost) = events.snapshot[1] else {
                Issue.record("expected connection lost, got \(events.snapshot)")
                return
            }
            // While the broker is away, publishing says so at once instead of piling up in memory;
            // the bridge keeps its outbound queue in the store (issue #5).
            do {
                try await client.publish(topic: topic, payload: [1, 2, 3], qos: 1, retain: false)
                Issue.record("publish succeeded with the broker down")
            } catch let error as MQTTError {
                #expect(error.code == .notConnected)
            }

            try await broker.start()
            try await events.wait(for: "connected again", timeout: .seconds(15)) { $0.count == 4 }
            #expect(events.snapshot.last == .connected(sessionPresent: false))
            try await client.publish(topic: topic + "/after", payload: [4, 5, 6], qos: 1, retain: false)

            // The restarted broker has no sessions: the client subscribed again by itself. Its SUBACK
            // is not observable from here, so publish until one message gets through.
            var delivered = false
            for _ in 0..<10 where !delivered {
                let pub = try await CommandLineTool.run(
                    "mosquitto_pub", ["-h", "127.0.0.1", "-p", broker.port, "-q", "1", "-t", topic, "-m", "again"])
                #expect(pub.status == 0, "\(pub.stderr)")
                delivered = (try? await messages.wait(for: "a message after the restart", timeout: .seconds(1)) { received in
                    received.contains { $0.topic == topic }
                }) != nil
            }
            #expect(delivered)
            #expect(messages.snapshot.first { $0.topic == topic }?.payload == Array("again".utf8))
            await client.disconnect()
        }
    }
}

extension MQTTClientTests {
    @Test func disconnectWhileReconnectingEndsPromptly() async throws {
        try await PrivateBroker.with { broker in
            let client = try MQTTTestEnvironment.makeClient(port: Int(broker.port), reconnectMax: .seconds(2))
            let events = Recorder(client.events)
            try await client.connect()
            try await broker.stop()
            try await events.wait(for: "reconnecting") { $0.last == .reconnecting }
            try await Task.sleep(for: .milliseconds(300))

            let start = ContinuousClock.now
            await client.disconnect()
            // libmosquitto finishes its current backoff sleep (at most reconnectDelayMax) first.
            #expect(ContinuousClock.now - start < .seconds(5))
            try await events.waitUntilFinished()
            #expect(events.snapshot.count == 3)
            try await broker.start()
        }
    }
}

/// A mosquitto of one test's own, through `ops/testenv/mosquitto.sh`, that the test may stop and
/// start again on the same port; with `tls`, a directory of `TestCertificates`, its listener is TLS.
struct PrivateBroker: Sendable {
    let directory: String
    let port: String
    let tls: String?

    static func with(tls: String? = nil, _ body: (PrivateBroker) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-mqtt-broker-\(UUID().uuidString)").path
        let started = try await CommandLineTool.run(
            MQTTTestEnvironment.script, ["start", directory] + (tls.map { ["--tls", $0] } ?? []))
        try #require(started.status == 0, "\(started.stderr)")
        let port = try #require(String(decoding: started.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init))
        let broker = PrivateBroker(directory: directory, port: port, tls: tls)
        do {
            try await body(broker)
        } catch {
            try? await broker.stop()
            throw error
        }
        try await broker.stop()
    }

    func stop() async throws {
        let stopped = try await CommandLineTool.run(MQTTTestEnvironment.script, ["stop", directory])
        try #require(stopped.status == 0, "\(stopped.stderr)")
    }

    func start() async throws {
        let started = try await CommandLineTool.run(
            MQTTTestEnvironment.script, ["start", directory, port] + (tls.map { ["--tls", $0] } ?? []))
        try #require(started.status == 0, "\(started.stderr)")
    }
}

/// No broker needed: connecting to a port nobody listens on fails promptly and leaves the client usable.
@Suite struct MQTTClientWithoutBrokerTests {
    @Test func connectToAClosedPortThrowsConnectionFailed() async throws {
        let client = try MQTTTestEnvironment.makeClient(port: 1)
        let start = ContinuousClock.now
        for _ in 0..<2 {
            do {
                try await client.connect()
                Issue.record("connected to port 1")
            } catch let error as MQTTError {
                #expect(error.code == .connectionFailed)
            }
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        await client.disconnect()
    }

    @Test func invalidConfigurationIsRejected() {
        MQTTClient.initializeLibrary()
        let bad: [MQTTClientConfiguration] = [
            .init(host: ""),
            .init(host: "h", port: 0),
            .init(host: "h", keepAlive: .seconds(2)),
            .init(host: "h", cleanSession: false),
            .init(host: "h", password: "secret"),
            .init(host: "h", reconnectDelayMin: .seconds(10), reconnectDelayMax: .seconds(1)),
        ]
        for configuration in bad {
            #expect(throws: MQTTError.self) { try MQTTClient(configuration: configuration) }
        }
    }

    @Test func operationsBeforeConnectFailWithNotConnected() async throws {
        let client = try MQTTTestEnvironment.makeClient(port: 1)
        await #expect(throws: MQTTError(.notConnected, "connect() has not succeeded yet")) {
            try await client.publish(topic: "a", payload: [1], qos: 1, retain: false)
        }
        await #expect(throws: MQTTError(.notConnected, "connect() has not succeeded yet")) {
            try await client.subscribe("a/#", qos: 0)
        }
        await client.disconnect()
    }
}
