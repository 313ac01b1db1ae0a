import Foundation
import PostgresNIO

/// A libpq-style connection URI (PostgreSQL docs §34.1.1.2) turned into a client configuration:
///
///     postgres[ql]://[user[:password]@][host][:port][/dbname][?param=value&…]
///
/// User and password may be percent-encoded; the user defaults to `postgres`, the port to 5432.
/// Parameters understood:
/// - `sslmode`: `disable`; `allow` and `prefer` (the default: TLS if the server offers it, not
///   verified, as libpq does); `require` (TLS, certificate not verified, as libpq does);
///   `verify-ca` (chain checked against the system trust store); `verify-full` (chain and host name).
///   `sslrootcert`, `sslcert` and `sslkey` are not supported.
/// - `host`: a directory holding the server's Unix socket (`?host=/run/postgresql`), used instead
///   of TCP: the socket is `<dir>/.s.PGSQL.<port>`.
/// - `application_name`; `connect_timeout` (seconds): per connection attempt, and how long
///   `PostgresStore.connect` waits for a first connection (30 s when not given).
/// Any other parameter is an error, so a typo is not silently ignored.
package struct PostgresURL {
    package var configuration: PostgresClient.Configuration
    /// How long startup waits for the server before giving up.
    var startupTimeout: Duration = .seconds(30)

    package init(_ string: String) throws {
        guard let components = URLComponents(string: string) else {
            throw PostgresStoreError.invalidURL("not a URL")
        }
        guard components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw PostgresStoreError.invalidURL("scheme must be postgres:// or postgresql://")
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        let password = components.password
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw PostgresStoreError.invalidURL("port \(port)") }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { throw PostgresStoreError.invalidURL("path must be one database name") }
        let database = path.isEmpty ? nil : path

        var sslMode = "prefer"
        var socketDirectory: String?
        var startupParameters: [(String, String)] = []
        var connectTimeout: Duration?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode": sslMode = value
            case "host":
                guard value.hasPrefix("/") else {
                    throw PostgresStoreError.invalidURL("host parameter must be a socket directory")
                }
                socketDirectory = value
            case "application_name": startupParameters.append(("application_name", value))
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw PostgresStoreError.invalidURL("connect_timeout must be a positive number of seconds")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw PostgresStoreError.invalidURL("unsupported parameter \(item.name)")
            }
        }

        if let socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw PostgresStoreError.invalidURL("no host (give one, or ?host=/socket/dir)")
            }
            // URLComponents keeps the brackets of an IPv6 literal.
            let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            configuration = PostgresClient.Configuration(
                host: bareHost, port: port, username: user, password: password, database: database,
                tls: try Self.tls(sslMode: sslMode))
        }
        configuration.options.additionalStartupParameters = startupParameters
        if let connectTimeout {
            configuration.options.connectTimeout = connectTimeout
            startupTimeout = connectTimeout
        }
    }

    private static func tls(sslMode: String) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "disable":
            return .disable
        case "allow", "prefer":
            tls.certificateVerification = .none
            return .prefer(tls)
        case "require":
            tls.certificateVerification = .none
            return .require(tls)
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case "verify-full":
            tls.certificateVerification = .fullVerification
            return .require(tls)
        default:
            throw PostgresStoreError.invalidURL("unsupported sslmode \(sslMode)")
        }
    }
}
