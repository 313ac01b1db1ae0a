import Foundation
import PostgresNIO
import PubSub
import XMPPCore

/// ``PubSubStore`` on PostgreSQL (schema: migration `002_pubsub`): nodes, affiliations and
/// subscriptions here, items in `PostgresStore+PubSubItems.swift`. Same semantics as
/// `InMemoryPubSubStore`, checked by `Tests/StoreConformanceTests/PubSubStoreTests.swift`.
///
/// Each method is one statement (atomic on its own) or one transaction on one connection. Lists the
/// protocol documents as sorted by NodeID or JID are sorted in Swift, so the order is String's `<`
/// whatever the database collation.
extension PostgresStore: PubSubStore {
    // MARK: Nodes

    public func createNode(_ node: Node, owner: JID?) async throws -> Bool {
        let c = node.configuration
        // One statement: the parents and the owner row are inserted only when the node row was, and
        // ON CONFLICT makes two concurrent creates of one NodeID end with exactly one winner (§8.1.1).
        let rows = try await client().query(
            """
            WITH created AS (
                INSERT INTO pubsub_nodes (
                    node, node_type, title, description, payload_type, max_items, item_expire,
                    access_model, publish_model, deliver_payloads, deliver_notifications, notify_config,
                    notify_delete, notify_retract, notify_sub, persist_items, presence_based_delivery,
                    send_last_published_item, notification_type, max_payload_size, roster_groups_allowed,
                    subscribe, children_association_policy, children_association_whitelist, children_max,
                    creator, created, publish_node_full)
                VALUES (
                    \(node.id.rawValue), \(c.nodeType.rawValue), \(c.title), \(c.description), \(c.payloadType),
                    \(c.maxItems), \(c.itemExpire?.wholeMicroseconds)::int8 * interval '1 microsecond',
                    \(c.accessModel.rawValue), \(c.publishModel.rawValue), \(c.deliverPayloads),
                    \(c.deliverNotifications), \(c.notifyConfig), \(c.notifyDelete), \(c.notifyRetract),
                    \(c.notifySub), \(c.persistItems), \(c.presenceBasedDelivery),
                    \(c.sendLastPublishedItem.rawValue), \(c.notificationType.rawValue), \(c.maxPayloadSize),
                    \(c.rosterGroupsAllowed)::text[], \(c.subscribe), \(c.childrenAssociationPolicy.rawValue),
                    \(c.childrenAssociationWhitelist.map(\.description))::text[], \(c.childrenMax),
                    \(node.creator?.description), \(PostgresTimestamp(node.created)), \(c.publishNodeFull.rawValue))
                ON CONFLICT (node) DO NOTHING
                RETURNING node
            ), parents AS (
                INSERT INTO pubsub_node_parents (node, parent, position)
                SELECT created.node, p.parent, p.position - 1
                FROM created, unnest(\(c.collections.map(\.rawValue))::text[]) WITH ORDINALITY AS p(parent, position)
            ), owner AS (
                INSERT INTO pubsub_affiliations (node, jid, affiliation)
                SELECT created.node, o.jid, 'owner' FROM created, (SELECT \(owner?.bare.description)::text AS jid) AS o
                WHERE o.jid IS NOT NULL
            )
            SELECT count(*) FROM created
            """,
            logger: logger)
        return try await Self.count(rows) == 1
    }

    public func node(_ id: NodeID) async throws -> Node? {
        try await nodes(where: "WHERE n.node = $1", id.rawValue).first
    }

