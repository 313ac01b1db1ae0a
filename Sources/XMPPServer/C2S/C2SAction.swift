import XMPPCore

/// Bytes the C2S handler writes, in order: the stream header is raw text (it has no end tag), the
/// rest are elements.
enum C2SOutput: Equatable, Sendable {
    case raw(String)
    case element(Element)
}

/// What the C2S handler does after feeding an input to `C2SStateMachine`.
enum C2SAction: Equatable, Sendable {
    case none
    case write([C2SOutput])
    /// Write `<proceed/>`, then put TLS in front of the handler and restart the parser
    /// (RFC 6120 §5.4.3.3: TLS starts right after the closing `>` of `<proceed/>`).
    case startTLS([C2SOutput])
    /// Write `<success/>`, then restart the parser (RFC 6120 §6.4.6: the client restarts the stream).
    case restartStream([C2SOutput])
    /// Write, then close the connection.
    case close([C2SOutput])
    /// Load the account for a SASL exchange and feed it to `credentialsLoaded`.
    case lookupCredentials(username: String)
    /// A SASL exchange failed: write the failure and count it for the per-IP login throttle.
    case authenticationFailed([C2SOutput], thenClose: Bool)
    /// Resource binding (RFC 6120 §7): bind and feed the outcome to `bindCompleted`/`bindFailed`.
    case bind(username: String, requestedResource: String?, iq: IQ)
    /// A stanza from the bound client, `from` stamped with its full JID (RFC 6120 §8.1.2.1).
    case stanza(Stanza)
    /// An IQ before authentication that the server may answer (XEP-0077 in-band registration).
    case unauthenticatedIQ(IQ)
}
