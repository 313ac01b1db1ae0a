import Foundation
import GRDB
import PubSub
import XMPPCore

/// Conversions between the pubsub domain values and the rows of migrations "002_pubsub" and "004_publish_node_full".
extension EmbeddedStore {
    /// `pubsub_nodes` columns in the order of ``nodeValues(_:)``; `node` first.
    static let nodeColumns = [
        "node", "node_type", "title", "description", "payload_type", "max_items", "item_expire_us",
        "access_model", "publish_model", "deliver_payloads", "deliver_notifications", "notify_config",
        "notify_delete", "notify_retract", "notify_sub", "persist_items", "presence_based_delivery",
        "send_last_published_item", "notification_type", "max_payload_size", "roster_groups_allowed",
        "subscribe", "children_association_policy", "children_association_whitelist", "children_max",
        "creator", "created_us", "publish_node_full",
    ]

    static func nodeValues(_ node: Node) throws -> [DatabaseValue] {
        let c = node.configuration
        let values: [(any DatabaseValueConvertible)?] = [
            node.id.rawValue, c.nodeType.rawValue, c.title, c.description, c.payloadType, c.maxItems,
            c.itemExpire.map(Microseconds.from), c.accessModel.rawValue, c.publishModel.rawValue,
            c.deliverPayloads, c.deliverNotifications, c.notifyConfig, c.notifyDelete, c.notifyRetract,
            c.notifySub, c.persistItems, c.presenceBasedDelivery, c.sendLastPublishedItem.rawValue,
            c.notificationType.rawValue, c.maxPayloadSize, try jsonArray(c.rosterGroupsAllowed), c.subscribe,
            c.childrenAssociationPolicy.rawValue, try jsonArray(c.childrenAssociationWhitelist.map(\.description)),
            c.childrenMax, node.creator?.description, Microseconds.from(node.created), c.publishNodeFull.rawValue,
        ]
        return values.map { $0?.databaseValue ?? .null }
    }

    static func insertParents(of node: Node, in db: Database) throws {
        for (position, parent) in node.configuration.collections.enumerated() {
            try db.execute(
                sql: "INSERT INTO pubsub_node_parents (node, parent, position) VALUES (?, ?, ?)",
                arguments: [node.id.rawValue, parent.rawValue, position])
        }
    }

