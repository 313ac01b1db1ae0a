import CMosquitto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `struct mosquitto *` of one client. It never leaves this target (STYLE.md §6).
///
/// `@unchecked Sendable` because the pointer is shared by design: while `mosquitto_loop_start`'s
/// thread runs, libmosquitto 2.0 guards the calls made from other threads (`mosquitto_publish`,
/// `mosquitto_subscribe`, `mosquitto_disconnect`) with its own mutexes. Everything that is not safe
/// that way (`mosquitto_connect_async`, `mosquitto_loop_start/stop`, `mosquitto_destroy`) runs on the
/// client's serial `DispatchQueue`, one at a time.
struct MosquittoHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// libmosquitto's text for an error code; for MOSQ_ERR_ERRNO the `errno` of the calling thread,
/// so call it right after the failing call or inside the callback that reported it.
func mosquittoErrorText(_ code: Int32) -> String {
    if code == Int32(MOSQ_ERR_ERRNO.rawValue) {
        return String(cString: strerror(errno))
    }
    return mosquitto_strerror(code).map { String(cString: $0) } ?? "libmosquitto error \(code)"
}

/// Maps a libmosquitto return code to an error, or nil for MOSQ_ERR_SUCCESS.
func mosquittoError(_ code: Int32, doing operation: String) -> MQTTError? {
    guard code != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return nil }
    let text = "\(operation): \(mosquittoErrorText(code))"
    switch code {
    case Int32(MOSQ_ERR_NO_CONN.rawValue): return MQTTError(.notConnected, text)
    case Int32(MOSQ_ERR_INVAL.rawValue), Int32(MOSQ_ERR_PAYLOAD_SIZE.rawValue),
        Int32(MOSQ_ERR_MALFORMED_UTF8.rawValue), Int32(MOSQ_ERR_OVERSIZE_PACKET.rawValue):
        return MQTTError(.invalidArgument, text)
    case Int32(MOSQ_ERR_ERRNO.rawValue), Int32(MOSQ_ERR_EAI.rawValue), Int32(MOSQ_ERR_LOOKUP.rawValue),
        Int32(MOSQ_ERR_TLS.rawValue):
        return MQTTError(.connectionFailed, text)
    case Int32(MOSQ_ERR_CONN_REFUSED.rawValue), Int32(MOSQ_ERR_AUTH.rawValue):
        return MQTTError(.connectionRefused, text)
    default: return MQTTError(.library, text)
    }
}
