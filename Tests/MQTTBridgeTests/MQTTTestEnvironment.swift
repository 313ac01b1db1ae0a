import Foundation
import MQTTBridge
import Synchronization
import Testing

/// The broker the tests talk to: `STARLING_TEST_MQTT_PORT` on 127.0.0.1, as printed by
/// `ops/testenv/mosquitto.sh start DIR`. CI also sets `STARLING_REQUIRE_MQTT=1`, so a missing broker
/// fails the run (`MQTTRequirementTests`) instead of skipping quietly (STYLE.md §7).
enum MQTTTestEnvironment {
    static let port: Int? = ProcessInfo.processInfo.environment["STARLING_TEST_MQTT_PORT"].flatMap { Int($0) }
    static let required = ProcessInfo.processInfo.environment["STARLING_REQUIRE_MQTT"] == "1"
    static let host = "127.0.0.1"
    static let skipReason: Comment = """
        no broker: STARLING_TEST_MQTT_PORT is not set (start one with `ops/testenv/mosquitto.sh start DIR` \
        and export the port it prints)
        """

    /// `ops/testenv/mosquitto.sh` of this checkout.
    static let script: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ops/testenv/mosquitto.sh").path

    static func uniqueTopic(_ name: String = #function) -> String {
        let base = name.prefix { $0.isLetter || $0.isNumber }
        return "starling/test/\(base)/\(UUID().uuidString)"
    }

    static func configuration(
        port: Int? = nil,
        reconnectMax: Duration = .seconds(2),
        cleanSession: Bool = true,
        protocolVersion: MQTTProtocolVersion = .v311,
        tls: MQTTTLSConfiguration? = nil,
        disconnectTimeout: Duration = .seconds(5)
    ) -> MQTTClientConfiguration {
        MQTTClientConfiguration(
            host: host,
            port: port ?? self.port ?? 1883,
            clientID: "starling-test-\(UUID().uuidString.prefix(8))",
            cleanSession: cleanSession,
            keepAlive: .seconds(10),
            reconnectDelayMin: .seconds(1),
            reconnectDelayMax: reconnectMax,
            protocolVersion: protocolVersion,
            tls: tls,
            disconnectTimeout: disconnectTimeout
        )
    }

    static func makeClient(
        port: Int? = nil,
        reconnectMax: Duration = .seconds(2),
        cleanSession: Bool = true
    ) throws -> MQTTClient {
        MQTTClient.initializeLibrary()
        return try MQTTClient(configuration: configuration(
            port: port, reconnectMax: reconnectMax, cleanSession: cleanSession))
    }
}

/// Drains an `AsyncStream` into an array the test can wait on (the stream allows one consumer).
final class Recorder<Element: Sendable>: Sendable {
    private let values = Mutex<[Element]>([])
    private let finished = Mutex(false)

    init(_ stream: AsyncStream<Element>) {
        Task { [self] in
            for await value in stream { values.withLock { $0.append(value) } }
            finished.withLock { $0 = true }
        }
    }

    var snapshot: [Element] { values.withLock { $0 } }
    var isFinished: Bool { finished.withLock { $0 } }

    /// Polls until `condition` holds for what arrived so far; throws after `timeout`.
    func wait(
        for what: String, timeout: Duration = .seconds(10), _ condition: ([Element]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(snapshot) {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(what: what, seen: "\(snapshot)".prefix(2_000).description)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func waitUntilFinished(timeout: Duration = .seconds(10)) async throws {
        try await wait(for: "end of stream", timeout: timeout) { _ in isFinished }
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var seen: String
    var description: String { "timed out waiting for \(what); seen: \(seen)" }
}
