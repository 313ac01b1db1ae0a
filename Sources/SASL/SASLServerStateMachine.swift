import Accounts

/// One SASL negotiation on the receiving entity's side (RFC 6120 §6.4), for SCRAM-SHA-256,
/// SCRAM-SHA-1 (RFC 5802, RFC 7677) and PLAIN (RFC 4616). Pure: no I/O, no clock; the caller turns
/// `<auth/>`, `<response/>` and `<abort/>` into calls, loads accounts when asked, and sends what
/// each `SASLAction` says.
///
/// ```
/// S: <challenge/> is sent first when <auth/> carries no initial response (RFC 6120 §6.4.2).
/// SCRAM:  start(client-first)  -> .lookupCredentials(u)
///         credentialsLoaded(a) -> .challenge(server-first)
///         receivedResponse(client-final) -> .success(u, "v=…") | .failure(.notAuthorized)
/// PLAIN:  start(authzid NUL authcid NUL passwd) -> .lookupCredentials(authcid)
///         credentialsLoaded(a) -> .success(u, nil) | .failure(.notAuthorized)
/// ```
///
/// Unknown users are not revealed early: SCRAM answers with a server-first built from a fake salt
/// derived from the username and a key (RFC 5802 §5.1), so the same name always gets the same salt,
/// and fails only at client-final. PLAIN runs the same key derivation against fake credentials, so
/// both cases cost the same. Any call out of order gives `.failure(.malformedRequest)` and ends
/// the exchange.
public struct SASLServerStateMachine: Sendable {
    enum State: Sendable {
        /// Waiting for `start` (the `<auth/>`).
        case initial
        /// SCRAM: sent an empty challenge; waiting for client-first in a `<response/>`.
        case awaitingClientFirst
        /// SCRAM: waiting for the caller to load the account named in client-first.
        case awaitingSCRAMCredentials(SCRAMMessage.ClientFirst)
        /// SCRAM: sent server-first; waiting for client-final in a `<response/>`.
        case awaitingClientFinal(SCRAMServerExchange)
        /// PLAIN: sent an empty challenge; waiting for the message in a `<response/>`.
        case awaitingPLAINMessage
        /// PLAIN: waiting for the caller to load the account named by authcid.
        case awaitingPLAINCredentials(PLAINMessage)
        /// Success or failure was returned; every further input is out of order.
        case finished
    }

    public let mechanism: SASLMechanism
    /// The iteration count of fake credentials. Real logins use the stored count.
    public let iterationsHint: Int
    let fakeSaltKey: [UInt8]
    let domain: String?
    let injectedServerNonce: String?
    var state: State = .initial

    /// - Parameters:
    ///   - iterationsHint: `i=` for unknown users; set it to what real accounts use, or the count
    ///     tells an observer the user does not exist.
    ///   - fakeSaltKey: secret from which fake salts are derived. Pass a configured secret so fake
    ///     salts survive restarts; nil uses a random key chosen once per process.
    ///   - domain: the server's domain; when set, an authzid `username@domain` (the bare JID form
    ///     of RFC 6120 §6.3.8) is accepted as well as `username`.
    public init(mechanism: SASLMechanism, iterationsHint: Int = 4096, fakeSaltKey: [UInt8]? = nil, domain: String? = nil) {
        self.init(mechanism: mechanism, iterationsHint: iterationsHint, fakeSaltKey: fakeSaltKey, domain: domain, serverNonce: nil)
    }

    /// For tests: fixes the server's nonce part (RFC 5802 §5 and RFC 7677 §3 examples).
    package init(mechanism: SASLMechanism, iterationsHint: Int = 4096, fakeSaltKey: [UInt8]? = nil, domain: String? = nil, serverNonce: String?) {
        self.mechanism = mechanism
        self.iterationsHint = max(1, iterationsHint)
        self.fakeSaltKey = fakeSaltKey ?? Self.processFakeSaltKey
        self.domain = domain
        self.injectedServerNonce = serverNonce.flatMap { SCRAMMessage.isValidNonce($0) ? $0 : nil }
    }

    /// Chosen once per process when no key is configured: fake salts then stay stable for as long
    /// as the server runs, which is what hides unknown users from repeated probes.
    private static let processFakeSaltKey = SCRAM.randomBytes(count: 32)

    // MARK: - Inputs

    /// The `<auth/>`; `initialResponse` nil when it had no text, `[]` for `=` (RFC 6120 §6.4.2).
    public mutating func start(initialResponse: [UInt8]?) -> SASLAction {
        guard case .initial = state else { return fail(.malformedRequest) }
        switch (mechanism, initialResponse) {
        case (.plain, nil):
            state = .awaitingPLAINMessage
            return .challenge([])
        case (.plain, let message?):
            return receivedPLAINMessage(message)
        case (_, nil):
            state = .awaitingClientFirst
            return .challenge([])
        case (_, let message?):
            return receivedClientFirst(message)
        }
    }

    /// A `<response/>`, decoded.
    public mutating func receivedResponse(_ data: [UInt8]) -> SASLAction {
        switch state {
        case .awaitingClientFirst:
            return receivedClientFirst(data)
        case .awaitingClientFinal(let exchange):
            return receivedClientFinal(data, exchange: exchange)
        case .awaitingPLAINMessage:
            return receivedPLAINMessage(data)
        case .initial, .awaitingSCRAMCredentials, .awaitingPLAINCredentials, .finished:
            return fail(.malformedRequest)
        }
    }

    /// The account the caller loaded after `.lookupCredentials`; nil when there is none.
    public mutating func credentialsLoaded(_ account: Account?) -> SASLAction {
        switch state {
        case .awaitingSCRAMCredentials(let clientFirst):
            return loadedSCRAM(account, clientFirst: clientFirst)
        case .awaitingPLAINCredentials(let message):
            return loadedPLAIN(account, message: message)
        case .initial, .awaitingClientFirst, .awaitingClientFinal, .awaitingPLAINMessage, .finished:
            return fail(.malformedRequest)
        }
    }

    /// The `<abort/>` (RFC 6120 §6.4.4): always `.failure(.aborted)`, and the exchange is over.
    public mutating func abort() -> SASLAction {
        fail(.aborted)
    }

    /// True once success or failure was returned.
    public var isFinished: Bool {
        if case .finished = state { true } else { false }
    }

    // MARK: - Shared pieces

    mutating func fail(_ failure: SASLFailure) -> SASLAction {
        state = .finished
        return .failure(failure)
    }

    /// An authzid names whom the client acts for; we only let users act as themselves.
    func isAcceptable(authzid: String?, for username: String) -> Bool {
        guard let authzid, authzid != username else { return true }
        guard let domain, let at = authzid.utf8.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = authzid[..<at]
        let host = authzid[authzid.utf8.index(after: at)...]
        return local == username && host.lowercased() == domain.lowercased()
    }

    /// Credentials that match no password, derived from the username so that the same unknown
    /// name always gets the same salt (RFC 5802 §5.1). The keys are keyed HMACs too, so the work at
    /// client-final matches a real login.
    func fakeCredentials(username: String, algorithm: SCRAMCredentials.Algorithm) -> SCRAMCredentials {
        let label = Array("\(algorithm.rawValue)\u{0}\(username)".utf8)
        func derive(_ purpose: String) -> [UInt8] {
            algorithm.hmac(key: fakeSaltKey, Array(purpose.utf8) + [0] + label)
        }
        return SCRAMCredentials(
            algorithm: algorithm, salt: Array(derive("salt").prefix(16)), iterations: iterationsHint,
            storedKey: derive("stored-key"), serverKey: derive("server-key")
        )
    }
}
