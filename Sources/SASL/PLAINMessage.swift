import Accounts

/// The PLAIN message (RFC 4616 §2):
///
/// ```
/// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
/// authcid   = 1*SAFE ; MUST accept up to 255 octets
/// authzid   = 1*SAFE ; MUST accept up to 255 octets
/// passwd    = 1*SAFE ; MUST accept up to 255 octets
/// SAFE      = UTF1 / UTF2 / UTF3 / UTF4 ; any UTF-8 encoded Unicode character except NUL
/// ```
struct PLAINMessage: Sendable {
    var authzid: String?
    var authcid: String
    var password: String

    init(_ bytes: [UInt8]) throws(SASLFailure) {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty,
              let authzid = String(validating: parts[0], as: UTF8.self),
              let authcid = String(validating: parts[1], as: UTF8.self),
              let password = String(validating: parts[2], as: UTF8.self)
        else { throw .malformedRequest }
        self.authzid = authzid.isEmpty ? nil : authzid
        self.authcid = authcid
        self.password = password
    }
}

extension SASLServerStateMachine {
    mutating func receivedPLAINMessage(_ data: [UInt8]) -> SASLAction {
        let message: PLAINMessage
        do {
            message = try PLAINMessage(data)
        } catch {
            return fail(error)
        }
        guard isAcceptable(authzid: message.authzid, for: message.authcid) else { return fail(.invalidAuthzid) }
        state = .awaitingPLAINCredentials(message)
        return .lookupCredentials(username: message.authcid)
    }

    /// PLAIN is checked against the SCRAM credentials (no password is stored): derive StoredKey from
    /// the offered password with the stored salt and count, SHA-256 credentials first, and compare
    /// in constant time. Unknown users go through the same derivation with fake credentials.
    mutating func loadedPLAIN(_ account: Account?, message: PLAINMessage) -> SASLAction {
        let stored = account?.credentials(for: .sha256) ?? account?.credentials(for: .sha1)
        let credentials = stored ?? fakeCredentials(username: message.authcid, algorithm: .sha256)
        let algorithm = credentials.algorithm
        let salted = algorithm.saltedPassword(message.password, salt: credentials.salt, iterations: credentials.iterations)
        let matches = constantTimeEqual(algorithm.keys(saltedPassword: salted).storedKey, credentials.storedKey)
        guard matches, stored != nil, let account else { return fail(.notAuthorized) }
        state = .finished
        return .success(username: account.username, additionalData: nil)
    }
}
