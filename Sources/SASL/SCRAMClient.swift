import Accounts

/// The initiating side of SCRAM-SHA-1 / SCRAM-SHA-256 without channel binding (RFC 5802 §3, §5;
/// RFC 7677), for tests and the load generator.
///
/// ```
/// C: n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL                         clientFirstMessage()
/// S: r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096
/// C: c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=
///                                                                   clientFinalMessage(serverFirst:)
/// S: v=rmF9pqV8S7suAoZWja4dJRkFsKQ=                                verifyServerFinal(_:)
/// ```
public struct SCRAMClient: Sendable {
    enum State: Sendable {
        /// Nothing sent yet.
        case initial
        /// client-first sent; waiting for server-first.
        case sentClientFirst(bare: [UInt8])
        /// client-final sent; waiting for server-final with this ServerSignature.
        case sentClientFinal(serverSignature: [UInt8])
        /// server-final verified, or an error was thrown.
        case finished
    }

    /// More rounds than this in server-first are refused, so a hostile server cannot make the
    /// client spin.
    public static let maximumIterations = 10_000_000

    public let algorithm: SCRAMCredentials.Algorithm
    public let username: String
    private let password: String
    private let clientNonce: String
    private var state: State = .initial

    /// `nonce` defaults to a fresh random one; pass one only to reproduce published examples (one
    /// that is not RFC 5802 `printable`, or is empty, is replaced by a random one).
    /// The username is sent as given (escaped): normalizing it is the caller's business.
    public init(algorithm: SCRAMCredentials.Algorithm, username: String, password: String, nonce: String? = nil) {
        self.algorithm = algorithm
        self.username = username
        self.password = password
        self.clientNonce = nonce.flatMap { SCRAMMessage.isValidNonce($0) ? $0 : nil } ?? SCRAM.makeNonce()
    }

    /// `n,,n=username,r=c-nonce`: no channel binding, no authzid. Calling it again restarts.
    public mutating func clientFirstMessage() -> [UInt8] {
        let bare = Array("n=\(SCRAMMessage.escapeSASLName(username)),r=\(clientNonce)".utf8)
        state = .sentClientFirst(bare: bare)
        return Array("n,,".utf8) + bare
    }

    /// `c=biws,r=nonce,p=ClientProof` for the server's first message.
    public mutating func clientFinalMessage(serverFirst: [UInt8]) throws(SCRAMClientError) -> [UInt8] {
        guard case .sentClientFirst(let bare) = state else { throw .invalidState }
        state = .finished
        guard let first = SCRAMMessage.parseServerFirst(serverFirst) else { throw .malformedServerMessage }
        guard first.nonce.hasPrefix(clientNonce), first.nonce.utf8.count > clientNonce.utf8.count else {
            throw .nonceMismatch
        }
        guard (1...Self.maximumIterations).contains(first.iterations) else {
            throw .iterationCountOutOfRange(first.iterations)
        }
        let salted = algorithm.saltedPassword(password, salt: first.salt, iterations: first.iterations)
        let keys = algorithm.keys(saltedPassword: salted)
        let withoutProof = Array("c=\(SASLBase64.encodeStandard(Array("n,,".utf8))),r=\(first.nonce)".utf8)
        let authMessage = bare + [SCRAMMessage.comma] + serverFirst + [SCRAMMessage.comma] + withoutProof
        let clientSignature = algorithm.hmac(key: keys.storedKey, authMessage)
        let proof = xor(keys.clientKey, clientSignature)
        state = .sentClientFinal(serverSignature: algorithm.hmac(key: keys.serverKey, authMessage))
        return withoutProof + Array(",p=\(SASLBase64.encodeStandard(proof))".utf8)
    }

    /// Checks `v=ServerSignature` (the `<success/>` data); throws on `e=` or a wrong signature.
    public mutating func verifyServerFinal(_ data: [UInt8]) throws(SCRAMClientError) {
        guard case .sentClientFinal(let expected) = state else { throw .invalidState }
        state = .finished
        let fields = data.split(separator: SCRAMMessage.comma, omittingEmptySubsequences: false)
        guard let first = fields.first else { throw .malformedServerMessage }
        if let error = SCRAMMessage.value(of: "e", in: first) {
            throw .serverError(String(decoding: error, as: UTF8.self))
        }
        guard let verifier = SCRAMMessage.value(of: "v", in: first),
              let signature = SCRAMMessage.base64(verifier)
        else { throw .malformedServerMessage }
        guard constantTimeEqual(signature, expected) else { throw .serverSignatureMismatch }
    }
}
