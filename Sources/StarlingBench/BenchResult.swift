/// The one JSON line a run prints (keys in snake_case). Counts are exact; rates are per wall second.
struct BenchResult: Encodable, Sendable {
    var scenario: String
    var host: String
    var port: Int
    var mechanism: String
    var requested: Int
    var established: Int
    var failed: Int
    var dropped: Int
    var closed: Int
    var concurrency: Int
    var wallSeconds: Double
    /// Logins (or sessions) completed per wall-clock second.
    var ratePerSecond: Double
    var clientCpuSeconds: Double
    var clientMaxRssKib: Int
    var rampPerSecond: Double?
    var holdSeconds: Int?
    var timedOut = false
    var firstError: String?
    /// Every requested session established, none failed or dropped, within the time bound.
    var ok = false

    mutating func settle() { ok = !timedOut && established == requested && failed == 0 && dropped == 0 }
}
