import NIOCore

/// The MQTT 3.1.1 control packets the `mqtt` scenarios use (OASIS MQTT 3.1.1 §2–§3), and their
/// encoding. Decoding lives in `MQTTPacketDecoder`.
///
/// Why a codec of our own rather than libmosquitto (which the project already links for the
/// bridge): libmosquitto runs one network thread per client (`mosquitto_loop_start`) or needs one
/// `mosquitto_loop` call per client socket, so 10000 subscribers would be 10000 threads or a
/// hand-written poll loop over 10000 handles in one process; on SwiftNIO the subscribers share the
/// same few event loops as the XMPP sessions, and the client side costs the same in both modes.
enum MQTTPacket: Equatable, Sendable {
    /// §3.1: protocol "MQTT" level 4; no will, user name or password.
    case connect(clientID: String, keepAlive: UInt16, cleanSession: Bool)
    /// §3.2: return code 0 is "accepted".
    case connack(sessionPresent: Bool, returnCode: UInt8)
    /// §3.3: `packetID` is present exactly when `qos` > 0.
    case publish(Publish)
    /// §3.4
    case puback(packetID: UInt16)
    /// §3.8: topic filters with their requested QoS.
    case subscribe(packetID: UInt16, filters: [Filter])
    /// §3.9: one return code per filter (0…2 granted QoS, 0x80 failure).
    case suback(packetID: UInt16, returnCodes: [UInt8])
    /// §3.12, §3.13
    case pingreq, pingresp
    /// §3.14
    case disconnect

    struct Publish: Equatable, Sendable {
        var topic: String
        var qos: UInt8
        var packetID: UInt16?
        var retain = false
        var dup = false
        var payload: ByteBuffer
    }

    struct Filter: Equatable, Sendable {
        var topic: String
        var qos: UInt8
    }

    // MARK: - Encoding

    /// Appends the packet: fixed header (type, flags, remaining length §2.2.3) then the rest.
    func write(to buffer: inout ByteBuffer) {
        var body = ByteBuffer()
        let first: UInt8
        switch self {
        case .connect(let clientID, let keepAlive, let cleanSession):
            first = 0x10
            Self.writeString("MQTT", to: &body)
            body.writeInteger(UInt8(4))                     // protocol level 3.1.1 (§3.1.2.2)
            body.writeInteger(UInt8(cleanSession ? 0x02 : 0x00))
            body.writeInteger(keepAlive)
            Self.writeString(clientID, to: &body)
        case .connack(let sessionPresent, let returnCode):
            first = 0x20
            body.writeInteger(UInt8(sessionPresent ? 1 : 0))
            body.writeInteger(returnCode)
        case .publish(let publish):
            first = 0x30 | (publish.dup ? 0x08 : 0) | (publish.qos & 0x03) << 1 | (publish.retain ? 0x01 : 0)
            Self.writeString(publish.topic, to: &body)
            if publish.qos > 0 { body.writeInteger(publish.packetID ?? 0) }
            var payload = publish.payload
            body.writeBuffer(&payload)
        case .puback(let packetID):
            first = 0x40
            body.writeInteger(packetID)
        case .subscribe(let packetID, let filters):
            first = 0x82                                    // reserved flags 0010 (§3.8.1)
            body.writeInteger(packetID)
            for filter in filters {
                Self.writeString(filter.topic, to: &body)
                body.writeInteger(filter.qos)
            }
        case .suback(let packetID, let returnCodes):
            first = 0x90
            body.writeInteger(packetID)
            body.writeBytes(returnCodes)
        case .pingreq: first = 0xC0
        case .pingresp: first = 0xD0
        case .disconnect: first = 0xE0
        }
        buffer.writeInteger(first)
        Self.writeRemainingLength(body.readableBytes, to: &buffer)
        buffer.writeBuffer(&body)
    }

    /// §1.5.3: two-byte length, then UTF-8.
    static func writeString(_ string: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(string.utf8.count))
        buffer.writeString(string)
    }

    /// §2.2.3: seven bits per byte, least significant first, high bit = more follows.
    static func writeRemainingLength(_ length: Int, to buffer: inout ByteBuffer) {
        var value = length
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value > 0 { byte |= 0x80 }
            buffer.writeInteger(byte)
        } while value > 0
    }
}
