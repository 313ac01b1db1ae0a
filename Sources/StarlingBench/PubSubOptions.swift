import ArgumentParser

/// Options every pubsub scenario shares: where the service is, how nodes are named and set up,
/// and how the run is split across processes and gated for /proc sampling.
struct PubSubOptions: ParsableArguments {
    @Option(help: "JID of the XEP-0060 service (default: pubsub.<domain>).")
    var service: String?

    @Option(help: "Prefix of the node names this run creates (and deletes at the end).")
    var nodePrefix: String = "bench"

    @Option(help: "pubsub#max_items of the leaves the run creates.")
    var maxItems: Int = 10

    @Option(help: "Bytes of filler text in each item's payload.")
    var payloadBytes: Int = 64

    @Option(help: "Sessions negotiating at once while the run sets up.")
    var connectConcurrency: Int = 32

    @Option(help: "This process's part of the run, i/n: shard i of n (0-based) opens every n-th subscriber (or publisher for ingest); shard 0 also creates, publishes and deletes. Needs --sync-dir when n > 1.")
    var shard: String = "0/1"

    @Option(help: "Directory for the rendezvous files between shards and with the caller (see --gate).")
    var syncDir: String?

    @Flag(help: "Write <sync-dir>/ready before the measured phase and wait for <sync-dir>/go; write <sync-dir>/measured after it and wait for <sync-dir>/finish (for /proc sampling).")
    var gate = false

    func validate() throws {
        guard let (index, count) = shardParts, index >= 0, count >= 1, index < count else {
            throw ValidationError("--shard must be i/n with 0 <= i < n")
        }
        guard count == 1 || syncDir != nil else { throw ValidationError("--shard with n > 1 needs --sync-dir") }
        guard !gate || syncDir != nil else { throw ValidationError("--gate needs --sync-dir") }
        guard maxItems >= 1, payloadBytes >= 0, connectConcurrency >= 1 else {
            throw ValidationError("--max-items and --connect-concurrency must be positive")
        }
    }

    var shardParts: (index: Int, count: Int)? {
        let parts = shard.split(separator: "/").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    func serviceJID(domain: String) -> String { service ?? "pubsub.\(domain)" }

    var filler: String { String(repeating: "x", count: payloadBytes) }
}
