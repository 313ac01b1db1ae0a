/// Why `SCRAMClient` gave up (RFC 5802 §5.1, §7).
public enum SCRAMClientError: Error, Equatable, Sendable {
    /// A method was called out of order.
    case invalidState
    /// The server's message breaks RFC 5802 §7's grammar.
    case malformedServerMessage
    /// server-first's nonce does not extend ours (RFC 5802 §5.1).
    case nonceMismatch
    /// `i=` is outside 1...SCRAMClient.maximumIterations.
    case iterationCountOutOfRange(Int)
    /// server-final carried `e=` (RFC 5802 §7, server-error).
    case serverError(String)
    /// `v=` is not the ServerSignature we computed: the server does not know our key.
    case serverSignatureMismatch
}

