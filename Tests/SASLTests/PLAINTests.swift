import Accounts
import SASL
import Testing

/// PLAIN (RFC 4616) checked against stored SCRAM credentials.
@Suite struct PLAINTests {
    func plain(_ authzid: String, _ authcid: String, _ password: String) -> [UInt8] {
        bytes(authzid) + [0] + bytes(authcid) + [0] + bytes(password)
    }

    @Test func goodPassword() {
        var server = SASLServerStateMachine(mechanism: .plain)
        #expect(server.start(initialResponse: plain("", "user", "pencil")) == .lookupCredentials(username: "user"))
        #expect(server.credentialsLoaded(pencilAccount()) == .success(username: "user", additionalData: nil))
        #expect(server.isFinished)
    }

    @Test func noInitialResponseGetsEmptyChallenge() {
        var server = SASLServerStateMachine(mechanism: .plain)
        #expect(server.start(initialResponse: nil) == .challenge([]))
        #expect(server.receivedResponse(plain("", "user", "pencil")) == .lookupCredentials(username: "user"))
        #expect(server.credentialsLoaded(pencilAccount()) == .success(username: "user", additionalData: nil))
    }

    @Test func sha1OnlyAccount() {
        let account = Account(username: "user", credentials: [SCRAM.makeCredentials(password: "pencil", algorithm: .sha1, iterations: 64)])
        var server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: plain("", "user", "pencil"))
        #expect(server.credentialsLoaded(account) == .success(username: "user", additionalData: nil))
    }

    /// SHA-256 credentials are used when both exist: a SHA-1 entry made from another password
    /// must not matter.
    @Test func prefersSHA256Credentials() {
        let account = Account(username: "user", credentials: [
            SCRAM.makeCredentials(password: "other", algorithm: .sha1, iterations: 64),
            SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, iterations: 64),
        ])
        var good = SASLServerStateMachine(mechanism: .plain)
        _ = good.start(initialResponse: plain("", "user", "pencil"))
        #expect(good.credentialsLoaded(account) == .success(username: "user", additionalData: nil))
        var bad = SASLServerStateMachine(mechanism: .plain)
        _ = bad.start(initialResponse: plain("", "user", "other"))
        #expect(bad.credentialsLoaded(account) == .failure(.notAuthorized))
    }

    @Test func normalizedPassword() {
        var server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: plain("", "user", "I\u{00AD}X"))
        #expect(server.credentialsLoaded(pencilAccount(password: "\u{2168}")) == .success(username: "user", additionalData: nil))
    }

    @Test(arguments: ["pencil2", "Pencil", "pencil ", "penci"])
    func wrongPassword(_ password: String) {
        var server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: plain("", "user", password))
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.notAuthorized))
    }

    @Test func unknownUser() {
        var server = SASLServerStateMachine(mechanism: .plain)
        #expect(server.start(initialResponse: plain("", "ghost", "pencil")) == .lookupCredentials(username: "ghost"))
        #expect(server.credentialsLoaded(nil) == .failure(.notAuthorized))
        var empty = SASLServerStateMachine(mechanism: .plain)
        _ = empty.start(initialResponse: plain("", "user", "pencil"))
        #expect(empty.credentialsLoaded(Account(username: "user", credentials: [])) == .failure(.notAuthorized))
    }

    @Test func authzid() {
        var same = SASLServerStateMachine(mechanism: .plain)
        #expect(same.start(initialResponse: plain("user", "user", "pencil")) == .lookupCredentials(username: "user"))
        var jid = SASLServerStateMachine(mechanism: .plain, domain: "example.com")
        #expect(jid.start(initialResponse: plain("user@example.com", "user", "pencil")) == .lookupCredentials(username: "user"))
        var other = SASLServerStateMachine(mechanism: .plain)
        #expect(other.start(initialResponse: plain("admin", "user", "pencil")) == .failure(.invalidAuthzid))
        var otherJID = SASLServerStateMachine(mechanism: .plain, domain: "example.com")
        #expect(otherJID.start(initialResponse: plain("admin@example.com", "user", "pencil")) == .failure(.invalidAuthzid))
        var noDomain = SASLServerStateMachine(mechanism: .plain)
        #expect(noDomain.start(initialResponse: plain("user@example.com", "user", "pencil")) == .failure(.invalidAuthzid))
    }

    @Test(arguments: [
        [], bytes("userpencil"), bytes("user") + [0] + bytes("pencil"), [0] + [0] + bytes("pencil"),
        [0] + bytes("user") + [0], [0] + bytes("user") + [0] + bytes("pen") + [0] + bytes("cil"),
        [0] + [0xFF, 0xFE] + [0] + bytes("pencil"), [0] + bytes("user") + [0] + [0xC3],
        [0xC3] + [0] + bytes("user") + [0] + bytes("pencil"), [0, 0], [0, 0, 0],
    ] as [[UInt8]])
    func malformed(_ message: [UInt8]) {
        var server = SASLServerStateMachine(mechanism: .plain)
        #expect(server.start(initialResponse: message) == .failure(.malformedRequest))
        var afterChallenge = SASLServerStateMachine(mechanism: .plain)
        _ = afterChallenge.start(initialResponse: nil)
        #expect(afterChallenge.receivedResponse(message) == .failure(.malformedRequest))
    }

    @Test func outOfOrderAndAbort() {
        var server = SASLServerStateMachine(mechanism: .plain)
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))
        server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: plain("", "user", "pencil"))
        #expect(server.receivedResponse(plain("", "user", "pencil")) == .failure(.malformedRequest))
        server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: plain("", "user", "pencil"))
        #expect(server.abort() == .failure(.aborted))
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))
        server = SASLServerStateMachine(mechanism: .plain)
        _ = server.start(initialResponse: nil)
        #expect(server.abort() == .failure(.aborted))
    }
}
