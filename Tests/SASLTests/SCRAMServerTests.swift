import Accounts
import Foundation
import SASL
import Testing

/// SCRAM server behaviour beyond the published examples: round trips, every failure path.
@Suite struct SCRAMServerTests {
    static let algorithms = SCRAMCredentials.Algorithm.allCases

    /// Drives a client against a fresh server up to the client-final message.
    struct Exchange {
        var server: SASLServerStateMachine
        var client: SCRAMClient
        var serverFirst: [UInt8]
        var clientFinal: [UInt8]
    }

    func exchange(
        _ algorithm: SCRAMCredentials.Algorithm, account: Account?, username: String = "user",
        password: String = "pencil", iterationsHint: Int = 4096
    ) throws -> Exchange {
        var server = SASLServerStateMachine(mechanism: algorithm.mechanism, iterationsHint: iterationsHint)
        var client = SCRAMClient(algorithm: algorithm, username: username, password: password)
        #expect(server.start(initialResponse: client.clientFirstMessage()) == .lookupCredentials(username: username))
        guard case .challenge(let serverFirst) = server.credentialsLoaded(account) else {
            Issue.record("no server-first")
            throw SASLFailure.malformedRequest
        }
        let clientFinal = try client.clientFinalMessage(serverFirst: serverFirst)
        return Exchange(server: server, client: client, serverFirst: serverFirst, clientFinal: clientFinal)
    }

    // MARK: - Success

    @Test(arguments: algorithms)
    func roundTrip(_ algorithm: SCRAMCredentials.Algorithm) throws {
        var run = try exchange(algorithm, account: pencilAccount())
        guard case .success(let username, let data?) = run.server.receivedResponse(run.clientFinal) else {
            Issue.record("no success")
            return
        }
        #expect(username == "user")
        try run.client.verifyServerFinal(data)
    }

    @Test(arguments: algorithms)
    func roundTripWithEscapedUsernameAndNonASCIIPassword(_ algorithm: SCRAMCredentials.Algorithm) throws {
        let account = pencilAccount(username: "a,b=c", password: "\u{2168}\u{00A0}k\u{00E9}y")
        // The client's password is a differently written but equivalent form (RFC 4013 §2).
        var run = try exchange(algorithm, account: account, username: "a,b=c", password: "IX k\u{0065}\u{0301}y")
        guard case .success("a,b=c", let data?) = run.server.receivedResponse(run.clientFinal) else {
            Issue.record("no success")
            return
        }
        try run.client.verifyServerFinal(data)
    }

