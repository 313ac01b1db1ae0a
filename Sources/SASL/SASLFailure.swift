/// The defined conditions of a SASL `<failure/>` (RFC 6120 §6.5); `rawValue` is the child element's
/// name in the `urn:ietf:params:xml:ns:xmpp-sasl` namespace.
///
/// The state machine uses `malformedRequest` for messages that break a mechanism's syntax
/// (§6.5.8) and `notAuthorized` for every authentication failure whose cause it must not disclose
/// (§6.5.10): wrong password, unknown user, bad nonce, bad channel binding.
public enum SASLFailure: String, Error, Sendable {
    case aborted
    case accountDisabled = "account-disabled"
    case credentialsExpired = "credentials-expired"
    case encryptionRequired = "encryption-required"
    case incorrectEncoding = "incorrect-encoding"
    case invalidAuthzid = "invalid-authzid"
    case invalidMechanism = "invalid-mechanism"
    case malformedRequest = "malformed-request"
    case mechanismTooWeak = "mechanism-too-weak"
    case notAuthorized = "not-authorized"
    case temporaryAuthFailure = "temporary-auth-failure"
}
