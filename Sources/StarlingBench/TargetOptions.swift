import ArgumentParser
import Foundation
import Accounts
import NIOCore

/// Where to connect and as whom; shared by every scenario.
struct TargetOptions: ParsableArguments {
    @Option(help: "Server address; loopback only (127.0.0.0/8, ::1 or localhost).")
    var host: String = "127.0.0.1"

    @Option(help: "Client-to-server port (plain TCP, upgraded with STARTTLS).")
    var port: Int = 5222

    @Option(help: "XMPP domain of the accounts (the stream's 'to').")
    var domain: String = "localhost"

    @Option(help: "Number of bench accounts; session i logs in as account (i mod N) + 1.")
    var users: Int = 100

    @Option(help: "Username pattern; %d is replaced by the account number (1...N).")
    var userPattern: String = "bench%d"

    @Option(help: "Password pattern; %d is replaced by the account number (1...N).")
    var passwordPattern: String = "bench-%d"

    @Option(help: "SASL mechanism: auto (SCRAM-SHA-256 when offered, else SCRAM-SHA-1), SCRAM-SHA-1 or SCRAM-SHA-256.")
    var mechanism: String = "auto"

    @Option(help: "Event loop threads of the load generator.")
    var threads: Int = System.coreCount

    @Option(help: "Seconds one session may take from connect to bound resource.")
    var sessionTimeout: Int = 30

    @Option(help: "Seconds the whole run may take; past it the run fails.")
    var timeout: Int = 600

    func validate() throws {
        guard users >= 1 else { throw ValidationError("--users must be at least 1") }
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard threads >= 1, sessionTimeout >= 1, timeout >= 1 else {
            throw ValidationError("--threads, --session-timeout and --timeout must be positive")
        }
        guard mechanism == "auto" || SCRAMCredentials.Algorithm(rawValue: mechanism) != nil else {
            throw ValidationError("--mechanism must be auto, SCRAM-SHA-1 or SCRAM-SHA-256")
        }
        _ = try loopbackAddress()
    }

    /// The resolved address, refusing anything that is not loopback: the generator must never be
    /// pointed at somebody else's server.
    func loopbackAddress() throws -> SocketAddress {
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard let address = try? SocketAddress(ipAddress: literal, port: port) else {
            throw ValidationError("--host must be an IP address or localhost, got '\(host)'")
        }
        switch address {
        case .v4(let v4) where UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127:
            return address
        case .v6 where literal == "::1":
            return address
        default:
            throw ValidationError("--host \(host) is not a loopback address; starling-bench only runs on loopback")
        }
    }

    var credentialScheme: CredentialScheme {
        CredentialScheme(users: users, userPattern: userPattern, passwordPattern: passwordPattern)
    }

    var preferredAlgorithm: SCRAMCredentials.Algorithm? { SCRAMCredentials.Algorithm(rawValue: mechanism) }
}

/// How session numbers map to bench accounts: session i logs in as account (i mod users) + 1.
struct CredentialScheme: Sendable {
    var users: Int
    var userPattern: String
    var passwordPattern: String

    /// Credentials and resource of session number `index` (0-based).
    func credentials(forSession index: Int) -> SessionCredentials {
        let account = String(index % users + 1)
        return SessionCredentials(
            username: userPattern.replacingOccurrences(of: "%d", with: account),
            password: passwordPattern.replacingOccurrences(of: "%d", with: account),
            resource: "bench-\(index)"
        )
    }
}

/// Who one session logs in as.
struct SessionCredentials: Sendable {
    var username: String
    var password: String
    var resource: String
}
