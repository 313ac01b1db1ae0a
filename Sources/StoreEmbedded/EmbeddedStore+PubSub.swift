import Foundation
import GRDB
import PubSub
import XMPPCore

/// ``PubSubStore`` in the embedded SQLite file (schema: migration "002_pubsub",
/// `EmbeddedStore+PubSubSchema.swift`): nodes, affiliations and subscriptions here, items in
/// `EmbeddedStore+PubSubItems.swift`. Same semantics as `InMemoryPubSubStore`, checked by
/// `Tests/StoreConformanceTests/PubSubStoreTests.swift`.
///
/// The same file and pool as accounts: one writer connection serializes every write, each call is
/// one GRDB transaction (`write`) or one consistent snapshot (`read`), and a second file would only
/// add a second fsync stream. Lists documented as sorted by NodeID or JID are sorted in Swift.
extension EmbeddedStore: PubSubStore {
    // MARK: Nodes

    public func createNode(_ node: Node, owner: JID?) async throws -> Bool {
        try await database().write { db in
            try db.execute(
                sql: """
                    INSERT INTO pubsub_nodes (\(Self.nodeColumns.joined(separator: ", ")))
                    VALUES (\(Self.nodeColumns.map { _ in "?" }.joined(separator: ", ")))
                    ON CONFLICT (node) DO NOTHING
                    """,
                arguments: StatementArguments(try Self.nodeValues(node)))
            guard db.changesCount == 1 else { return false }
            try Self.insertParents(of: node, in: db)
            if let owner {
                try db.execute(
                    sql: "INSERT INTO pubsub_affiliations (node, jid, affiliation) VALUES (?, ?, 'owner')",
                    arguments: [node.id.rawValue, owner.bare.description])
            }
            return true
        }
    }

    public func node(_ id: NodeID) async throws -> Node? {
        try await database().read { db in
            try Self.nodes(in: db, where: "node = ?", [id.rawValue]).first
        }
    }

    public func updateNode(_ node: Node) async throws {
        try await database().write { db in
            let assignments = Self.nodeColumns.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")
            // Every column but the key, creator and creation date included, as the reference store
            // replaces the whole Node.
            let arguments = StatementArguments(Array(try Self.nodeValues(node).dropFirst()) + [node.id.rawValue.databaseValue])
            try db.execute(
                sql: "UPDATE pubsub_nodes SET \(assignments) WHERE node = ?", arguments: arguments)
            guard db.changesCount == 1 else { return }
            try db.execute(sql: "DELETE FROM pubsub_node_parents WHERE node = ?", arguments: [node.id.rawValue])
            try Self.insertParents(of: node, in: db)
        }
    }

    public func deleteNode(_ id: NodeID) async throws -> Bool {
        try await database().write { db in
            // Items, subscriptions, affiliations and own parent rows: ON DELETE CASCADE.
            try db.execute(sql: "DELETE FROM pubsub_nodes WHERE node = ?", arguments: [id.rawValue])
            guard db.changesCount == 1 else { return false }
            // XEP-0248 §8.2: children stay, without this parent.
            try db.execute(sql: "DELETE FROM pubsub_node_parents WHERE parent = ?", arguments: [id.rawValue])
            return true
        }
    }

    public func childNodes(of parent: NodeID?) async throws -> [Node] {
        try await database().read { db in
            if let parent {
                return try Self.nodes(
                    in: db, where: "node IN (SELECT node FROM pubsub_node_parents WHERE parent = ?)",
                    [parent.rawValue])
            }
            return try Self.nodes(
                in: db, where: "NOT EXISTS (SELECT 1 FROM pubsub_node_parents p WHERE p.node = pubsub_nodes.node)",
                [])
        }.sorted { $0.id < $1.id }
    }

    public func nodesWithItemExpiry() async throws -> [Node] {
        try await database().read { db in
            try Self.nodes(in: db, where: "item_expire_us IS NOT NULL", [])
        }.sorted { $0.id < $1.id }
    }

    // MARK: Affiliations

    public func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation {
        let name = try await database().read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT affiliation FROM pubsub_affiliations WHERE node = ? AND jid = ?"),
                arguments: [node.rawValue, jid.bare.description])
        }
        return try name.map(Self.affiliation) ?? .none
    }

    public func affiliations(on node: NodeID) async throws -> [AffiliationEntry] {
        try await affiliationEntries(where: "node = ?", node.rawValue).sorted { $0.jid < $1.jid }
    }

    public func affiliations(of jid: JID) async throws -> [AffiliationEntry] {
        try await affiliationEntries(where: "jid = ?", jid.bare.description).sorted { $0.node < $1.node }
    }

    public func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws {
        try await database().write { db in
            guard affiliation != .none else {
                try db.execute(
                    sql: "DELETE FROM pubsub_affiliations WHERE node = ? AND jid = ?",
                    arguments: [node.rawValue, jid.bare.description])
                return
            }
            // Nothing is stored for a node that does not exist.
            try db.execute(
                sql: """
                    INSERT INTO pubsub_affiliations (node, jid, affiliation)
                    SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE node = ?)
                    ON CONFLICT (node, jid) DO UPDATE SET affiliation = excluded.affiliation
                    """,
                arguments: [node.rawValue, jid.bare.description, affiliation.rawValue, node.rawValue])
        }
    }

    // MARK: Subscriptions

    public func subscriptions(on node: NodeID) async throws -> [Subscription] {
        try await subscriptionRows(where: "node = ?", node.rawValue)
    }

    public func subscriptions(ofBare jid: JID) async throws -> [Subscription] {
        // Creation order within a node; nodes in String order, sorted stably in Swift.
        try await subscriptionRows(where: "bare_jid = ?", jid.bare.description)
            .enumerated()
            .sorted { ($0.element.node, $0.offset) < ($1.element.node, $1.offset) }
            .map(\.element)
    }

    public func putSubscription(_ subscription: Subscription) async throws {
        let o = subscription.options
        try await database().write { db in
            // Upsert keeps the rowid (`seq`), so a replacement keeps its place in creation order.
            try db.execute(
                sql: """
                    INSERT INTO pubsub_subscriptions (
                        node, subid, jid, bare_jid, state, deliver, expire_us, include_body, show_values,
                        subscription_type, subscription_depth)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
                    WHERE EXISTS (SELECT 1 FROM pubsub_nodes WHERE node = ?)
                    ON CONFLICT (node, subid) DO UPDATE SET
                        jid = excluded.jid, bare_jid = excluded.bare_jid, state = excluded.state,
                        deliver = excluded.deliver, expire_us = excluded.expire_us,
                        include_body = excluded.include_body, show_values = excluded.show_values,
                        subscription_type = excluded.subscription_type,
                        subscription_depth = excluded.subscription_depth
                    """,
                arguments: [
                    subscription.node.rawValue, subscription.id.rawValue, subscription.jid.description,
                    subscription.jid.bare.description, subscription.state.rawValue, o.deliver,
                    o.expire.map(Microseconds.from), o.includeBody, try Self.jsonArray(o.showValues),
                    o.subscriptionType.rawValue, Self.depthColumn(o.subscriptionDepth), subscription.node.rawValue,
                ])
        }
    }

    public func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws {
        try await database().write { db in
            try db.execute(
                sql: "DELETE FROM pubsub_subscriptions WHERE node = ? AND subid = ?",
                arguments: [node.rawValue, id.rawValue])
        }
    }
}
