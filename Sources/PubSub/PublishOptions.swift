/// Preconditions sent with a publish (XEP-0060 §7.1.5, FORM_TYPE `pubsub#publish-options`).
///
/// Each non-nil field must equal the node's configuration, otherwise the publish fails with
/// ``PubSubError/preconditionNotMet``. When the node does not exist and auto-create is on, the node is
/// created with the default configuration overridden by these values. Unknown form fields are rejected by
/// the codec before a `PublishOptions` exists ("MUST reject the publication upon encountering unknown fields").
public struct PublishOptions: Hashable, Sendable {
    public var accessModel: AccessModel?
    public var publishModel: PublishModel?
    /// `.some(nil)` is the precondition `max_items = max`.
    public var maxItems: Int??
    public var persistItems: Bool?
    public var deliverPayloads: Bool?
    public var deliverNotifications: Bool?
    public var sendLastPublishedItem: SendLastPublishedItem?
    public var notificationType: NotificationType?
    public var payloadType: String?
    public var title: String?
    public var rosterGroupsAllowed: [String]?

    public init(
        accessModel: AccessModel? = nil, publishModel: PublishModel? = nil, maxItems: Int?? = nil,
        persistItems: Bool? = nil, deliverPayloads: Bool? = nil, deliverNotifications: Bool? = nil,
        sendLastPublishedItem: SendLastPublishedItem? = nil, notificationType: NotificationType? = nil,
        payloadType: String? = nil, title: String? = nil, rosterGroupsAllowed: [String]? = nil
    ) {
        self.accessModel = accessModel
        self.publishModel = publishModel
        self.maxItems = maxItems
        self.persistItems = persistItems
        self.deliverPayloads = deliverPayloads
        self.deliverNotifications = deliverNotifications
        self.sendLastPublishedItem = sendLastPublishedItem
        self.notificationType = notificationType
        self.payloadType = payloadType
        self.title = title
        self.rosterGroupsAllowed = rosterGroupsAllowed
    }

    /// Whether every precondition holds for `configuration` (§7.1.5 rules 1 and 2).
    public func isSatisfied(by configuration: NodeConfiguration) -> Bool {
        var expected = configuration
        apply(to: &expected)
        return expected == configuration
    }

    /// Overrides `configuration` with the preconditions (§7.1.5 rule 3, auto-create).
    public func apply(to configuration: inout NodeConfiguration) {
        if let accessModel { configuration.accessModel = accessModel }
        if let publishModel { configuration.publishModel = publishModel }
        if let maxItems { configuration.maxItems = maxItems }
        if let persistItems { configuration.persistItems = persistItems }
        if let deliverPayloads { configuration.deliverPayloads = deliverPayloads }
        if let deliverNotifications { configuration.deliverNotifications = deliverNotifications }
        if let sendLastPublishedItem { configuration.sendLastPublishedItem = sendLastPublishedItem }
        if let notificationType { configuration.notificationType = notificationType }
        if let payloadType { configuration.payloadType = payloadType }
        if let title { configuration.title = title }
        if let rosterGroupsAllowed { configuration.rosterGroupsAllowed = rosterGroupsAllowed }
    }
}
