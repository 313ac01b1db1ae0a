/// The one JSON line of a pubsub or MQTT run (keys in snake_case). Counts are this process's (one
/// shard); `units` is what the server CPU is divided by: notifications delivered (fanout, subtree,
/// latency) or publishes acknowledged (ingest).
struct PubSubResult: RunResult {
    var scenario: String
    var host: String
    var port: Int
    var service: String
    var shard: String
    var subscribers: Int
    var publishers: Int
    var itemsPerPublisher: Int
    var window: Int?
    var rate: Double?
    var sessionsRequested: Int
    var established = 0
    var failed = 0
    var dropped = 0
    var expectedNotifications = 0
    var notifications = 0
    /// Notifications short of `expected_notifications`, summed over subscribers that got too few.
    var missingNotifications = 0
    /// Notifications beyond the expected count, summed over subscribers that got too many.
    var surplusNotifications = 0
    var expectedPublishes = 0
    var published = 0
    var acknowledged = 0
    var publishErrors = 0
    var units = 0
    /// Seconds from start to the measured phase (logins, node creation, subscriptions).
    var setupSeconds = 0.0
    /// Seconds of the measured phase: first publish until the last acknowledgement and notification.
    var measuredSeconds = 0.0
    var wallSeconds = 0.0
    /// `units` per measured second.
    var ratePerSecond = 0.0
    var notificationsPerSecond = 0.0
    var itemsPerSecond = 0.0
    var latencyP50Ms: Double?
    var latencyP99Ms: Double?
    var latencyMaxMs: Double?
    var latencySamples: Int?
    var clientCpuSeconds = 0.0
    /// The load generator's CPU during the measured phase only.
    var measuredClientCpuSeconds = 0.0
    var clientMaxRssKib = 0
    var timedOut = false
    var firstError: String?
    var ok = false

    mutating func settle() {
        ok = !timedOut && failed == 0 && dropped == 0 && established == sessionsRequested
            && notifications == expectedNotifications && missingNotifications == 0 && surplusNotifications == 0
            && publishErrors == 0 && acknowledged == expectedPublishes && firstError == nil
    }
}
