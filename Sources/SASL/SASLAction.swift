/// What the caller of `SASLServerStateMachine` does next (RFC 6120 §6.4).
///
/// ```
/// C: <auth mechanism='SCRAM-SHA-256'>biwsbj11c2VyLHI9…</auth>   start(initialResponse:)   -> .lookupCredentials
///    (caller loads the Account)                                  credentialsLoaded(_:)     -> .challenge
/// S: <challenge>cj1…</challenge>
/// C: <response>Yz1iaXdzLHI9…</response>                          receivedResponse(_:)      -> .success
/// S: <success>dj1…</success>
/// ```
public enum SASLAction: Equatable, Sendable {
    /// Send `<challenge/>` carrying these bytes (base64, `=` when empty: RFC 6120 §6.4.2).
    case challenge([UInt8])
    /// Load the account for this username (asynchronously), then call `credentialsLoaded(_:)`.
    /// The username is the one the client sent, unescaped; normalizing it to the stored form
    /// (RFC 7622 §3.3) is the caller's job.
    case lookupCredentials(username: String)
    /// Send `<success/>` with `additionalData` (SCRAM's `v=ServerSignature`, RFC 6120 §6.3.10),
    /// then restart the stream. `username` is the authenticated account's.
    case success(username: String, additionalData: [UInt8]?)
    /// Send `<failure/>` with this condition (RFC 6120 §6.5). The exchange is over.
    case failure(SASLFailure)
}
