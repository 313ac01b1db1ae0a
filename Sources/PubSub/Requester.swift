import XMPPCore

/// Who performs a ``PubSubCommand``.
///
/// `.entity` carries the JID the server stamped on the request (RFC 6120 §8.1.2.1), so nobody can act as
/// someone else. `.system` is the broker itself (MQTT bridge, item expiry, administration) and passes every
/// permission check — Prosody's `actor == true`, named here instead of overloading a JID.
public enum Requester: Hashable, Sendable {
    case entity(JID)
    case system
    /// A part of the broker acting under its own JID, such as an MQTT bridge: trusted like `.system`
    /// (configured by the operator, so it passes every permission check and owns nothing it creates),
    /// but items it publishes carry its JID as publisher (§7.1.2.3), so subscribers and the bridge's
    /// loop prevention can tell where they came from.
    case service(JID)

    /// The bare JID affiliations are keyed by (XEP-0060 §4.1: "All affiliations MUST be based on a bare JID").
    var bareJID: JID? {
        switch self {
        case .entity(let jid): jid.bare
        case .system, .service: nil
        }
    }

    /// The JID stamped on items this requester publishes: `nil` for the system.
    var publisherJID: JID? {
        switch self {
        case .entity(let jid), .service(let jid): jid.bare
        case .system: nil
        }
    }
}
