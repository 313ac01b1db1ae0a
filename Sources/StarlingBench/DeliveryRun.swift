import ArgumentParser
import NIOCore

/// The shape `fanout`, `subtree` and `latency` share: L publishers, one per leaf, publish P items
/// each; N subscribers subscribe either to the one leaf (XEP-0060 §6.1) or to a collection above
/// the leaves with subscription_depth all (XEP-0248 §6.1); every subscriber must receive exactly
/// L × P items. Session 0 owns the nodes (creates, deletes), sessions 1…L publish, the rest
/// subscribe; subscribers are split across shards, everything else lives in shard 0.
struct DeliveryRun: Sendable {
    var scenario: String
    var subscribers: Int
    var leaves: Int
    var items: Int
    var window: Int
    /// Fixed publish interval (latency); nil publishes as fast as the window allows.
    var interval: TimeAmount?
    var rate: Double?
    var viaCollection: Bool
    var measuresLatency: Bool
    /// Seconds to wait for the last notifications once every publish is answered.
    var drainSeconds: Int

    func run(target: TargetOptions, options: PubSubOptions) async throws {
        RunSupport.raiseDescriptorLimit()
        let (leaves, viaCollection, scenario) = (self.leaves, self.viaCollection, self.scenario)
        let parts = options.shardParts ?? (0, 1)
        let mine = (0..<subscribers).filter { $0 % parts.count == parts.index }.map { 1 + leaves + $0 }
        let coordinator = parts.index == 0
        let template = PubSubResult(
            scenario: scenario, host: target.host, port: target.port, service: "", shard: options.shard,
            subscribers: mine.count, publishers: coordinator ? leaves : 0, itemsPerPublisher: items,
            window: interval == nil ? window : nil, rate: rate,
            sessionsRequested: mine.count + (coordinator ? leaves + 1 : 0),
            expectedNotifications: mine.count * leaves * items,
            expectedPublishes: coordinator ? leaves * items : 0)
        let run = try PubSubRun(target: target, options: options, template: template)
        let counters = run.counters
        let expected = template.expectedNotifications
        let progress = RunSupport.startProgress {
            let now = run.snapshot()
            return "\(scenario): \(now.established)/\(now.sessionsRequested) sessions, \(now.failed) failed, "
                + "\(counters.subscribed.load(ordering: .relaxed))/\(mine.count) subscribed, published \(now.acknowledged)/\(now.expectedPublishes), "
                + "notifications \(now.notifications)/\(expected), \(now.wallSeconds) s"
        }
        let deadline = RunSupport.startDeadline(seconds: target.timeout) { run.snapshot() }
        let prefix = options.nodePrefix
        let leafNames = (0..<leaves).map { leaves == 1 && !viaCollection ? "\(prefix)-\(scenario)" : "\(prefix)-\(scenario)-leaf-\($0)" }
        let collection = "\(prefix)-\(scenario)"
        let subscribedNode = viaCollection ? collection : leafNames[0]

        var owner: PubSubSession?
        var publishers: [PubSubSession] = []
        if coordinator {
            owner = await run.openSessions([0]).first
            if let owner {
                await setUpNodes(owner: owner, leafNames: leafNames, collection: collection, options: options, run: run)
                publishers = await run.openSessions(Array(1...leaves)).sorted { $0.index < $1.index }
            }
            run.sync.signal("nodes-ready")
        } else {
            _ = await run.sync.wait(for: "nodes-ready")
        }
        let sessions = await run.openSessions(mine, measuresLatency: measuresLatency)
        let subscribed = await run.forEach(sessions, concurrency: 64) { session in
            try await session.request("set", PubSubWire.subscribe(node: subscribedNode, jid: session.jid, depthAll: viaCollection))
            counters.subscribed.add(1, ordering: .relaxed)
            return session
        }
        let reachable = subscribed.count * leaves * items
        run.sync.signal("subscribed-\(parts.index)")

        if coordinator {
            await run.coordinatorReady()
            run.sync.signal("start")
            run.beginMeasuring()
            let filler = options.filler
            let (window, interval, items) = (self.window, self.interval, self.items)
            let ready = publishers.count == leaves && owner != nil
            if ready {
                _ = await run.forEach(Array(zip(publishers, leafNames)), concurrency: leaves) { publisher, leaf in
                    try await publisher.publish(node: leaf, total: items, window: window, interval: interval,
                                                filler: filler, itemPrefix: "p\(publisher.index)-")
                }
            }
            run.sync.signal("published")
        } else {
            _ = await run.sync.wait(for: "start")
            run.beginMeasuring()
            _ = await run.sync.wait(for: "published")
        }
        // Every publish is answered; notifications may still be on their way.
        let drainEnd = ContinuousClock.now + .seconds(drainSeconds)
        await run.waitUntil { counters.notifications.load(ordering: .relaxed) >= reachable || ContinuousClock.now > drainEnd }
        await run.finishMeasuring(shard: parts.index)
        var perSubscriber: [Int] = []
        for session in subscribed { perSubscriber.append(await session.received()) }
        let result = run.snapshot(perSubscriber: perSubscriber)
        if let owner {
            await tearDownNodes(owner: owner, names: leafNames + (viaCollection ? [collection] : []))
        }
        deadline.cancel()
        progress.cancel()
        await run.close(sessions + publishers + (owner.map { [$0] } ?? []))
        RunSupport.emit(result)
        var settled = result
        settled.settle()
        if !settled.ok { throw ExitCode(1) }
    }

    private func setUpNodes(owner: PubSubSession, leafNames: [String], collection: String,
                            options: PubSubOptions, run: PubSubRun) async {
        // Leftovers of an interrupted run would make create fail with conflict.
        await tearDownNodes(owner: owner, names: leafNames + (viaCollection ? [collection] : []), quiet: true)
        if viaCollection {
            do {
                try await owner.request("set", PubSubWire.create(
                    node: collection, settings: .init(maxItems: options.maxItems, nodeType: "collection")))
            } catch {
                run.counters.recordError("creating collection \(collection): \(error)")
            }
        }
        let settings = PubSubWire.NodeSettings(
            maxItems: options.maxItems, nodeType: viaCollection ? "leaf" : nil,
            collection: viaCollection ? collection : nil)
        _ = await run.forEach(leafNames, concurrency: 16) { name in
            do { try await owner.request("set", PubSubWire.create(node: name, settings: settings)) } catch {
                throw BenchError.protocolError("creating node \(name): \(error)")
            }
        }
    }

    private func tearDownNodes(owner: PubSubSession, names: [String], quiet: Bool = false) async {
        for name in names {
            do { try await owner.request("set", PubSubWire.delete(node: name)) } catch {
                if !quiet { RunSupport.printError("\(scenario): deleting node \(name): \(error)") }
            }
        }
    }
}
