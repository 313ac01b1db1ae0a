/// The four presence types that manage subscriptions (RFC 6121 §3). The mapping to and from
/// `Presence.PresenceType` lives with the presence handling that needs it.
public enum SubscriptionEvent: Hashable, Sendable, CaseIterable {
    case subscribe, subscribed, unsubscribe, unsubscribed
}
