import Accounts

/// SCRAM credentials and nonces (RFC 5802 §3, §5.1; RFC 7677 for SHA-256).
///
/// ```
/// SaltedPassword  := Hi(Normalize(password), salt, i)
/// ClientKey       := HMAC(SaltedPassword, "Client Key")
/// StoredKey       := H(ClientKey)
/// ServerKey       := HMAC(SaltedPassword, "Server Key")
/// ```
/// The server keeps only salt, i, StoredKey and ServerKey (`SCRAMCredentials`), so a login costs
/// a few HMACs and a stolen database does not give passwords away directly.
public enum SCRAM {
    /// Derives stored credentials from a password. `Normalize()` is `SASLprep`'s subset: non-ASCII
    /// spaces become U+0020, "mapped to nothing" characters are removed, then NFKC (RFC 4013 §2.1,
    /// §2.2); no prohibited-character rejection. `salt` defaults to 16 random bytes from the system
    /// CSPRNG; `iterations` below 1 count as 1 (RFC 7677 §4 recommends at least 4096).
    public static func makeCredentials(
        password: String,
        algorithm: SCRAMCredentials.Algorithm,
        salt: [UInt8]? = nil,
        iterations: Int = 4096
    ) -> SCRAMCredentials {
        let salt = salt ?? randomBytes(count: 16)
        let rounds = max(1, iterations)
        let keys = algorithm.keys(saltedPassword: algorithm.saltedPassword(password, salt: salt, iterations: rounds))
        return SCRAMCredentials(
            algorithm: algorithm, salt: salt, iterations: rounds,
            storedKey: keys.storedKey, serverKey: keys.serverKey
        )
    }

    /// A fresh nonce: 18 bytes of the system CSPRNG (`SystemRandomNumberGenerator` reads the
    /// kernel's), base64 encoded, so 24 printable characters without "," (RFC 5802 §5.1, §7).
    public static func makeNonce() -> String {
        SASLBase64.encodeStandard(randomBytes(count: 18))
    }

    /// `count` bytes of the system CSPRNG, taken eight at a time from 64-bit draws (one
    /// getrandom(2) call each, instead of one per byte).
    package static func randomBytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var word: UInt64 = generator.next()
            for _ in 0..<min(8, count - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }
}
