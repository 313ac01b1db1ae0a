import Foundation

/// Pieces every scenario shares: the run clock, the once-a-second progress line on stderr, the
/// `--timeout` bound, the load generator's own CPU, and the single JSON result line on stdout.
enum RunSupport {
    /// Prints `line()` to stderr every second until cancelled.
    static func startProgress(_ line: @escaping @Sendable () -> String) -> Task<Void, Never> {
        Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                printError(line())
            }
        }
    }

    /// Ends the process with `onTimeout()`'s result and exit status 3 once `seconds` have passed,
    /// even while sessions are still in flight (their futures cannot be cancelled from here).
    static func startDeadline<Result: RunResult>(
        seconds: Int, onTimeout: @escaping @Sendable () -> Result
    ) -> Task<Void, Never> {
        Task.detached {
            try? await Task.sleep(for: .seconds(seconds))
            guard !Task.isCancelled else { return }
            var result = onTimeout()
            result.timedOut = true
            result.firstError = result.firstError ?? BenchError.runTimeout(seconds).description
            printError("starling-bench: run exceeded --timeout \(seconds) s")
            emit(result)
            exit(3)
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func emit<Result: RunResult>(_ result: Result) {
        var result = result
        result.settle()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(result) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// User + system CPU seconds and peak RSS (KiB) of this process so far.
    static func ownUsage() -> (cpuSeconds: Double, maxRSSKiB: Int) {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return (0, 0) }
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return (seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_maxrss)
    }

    /// Raises the soft descriptor limit to the hard one: thousands of sessions need thousands of fds.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }

    static func rounded(_ value: Double, _ places: Double = 1000) -> Double {
        (value * places).rounded() / places
    }
}

/// What every scenario's JSON line has in common: a time bound, a first error, and `ok`.
protocol RunResult: Encodable, Sendable {
    var timedOut: Bool { get set }
    var firstError: String? { get set }
    /// Sets `ok` from the exact counts.
    mutating func settle()
}

extension BenchResult: RunResult {}
