import ArgumentParser

/// `fanout`: one publisher, N subscribers on one leaf (XEP-0060 §6.1, §7.1); every subscriber must
/// receive every item. The figure it exists for is the server's CPU per delivered notification.
struct FanoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "1 publisher → N subscribers on one leaf; fails unless all N × P notifications arrive."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var pubsub: PubSubOptions

    @Option(help: "Subscribers (N), all shards together.")
    var subscribers: Int = 1000

    @Option(help: "Items the publisher publishes (P).")
    var items: Int = 20

    @Option(help: "Publishes the publisher keeps unanswered at most.")
    var window: Int = 4

    @Option(help: "Seconds to wait for the last notifications once every publish is answered.")
    var drain: Int = 60

    func validate() throws {
        guard subscribers >= 1, items >= 1, window >= 1, drain >= 0 else {
            throw ValidationError("--subscribers, --items and --window must be positive")
        }
    }

    func run() async throws {
        try await DeliveryRun(
            scenario: "fanout", subscribers: subscribers, leaves: 1, items: items, window: window,
            interval: nil, rate: nil, viaCollection: false, measuresLatency: false, drainSeconds: drain
        ).run(target: target, options: pubsub)
    }
}
