import Foundation
import Logging
import Metrics
import PubSub
import XMPPCore

/// One broker connection of the MQTT bridge at run time (issue 5): MQTT messages on mapped topics
/// become items, items published on mapped nodes leave through the store's outbox, in order, and
/// nothing acknowledged is lost while the broker is away or Starling restarts.
///
/// ```
///  broker ──PUBLISH──▶ MQTTClient handler ──▶ handleInbound ──▶ PubSubService.publish (as the bridge)
///                      (PUBACK only after it returned: the item is stored)
///  XMPP publish ──▶ PubSubService ──▶ store: item + outbox rows, one transaction (BridgeRouter decides)
///                                └─event─▶ sender wakes ──▶ MQTTClient.publish (PUBACK) ──▶ outbox row deleted
/// ```
///
/// Delivery is at least once both ways: a crash between the broker's PUBACK and the deletion of the
/// outbox row sends that message again after the restart; a crash between storing an inbound item
/// and the PUBACK makes the broker redeliver it (a persistent session, `clean_session: false`).
public actor BridgeConnection {
    public struct Settings: Sendable {
        public var client: MQTTClientConfiguration
        /// Retry policy of the first connection; libmosquitto's own reconnect takes over afterwards.
        public var backoff: MQTTBackoff
        public var router: BridgeRouter
        /// Outbound messages kept while the broker is away; beyond it the oldest are dropped.
        public var queueLimit: Int
        /// Per mapping name: the configuration of leaves `auto_create` makes.
        public var leafConfigurations: [String: NodeConfiguration]
        public var collectionConfiguration: NodeConfiguration
        /// Outbox rows read per round.
        public var batchSize: Int = 256
        /// The sender also looks at the outbox this often without being woken (a safety net).
        public var pollInterval: Duration = .seconds(1)

        public init(
            client: MQTTClientConfiguration, backoff: MQTTBackoff, router: BridgeRouter, queueLimit: Int,
            leafConfigurations: [String: NodeConfiguration], collectionConfiguration: NodeConfiguration
        ) {
            self.client = client
            self.backoff = backoff
            self.router = router
            self.queueLimit = queueLimit
            self.leafConfigurations = leafConfigurations
            self.collectionConfiguration = collectionConfiguration
        }
    }

    public nonisolated let name: String
    public nonisolated let settings: Settings
    let service: PubSubService
    let store: any OutboxStore
    let logger: Logger
    let metrics: BridgeMetrics
    private var echoes = EchoFilter()
    private var knownNodes: Set<NodeID> = []
    private var linkUp = false
    /// Resumed when there may be work for the sender (an outbound item, the link coming up).
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var pendingWake = false

    /// `metricsFactory`: where the counters go; the process-wide bootstrapped one by default.
    public init(
        settings: Settings, service: PubSubService, store: any OutboxStore, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.name = settings.router.connection
        self.settings = settings
        self.service = service
        self.store = store
        var logger = logger
        logger[metadataKey: "bridge"] = "\(settings.router.connection)"
        self.logger = logger
        self.metrics = BridgeMetrics(
            bridge: settings.router.connection, mappings: settings.router.rules.mappings.map(\.name), factory: metricsFactory)
    }

    private var requester: Requester { .service(settings.router.bridgeJID) }

    /// Runs until cancelled: connects (retrying with capped backoff), subscribes the inbound filters,
    /// sends the outbox, follows the node events. Never throws: a broker that is away is waited for.
    public func run() async {
        let client: MQTTClient
        do {
            client = try MQTTClient(
                configuration: settings.client, logger: logger,
                handler: { [weak self] message in await self?.handleInbound(message) })
        } catch {
            logger.error("bridge cannot start: \(error)")
            return
        }
        let events = await service.events()
        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.followLink(client) }
            tasks.addTask { await self.followNodes(events) }
            tasks.addTask {
                guard await self.connect(client) else { return }
                await self.send(through: client)
            }
            // Shutdown cancels this task; stop the client so the children above end.
            await withTaskCancellationHandler {
                await Self.sleepUntilCancelled()
            } onCancel: {
                Task { await client.disconnect() }
            }
            tasks.cancelAll()
        }
        await client.disconnect()
        logger.info("bridge stopped")
    }

    // MARK: Connection

    private func connect(_ client: MQTTClient) async -> Bool {
        do {
            try await client.connect(retryingWith: settings.backoff)
        } catch {
            return false  // cancelled or disconnected: shutting down
        }
        logger.info("bridge connected", metadata: ["broker": "\(settings.client.host):\(settings.client.port)"])
        for subscription in settings.router.rules.subscriptions {
            // A refused subscription is a configuration problem (ACL); the rest of the bridge still works.
            do {
                try await client.subscribe(subscription.filter.description, qos: subscription.qos)
            } catch {
                logger.error("bridge subscription refused", metadata: [
                    "filter": "\(subscription.filter)", "error": "\(error)"])
            }
        }
        return true
    }

    private func followLink(_ client: MQTTClient) async {
        for await event in client.events {
            switch event {
            case .connected:
                linkUp = true
                wake()
            case .disconnected(let reason):
                linkUp = false
                if case .connectionLost(let text) = reason { logger.warning("bridge link lost: \(text)") }
            case .reconnecting:
                metrics.reconnects.increment()
            case .connectAttemptFailed(let attempt, let error):
                metrics.reconnects.increment()
                if attempt == 1 || attempt.isMultiple(of: 10) {
                    logger.warning("bridge cannot reach the broker, retrying", metadata: [
                        "attempt": "\(attempt)", "error": "\(error)"])
                }
            }
        }
    }

    // MARK: Inbound (MQTT → pubsub)

    /// Runs on the client's handler task; the broker gets its PUBACK only after this returns, so a
    /// QoS 1 message is acknowledged once its item is stored (or can never be).
    func handleInbound(_ message: MQTTMessage) async {
        if echoes.consumeEcho(topic: message.topic, payload: message.payload) {
            metrics.echoesDropped.increment()
            return
        }
        let route: InboundRoute
        do {
            guard let found = try settings.router.inbound(
                topic: message.topic, payload: message.payload, retained: message.retain)
            else {
                metrics.unmapped.increment()
                return
            }
            route = found
        } catch {
            metrics.mapping(error.mapping)?.rejected.increment()
            logger.warning("bridge message rejected", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            return
        }
        guard case .item(let payload) = route.payload else { return }  // a retained-message clear: no item
        let counters = metrics.mapping(route.mapping.name)
        if route.retained, await isLastItem(payload, on: route.node) {
            return  // the broker's retained copy of what the node already ends with (resubscribe)
        }
        if await publish(payload, to: route) {
            counters?.messagesIn.increment()
            counters?.bytesIn.increment(by: message.payload.count)
        } else {
            counters?.rejected.increment()
        }
    }

    /// Publishes as the bridge, creating the node first when the mapping says so (the service's own
    /// auto-create would make a bare leaf outside the tree). Store failures are retried (the broker
    /// must not get a PUBACK for an item that is not stored); refusals are final.
    private func publish(_ payload: [UInt8], to route: InboundRoute) async -> Bool {
        var attempt = 0
        while true {
            do {
                if !knownNodes.contains(route.node) {
                    if try await !nodeExists(route.node) {
                        guard route.mapping.autoCreate else {
                            logger.warning("bridge node missing and auto_create is off", metadata: ["node": "\(route.node)"])
                            return false
                        }
                        try await provisioner(for: route.mapping).ensureLeaf(route.node)
                    }
                    rememberNode(route.node)
                }
                _ = try await service.perform(
                    .publish(node: route.node, itemID: nil, payload: payload, options: nil), as: requester)
                return true
            } catch .storeFailure(let text) {
                attempt += 1
                logger.error("bridge cannot store an item, retrying", metadata: ["node": "\(route.node)", "error": "\(text)"])
                let delay = settings.backoff.delay(afterAttempt: attempt)
                guard (try? await Task.sleep(for: delay)) != nil else { return false }
            } catch {
                logger.warning("bridge item refused", metadata: [
                    "node": "\(route.node)", "topic": "\(route.topic)", "error": "\(error)"])
                return false
            }
        }
    }

    private func nodeExists(_ node: NodeID) async throws(PubSubError) -> Bool {
        do {
            _ = try await service.perform(.getConfiguration(node: node), as: requester)
            return true
        } catch .nodeNotFound {
            return false
        }
    }

    /// Nodes seen to exist, so a steady stream of readings costs no lookup; forgotten when deleted.
    private func rememberNode(_ node: NodeID) {
        if knownNodes.count >= 100_000 { knownNodes.removeAll(keepingCapacity: true) }
        knownNodes.insert(node)
    }

    private func provisioner(for mapping: BridgeMapping) -> NodeProvisioner {
        NodeProvisioner(
            service: service, requester: requester,
            leafConfiguration: settings.leafConfigurations[mapping.name] ?? NodeConfiguration.defaults(for: .leaf),
            collectionConfiguration: settings.collectionConfiguration)
    }

    private func isLastItem(_ payload: [UInt8], on node: NodeID) async -> Bool {
        guard let newest = await newestItem(on: node) else { return false }
        return newest.payload == payload
    }

    private func newestItem(on node: NodeID) async -> Item? {
        guard case .items(_, let page)? = try? await service.perform(
            .items(node: node, query: .mostRecent(1)), as: requester) else { return nil }
        return page.items.last
    }

    // MARK: Outbound (pubsub → MQTT)

    private func followNodes(_ events: AsyncStream<PubSubEvent>) async {
        for await event in events {
            switch event {
            case .published(let node, let item, _, _):
                if !settings.router.outbound(item: item, on: node).forwards.isEmpty { wake() }
            case .retracted(let node, _, _), .purged(let node, _):
                await followRetainedMessage(of: node)
            case .deleted(let node, _, _):
                knownNodes.remove(node)
            default:
                break
            }
        }
    }

    /// `clear_retained_on_retract`: the retained message follows the node's newest item, and is
    /// cleared (zero-length retained PUBLISH, MQTT 3.1.1 §3.3.1.3) when no item is left. Enqueued
    /// after the retract committed, not in its transaction: a crash in between leaves the old
    /// retained message in place.
    private func followRetainedMessage(of node: NodeID) async {
        let clears = settings.router.retainedClears(forRetractOn: node)
        guard !clears.isEmpty else { return }
        let clearedTopics = Set(clears.map(\.topic))
        var messages = clears
        if let newest = await newestItem(on: node) {
            messages = settings.router.outbound(item: newest, on: node).messages
                .filter { $0.retain && clearedTopics.contains($0.topic) }
        }
        do {
            try await store.enqueue(messages, at: Date())
            wake()
        } catch {
            logger.error("bridge cannot queue a retained update", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    /// Drains the outbox in order while the link is up: publish (QoS 1 waits for the PUBACK), then
    /// delete what was delivered. A publish that fails because the link dropped is retried after the
    /// reconnect, so order is kept.
    private func send(through client: MQTTClient) async {
        while !Task.isCancelled {
            guard linkUp else {
                await waitForWork()
                continue
            }
            await enforceQueueLimit()
            let batch: [OutboxEntry]
            do {
                batch = try await store.outbox(name, after: nil, limit: settings.batchSize)
            } catch {
                logger.error("bridge cannot read its queue", metadata: ["error": "\(error)"])
                await waitForWork()
                continue
            }
            guard !batch.isEmpty else {
                metrics.queueDepth.record(0)
                await waitForWork()
                continue
            }
            var delivered: Int64?
            for entry in batch {
                let message = entry.message
                echoes.recordPublished(topic: message.topic, payload: message.payload)
                do {
                    try await client.publish(
                        topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain)
                } catch let error as MQTTError where error.code == .invalidArgument {
                    // Can never be sent (e.g. too large for MQTT): drop it rather than block the queue.
                    metrics.sendFailures.increment()
                    logger.error("bridge dropped an unsendable message", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
                } catch {
                    _ = echoes.consumeEcho(topic: message.topic, payload: message.payload)
                    break  // link down or closing: keep this and the rest for after the reconnect
                }
                delivered = entry.sequence
                countOutbound(message)
            }
            if let delivered {
                do {
                    try await store.removeFromOutbox(name, through: delivered)
                } catch {
                    logger.error("bridge cannot update its queue", metadata: ["error": "\(error)"])
                }
            }
            if delivered != batch.last?.sequence, !Task.isCancelled {
                await waitForWork()
            }
        }
    }

    private func countOutbound(_ message: OutboxMessage) {
        let mapping = settings.router.rules.mappings.first {
            $0.direction.isOutbound && $0.filter.matches(topic: message.topic) != nil
        }
        guard let counters = mapping.flatMap({ metrics.mapping($0.name) }) else { return }
        counters.messagesOut.increment()
        counters.bytesOut.increment(by: message.payload.count)
    }

    private func enforceQueueLimit() async {
        do {
            let dropped = try await store.trimOutbox(name, keepingAtMost: settings.queueLimit)
            if dropped > 0 {
                metrics.dropped.increment(by: dropped)
                logger.warning("bridge queue full: dropped the oldest messages", metadata: [
                    "dropped": "\(dropped)", "queue_limit": "\(settings.queueLimit)"])
            }
            metrics.queueDepth.record(try await store.outboxCount(name))
        } catch {
            logger.error("bridge cannot bound its queue", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Wake-ups

    private func wake() {
        if let wakeUp {
            self.wakeUp = nil
            wakeUp.resume()
        } else {
            pendingWake = true
        }
    }

    /// Returns on the next `wake()` or after `pollInterval`, whichever is first.
    private func waitForWork() async {
        if pendingWake {
            pendingWake = false
            return
        }
        let interval = settings.pollInterval
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            await self?.wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in wakeUp = continuation }
        } onCancel: {
            timer.cancel()
            Task { await self.wake() }
        }
        timer.cancel()
        pendingWake = false
    }

    private static func sleepUntilCancelled() async {
        while (try? await Task.sleep(for: .seconds(3600))) != nil {}
    }
}
