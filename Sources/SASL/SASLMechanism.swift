import Accounts

/// The SASL mechanisms Starling offers in `<mechanisms/>` (RFC 6120 §6.4.1). Which of them a stream
/// may use (PLAIN only over TLS, DESIGN.md) is the caller's decision.
///
/// - `SCRAM-SHA-256`: RFC 7677. - `SCRAM-SHA-1`: RFC 5802. - `PLAIN`: RFC 4616.
/// The `-PLUS` variants are not offered: there is no channel binding (RFC 5802 §6).
public enum SASLMechanism: String, Sendable, CaseIterable {
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA1 = "SCRAM-SHA-1"
    case plain = "PLAIN"

    /// The SCRAM hash function of this mechanism, nil for PLAIN.
    public var scramAlgorithm: SCRAMCredentials.Algorithm? {
        switch self {
        case .scramSHA256: .sha256
        case .scramSHA1: .sha1
        case .plain: nil
        }
    }
}