    public func updateNode(_ node: Node) async throws {
        let c = node.configuration
        try await client().withConnection { connection in
            try await Self.inTransaction(connection, logger: logger) { connection in
                let updated = try await connection.query(
                    """
                    UPDATE pubsub_nodes SET
                        node_type = \(c.nodeType.rawValue), title = \(c.title), description = \(c.description),
                        payload_type = \(c.payloadType), max_items = \(c.maxItems),
                        item_expire = \(c.itemExpire?.wholeMicroseconds)::int8 * interval '1 microsecond',
                        access_model = \(c.accessModel.rawValue), publish_model = \(c.publishModel.rawValue),
                        deliver_payloads = \(c.deliverPayloads), deliver_notifications = \(c.deliverNotifications),
                        notify_config = \(c.notifyConfig), notify_delete = \(c.notifyDelete),
                        notify_retract = \(c.notifyRetract), notify_sub = \(c.notifySub),
                        persist_items = \(c.persistItems), presence_based_delivery = \(c.presenceBasedDelivery),
                        send_last_published_item = \(c.sendLastPublishedItem.rawValue),
                        notification_type = \(c.notificationType.rawValue), max_payload_size = \(c.maxPayloadSize),
                        roster_groups_allowed = \(c.rosterGroupsAllowed)::text[], subscribe = \(c.subscribe),
                        children_association_policy = \(c.childrenAssociationPolicy.rawValue),
                        children_association_whitelist = \(c.childrenAssociationWhitelist.map(\.description))::text[],
                        children_max = \(c.childrenMax), publish_node_full = \(c.publishNodeFull.rawValue)
                    WHERE node = \(node.id.rawValue)
                    RETURNING 1
                    """,
                    logger: logger)
                guard try await Self.count(rowsOf: updated) == 1 else { return }
                try await connection.query(
                    "DELETE FROM pubsub_node_parents WHERE node = \(node.id.rawValue)", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO pubsub_node_parents (node, parent, position)
                    SELECT \(node.id.rawValue), p.parent, p.position - 1
                    FROM unnest(\(c.collections.map(\.rawValue))::text[]) WITH ORDINALITY AS p(parent, position)
                    """,
                    logger: logger)
            }
        }
    }

    public func deleteNode(_ id: NodeID) async throws -> Bool {
        // Items, subscriptions, affiliations and the node's own parent rows go by ON DELETE CASCADE;
        // the children's rows naming it as parent go here, in the same statement (XEP-0248 §8.2).
        let rows = try await client().query(
            """
            WITH deleted AS (
                DELETE FROM pubsub_nodes WHERE node = \(id.rawValue) RETURNING node
            ), orphaned AS (
                DELETE FROM pubsub_node_parents WHERE parent = \(id.rawValue) AND EXISTS (SELECT 1 FROM deleted)
            )
            SELECT count(*) FROM deleted
            """,
            logger: logger)
        return try await Self.count(rows) == 1
    }

    public func childNodes(of parent: NodeID?) async throws -> [Node] {
        let found: [Node]
        if let parent {
            found = try await nodes(
                where: "WHERE n.node IN (SELECT p.node FROM pubsub_node_parents p WHERE p.parent = $1)",
                parent.rawValue)
        } else {
            found = try await nodes(
                where: "WHERE NOT EXISTS (SELECT 1 FROM pubsub_node_parents p WHERE p.node = n.node)", nil)
        }
        return found.sorted { $0.id < $1.id }
    }

    public func nodesWithItemExpiry() async throws -> [Node] {
        try await nodes(where: "WHERE n.item_expire IS NOT NULL", nil).sorted { $0.id < $1.id }
    }

    // MARK: Affiliations

    public func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation {
        let rows = try await client().query(
            """
            SELECT affiliation FROM pubsub_affiliations
            WHERE node = \(node.rawValue) AND jid = \(jid.bare.description)
            """,
            logger: logger)
        var result = Affiliation.none
        for try await name in rows.decode(String.self) { result = try Self.affiliation(name) }
        return result
    }

    public func affiliations(on node: NodeID) async throws -> [AffiliationEntry] {
        try await affiliationEntries(
            "SELECT node, jid, affiliation FROM pubsub_affiliations WHERE node = \(node.rawValue)"
        ).sorted { $0.jid < $1.jid }
    }

    public func affiliations(of jid: JID) async throws -> [AffiliationEntry] {
        try await affiliationEntries(
            "SELECT node, jid, affiliation FROM pubsub_affiliations WHERE jid = \(jid.bare.description)"
        ).sorted { $0.node < $1.node }
    }

    public func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws {
        let bare = jid.bare.description
        guard affiliation != .none else {
            try await client().query(
                "DELETE FROM pubsub_affiliations WHERE node = \(node.rawValue) AND jid = \(bare)", logger: logger)
            return
        }
        // Nothing is stored for a node that does not exist; FOR KEY SHARE orders us with a concurrent delete.
        try await client().query(
            """
            INSERT INTO pubsub_affiliations (node, jid, affiliation)
            SELECT \(node.rawValue), \(bare), \(affiliation.rawValue)
            WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE node = \(node.rawValue) FOR KEY SHARE)
            ON CONFLICT (node, jid) DO UPDATE SET affiliation = excluded.affiliation
            """,
            logger: logger)
    }

    // MARK: Subscriptions

    public func subscriptions(on node: NodeID) async throws -> [Subscription] {
        try await subscriptionRows(
            "\(unescaped: Self.subscriptionSelect) WHERE node = \(node.rawValue) ORDER BY seq")
    }

    public func subscriptions(ofBare jid: JID) async throws -> [Subscription] {
        // Creation order within a node (seq); nodes in String order, sorted stably in Swift.
        let rows = try await subscriptionRows(
            "\(unescaped: Self.subscriptionSelect) WHERE bare_jid = \(jid.bare.description) ORDER BY seq")
        return rows.enumerated()
            .sorted { ($0.element.node, $0.offset) < ($1.element.node, $1.offset) }
            .map(\.element)
    }

    public func putSubscription(_ subscription: Subscription) async throws {
        let o = subscription.options
        // A replacement keeps its `seq`, so its place in creation order, like the reference store.
        try await client().query(
            """
            INSERT INTO pubsub_subscriptions (
                node, subid, jid, bare_jid, state, deliver, expire, include_body, show_values,
                subscription_type, subscription_depth)
            SELECT \(subscription.node.rawValue), \(subscription.id.rawValue), \(subscription.jid.description),
                   \(subscription.jid.bare.description), \(subscription.state.rawValue), \(o.deliver),
                   \(o.expire.map(PostgresTimestamp.init)), \(o.includeBody), \(o.showValues)::text[],
                   \(o.subscriptionType.rawValue), \(Self.depthColumn(o.subscriptionDepth))
            WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE node = \(subscription.node.rawValue) FOR KEY SHARE)
            ON CONFLICT (node, subid) DO UPDATE SET
                jid = excluded.jid, bare_jid = excluded.bare_jid, state = excluded.state,
                deliver = excluded.deliver, expire = excluded.expire, include_body = excluded.include_body,
                show_values = excluded.show_values, subscription_type = excluded.subscription_type,
                subscription_depth = excluded.subscription_depth
            """,
            logger: logger)
    }

    public func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws {
        try await client().query(
            "DELETE FROM pubsub_subscriptions WHERE node = \(node.rawValue) AND subid = \(id.rawValue)",
            logger: logger)
    }
}

// MARK: - Rows

extension PostgresStore {
    private static let nodeSelect = """
        SELECT n.node, n.node_type, n.title, n.description, n.payload_type, n.max_items,
               (extract(epoch FROM n.item_expire) * 1000000)::int8 AS item_expire_us,
               n.access_model, n.publish_model, n.deliver_payloads, n.deliver_notifications, n.notify_config,
               n.notify_delete, n.notify_retract, n.notify_sub, n.persist_items, n.presence_based_delivery,
               n.send_last_published_item, n.notification_type, n.max_payload_size, n.roster_groups_allowed,
               n.subscribe, n.children_association_policy, n.children_association_whitelist, n.children_max,
               n.creator, n.created, n.publish_node_full,
               ARRAY(SELECT p.parent FROM pubsub_node_parents p WHERE p.node = n.node ORDER BY p.position)::text[]
                   AS parents
        FROM pubsub_nodes n
        """

    /// Nodes matching `condition`, which may use `$1` (bound to `argument`).
    private func nodes(where condition: String, _ argument: String?) async throws -> [Node] {
        var bindings = PostgresBindings()
        if let argument { bindings.append(argument) }
        let rows = try await client().query(
            PostgresQuery(unsafeSQL: "\(Self.nodeSelect) \(condition)", binds: bindings), logger: logger)
        var nodes: [Node] = []
        for try await row in rows { nodes.append(try Self.node(row.makeRandomAccess())) }
        return nodes
    }

    private static func node(_ row: PostgresRandomAccessRow) throws -> Node {
        func value<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self) throws -> T {
            try row[column].decode(T.self)
        }
        func enumeration<T: RawRepresentable<String>>(_ column: String, _ type: T.Type) throws -> T {
            let raw: String = try value(column)
            guard let parsed = T(rawValue: raw) else {
                throw PostgresStoreError.corruptValue(column: "pubsub_nodes.\(column)", value: raw)
            }
            return parsed
        }
        let id: String = try value("node")
        var c = NodeConfiguration()
        c.nodeType = try enumeration("node_type", NodeType.self)
        c.title = try value("title")
        c.description = try value("description")
        c.payloadType = try value("payload_type")
        c.maxItems = try value("max_items")
        c.publishNodeFull = try enumeration("publish_node_full", PublishNodeFull.self)
        c.itemExpire = try value("item_expire_us", Int64?.self).map { .microseconds($0) }
        c.accessModel = try enumeration("access_model", AccessModel.self)
        c.publishModel = try enumeration("publish_model", PublishModel.self)
        c.deliverPayloads = try value("deliver_payloads")
        c.deliverNotifications = try value("deliver_notifications")
        c.notifyConfig = try value("notify_config")
        c.notifyDelete = try value("notify_delete")
        c.notifyRetract = try value("notify_retract")
        c.notifySub = try value("notify_sub")
        c.persistItems = try value("persist_items")
        c.presenceBasedDelivery = try value("presence_based_delivery")
        c.sendLastPublishedItem = try enumeration("send_last_published_item", SendLastPublishedItem.self)
        c.notificationType = try enumeration("notification_type", NotificationType.self)
        c.maxPayloadSize = try value("max_payload_size")
        c.rosterGroupsAllowed = try value("roster_groups_allowed")
        c.subscribe = try value("subscribe")
        c.childrenAssociationPolicy = try enumeration("children_association_policy", ChildrenAssociationPolicy.self)
        c.childrenAssociationWhitelist = try value("children_association_whitelist", [String].self)
            .map { try jid($0, column: "pubsub_nodes.children_association_whitelist") }
        c.childrenMax = try value("children_max")
        c.collections = try value("parents", [String].self)
            .map { try nodeID($0, column: "pubsub_node_parents.parent") }
        return Node(
            id: try nodeID(id, column: "pubsub_nodes.node"),
            configuration: c,
            creator: try value("creator", String?.self).map { try jid($0, column: "pubsub_nodes.creator") },
            created: try value("created", PostgresTimestamp.self).date)
    }

    private func affiliationEntries(_ query: PostgresQuery) async throws -> [AffiliationEntry] {
        var entries: [AffiliationEntry] = []
        for try await (node, jid, affiliation) in try await client().query(query, logger: logger)
            .decode((String, String, String).self)
        {
            entries.append(AffiliationEntry(
                node: try Self.nodeID(node, column: "pubsub_affiliations.node"),
                jid: try Self.jid(jid, column: "pubsub_affiliations.jid"),
                affiliation: try Self.affiliation(affiliation)))
        }
        return entries
    }

    private static let subscriptionSelect = """
        SELECT node, subid, jid, state, deliver, expire, include_body, show_values, subscription_type,
               subscription_depth
        FROM pubsub_subscriptions
        """

    private typealias SubscriptionColumns =
        (String, String, String, String, Bool, PostgresTimestamp?, Bool, [String], String, Int?)

    private func subscriptionRows(_ query: PostgresQuery) async throws -> [Subscription] {
        var subscriptions: [Subscription] = []
        let rows = try await client().query(query, logger: logger)
        for try await (node, subid, jid, state, deliver, expire, includeBody, showValues, type, depth)
            in rows.decode(SubscriptionColumns.self)
        {
            guard let parsedState = SubscriptionState(rawValue: state) else {
                throw PostgresStoreError.corruptValue(column: "pubsub_subscriptions.state", value: state)
            }
            guard let parsedType = SubscriptionType(rawValue: type) else {
                throw PostgresStoreError.corruptValue(column: "pubsub_subscriptions.subscription_type", value: type)
            }
            let options = SubscriptionOptions(
                deliver: deliver, expire: expire?.date, includeBody: includeBody, showValues: showValues,
                subscriptionType: parsedType, subscriptionDepth: depth.map { .levels($0) } ?? .all)
            subscriptions.append(Subscription(
                node: try Self.nodeID(node, column: "pubsub_subscriptions.node"),
                jid: try Self.jid(jid, column: "pubsub_subscriptions.jid"),
                id: SubscriptionID(subid), state: parsedState, options: options))
        }
        return subscriptions
    }

    /// `subscription_depth`: the number of levels, NULL for `all`.
    private static func depthColumn(_ depth: SubscriptionDepth) -> Int? {
        switch depth {
        case .levels(let levels): levels
        case .all: nil
        }
    }

    private static func affiliation(_ name: String) throws -> Affiliation {
        guard let affiliation = Affiliation(rawValue: name), affiliation != .none else {
            throw PostgresStoreError.corruptValue(column: "pubsub_affiliations.affiliation", value: name)
        }
        return affiliation
    }

    static func nodeID(_ raw: String, column: String) throws -> NodeID {
        do { return try NodeID(raw) } catch { throw PostgresStoreError.corruptValue(column: column, value: raw) }
    }

    static func jid(_ raw: String, column: String) throws -> JID {
        do { return try JID(raw) } catch { throw PostgresStoreError.corruptValue(column: column, value: raw) }
    }
}
