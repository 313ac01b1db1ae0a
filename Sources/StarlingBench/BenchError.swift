/// Why a session or a run failed; the message goes into the JSON result's `first_error`.
enum BenchError: Error, CustomStringConvertible {
    case sessionTimeout(String)
    case protocolError(String)
    case authenticationFailed(String)
    case runTimeout(Int)

    var description: String {
        switch self {
        case .sessionTimeout(let phase): "session timed out during \(phase)"
        case .protocolError(let text): text
        case .authenticationFailed(let text): "authentication failed: \(text)"
        case .runTimeout(let seconds): "run exceeded --timeout \(seconds) s"
        }
    }
}
