import Accounts

/// What the server remembers between server-first and client-final (RFC 5802 §3, AuthMessage).
struct SCRAMServerExchange: Sendable {
    var clientFirst: SCRAMMessage.ClientFirst
    var serverFirst: [UInt8]
    /// c-nonce + s-nonce, as sent in server-first.
    var nonce: String
    var credentials: SCRAMCredentials
    /// The account's username; nil when the credentials are fake (unknown user).
    var username: String?
}

extension SASLServerStateMachine {
    /// client-first-message (RFC 5802 §5.1): parse, check authzid, ask for the account.
    mutating func receivedClientFirst(_ data: [UInt8]) -> SASLAction {
        let clientFirst: SCRAMMessage.ClientFirst
        do {
            clientFirst = try SCRAMMessage.parseClientFirst(data)
        } catch {
            return fail(error)
        }
        guard isAcceptable(authzid: clientFirst.authzid, for: clientFirst.username) else {
            return fail(.invalidAuthzid)
        }
        state = .awaitingSCRAMCredentials(clientFirst)
        return .lookupCredentials(username: clientFirst.username)
    }

    /// server-first-message: `r=c-nonce+s-nonce,s=salt,i=count`, with fake values for an unknown
    /// user or an account without credentials for this hash (RFC 5802 §5.1).
    mutating func loadedSCRAM(_ account: Account?, clientFirst: SCRAMMessage.ClientFirst) -> SASLAction {
        guard let algorithm = mechanism.scramAlgorithm else { return fail(.malformedRequest) }
        let stored = account?.credentials(for: algorithm)
        let credentials = stored ?? fakeCredentials(username: clientFirst.username, algorithm: algorithm)
        let nonce = clientFirst.clientNonce + (injectedServerNonce ?? SCRAM.makeNonce())
        let serverFirst = Array("r=\(nonce),s=\(SASLBase64.encodeStandard(credentials.salt)),i=\(credentials.iterations)".utf8)
        state = .awaitingClientFinal(SCRAMServerExchange(
            clientFirst: clientFirst, serverFirst: serverFirst, nonce: nonce,
            credentials: credentials, username: stored == nil ? nil : account?.username
        ))
        return .challenge(serverFirst)
    }

    /// client-final-message (RFC 5802 §3, §5.1):
    ///
    /// ```
    /// AuthMessage     := client-first-message-bare + "," + server-first-message + "," + client-final-message-without-proof
    /// ClientSignature := HMAC(StoredKey, AuthMessage)
    /// ClientKey       := ClientProof XOR ClientSignature;  accept when H(ClientKey) == StoredKey
    /// ServerSignature := HMAC(ServerKey, AuthMessage)  ->  "v=" base64(ServerSignature)
    /// ```
    ///
    /// A syntax error is `malformed-request` (RFC 6120 §6.5.8). A wrong channel binding or nonce is
    /// well-formed but does not authenticate, like a wrong proof, so all three are `not-authorized`,
    /// the condition for failures whose cause is not disclosed (§6.5.10).
    mutating func receivedClientFinal(_ data: [UInt8], exchange: SCRAMServerExchange) -> SASLAction {
        let final: SCRAMMessage.ClientFinal
        do {
            final = try SCRAMMessage.parseClientFinal(data)
        } catch {
            return fail(error)
        }
        // c= is base64(gs2-header) when there is no channel binding data (RFC 5802 §7).
        guard final.channelBinding == exchange.clientFirst.gs2Header, final.nonce == exchange.nonce else {
            return fail(.notAuthorized)
        }
        let credentials = exchange.credentials
        let algorithm = credentials.algorithm
        let authMessage = exchange.clientFirst.bare + [SCRAMMessage.comma] + exchange.serverFirst
            + [SCRAMMessage.comma] + final.withoutProof
        let clientSignature = algorithm.hmac(key: credentials.storedKey, authMessage)
        guard final.proof.count == clientSignature.count else { return fail(.notAuthorized) }
        let clientKey = xor(final.proof, clientSignature)
        let proofMatches = constantTimeEqual(algorithm.hash(clientKey), credentials.storedKey)
        guard proofMatches, let username = exchange.username else { return fail(.notAuthorized) }
        let serverSignature = algorithm.hmac(key: credentials.serverKey, authMessage)
        state = .finished
        return .success(username: username, additionalData: Array("v=\(SASLBase64.encodeStandard(serverSignature))".utf8))
    }
}
