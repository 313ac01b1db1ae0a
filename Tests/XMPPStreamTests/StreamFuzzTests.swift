import NIOCore
import Testing
import XMPPCore
import XMPPStream

/// Random damage to valid streams must end in events or a StreamError, never a crash, and the
/// result must not depend on how the bytes were cut (nio-imap ParserStressTests in spirit).
@Suite struct StreamFuzzTests {
    static let interesting: [UInt8] = Array("<>/&;'\"=:![]?- \n\u{0}x".utf8) + [0x80, 0xC3, 0xEF, 0xFF]

    static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes.removeSubrange(index...)
            case 2: bytes.insert(interesting.randomElement(using: &random)!, at: index)
            case 3: bytes.remove(at: index)
            default:
                let length = Int.random(in: 1...min(40, bytes.count - index), using: &random)
                bytes.insert(contentsOf: bytes[index..<index + length], at: Int.random(in: 0...bytes.count, using: &random))
            }
        }
        return bytes
    }

    @Test func mutatedStreamsParseOrFailCleanly() {
        let seeds: [[UInt8]] = [
            XMLStreamParserTests.bytes,
            Array((StreamFixtures.header + ElementSerializationTests.elements.map { $0.serialized() }.joined()).utf8),
        ]
        var random = SplitMix64(seed: 7395)
        var failures = 0
        let limits = XMLStreamLimits(maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 16)
        for round in 0..<3000 {
            let input = Self.mutate(seeds[round % seeds.count], using: &random)
            let whole = StreamFixtures.parse([input], limits: limits)
            let cut = StreamFixtures.randomSplits(input, count: 1, seed: UInt64(round))[0]
            let split = StreamFixtures.parse(cut, limits: limits)
            if whole.error != nil { failures += 1 }
            // A truncated stream may fail whole yet still be waiting for bytes when cut (libxml2
            // looks ahead for '>' before parsing a tag); any other difference is a bug.
            if whole.error == nil {
                #expect(split == whole, "round \(round): \(String(decoding: input, as: UTF8.self))")
            }
            if split.error != nil {
                #expect(split.error == whole.error, "round \(round): \(String(decoding: input, as: UTF8.self))")
            }
        }
        // The mutations must actually break most streams, or this test proves little.
        #expect(failures > 1000)
    }

    @Test func aFailedParserNeverCrashesOnMoreInput() {
        var random = SplitMix64(seed: 42)
        let parser = XMLStreamParser()
        var events: [StreamEvent] = []
        for _ in 0..<200 {
            let input = Self.mutate(XMLStreamParserTests.bytes, using: &random)
            _ = StreamFixtures.feed([input, input], to: parser)
            if Bool.random(using: &random) { parser.reset() }
            _ = try? parser.feed(ByteBuffer(bytes: input.prefix(10)), into: &events)
        }
    }
}
