import Foundation
import PubSub
import XMPPCore

/// An ``InMemoryPubSubStore`` with hooks around some reads, for tests that need a store that is slow,
/// gated or counted at one point: everything else forwards unchanged.
struct HookedStore: PubSubStore {
    struct Hooks: Sendable {
        var beforeItemsRead: @Sendable () async -> Void = {}
        /// After the node was read and before it is returned (a read that started before a write).
        var afterNodeRead: @Sendable () async -> Void = {}
        var beforeAffiliationRead: @Sendable () async -> Void = {}
        var afterAppend: @Sendable (Item) async -> Void = { _ in }
        var beforeSubscriptionsRead: @Sendable () async -> Void = {}
        /// A many-at-once append with the item ids it was given (then each goes through `appendItem`).
        var beforeAppendItems: @Sendable ([String]) async -> Void = { _ in }
    }

    let base = InMemoryPubSubStore()
    let hooks: Hooks

    /// Item reads take a moment, so service code that reads and then writes across a suspension
    /// point interleaves with other requests as it would against a real database.
    static func slowItems() -> HookedStore {
        HookedStore(hooks: Hooks(beforeItemsRead: { try? await Task.sleep(for: .milliseconds(2)) }))
    }

    func items(in node: NodeID, query: ItemQuery) async throws -> ItemPage {
        await hooks.beforeItemsRead()
        return await base.items(in: node, query: query)
    }

    func createNode(_ node: Node, owner: JID?) async throws -> Bool { await base.createNode(node, owner: owner) }
    func node(_ id: NodeID) async throws -> Node? {
        let value = await base.node(id)
        await hooks.afterNodeRead()
        return value
    }
    func updateNode(_ node: Node) async throws { await base.updateNode(node) }
    func deleteNode(_ id: NodeID) async throws -> Bool { await base.deleteNode(id) }
    func childNodes(of parent: NodeID?) async throws -> [Node] { await base.childNodes(of: parent) }
    func nodesWithItemExpiry() async throws -> [Node] { await base.nodesWithItemExpiry() }
    func affiliation(of jid: JID, on node: NodeID) async throws -> Affiliation {
        await hooks.beforeAffiliationRead()
        return await base.affiliation(of: jid, on: node)
    }
    func affiliations(on node: NodeID) async throws -> [AffiliationEntry] { await base.affiliations(on: node) }
    func affiliations(of jid: JID) async throws -> [AffiliationEntry] { await base.affiliations(of: jid) }
    func setAffiliation(_ affiliation: Affiliation, of jid: JID, on node: NodeID) async throws {
        await base.setAffiliation(affiliation, of: jid, on: node)
    }
    func subscriptions(on node: NodeID) async throws -> [Subscription] {
        await hooks.beforeSubscriptionsRead()
        return await base.subscriptions(on: node)
    }
    func subscriptions(ofBare jid: JID) async throws -> [Subscription] { await base.subscriptions(ofBare: jid) }
    func putSubscription(_ subscription: Subscription) async throws { await base.putSubscription(subscription) }
    func removeSubscription(_ id: SubscriptionID, on node: NodeID) async throws { await base.removeSubscription(id, on: node) }
    func appendItem(_ item: Item, to node: NodeID, keepingAtMost limit: Int?, outbox: [OutboxMessage])
        async throws -> [String]
    {
        let evicted = await base.appendItem(item, to: node, keepingAtMost: limit, outbox: outbox)
        await hooks.afterAppend(item)
        return evicted
    }
    func appendItems(_ appends: [ItemAppend]) async -> [Result<[String], any Error>] {
        await hooks.beforeAppendItems(appends.map(\.item.id))
        var outcomes: [Result<[String], any Error>] = []
        for append in appends {
            do {
                outcomes.append(.success(try await appendItem(
                    append.item, to: append.node, keepingAtMost: append.limit, outbox: append.outbox)))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }
    func retractItems(_ ids: [String], from node: NodeID) async throws -> [String] { await base.retractItems(ids, from: node) }
    func purgeItems(in node: NodeID) async throws -> [String] { await base.purgeItems(in: node) }
    func expireItems(in node: NodeID, publishedBefore cutoff: Date) async throws -> [String] {
        await base.expireItems(in: node, publishedBefore: cutoff)
    }
    func enqueue(_ messages: [OutboxMessage], at time: Date) async throws { await base.enqueue(messages, at: time) }
    func outbox(_ queue: String, after sequence: Int64?, limit: Int) async throws -> [OutboxEntry] {
        await base.outbox(queue, after: sequence, limit: limit)
    }
    func removeFromOutbox(_ queue: String, through sequence: Int64) async throws {
        await base.removeFromOutbox(queue, through: sequence)
    }
    func trimOutbox(_ queue: String, keepingAtMost limit: Int) async throws -> Int {
        await base.trimOutbox(queue, keepingAtMost: limit)
    }
    func outboxCount(_ queue: String) async throws -> Int { await base.outboxCount(queue) }
}
