import Accounts
import SASL
import Testing

/// The published exchanges of RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256), byte for byte.
@Suite struct SCRAMVectorTests {
    @Test(arguments: SCRAMVector.all)
    func serverReproducesExample(_ vector: SCRAMVector) {
        var server = SASLServerStateMachine(mechanism: vector.algorithm.mechanism, serverNonce: vector.serverNonce)
        #expect(server.start(initialResponse: bytes(vector.clientFirst)) == .lookupCredentials(username: "user"))
        let account = Account(username: "user", credentials: [vector.credentials])
        #expect(server.credentialsLoaded(account) == .challenge(bytes(vector.serverFirst)))
        #expect(server.receivedResponse(bytes(vector.clientFinal))
            == .success(username: "user", additionalData: bytes(vector.serverFinal)))
        #expect(server.isFinished)
    }

    @Test(arguments: SCRAMVector.all)
    func serverAcceptsExampleWithDerivedCredentials(_ vector: SCRAMVector) {
        var server = SASLServerStateMachine(mechanism: vector.algorithm.mechanism, serverNonce: vector.serverNonce)
        _ = server.start(initialResponse: nil)
        #expect(server.receivedResponse(bytes(vector.clientFirst)) == .lookupCredentials(username: "user"))
        let credentials = SCRAM.makeCredentials(password: "pencil", algorithm: vector.algorithm,
                                                salt: base64(vector.salt), iterations: 4096)
        #expect(server.credentialsLoaded(Account(username: "user", credentials: [credentials]))
            == .challenge(bytes(vector.serverFirst)))
        #expect(server.receivedResponse(bytes(vector.clientFinal))
            == .success(username: "user", additionalData: bytes(vector.serverFinal)))
    }

    @Test(arguments: SCRAMVector.all)
    func clientReproducesExample(_ vector: SCRAMVector) throws {
        var client = SCRAMClient(algorithm: vector.algorithm, username: "user", password: "pencil", nonce: vector.clientNonce)
        #expect(client.clientFirstMessage() == bytes(vector.clientFirst))
        #expect(try client.clientFinalMessage(serverFirst: bytes(vector.serverFirst)) == bytes(vector.clientFinal))
        try client.verifyServerFinal(bytes(vector.serverFinal))
    }

    @Test(arguments: SCRAMVector.all)
    func clientRejectsForgedServerSignature(_ vector: SCRAMVector) throws {
        var client = SCRAMClient(algorithm: vector.algorithm, username: "user", password: "pencil", nonce: vector.clientNonce)
        _ = client.clientFirstMessage()
        _ = try client.clientFinalMessage(serverFirst: bytes(vector.serverFirst))
        var forged = base64(String(vector.serverFinal.dropFirst(2)))
        forged[0] ^= 1
        #expect(throws: SCRAMClientError.serverSignatureMismatch) {
            try client.verifyServerFinal(bytes("v=" + SASLBase64.encode(forged)))
        }
    }

    @Test(arguments: SCRAMVector.all)
    func makeCredentialsMatchesExampleKeys(_ vector: SCRAMVector) {
        let credentials = SCRAM.makeCredentials(password: "pencil", algorithm: vector.algorithm,
                                                salt: base64(vector.salt), iterations: 4096)
        #expect(credentials == vector.credentials)
        #expect(SASLBase64.encode(credentials.storedKey) == vector.storedKey)
        #expect(SASLBase64.encode(credentials.serverKey) == vector.serverKey)
    }

    /// BoringSSL's PBKDF2 and RFC 5802's Hi() written out agree (the fallback path).
    @Test(arguments: SCRAMCredentials.Algorithm.allCases)
    func pbkdf2MatchesHi(_ algorithm: SCRAMCredentials.Algorithm) {
        let salt = base64("QSXCR+Q6sek8bf92")
        #expect(algorithm.saltedPassword("pencil", salt: salt, iterations: 4096)
            == algorithm.hi(bytes("pencil"), salt: salt, iterations: 4096))
        #expect(algorithm.saltedPassword("pencil", salt: salt, iterations: 1)
            == algorithm.hi(bytes("pencil"), salt: salt, iterations: 1))
    }

    @Test func makeCredentialsUsesRandomSaltByDefault() {
        let first = SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, iterations: 16)
        let second = SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, iterations: 16)
        #expect(first.salt.count == 16)
        #expect(first.salt != second.salt)
        #expect(first.storedKey != second.storedKey)
        #expect(first.iterations == 16)
    }

    /// RFC 4013 §3 examples: soft hyphen maps to nothing, U+00AA and U+2168 fold under NFKC,
    /// no-break space becomes a space.
    @Test func passwordNormalization() {
        let salt = base64("W22ZaJ0SNY7soEsUEjb6gQ==")
        func keys(_ password: String) -> [UInt8] {
            SCRAM.makeCredentials(password: password, algorithm: .sha256, salt: salt, iterations: 8).storedKey
        }
        #expect(keys("I\u{00AD}X") == keys("IX"))
        #expect(keys("\u{2168}") == keys("IX"))
        #expect(keys("\u{00AA}") == keys("a"))
        #expect(keys("a\u{00A0}b") == keys("a b"))
        #expect(keys("Ix") != keys("IX"))
    }
}
