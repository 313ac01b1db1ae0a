import Accounts
import SASL
import Testing

/// UTF-8 bytes of a test message.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Decodes base64 that a test writes down literally; an invalid literal is a test bug.
func base64(_ text: String) -> [UInt8] {
    (try? SASLBase64.decode(text)) ?? []
}

func text(_ data: [UInt8]) -> String { String(decoding: data, as: UTF8.self) }

/// One published SCRAM example (RFC 5802 §5, RFC 7677 §3) with the keys that follow from it.
struct SCRAMVector: Sendable, CustomTestStringConvertible {
    var algorithm: SCRAMCredentials.Algorithm
    var clientNonce: String
    var serverNonce: String
    var salt: String
    var clientFirst: String
    var serverFirst: String
    var clientFinal: String
    var serverFinal: String
    /// base64 StoredKey and ServerKey (computed independently from the example's password and salt).
    var storedKey: String
    var serverKey: String

    var testDescription: String { algorithm.rawValue }

    var credentials: SCRAMCredentials {
        SCRAMCredentials(algorithm: algorithm, salt: base64(salt), iterations: 4096,
                         storedKey: base64(storedKey), serverKey: base64(serverKey))
    }

    static let rfc5802 = SCRAMVector(
        algorithm: .sha1,
        clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
        serverNonce: "3rfcNHYJY1ZVvWVs7j",
        salt: "QSXCR+Q6sek8bf92",
        clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        storedKey: "6dlGYMOdZcOPutkcNY8U2g7vK9Y=",
        serverKey: "D+CSWLOshSulAsxiupA+qs2/fTE="
    )

    static let rfc7677 = SCRAMVector(
        algorithm: .sha256,
        clientNonce: "rOprNGfwEbeRWgbNEkqO",
        serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
        clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        storedKey: "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        serverKey: "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
    )

    static let all = [rfc5802, rfc7677]
}

extension SCRAMCredentials.Algorithm {
    var mechanism: SASLMechanism { self == .sha1 ? .scramSHA1 : .scramSHA256 }
}

/// An account "user" with password "pencil" for both hashes (few iterations keep tests quick).
func pencilAccount(username: String = "user", password: String = "pencil", iterations: Int = 512) -> Account {
    Account(username: username, credentials: SCRAMCredentials.Algorithm.allCases.map {
        SCRAM.makeCredentials(password: password, algorithm: $0, iterations: iterations)
    })
}

/// A client-final computed by hand, for GS2 headers `SCRAMClient` never sends ("y", authzid), and
/// for forgeries whose proof is valid over what they claim (another `c=`, another nonce).
func handmadeClientFinal(
    algorithm: SCRAMCredentials.Algorithm, password: String,
    gs2Header: String, clientFirstBare: String, serverFirst: [UInt8],
    nonceOverride: String? = nil
) -> (message: [UInt8], serverSignature: [UInt8])? {
    let fields = text(serverFirst).split(separator: ",")
    guard fields.count >= 3 else { return nil }
    let nonce = String(fields[0].dropFirst(2))
    let salt = base64(String(fields[1].dropFirst(2)))
    guard let iterations = Int(fields[2].dropFirst(2)) else { return nil }
    let keys = algorithm.keys(saltedPassword: algorithm.saltedPassword(password, salt: salt, iterations: iterations))
    let withoutProof = "c=\(SASLBase64.encode(bytes(gs2Header))),r=\(nonceOverride ?? nonce)"
    let authMessage = bytes(clientFirstBare) + bytes(",") + serverFirst + bytes(",") + bytes(withoutProof)
    let proof = xor(keys.clientKey, algorithm.hmac(key: keys.storedKey, authMessage))
    return (bytes(withoutProof + ",p=" + SASLBase64.encode(proof)), algorithm.hmac(key: keys.serverKey, authMessage))
}