    /// Nodes matching `condition` (SQL over `pubsub_nodes`, one of a few fixed texts), with their parents.
    /// Cached statements (compiled once per connection, as the append path's): compiling a statement
    /// costs SQLite's parser and GRDB's authorizer callback per column, more than running it.
    static func nodes(in db: Database, where condition: String, _ arguments: StatementArguments) throws -> [Node] {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(nodeColumns.joined(separator: ", ")) FROM pubsub_nodes WHERE \(condition)"),
            arguments: arguments)
        let parentsOf = try db.cachedStatement(sql: "SELECT parent FROM pubsub_node_parents WHERE node = ? ORDER BY position")
        return try rows.map { row in
            let id: String = try row.decode(forColumn: "node")
            return try node(from: row, parents: try String.fetchAll(parentsOf, arguments: [id]))
        }
    }

    private static func node(from row: Row, parents: [String]) throws -> Node {
        func enumeration<T: RawRepresentable<String>>(_ column: String, _ type: T.Type) throws -> T {
            let raw: String = try row.decode(forColumn: column)
            guard let parsed = T(rawValue: raw) else {
                throw EmbeddedStoreError.corruptValue(column: "pubsub_nodes.\(column)", value: raw)
            }
            return parsed
        }
        var c = NodeConfiguration()
        c.nodeType = try enumeration("node_type", NodeType.self)
        c.title = try row.decode(forColumn: "title")
        c.description = try row.decode(forColumn: "description")
        c.payloadType = try row.decode(forColumn: "payload_type")
        c.maxItems = try row.decode(forColumn: "max_items")
        c.publishNodeFull = try enumeration("publish_node_full", PublishNodeFull.self)
        c.itemExpire = try row.decode(Int64?.self, forColumn: "item_expire_us").map { .microseconds($0) }
        c.accessModel = try enumeration("access_model", AccessModel.self)
        c.publishModel = try enumeration("publish_model", PublishModel.self)
        c.deliverPayloads = try row.decode(forColumn: "deliver_payloads")
        c.deliverNotifications = try row.decode(forColumn: "deliver_notifications")
        c.notifyConfig = try row.decode(forColumn: "notify_config")
        c.notifyDelete = try row.decode(forColumn: "notify_delete")
        c.notifyRetract = try row.decode(forColumn: "notify_retract")
        c.notifySub = try row.decode(forColumn: "notify_sub")
        c.persistItems = try row.decode(forColumn: "persist_items")
        c.presenceBasedDelivery = try row.decode(forColumn: "presence_based_delivery")
        c.sendLastPublishedItem = try enumeration("send_last_published_item", SendLastPublishedItem.self)
        c.notificationType = try enumeration("notification_type", NotificationType.self)
        c.maxPayloadSize = try row.decode(forColumn: "max_payload_size")
        c.rosterGroupsAllowed = try strings(row, "roster_groups_allowed")
        c.subscribe = try row.decode(forColumn: "subscribe")
        c.childrenAssociationPolicy = try enumeration("children_association_policy", ChildrenAssociationPolicy.self)
        c.childrenAssociationWhitelist = try strings(row, "children_association_whitelist")
            .map { try jid($0, column: "pubsub_nodes.children_association_whitelist") }
        c.childrenMax = try row.decode(forColumn: "children_max")
        c.collections = try parents.map { try nodeID($0, column: "pubsub_node_parents.parent") }
        return Node(
            id: try nodeID(try row.decode(forColumn: "node"), column: "pubsub_nodes.node"),
            configuration: c,
            creator: try row.decode(String?.self, forColumn: "creator").map { try jid($0, column: "pubsub_nodes.creator") },
            created: Microseconds.date(try row.decode(forColumn: "created_us")))
    }

    func affiliationEntries(where condition: String, _ argument: String) async throws -> [AffiliationEntry] {
        try await database().read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT node, jid, affiliation FROM pubsub_affiliations WHERE \(condition)"),
                arguments: [argument]
            ).map { row in
                AffiliationEntry(
                    node: try Self.nodeID(try row.decode(forColumn: "node"), column: "pubsub_affiliations.node"),
                    jid: try Self.jid(try row.decode(forColumn: "jid"), column: "pubsub_affiliations.jid"),
                    affiliation: try Self.affiliation(try row.decode(forColumn: "affiliation")))
            }
        }
    }

    func subscriptionRows(where condition: String, _ argument: String) async throws -> [Subscription] {
        try await database().read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT node, subid, jid, state, deliver, expire_us, include_body, show_values,
                           subscription_type, subscription_depth
                    FROM pubsub_subscriptions WHERE \(condition) ORDER BY seq
                    """),
                arguments: [argument]
            ).map(Self.subscription(from:))
        }
    }

    private static func subscription(from row: Row) throws -> Subscription {
        let stateName: String = try row.decode(forColumn: "state")
        guard let state = SubscriptionState(rawValue: stateName) else {
            throw EmbeddedStoreError.corruptValue(column: "pubsub_subscriptions.state", value: stateName)
        }
        let typeName: String = try row.decode(forColumn: "subscription_type")
        guard let type = SubscriptionType(rawValue: typeName) else {
            throw EmbeddedStoreError.corruptValue(column: "pubsub_subscriptions.subscription_type", value: typeName)
        }
        let depth: Int? = try row.decode(forColumn: "subscription_depth")
        let options = SubscriptionOptions(
            deliver: try row.decode(forColumn: "deliver"),
            expire: try row.decode(Int64?.self, forColumn: "expire_us").map(Microseconds.date),
            includeBody: try row.decode(forColumn: "include_body"),
            showValues: try strings(row, "show_values"),
            subscriptionType: type,
            subscriptionDepth: depth.map { .levels($0) } ?? .all)
        return Subscription(
            node: try nodeID(try row.decode(forColumn: "node"), column: "pubsub_subscriptions.node"),
            jid: try jid(try row.decode(forColumn: "jid"), column: "pubsub_subscriptions.jid"),
            id: SubscriptionID(try row.decode(forColumn: "subid")),
            state: state, options: options)
    }

    /// `subscription_depth`: the number of levels, NULL for `all`.
    static func depthColumn(_ depth: SubscriptionDepth) -> Int? {
        switch depth {
        case .levels(let levels): levels
        case .all: nil
        }
    }

    static func affiliation(_ name: String) throws -> Affiliation {
        guard let affiliation = Affiliation(rawValue: name), affiliation != .none else {
            throw EmbeddedStoreError.corruptValue(column: "pubsub_affiliations.affiliation", value: name)
        }
        return affiliation
    }

    static func nodeID(_ raw: String, column: String) throws -> NodeID {
        do { return try NodeID(raw) } catch { throw EmbeddedStoreError.corruptValue(column: column, value: raw) }
    }

    static func jid(_ raw: String, column: String) throws -> JID {
        do { return try JID(raw) } catch { throw EmbeddedStoreError.corruptValue(column: column, value: raw) }
    }

    /// SQLite has no arrays: a list of strings is a JSON array in a TEXT column.
    static func jsonArray(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    private static func strings(_ row: Row, _ column: String) throws -> [String] {
        let text: String = try row.decode(forColumn: column)
        if text == "[]" { return [] }   // the usual value, without a JSONDecoder
        do {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw EmbeddedStoreError.corruptValue(column: column, value: text)
        }
    }
}

/// Times as INTEGER microseconds since 1970: exact for `Item.published`, which PubSub truncates to
/// whole microseconds and builds as `Date(timeIntervalSince1970: micros / 1e6)`.
enum Microseconds {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    static func from(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    static func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }

    /// The smallest stored time whose Date is not before `cutoff`: `published_us < t` selects exactly
    /// what the reference store's `published < cutoff` does, whatever the cutoff's sub-microsecond part.
    static func firstNotBefore(_ cutoff: Date) -> Int64 {
        var threshold = Int64((cutoff.timeIntervalSince1970 * 1_000_000).rounded(.up))
        while date(threshold - 1) >= cutoff { threshold -= 1 }
        while date(threshold) < cutoff { threshold += 1 }
        return threshold
    }
}
