import XMPPCore

/// Who performs a ``PubSubCommand``.
///
/// `.entity` carries the JID the server stamped on the request (RFC 6120 §8.1.2.1), so nobody can act as
/// someone else. `.system` is the broker itself (MQTT bridge, item expiry, administration) and passes every
/// permission check — Prosody's `actor == true`, named here instead of overloading a JID.
public enum Requester: Hashable, Sendable {
    case entity(JID)
    case system

    /// The bare JID affiliations are keyed by (XEP-0060 §4.1: "All affiliations MUST be based on a bare JID").
    var bareJID: JID? {
        switch self {
        case .entity(let jid): jid.bare
        case .system: nil
        }
    }
}
