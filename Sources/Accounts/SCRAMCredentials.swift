/// What the server keeps to verify a SCRAM login (RFC 5802 §3): never the password, only the salt,
/// the iteration count, StoredKey = H(ClientKey) and ServerKey. One value per hash function.
public struct SCRAMCredentials: Hashable, Sendable {
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
        case sha1 = "SCRAM-SHA-1"
        case sha256 = "SCRAM-SHA-256"
    }

    public var algorithm: Algorithm
    public var salt: [UInt8]
    public var iterations: Int
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(algorithm: Algorithm, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}
