import Foundation
import MQTTBridge
import Testing

/// `connect(retryingWith:)`: a bridge started before its broker keeps trying until the broker is up.
@Suite(.enabled(if: MQTTTestEnvironment.port != nil, MQTTTestEnvironment.skipReason))
struct MQTTClientRetryTests {
    @Test func connectRetryingWaitsForTheBrokerToStart() async throws {
        try await PrivateBroker.with { broker in
            try await broker.stop()
            let client = try MQTTClient(configuration: MQTTTestEnvironment.configuration(port: Int(broker.port)))
            let events = Recorder(client.events)
            let connecting = Task {
                try await client.connect(
                    retryingWith: MQTTBackoff(initial: .milliseconds(200), maximum: .milliseconds(800), jitter: 0.5))
            }
            try await events.wait(for: "two failed attempts") { $0.count >= 2 }

            try await broker.start()
            try await events.wait(for: "connected", timeout: .seconds(15)) {
                $0.contains(.connected(sessionPresent: false))
            }
            try await connecting.value
            let attempts = events.snapshot.dropLast()
            #expect(events.snapshot.last == .connected(sessionPresent: false))
            for (index, event) in attempts.enumerated() {
                guard case .connectAttemptFailed(let attempt, let error) = event else {
                    Issue.record("expected a failed attempt, got \(event)")
                    continue
                }
                #expect(attempt == index + 1)
                #expect(error.code == .connectionFailed)
            }
            // Connected for real: a QoS 1 publish gets its PUBACK.
            try await client.publish(topic: MQTTTestEnvironment.uniqueTopic(), payload: [1], qos: 1, retain: false)
            await client.disconnect()
        }
    }
}

/// No broker needed: port 1 refuses every attempt.
@Suite struct MQTTClientRetryWithoutBrokerTests {
    @Test func cancellationEndsConnectRetrying() async throws {
        let client = try MQTTTestEnvironment.makeClient(port: 1)
        let events = Recorder(client.events)
        let connecting = Task {
            try await client.connect(retryingWith: MQTTBackoff(initial: .milliseconds(300), maximum: .seconds(1)))
        }
        try await events.wait(for: "two failed attempts") { $0.count >= 2 }
        let start = ContinuousClock.now
        connecting.cancel()
        do {
            try await connecting.value
            Issue.record("connected to port 1")
        } catch is CancellationError {
        } catch {
            Issue.record("expected CancellationError, got \(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        // The client is idle again, not stuck in a half-made attempt.
        await #expect(throws: MQTTError.self) { try await client.connect() }
        await client.disconnect()
    }

    @Test func disconnectEndsConnectRetryingWithClosed() async throws {
        let client = try MQTTTestEnvironment.makeClient(port: 1)
        let events = Recorder(client.events)
        let connecting = Task {
            try await client.connect(retryingWith: MQTTBackoff(initial: .seconds(5), maximum: .seconds(5)))
        }
        try await events.wait(for: "a failed attempt") { !$0.isEmpty }
        let start = ContinuousClock.now
        await client.disconnect()
        do {
            try await connecting.value
            Issue.record("connected to port 1")
        } catch let error as MQTTError {
            #expect(error.code == .closed)
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        try await events.waitUntilFinished()
    }

    @Test func invalidBackoffIsRejectedBeforeAnyAttempt() async throws {
        let client = try MQTTTestEnvironment.makeClient(port: 1)
        let events = Recorder(client.events)
        await #expect(throws: MQTTError.self) {
            try await client.connect(retryingWith: MQTTBackoff(initial: .seconds(2), maximum: .seconds(1)))
        }
        await client.disconnect()
        try await events.waitUntilFinished()
        #expect(events.snapshot.isEmpty)
    }
}
