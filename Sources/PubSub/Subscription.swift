import Foundation
import XMPPCore

/// A subscription identifier (XEP-0060 §6.1.6, the `subid` attribute). Opaque; unique per service.
public struct SubscriptionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// XEP-0060 §4.2 Subscription States.
///
/// Starling never produces `unconfigured` (it does not require subscription configuration, §6.1.5), but
/// keeps the case so owners may set it and stores can round-trip it.
public enum SubscriptionState: String, Sendable, CaseIterable {
    case none, pending, unconfigured, subscribed
}

/// `pubsub#subscription_type` (XEP-0248 §6.1): which notifications a collection subscription receives.
/// Ignored on leaf nodes, whose subscriptions always receive item notifications.
public enum SubscriptionType: String, Sendable, CaseIterable {
    case items, nodes, all
}

/// `pubsub#subscription_depth` (XEP-0248 §6.1): "any integer value, 0 or greater, or the value all".
public enum SubscriptionDepth: Hashable, Sendable {
    case levels(Int)
    case all

    /// The default, "1": direct children only.
    public static let one = SubscriptionDepth.levels(1)

    /// Whether an event `distance` edges below the subscribed collection is in range.
    func includes(distance: Int) -> Bool {
        switch self {
        case .all: true
        case .levels(let levels): distance <= levels
        }
    }
}

/// Subscription options (XEP-0060 §6.3, FORM_TYPE `pubsub#subscribe_options` §17.4.2; XEP-0248 §6.1).
public struct SubscriptionOptions: Hashable, Sendable {
    /// `pubsub#deliver`: whether notifications are delivered at all.
    public var deliver: Bool = true
    /// `pubsub#expire`: the subscription lapses at this time (§13.19 leases); `nil` means never.
    public var expire: Date? = nil
    /// `pubsub#include_body`.
    public var includeBody: Bool = false
    /// `pubsub#show-values`: presence `<show/>` values that receive notifications; empty means all.
    public var showValues: [String] = []
    /// `pubsub#subscription_type`; the XEP-0248 §6.1 default is `nodes`.
    public var subscriptionType: SubscriptionType = .nodes
    /// `pubsub#subscription_depth`; the XEP-0248 §6.1 default is 1.
    public var subscriptionDepth: SubscriptionDepth = .one

    public init(
        deliver: Bool = true, expire: Date? = nil, includeBody: Bool = false, showValues: [String] = [],
        subscriptionType: SubscriptionType = .nodes, subscriptionDepth: SubscriptionDepth = .one
    ) {
        self.deliver = deliver
        self.expire = expire
        self.includeBody = includeBody
        self.showValues = showValues
        self.subscriptionType = subscriptionType
        self.subscriptionDepth = subscriptionDepth
    }

    func validate() throws(PubSubError) {
        if case .levels(let levels) = subscriptionDepth, levels < 0 { throw .invalidOptions }
    }
}

/// One subscription of one JID to one node (XEP-0060 §6.1). A JID may hold several, told apart by `id`.
/// `jid` is kept as given (bare or full, §6.1.1); authorization compares bare JIDs.
public struct Subscription: Hashable, Sendable {
    public let node: NodeID
    public let jid: JID
    public let id: SubscriptionID
    public var state: SubscriptionState
    public var options: SubscriptionOptions

    public init(node: NodeID, jid: JID, id: SubscriptionID, state: SubscriptionState, options: SubscriptionOptions) {
        self.node = node
        self.jid = jid
        self.id = id
        self.state = state
        self.options = options
    }

    /// Whether this subscription receives notifications at `now` (§4.2: none and pending MUST NOT;
    /// unconfigured MAY — Starling delivers).
    func isActive(at now: Date) -> Bool {
        guard state == .subscribed || state == .unconfigured, options.deliver else { return false }
        if let expire = options.expire, expire <= now { return false }
        return true
    }
}

/// An owner's change to one subscription (XEP-0060 §8.8.2). `state == .none` removes it.
public struct SubscriptionChange: Hashable, Sendable {
    public let jid: JID
    public let subscriptionID: SubscriptionID?
    public let state: SubscriptionState

    public init(jid: JID, subscriptionID: SubscriptionID? = nil, state: SubscriptionState) {
        self.jid = jid
        self.subscriptionID = subscriptionID
        self.state = state
    }
}
