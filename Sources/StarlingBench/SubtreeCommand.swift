import ArgumentParser

/// `subtree`: L publishers on L leaves under one collection, N subscribers on the collection with
/// subscription_type items and subscription_depth all (XEP-0248 §6.1); every subscriber must
/// receive every item of every leaf. Starling only: Prosody and ejabberd lack collection delivery.
struct SubtreeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subtree",
        abstract: "L leaves under a collection, N subscribers on the collection (XEP-0248); fails unless all N × L × P arrive."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var pubsub: PubSubOptions

    @Option(help: "Subscribers on the collection (N), all shards together.")
    var subscribers: Int = 100

    @Option(help: "Leaves under the collection, one publisher each (L).")
    var leaves: Int = 4

    @Option(help: "Items each publisher publishes (P).")
    var items: Int = 20

    @Option(help: "Publishes each publisher keeps unanswered at most.")
    var window: Int = 4

    @Option(help: "Seconds to wait for the last notifications once every publish is answered.")
    var drain: Int = 60

    func validate() throws {
        guard subscribers >= 1, leaves >= 1, items >= 1, window >= 1, drain >= 0 else {
            throw ValidationError("--subscribers, --leaves, --items and --window must be positive")
        }
    }

    func run() async throws {
        try await DeliveryRun(
            scenario: "subtree", subscribers: subscribers, leaves: leaves, items: items, window: window,
            interval: nil, rate: nil, viaCollection: true, measuresLatency: false, drainSeconds: drain
        ).run(target: target, options: pubsub)
    }
}
