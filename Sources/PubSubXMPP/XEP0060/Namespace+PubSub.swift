import XMPPCore

/// XEP-0060 §20 (XML namespace name registrations), §16.4 (FORM_TYPEs), XEP-0131 SHIM.
extension Namespace {
    /// §20.1: requests by entities, subscribers and publishers.
    public static let pubsub = "http://jabber.org/protocol/pubsub"
    /// §20.1: owner use cases.
    public static let pubsubOwner = "http://jabber.org/protocol/pubsub#owner"
    /// §20.1: event notifications.
    public static let pubsubEvent = "http://jabber.org/protocol/pubsub#event"
    /// §20.1: application-specific error conditions.
    public static let pubsubErrors = "http://jabber.org/protocol/pubsub#errors"
    /// §16.4.4: node configuration form.
    public static let pubsubNodeConfig = "http://jabber.org/protocol/pubsub#node_config"
    /// §16.4.2: subscription options form.
    public static let pubsubSubscribeOptions = "http://jabber.org/protocol/pubsub#subscribe_options"
    /// §16.4.5 / §7.1.5: publish-options form.
    public static let pubsubPublishOptions = "http://jabber.org/protocol/pubsub#publish-options"
    /// §16.4.3: node meta-data form.
    public static let pubsubMetadata = "http://jabber.org/protocol/pubsub#meta-data"
    /// §16.4.1: subscription authorization form (§8.6).
    public static let pubsubSubscribeAuthorization = "http://jabber.org/protocol/pubsub#subscribe_authorization"
    /// XEP-0131 Stanza Headers and Internet Metadata.
    public static let shim = "http://jabber.org/protocol/shim"
}