    @Test func serverFirstUsesStoredIterationsAndSalt() throws {
        let credentials = SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, salt: [1, 2, 3], iterations: 1000)
        let run = try exchange(.sha256, account: Account(username: "user", credentials: [credentials]), iterationsHint: 7)
        let fields = text(run.serverFirst).split(separator: ",")
        #expect(fields.count == 3)
        #expect(fields[1] == "s=AQID")
        #expect(fields[2] == "i=1000")
    }

    @Test func serverNonceExtendsClientNonceAndIsFresh() {
        var first = SASLServerStateMachine(mechanism: .scramSHA256)
        var second = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = first.start(initialResponse: bytes("n,,n=user,r=abc"))
        _ = second.start(initialResponse: bytes("n,,n=user,r=abc"))
        guard case .challenge(let a) = first.credentialsLoaded(pencilAccount()),
              case .challenge(let b) = second.credentialsLoaded(pencilAccount())
        else { Issue.record("no challenge"); return }
        let nonceA = text(a).split(separator: ",")[0], nonceB = text(b).split(separator: ",")[0]
        #expect(nonceA.hasPrefix("r=abc") && nonceA.count > "r=abc".count + 16)
        #expect(!nonceA.contains(",") && nonceA.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        #expect(nonceA != nonceB)
    }

    @Test func noInitialResponseGetsEmptyChallenge() {
        var server = SASLServerStateMachine(mechanism: .scramSHA1)
        #expect(server.start(initialResponse: nil) == .challenge([]))
        #expect(server.receivedResponse(bytes("n,,n=user,r=abc")) == .lookupCredentials(username: "user"))
    }

    @Test(arguments: ["y,,", "n,a=user,", "y,a=user@example.com,"])
    func acceptedGS2Headers(_ gs2Header: String) throws {
        var server = SASLServerStateMachine(mechanism: .scramSHA256, domain: "Example.COM")
        let bare = "n=user,r=clientnonce"
        #expect(server.start(initialResponse: bytes(gs2Header + bare)) == .lookupCredentials(username: "user"))
        guard case .challenge(let serverFirst) = server.credentialsLoaded(pencilAccount()),
              let final = handmadeClientFinal(algorithm: .sha256, password: "pencil", gs2Header: gs2Header,
                                              clientFirstBare: bare, serverFirst: serverFirst)
        else { Issue.record("no challenge"); return }
        #expect(server.receivedResponse(final.message)
            == .success(username: "user", additionalData: bytes("v=" + SASLBase64.encode(final.serverSignature))))
    }

    @Test func extensionsInClientFirstAreIgnored() {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.start(initialResponse: bytes("n,,n=user,r=abc,x=1,Y=a=b")) == .lookupCredentials(username: "user"))
    }

    // MARK: - Authentication failures

    @Test(arguments: algorithms)
    func wrongPassword(_ algorithm: SCRAMCredentials.Algorithm) throws {
        var run = try exchange(algorithm, account: pencilAccount(), password: "pencil2")
        #expect(run.server.receivedResponse(run.clientFinal) == .failure(.notAuthorized))
    }

    @Test(arguments: algorithms)
    func unknownUserGetsStableFakeChallengeThenFails(_ algorithm: SCRAMCredentials.Algorithm) throws {
        let key: [UInt8] = Array(repeating: 7, count: 32)
        func serverFirst(_ name: String, key: [UInt8]) -> [Substring] {
            var server = SASLServerStateMachine(mechanism: algorithm.mechanism, iterationsHint: 4096, fakeSaltKey: key)
            _ = server.start(initialResponse: bytes("n,,n=\(name),r=abc"))
            guard case .challenge(let data) = server.credentialsLoaded(nil) else { return [] }
            return text(data).split(separator: ",")
        }
        let ghost = serverFirst("ghost", key: key)
        #expect(ghost.count == 3)
        #expect(ghost.count == 3 && ghost[0].hasPrefix("r=abc") && ghost[2] == "i=4096")
        #expect(base64(String(ghost.dropFirst().first?.dropFirst(2) ?? "")).count == 16)
        #expect(serverFirst("ghost", key: key).dropFirst() == ghost.dropFirst())      // same salt next time
        #expect(serverFirst("ghost2", key: key)[1] != ghost[1])                         // per user
        #expect(serverFirst("ghost", key: Array(repeating: 8, count: 32))[1] != ghost[1]) // per secret

        var run = try exchange(algorithm, account: nil)
        #expect(run.server.receivedResponse(run.clientFinal) == .failure(.notAuthorized))
    }

    @Test func accountWithoutCredentialsForHashIsLikeUnknownUser() throws {
        let sha1Only = Account(username: "user", credentials: [SCRAM.makeCredentials(password: "pencil", algorithm: .sha1, iterations: 64)])
        var run = try exchange(.sha256, account: sha1Only)
        #expect(text(run.serverFirst).hasSuffix(",i=4096"))
        #expect(run.server.receivedResponse(run.clientFinal) == .failure(.notAuthorized))
    }

    @Test(arguments: algorithms)
    func tamperedProof(_ algorithm: SCRAMCredentials.Algorithm) throws {
        var run = try exchange(algorithm, account: pencilAccount())
        let message = text(run.clientFinal)
        guard let range = message.range(of: ",p=") else { Issue.record("no proof"); return }
        var proof = base64(String(message[range.upperBound...]))
        proof[proof.count - 1] ^= 0x80
        let tampered = message[..<range.upperBound] + SASLBase64.encode(proof)
        #expect(run.server.receivedResponse(bytes(String(tampered))) == .failure(.notAuthorized))
    }

    @Test func proofOfWrongLength() throws {
        var run = try exchange(.sha256, account: pencilAccount())
        let message = text(run.clientFinal)
        guard let range = message.range(of: ",p=") else { Issue.record("no proof"); return }
        let short = message[..<range.upperBound] + SASLBase64.encode(Array(repeating: 1, count: 20))
        #expect(run.server.receivedResponse(bytes(String(short))) == .failure(.notAuthorized))
    }

    @Test func tamperedNonce() throws {
        var run = try exchange(.sha256, account: pencilAccount())
        // Same client nonce, a different server part: the proof is still the client's.
        let message = text(run.clientFinal)
        let nonce = String(text(run.serverFirst).split(separator: ",")[0])
        let tampered = message.replacingOccurrences(of: nonce, with: nonce + "x")
        #expect(tampered != message)
        #expect(run.server.receivedResponse(bytes(tampered)) == .failure(.notAuthorized))
    }

    /// The proof is valid for the nonce the client claims, so only the nonce check can catch it.
    @Test(arguments: ["abc", "abcX", "SERVER" + "x", "x" + "SERVER"])
    func foreignNonceWithValidProof(_ claimed: String) {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        guard case .challenge(let serverFirst) = server.credentialsLoaded(pencilAccount()) else { return }
        let serverNonce = String(text(serverFirst).split(separator: ",")[0].dropFirst(2))
        let nonce = claimed.replacingOccurrences(of: "SERVER", with: serverNonce)
        guard let final = handmadeClientFinal(algorithm: .sha256, password: "pencil", gs2Header: "n,,",
                                              clientFirstBare: "n=user,r=abc", serverFirst: serverFirst,
                                              nonceOverride: nonce)
        else { return }
        #expect(server.receivedResponse(final.message) == .failure(.notAuthorized))
    }

    /// The proof covers the wrong `c=`, so only the channel-binding check can catch it.
    @Test(arguments: ["y,,", "n,a=user,", "n,,x"])
    func channelBindingOfAnotherHeaderWithValidProof(_ claimedHeader: String) {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        guard case .challenge(let serverFirst) = server.credentialsLoaded(pencilAccount()),
              let final = handmadeClientFinal(algorithm: .sha256, password: "pencil", gs2Header: claimedHeader,
                                              clientFirstBare: "n=user,r=abc", serverFirst: serverFirst)
        else { Issue.record("no challenge"); return }
        #expect(server.receivedResponse(final.message) == .failure(.notAuthorized))
    }

    @Test(arguments: ["c=eSws", "c=bixhPXVzZXIs", "c=biws" + "biws"])
    func wrongChannelBinding(_ binding: String) throws {
        var run = try exchange(.sha256, account: pencilAccount())
        let message = text(run.clientFinal).replacingOccurrences(of: "c=biws", with: binding)
        #expect(run.server.receivedResponse(bytes(message)) == .failure(.notAuthorized))
    }

    @Test func authzidOfSomeoneElse() {
        let cases: [(String?, String)] = [(nil, "n,a=admin,"), ("example.com", "n,a=admin@example.com,"),
                                 ("example.com", "n,a=user@example.org,"), (nil, "n,a=user@example.com,")]
        for (domain, header) in cases {
            var server = SASLServerStateMachine(mechanism: .scramSHA256, domain: domain)
            #expect(server.start(initialResponse: bytes(header + "n=user,r=abc")) == .failure(.invalidAuthzid))
        }
    }

    // MARK: - Malformed messages

    @Test(arguments: [
        "", "n", "n,", "n,,", "x,,n=user,r=abc", "N,,n=user,r=abc", "p=tls-unique,,n=user,r=abc",
        "n,,r=abc,n=user", "n,,n=,r=abc", "n,,n=user", "n,,n=user,r=", "n,,n=user,r=a b",
        "n,,n=us=41er,r=abc", "n,,n=user=2,r=abc", "n,,n=user=,r=abc", "n,,m=ext,n=user,r=abc",
        "n,,n=user,r=abc,1=x", "n,,n=user,r=abc,m=x", "n,,n=user,r=abc,x", "n,,n=user,r=abc,x=",
        "n,,n=user,r=abc,", "n,x,n=user,r=abc", "n,a=,n=user,r=abc", "n,,n=us\u{0}er,r=abc",
        "n,,n=user,r=ab\u{301}c", "n,,n=user,\u{301}r=abc", "n,,n=a=\u{301}2C,r=abc", "n,,n=user,r=abc\u{7F}",
    ])
    func malformedClientFirst(_ message: String) {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.start(initialResponse: bytes(message)) == .failure(.malformedRequest))
        #expect(server.isFinished)
    }

    @Test func invalidUTF8InClientFirst() {
        var server = SASLServerStateMachine(mechanism: .scramSHA1)
        #expect(server.start(initialResponse: bytes("n,,n=") + [0xC3, 0x28] + bytes(",r=abc")) == .failure(.malformedRequest))
    }

    @Test(arguments: [
        "", "c=biws", "c=biws,r=NONCE", "r=NONCE,c=biws,p=PROOF", "c=biws,r=NONCE,p=", "c=biws,r=NONCE,p==",
        "c=biws,r=NONCE,p=!!!!", "c=,r=NONCE,p=PROOF", "c=biw,r=NONCE,p=PROOF", "c=biws,r=NONCE,p=PROOF,x=1",
        "c=biws,r=,p=PROOF", "c=biws,r=NONCE,1=2,p=PROOF", "c=biws,r=NONCE,,p=PROOF", "c=biws,n=NONCE,p=PROOF",
    ])
    func malformedClientFinal(_ template: String) throws {
        var run = try exchange(.sha256, account: pencilAccount())
        let nonce = String(text(run.serverFirst).split(separator: ",")[0].dropFirst(2))
        let proof = String(text(run.clientFinal).split(separator: ",").last?.dropFirst(2) ?? "")
        let message = template.replacingOccurrences(of: "NONCE", with: nonce).replacingOccurrences(of: "PROOF", with: proof)
        #expect(run.server.receivedResponse(bytes(message)) == .failure(.malformedRequest))
    }

    @Test func extensionsInClientFinalAreIgnoredButCovered() throws {
        // The extension is part of client-final-message-without-proof, so the proof covers it.
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        guard case .challenge(let serverFirst) = server.credentialsLoaded(pencilAccount()),
              let final = handmadeClientFinal(algorithm: .sha256, password: "pencil", gs2Header: "n,,",
                                              clientFirstBare: "n=user,r=abc", serverFirst: serverFirst)
        else { Issue.record("no challenge"); return }
        let message = text(final.message)
        guard let range = message.range(of: ",p=") else { return }
        let withExtension = message[..<range.lowerBound] + ",x=1" + message[range.lowerBound...]
        #expect(server.receivedResponse(bytes(String(withExtension))) == .failure(.notAuthorized))
    }

    // MARK: - Order

    @Test func callsOutOfOrder() throws {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.receivedResponse(bytes("n,,n=user,r=abc")) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        #expect(server.start(initialResponse: bytes("n,,n=user,r=abc")) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        #expect(server.receivedResponse(bytes("c=biws,r=abc,p=AAAA")) == .failure(.malformedRequest))
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        _ = server.credentialsLoaded(pencilAccount())
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.start(initialResponse: []) == .failure(.malformedRequest))

        var run = try exchange(.sha1, account: pencilAccount())
        guard case .success = run.server.receivedResponse(run.clientFinal) else { Issue.record("no success"); return }
        #expect(run.server.receivedResponse(run.clientFinal) == .failure(.malformedRequest))
        #expect(run.server.start(initialResponse: nil) == .failure(.malformedRequest))
    }

    @Test func abortInEveryState() throws {
        var server = SASLServerStateMachine(mechanism: .scramSHA256)
        #expect(server.abort() == .failure(.aborted))
        #expect(server.start(initialResponse: nil) == .failure(.malformedRequest))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: nil)
        #expect(server.abort() == .failure(.aborted))

        server = SASLServerStateMachine(mechanism: .scramSHA256)
        _ = server.start(initialResponse: bytes("n,,n=user,r=abc"))
        #expect(server.abort() == .failure(.aborted))
        #expect(server.credentialsLoaded(pencilAccount()) == .failure(.malformedRequest))

        var run = try exchange(.sha256, account: pencilAccount())
        #expect(run.server.abort() == .failure(.aborted))
        #expect(run.server.receivedResponse(run.clientFinal) == .failure(.malformedRequest))
    }
}
