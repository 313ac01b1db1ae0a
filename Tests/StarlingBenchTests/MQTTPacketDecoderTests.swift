import NIOCore
import NIOTestUtils
import Testing

@testable import StarlingBench

/// The MQTT 3.1.1 codec of the load generator: every packet it sends or expects survives encode →
/// decode, at every split of the byte stream (`ByteToMessageDecoderVerifier` feeds byte by byte,
/// in halves, all at once, …), and broken framing is an error, not a crash.
struct MQTTPacketDecoderTests {
    static let packets: [MQTTPacket] = [
        .connect(clientID: "bench-1", keepAlive: 0, cleanSession: true),
        .connack(sessionPresent: false, returnCode: 0),
        .subscribe(packetID: 7, filters: [.init(topic: "bench/fanout", qos: 1)]),
        .suback(packetID: 7, returnCodes: [1]),
        .publish(.init(topic: "bench/ingest/3", qos: 1, packetID: 513, payload: ByteBuffer(string: "xyz"))),
        .publish(.init(topic: "t", qos: 0, packetID: nil, retain: true, payload: ByteBuffer())),
        // 300 bytes of payload: a two-byte remaining length (§2.2.3).
        .publish(.init(topic: "bench/fanout", qos: 1, packetID: 65535, payload: ByteBuffer(string: String(repeating: "x", count: 300)))),
        .puback(packetID: 513),
        .pingreq, .pingresp, .disconnect,
    ]

    static func encoded(_ packet: MQTTPacket) -> ByteBuffer {
        var buffer = ByteBuffer()
        packet.write(to: &buffer)
        return buffer
    }

    @Test(arguments: packets)
    func roundTrips(_ packet: MQTTPacket) throws {
        var buffer = Self.encoded(packet)
        #expect(try MQTTPacketDecoder.decodePacket(from: &buffer) == packet)
        #expect(buffer.readableBytes == 0)
    }

    @Test func decodesAtEverySplit() throws {
        let pairs = Self.packets.map { (Self.encoded($0), [$0]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MQTTPacketDecoder() }
    }

    @Test func incompletePacketConsumesNothing() throws {
        let whole = Self.encoded(Self.packets[6])
        for length in 0..<whole.readableBytes {
            var prefix = whole.getSlice(at: 0, length: length)!
            #expect(try MQTTPacketDecoder.decodePacket(from: &prefix) == nil)
            #expect(prefix.readableBytes == length)
        }
    }

    @Test func twoPacketsInOneRead() throws {
        var buffer = Self.encoded(.puback(packetID: 1))
        var second = Self.encoded(.pingresp)
        buffer.writeBuffer(&second)
        #expect(try MQTTPacketDecoder.decodePacket(from: &buffer) == .puback(packetID: 1))
        #expect(try MQTTPacketDecoder.decodePacket(from: &buffer) == .pingresp)
        #expect(try MQTTPacketDecoder.decodePacket(from: &buffer) == nil)
    }

    @Test func remainingLengthOverFourBytesIsAnError() {
        var buffer = ByteBuffer(bytes: [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: MQTTDecodingError.self) { try MQTTPacketDecoder.decodePacket(from: &buffer) }
    }

    @Test func malformedPubackIsAnError() {
        var buffer = ByteBuffer(bytes: [0x40, 0x01, 0x00])
        #expect(throws: MQTTDecodingError.self) { try MQTTPacketDecoder.decodePacket(from: &buffer) }
    }

    @Test func remainingLengthEncoding() {
        for (length, bytes) in [(0, [0x00]), (127, [0x7F]), (128, [0x80, 0x01]), (16_383, [0xFF, 0x7F]),
                                (2_097_152, [0x80, 0x80, 0x80, 0x01])] as [(Int, [UInt8])] {
            var buffer = ByteBuffer()
            MQTTPacket.writeRemainingLength(length, to: &buffer)
            #expect(buffer.readableBytesView.elementsEqual(bytes))
        }
    }
}
