import Foundation
import XMPPCore

/// The XEP-0060 publish-subscribe service with XEP-0248 collection nodes: the boundary between protocol
/// codecs and the domain (STYLE.md §4).
///
/// ```swift
/// let result = try await service.perform(.publish(node: temp, itemID: nil, payload: bytes, options: nil),
///                                        as: .entity(device))
/// ```
///
/// An actor: commands are checked and applied one at a time, except while awaiting the store, where the
/// store's own atomic methods (``PubSubStore/createNode(_:owner:)``, ``PubSubStore/appendItem(_:to:keepingAtMost:)``)
/// keep concurrent requests from corrupting state. Events go to every stream from ``events()``.
public actor PubSubService {
    public nonisolated let jid: JID
    let store: any PubSubStore
    let configuration: PubSubServiceConfiguration
    let clock: any PubSubClock
    let rosterLookup: (any RosterLookup)?
    /// Outbound copies of published items (the MQTT bridge's rules); nil forwards nothing.
    var forwarder: (any ItemForwarder)?

    var ids = IDGenerator()
    /// The newest `published` handed out, so publication times never go backwards (cursor paging relies on it).
    var lastPublished = Date.distantPast
    var listeners: [UInt64: AsyncStream<PubSubEvent>.Continuation] = [:]
    var nextListener: UInt64 = 0
    /// Fan-out cache: subscriptions per node, invalidated (by generation) on every subscription or graph change.
    var fanOutCache = FanOutCache()
    /// Serializes publishes to `publish_node_full = reject` nodes (PubSubService+PublishRules.swift).
    var fullNodeGate = NodeGate()

    public init(
        jid: JID,
        store: any PubSubStore,
        configuration: PubSubServiceConfiguration,
        clock: any PubSubClock = SystemPubSubClock(),
        rosterLookup: (any RosterLookup)? = nil,
        forwarder: (any ItemForwarder)? = nil
    ) {
        self.jid = jid
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.rosterLookup = rosterLookup
        self.forwarder = forwarder
    }

    /// Installs the rules deciding the outbound copies of published items (set before serving).
    public func setForwarder(_ forwarder: (any ItemForwarder)?) {
        self.forwarder = forwarder
    }

    /// Performs one use case as `actor`; throws the error the XEP names for it.
    public func perform(_ command: PubSubCommand, as actor: Requester) async throws(PubSubError) -> PubSubResult {
        switch command {
        case .create(let node, let configuration):
            return try await create(node, configuration: configuration, as: actor)
        case .getConfiguration(let node):
            return try await getConfiguration(node, as: actor)
        case .configure(let node, let configuration, let children):
            return try await configure(node, configuration: configuration, children: children, as: actor)
        case .defaultConfiguration(let type):
            return .configuration(defaultConfiguration(for: type), children: [])
        case .delete(let node, let redirect):
            return try await delete(node, redirect: redirect, as: actor)
        case .purge(let node):
            return try await purge(node, as: actor)
        case .ownerSubscriptions(let node):
            return try await ownerSubscriptions(node, as: actor)
        case .setOwnerSubscriptions(let node, let changes):
            return try await setOwnerSubscriptions(node, changes: changes, as: actor)
        case .ownerAffiliations(let node):
            return try await ownerAffiliations(node, as: actor)
        case .setOwnerAffiliations(let node, let changes):
            return try await setOwnerAffiliations(node, changes: changes, as: actor)
        case .associate(let collection, let node):
            return try await associate(node, with: collection, as: actor)
        case .dissociate(let collection, let node):
            return try await dissociate(node, from: collection, as: actor)
        case .pending(let node):
            return try await pending(node, as: actor)
        case .approve(let node, let subscriptionID, let allow):
            return try await approve(node, subscriptionID: subscriptionID, allow: allow, as: actor)
        case .publish(let node, let itemID, let payload, let options, let payloadNamespace):
            return try await publish(node, itemID: itemID, payload: payload, options: options,
                                     payloadNamespace: payloadNamespace, as: actor)
        case .publishWithoutItem(let node, let options):
            return try await publishWithoutItem(node, options: options, as: actor)
        case .retract(let node, let itemIDs, let notify):
            return try await retract(node, itemIDs: itemIDs, notify: notify, as: actor)
        case .subscribe(let node, let jid, let options):
            return try await subscribe(node, jid: jid, options: options, as: actor)
        case .unsubscribe(let node, let jid, let subscriptionID):
            return try await unsubscribe(node, jid: jid, subscriptionID: subscriptionID, as: actor)
        case .getSubscriptionOptions(let node, let jid, let subscriptionID):
            let subscription = try await ownSubscription(node, jid: jid, subscriptionID: subscriptionID, as: actor)
            return .subscription(subscription)
        case .setSubscriptionOptions(let node, let jid, let subscriptionID, let options):
            return try await setSubscriptionOptions(node, jid: jid, subscriptionID: subscriptionID, options: options, as: actor)
        case .defaultSubscriptionOptions(let node):
            if let node { _ = try await loadNode(node) }
            return .subscriptionOptions(SubscriptionOptions())
        case .items(let node, let query):
            return try await items(node, query: query, as: actor)
        case .childNodes(let parent):
            return try await childNodes(of: parent, as: actor)
        case .metadata(let node):
            return try await metadata(node)
        case .subscriptions(let node):
            return try await entitySubscriptions(node, as: actor)
        case .affiliations(let node):
            return try await entityAffiliations(node, as: actor)
        }
    }

    // MARK: Events

    /// A new stream of every event from now on. Each consumer (XMPP notifier, MQTT bridge, WebSocket push)
    /// takes its own; a consumer that stops iterating is removed.
    public func events(bufferingPolicy: AsyncStream<PubSubEvent>.Continuation.BufferingPolicy = .unbounded)
        -> AsyncStream<PubSubEvent>
    {
        let (stream, continuation) = AsyncStream<PubSubEvent>.makeStream(bufferingPolicy: bufferingPolicy)
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeListener(id) }
        }
        return stream
    }

    /// Ends every event stream (graceful shutdown); consumers see their `for await` loop finish.
    public func finishEvents() {
        for continuation in listeners.values { continuation.finish() }
        listeners = [:]
    }

    private func removeListener(_ id: UInt64) { listeners[id] = nil }

    func emit(_ event: PubSubEvent) {
        for continuation in listeners.values { continuation.yield(event) }
    }

    // MARK: Shared checks

    /// Runs a store call, reporting its failure as ``PubSubError/storeFailure(_:)``.
    func stored<T>(_ body: () async throws -> T) async throws(PubSubError) -> T {
        do {
            return try await body()
        } catch let error as PubSubError {
            throw error
        } catch {
            throw .storeFailure(String(describing: error))
        }
    }

    func loadNode(_ id: NodeID) async throws(PubSubError) -> Node {
        guard let node = try await stored({ try await store.node(id) }) else { throw .nodeNotFound }
        return node
    }

    /// The actor's affiliation; the system counts as owner everywhere.
    func affiliation(of actor: Requester, on node: NodeID) async throws(PubSubError) -> Affiliation {
        guard let jid = actor.bareJID else { return .owner }
        return try await stored { try await store.affiliation(of: jid, on: node) }
    }

    /// Throws `forbidden` unless Table 4 lets the actor's affiliation do `capability` (§4.1).
    @discardableResult
    func require(_ capability: Capability, on node: NodeID, as actor: Requester) async throws(PubSubError) -> Affiliation {
        let affiliation = try await affiliation(of: actor, on: node)
        guard CapabilityTable.allows(affiliation, capability) else { throw .forbidden }
        return affiliation
    }

    func owners(of node: NodeID) async throws(PubSubError) -> [JID] {
        try await stored { try await store.affiliations(on: node) }.filter { $0.affiliation == .owner }.map(\.jid)
    }

    func now() -> Date { clock.now() }

    /// A publication time: now, truncated to microseconds, and strictly after the previous one.
    func nextPublishedTime() -> Date {
        let micros = ItemCursor.microseconds(now())
        let floor = ItemCursor.microseconds(lastPublished) + 1
        let time = Date(timeIntervalSince1970: Double(max(micros, floor)) / 1_000_000)
        lastPublished = time
        return time
    }

    func defaultConfiguration(for type: NodeType) -> NodeConfiguration {
        var defaults = configuration.defaultConfiguration
        defaults.nodeType = type
        defaults.collections = []
        return defaults
    }
}
