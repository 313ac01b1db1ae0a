import Accounts
import Crypto
import _CryptoExtras

/// The SCRAM functions of RFC 5802 §2.2 and §3 for each hash: H(), HMAC(), Hi().
extension SCRAMCredentials.Algorithm {
    /// Output length of H() in bytes.
    package var digestLength: Int {
        switch self {
        case .sha1: Insecure.SHA1.byteCount
        case .sha256: SHA256.byteCount
        }
    }

    package func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha256: Array(SHA256.hash(data: data))
        }
    }

    package func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        return switch self {
        case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        }
    }

    /// SaltedPassword = Hi(Normalize(password), salt, i), which is PBKDF2 with HMAC and an output of
    /// one hash length (RFC 5802 §2.2). `iterations` below 1 count as 1.
    package func saltedPassword(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let normalized = Array(SASLprep.normalize(password).utf8)
        let rounds = max(1, iterations)
        let function: KDF.Insecure.PBKDF2.HashFunction = self == .sha1 ? .insecureSHA1 : .sha256
        // BoringSSL's PBKDF2 throws only on internal failure; Hi() below gives the same bytes.
        if let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: normalized, salt: salt, using: function,
            outputByteCount: digestLength, unsafeUncheckedRounds: rounds
        ) {
            return key.withUnsafeBytes { Array($0) }
        }
        return hi(normalized, salt: salt, iterations: rounds)
    }

    /// Hi() exactly as RFC 5802 §2.2 writes it: U1 = HMAC(str, salt + INT(1)), Ui = HMAC(str, Ui-1),
    /// result U1 XOR … XOR Ui.
    package func hi(_ normalizedPassword: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var previous = hmac(key: normalizedPassword, salt + [0, 0, 0, 1])
        var result = previous
        for _ in 1..<max(1, iterations) {
            previous = hmac(key: normalizedPassword, previous)
            for index in result.indices { result[index] ^= previous[index] }
        }
        return result
    }

    /// ClientKey, StoredKey and ServerKey from SaltedPassword (RFC 5802 §3).
    package func keys(saltedPassword: [UInt8]) -> (clientKey: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        let clientKey = hmac(key: saltedPassword, Array("Client Key".utf8))
        let serverKey = hmac(key: saltedPassword, Array("Server Key".utf8))
        return (clientKey, hash(clientKey), serverKey)
    }
}

/// Equality whose time depends only on the lengths, which are public (hash sizes), not on where the
/// first difference is: proofs and keys are compared with it (RFC 5802 §9).
package func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}

/// XOR of two equally long byte strings (RFC 5802 §2.2).
package func xor(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
    zip(lhs, rhs).map { $0 ^ $1 }
}
