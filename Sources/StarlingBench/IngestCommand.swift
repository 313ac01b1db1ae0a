import ArgumentParser

/// `ingest`: M publishers, each on its own leaf (persist_items on), each keeping at most W
/// publishes unanswered; every publish must be acknowledged (XEP-0060 §7.1.2) and an error fails
/// the run. The figures it exists for are items/s and the server's CPU per durable publish.
/// Session 0 (shard 0) owns and creates/deletes every node; publishers are split across shards.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "M publishers on M leaves, W publishes in flight each; fails unless all M × P are acknowledged."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var pubsub: PubSubOptions

    @Option(help: "Publishers (M), all shards together; each gets its own leaf.")
    var publishers: Int = 100

    @Option(help: "Items each publisher publishes (P).")
    var items: Int = 20

    @Option(help: "Publishes each publisher keeps unanswered at most (W).")
    var window: Int = 1

    func validate() throws {
        guard publishers >= 1, items >= 1, window >= 1 else {
            throw ValidationError("--publishers, --items and --window must be positive")
        }
    }

    func run() async throws {
        RunSupport.raiseDescriptorLimit()
        let parts = pubsub.shardParts ?? (0, 1)
        let coordinator = parts.index == 0
        let mine = (0..<publishers).filter { $0 % parts.count == parts.index }
        let template = PubSubResult(
            scenario: "ingest", host: target.host, port: target.port, service: "", shard: pubsub.shard,
            subscribers: 0, publishers: mine.count, itemsPerPublisher: items, window: window, rate: nil,
            sessionsRequested: mine.count + (coordinator ? 1 : 0), expectedPublishes: mine.count * items)
        let run = try PubSubRun(target: target, options: pubsub, template: template)
        let total = mine.count * items
        let progress = RunSupport.startProgress {
            let now = run.snapshot()
            return "ingest: \(now.established)/\(now.sessionsRequested) sessions, \(now.failed) failed, "
                + "acknowledged \(now.acknowledged)/\(total), \(now.publishErrors) errors, \(now.ratePerSecond)/s, \(now.wallSeconds) s"
        }
        let deadline = RunSupport.startDeadline(seconds: target.timeout) { run.snapshot() }
        let names = (0..<publishers).map { "\(pubsub.nodePrefix)-ingest-\($0)" }

        var owner: PubSubSession?
        if coordinator {
            owner = await run.openSessions([0]).first
            if let owner {
                _ = await run.forEach(names, concurrency: 16) { name in
                    _ = try? await owner.request("set", PubSubWire.delete(node: name))  // leftovers of an interrupted run
                    do {
                        try await owner.request("set", PubSubWire.create(node: name, settings: .init(maxItems: pubsub.maxItems)))
                    } catch {
                        throw BenchError.protocolError("creating node \(name): \(error)")
                    }
                }
            }
            run.sync.signal("nodes-ready")
        } else {
            _ = await run.sync.wait(for: "nodes-ready")
        }
        // Publisher k is session k + 1 and publishes to node k.
        let sessions = await run.openSessions(mine.map { $0 + 1 })
        run.sync.signal("subscribed-\(parts.index)")
        if coordinator {
            await run.coordinatorReady()
            run.sync.signal("start")
        } else {
            _ = await run.sync.wait(for: "start")
        }
        run.beginMeasuring()
        let (filler, window, items) = (pubsub.filler, self.window, self.items)
        _ = await run.forEach(sessions, concurrency: max(sessions.count, 1)) { session in
            try await session.publish(node: names[session.index - 1], total: items, window: window,
                                      filler: filler, itemPrefix: "i")
        }
        run.endMeasuring()
        if coordinator {
            await run.coordinatorMeasured()
        } else {
            run.sync.signal("done-\(parts.index)")
            _ = await run.sync.wait(for: "finish")
        }
        let result = run.snapshot()
        if let owner {
            _ = await run.forEach(names, concurrency: 16) { name in
                do { try await owner.request("set", PubSubWire.delete(node: name)) } catch {
                    RunSupport.printError("ingest: deleting node \(name): \(error)")
                }
            }
        }
        deadline.cancel()
        progress.cancel()
        await run.close(sessions + (owner.map { [$0] } ?? []))
        RunSupport.emit(result)
        var settled = result
        settled.settle()
        if !settled.ok { throw ExitCode(1) }
    }
}
