import NIOCore

/// Why bytes from the broker are not an MQTT 3.1.1 packet we accept.
struct MQTTDecodingError: Error, CustomStringConvertible, Equatable {
    var description: String
}

/// Frames and decodes MQTT 3.1.1 packets (§2.2: fixed header, remaining length up to four bytes)
/// from a byte stream, waiting for more data whenever a packet is incomplete, at any split.
struct MQTTPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = MQTTPacket

    /// §2.2.3: the largest remaining length (four length bytes).
    static let maximumRemainingLength = 268_435_455

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try Self.decodePacket(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(packet))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// One packet from the front of `buffer`, consuming it; nil (and nothing consumed) until the
    /// whole packet is there.
    static func decodePacket(from buffer: inout ByteBuffer) throws(MQTTDecodingError) -> MQTTPacket? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
        var length = 0
        var offset = 1
        while true {
            guard offset <= 4 else { throw MQTTDecodingError(description: "remaining length longer than 4 bytes") }
            guard let byte = buffer.getInteger(at: start + offset, as: UInt8.self) else { return nil }
            length |= Int(byte & 0x7F) << (7 * (offset - 1))
            offset += 1
            if byte & 0x80 == 0 { break }
        }
        guard buffer.readableBytes >= offset + length,
              var body = buffer.getSlice(at: start + offset, length: length)
        else { return nil }
        let packet = try decodeBody(first: first, body: &body)
        buffer.moveReaderIndex(forwardBy: offset + length)
        return packet
    }

    private static func decodeBody(first: UInt8, body: inout ByteBuffer) throws(MQTTDecodingError) -> MQTTPacket {
        let flags = first & 0x0F
        switch first >> 4 {
        case 1:
            guard readString(&body) == "MQTT", body.readInteger(as: UInt8.self) == 4,
                  let connectFlags = body.readInteger(as: UInt8.self), let keepAlive = body.readInteger(as: UInt16.self),
                  let clientID = readString(&body)
            else { throw MQTTDecodingError(description: "malformed CONNECT") }
            return .connect(clientID: clientID, keepAlive: keepAlive, cleanSession: connectFlags & 0x02 != 0)
        case 2:
            guard body.readableBytes == 2, let ack = body.readInteger(as: UInt8.self),
                  let code = body.readInteger(as: UInt8.self)
            else { throw MQTTDecodingError(description: "malformed CONNACK") }
            return .connack(sessionPresent: ack & 0x01 != 0, returnCode: code)
        case 3:
            let qos = (flags >> 1) & 0x03
            guard qos < 3, let topic = readString(&body) else { throw MQTTDecodingError(description: "malformed PUBLISH") }
            var packetID: UInt16?
            if qos > 0 {
                guard let id = body.readInteger(as: UInt16.self) else { throw MQTTDecodingError(description: "PUBLISH without packet id") }
                packetID = id
            }
            return .publish(.init(topic: topic, qos: qos, packetID: packetID, retain: flags & 0x01 != 0,
                                  dup: flags & 0x08 != 0, payload: body))
        case 4:
            guard body.readableBytes == 2, let id = body.readInteger(as: UInt16.self) else {
                throw MQTTDecodingError(description: "malformed PUBACK")
            }
            return .puback(packetID: id)
        case 8:
            guard let id = body.readInteger(as: UInt16.self) else { throw MQTTDecodingError(description: "malformed SUBSCRIBE") }
            var filters: [MQTTPacket.Filter] = []
            while body.readableBytes > 0 {
                guard let topic = readString(&body), let qos = body.readInteger(as: UInt8.self) else {
                    throw MQTTDecodingError(description: "malformed SUBSCRIBE filter")
                }
                filters.append(.init(topic: topic, qos: qos))
            }
            return .subscribe(packetID: id, filters: filters)
        case 9:
            guard let id = body.readInteger(as: UInt16.self) else { throw MQTTDecodingError(description: "malformed SUBACK") }
            return .suback(packetID: id, returnCodes: body.readBytes(length: body.readableBytes) ?? [])
        case 12: return .pingreq
        case 13: return .pingresp
        case 14: return .disconnect
        default:
            throw MQTTDecodingError(description: "unsupported packet type \(first >> 4)")
        }
    }

    private static func readString(_ buffer: inout ByteBuffer) -> String? {
        guard let length = buffer.readInteger(as: UInt16.self) else { return nil }
        return buffer.readString(length: Int(length))
    }
}
