import ArgumentParser

/// `starling-bench`: a load generator that speaks only standard XMPP (RFC 6120: STARTTLS §5,
/// SASL SCRAM §6 with RFC 5802/7677, resource binding §7), so the same run works against Starling,
/// Prosody and ejabberd. Loopback only; every run is bounded by `--timeout`; counts are exact and a
/// run that loses a login or a session exits non-zero. One JSON line on stdout, progress on stderr.
@main
struct StarlingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling-bench",
        abstract: "XMPP load generator (RFC 6120 + XEP-0060 only), plus an MQTT 3.1.1 mode for Mosquitto.",
        subcommands: [
            LoginCommand.self, ConnectionsCommand.self, FanoutCommand.self, SubtreeCommand.self,
            IngestCommand.self, LatencyCommand.self, MQTTCommand.self,
        ]
    )
}
