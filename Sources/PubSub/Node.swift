import Foundation
import XMPPCore

/// A pubsub node: its identity, configuration and creation record (XEP-0060 §4.4, §5.4).
/// Affiliations, subscriptions and items are separate aggregates in ``PubSubStore``.
public struct Node: Hashable, Sendable {
    public let id: NodeID
    public var configuration: NodeConfiguration
    /// `pubsub#creator` (§5.4); `nil` when the system created the node.
    public let creator: JID?
    /// `pubsub#creation_date` (§5.4).
    public let created: Date

    public init(id: NodeID, configuration: NodeConfiguration, creator: JID?, created: Date) {
        self.id = id
        self.configuration = configuration
        self.creator = creator
        self.created = created
    }

    public var type: NodeType { configuration.nodeType }
    /// The collections this node belongs to (XEP-0248 `pubsub#collection`).
    public var parents: [NodeID] { configuration.collections }
}

/// A node as listed by disco#items (XEP-0060 §5.2, XEP-0248 §5.2).
public struct NodeSummary: Hashable, Sendable {
    public let id: NodeID
    public let title: String
    public let type: NodeType

    public init(id: NodeID, title: String, type: NodeType) {
        self.id = id
        self.title = title
        self.type = type
    }
}

/// The `pubsub#meta-data` of a node (XEP-0060 §5.4, §17.4.3).
public struct NodeMetadata: Hashable, Sendable {
    public let node: Node
    /// `pubsub#children` (XEP-0248), derived from the graph.
    public let children: [NodeID]
    public let owners: [JID]
    public let publishers: [JID]
    /// `pubsub#num_subscribers`: subscriptions in state subscribed or unconfigured.
    public let subscriberCount: Int

    public init(node: Node, children: [NodeID], owners: [JID], publishers: [JID], subscriberCount: Int) {
        self.node = node
        self.children = children
        self.owners = owners
        self.publishers = publishers
        self.subscriberCount = subscriberCount
    }
}
