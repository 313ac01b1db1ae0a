/// A local user account. `username` is the normalized localpart of the user's bare JID on this
/// server's domain (RFC 7622 §3.3); the server holds only SCRAM credentials, one per algorithm.
public struct Account: Hashable, Sendable {
    public var username: String
    public var credentials: [SCRAMCredentials]

    public init(username: String, credentials: [SCRAMCredentials]) {
        self.username = username
        self.credentials = credentials
    }

    public func credentials(for algorithm: SCRAMCredentials.Algorithm) -> SCRAMCredentials? {
        credentials.first { $0.algorithm == algorithm }
    }
}
