import Testing
import SASL

/// Nonces and salts come from the system CSPRNG (RFC 5802 §5.1, §7); these check their shape and
/// that they are not repeated, not their randomness.
@Suite struct SCRAMRandomTests {
    @Test(arguments: [0, 1, 7, 8, 9, 16, 18, 32, 33])
    func randomBytesHasTheRequestedLength(count: Int) {
        #expect(SCRAM.randomBytes(count: count).count == count)
    }

    @Test func randomBytesDiffer() {
        // Every byte of the draw is used: two 32-byte draws that agree, or a draw whose tail is
        // all zeros (a shifted-out word), would mean bits are lost.
        let a = SCRAM.randomBytes(count: 32)
        let b = SCRAM.randomBytes(count: 32)
        #expect(a != b)
        #expect(a[24...] != [0, 0, 0, 0, 0, 0, 0, 0] || b[24...] != [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func nonceShape() {
        let nonce = SCRAM.makeNonce()
        // 18 bytes in base64: 24 printable characters, no padding, never ',' (RFC 5802 §7).
        #expect(nonce.utf8.count == 24)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        #expect(nonce.utf8.allSatisfy { alphabet.contains($0) })
    }

    @Test func noncesDiffer() {
        let nonces = Set((0..<100).map { _ in SCRAM.makeNonce() })
        #expect(nonces.count == 100)
    }

    @Test func generatedSaltsDiffer() {
        let a = SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, iterations: 1)
        let b = SCRAM.makeCredentials(password: "pencil", algorithm: .sha256, iterations: 1)
        #expect(a.salt.count == 16)
        #expect(a.salt != b.salt)
    }
}
