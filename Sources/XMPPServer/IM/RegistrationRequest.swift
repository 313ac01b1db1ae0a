/// A decoded `jabber:iq:register` set (XEP-0077).
public enum RegistrationRequest: Equatable, Sendable {
    /// Username and password: a new account before authentication (XEP-0077 §3.1), a password
    /// change after it (§3.3). `username` is the normalized localpart (RFC 7622 §3.3).
    case register(username: String, password: String)
    /// `<remove/>`: cancel the authenticated user's registration (XEP-0077 §3.2).
    case remove
}
