import XMPPCore

/// The four presence types that manage subscriptions (RFC 6121 §3).
public enum SubscriptionEvent: Hashable, Sendable, CaseIterable {
    case subscribe, subscribed, unsubscribe, unsubscribed

    /// The event for a subscription-management presence type; nil for the others.
    public init?(_ type: Presence.PresenceType) {
        switch type {
        case .subscribe: self = .subscribe
        case .subscribed: self = .subscribed
        case .unsubscribe: self = .unsubscribe
        case .unsubscribed: self = .unsubscribed
        case .available, .error, .probe, .unavailable: return nil
        }
    }

    /// The presence type that carries this event.
    public var presenceType: Presence.PresenceType {
        switch self {
        case .subscribe: .subscribe
        case .subscribed: .subscribed
        case .unsubscribe: .unsubscribe
        case .unsubscribed: .unsubscribed
        }
    }
}
