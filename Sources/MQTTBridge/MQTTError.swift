/// An error from `MQTTClient`. A struct over a private enum (STYLE.md §5) so cases can be added.
public struct MQTTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for `switch`-free comparison: `error.code == .closed`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, invalidArgument, alreadyConnected, notConnected, closed
            case connectionFailed, connectionRefused, connectionLost, subscriptionRejected, library
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration cannot work (reported by `MQTTClient.init`).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A topic, filter, QoS or payload size out of range (MQTT 3.1.1 §4.7, §2.2.3).
        public static let invalidArgument = Code(.invalidArgument)
        /// `connect()` while connecting or connected.
        public static let alreadyConnected = Code(.alreadyConnected)
        /// The link is down (or `connect()` never succeeded) and the operation cannot be queued.
        public static let notConnected = Code(.notConnected)
        /// `disconnect()` was called; the client is finished.
        public static let closed = Code(.closed)
        /// The first connection attempt failed before a CONNACK (DNS, TCP, TLS).
        public static let connectionFailed = Code(.connectionFailed)
        /// The broker answered CONNACK with a non-zero return code (§3.2.2.3).
        public static let connectionRefused = Code(.connectionRefused)
        /// The link broke before a QoS 0 PUBLISH was written or a SUBACK arrived.
        public static let connectionLost = Code(.connectionLost)
        /// SUBACK returned 0x80 for the filter (§3.9.3).
        public static let subscriptionRejected = Code(.subscriptionRejected)
        /// Any other libmosquitto error code.
        public static let library = Code(.library)

        public var description: String { "\(base)" }
    }

    public let code: Code
    /// Human-readable detail (libmosquitto's text where it has one).
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "MQTT \(code): \(message)" }
}
