import NIOCore
import Synchronization

/// Per-IP budgets that keep one address from exhausting the server: concurrent connections,
/// failed logins per minute, and registrations per hour. Windows are fixed-size sliding logs.
public final class ConnectionLimits: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var maxConnectionsPerIP: Int
        public var failedLoginsPerMinutePerIP: Int
        public var registrationsPerHourPerIP: Int

        public init(maxConnectionsPerIP: Int = 100, failedLoginsPerMinutePerIP: Int = 10, registrationsPerHourPerIP: Int = 5) {
            self.maxConnectionsPerIP = maxConnectionsPerIP
            self.failedLoginsPerMinutePerIP = failedLoginsPerMinutePerIP
            self.registrationsPerHourPerIP = registrationsPerHourPerIP
        }
    }

    private struct State {
        var connections: [String: Int] = [:]
        var failures: [String: [NIODeadline]] = [:]
        var registrations: [String: [NIODeadline]] = [:]
    }

    public let configuration: Configuration
    private let state = Mutex(State())

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Counts a new connection; false when the IP is at its limit (the connection is refused).
    public func openConnection(ip: String) -> Bool {
        state.withLock { state in
            let current = state.connections[ip, default: 0]
            guard current < configuration.maxConnectionsPerIP else { return false }
            state.connections[ip] = current + 1
            return true
        }
    }

    public func closeConnection(ip: String) {
        state.withLock { state in
            let remaining = state.connections[ip, default: 1] - 1
            state.connections[ip] = remaining > 0 ? remaining : nil
        }
    }

    /// True when the IP failed too many logins in the last minute (RFC 6120 §13.10 throttling).
    public func isLoginThrottled(ip: String, now: NIODeadline = .now()) -> Bool {
        state.withLock { state in
            Self.count(&state.failures, ip, window: .minutes(1), now: now) >= configuration.failedLoginsPerMinutePerIP
        }
    }

    public func recordFailedLogin(ip: String, now: NIODeadline = .now()) {
        state.withLock { state in
            _ = Self.count(&state.failures, ip, window: .minutes(1), now: now)
            state.failures[ip, default: []].append(now)
        }
    }

    /// Takes one registration from the IP's hourly budget (XEP-0077 §9 rate limiting); false when spent.
    public func takeRegistration(ip: String, now: NIODeadline = .now()) -> Bool {
        state.withLock { state in
            guard Self.count(&state.registrations, ip, window: .hours(1), now: now)
                    < configuration.registrationsPerHourPerIP else { return false }
            state.registrations[ip, default: []].append(now)
            return true
        }
    }

    private static func count(_ log: inout [String: [NIODeadline]], _ ip: String, window: TimeAmount, now: NIODeadline) -> Int {
        guard var entries = log[ip] else { return 0 }
        entries.removeAll { $0 + window <= now }
        log[ip] = entries.isEmpty ? nil : entries
        return entries.count
    }
}
