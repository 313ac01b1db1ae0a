import NIOCore
import XMPPCore
import XMPPStream

/// The result of parsing a whole input: the events read, and the error that ended it, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var events: [StreamEvent]
    var error: StreamError.Condition?

    var description: String {
        "\(events.count) events, error: \(error?.rawValue ?? "none")"
    }
}

enum StreamFixtures {
    static let header = """
        <?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' to='example.net' version='1.0' xml:lang='en'>
        """

    /// Feeds `chunks` in order to a fresh parser; stops at the first error.
    static func parse(_ chunks: [[UInt8]], limits: XMLStreamLimits = .init()) -> ParseOutcome {
        XMLStreamParser.initializeLibrary()
        let parser = XMLStreamParser(limits: limits)
        return feed(chunks, to: parser)
    }

    static func feed(_ chunks: [[UInt8]], to parser: XMLStreamParser) -> ParseOutcome {
        var events: [StreamEvent] = []
        for chunk in chunks {
            do {
                try parser.feed(ByteBuffer(bytes: chunk), into: &events)
            } catch {
                return ParseOutcome(events: events, error: error.condition)
            }
        }
        return ParseOutcome(events: events, error: nil)
    }

    static func parse(_ text: String, limits: XMLStreamLimits = .init()) -> ParseOutcome {
        parse([Array(text.utf8)], limits: limits)
    }

    /// Every way to cut `bytes` into two non-empty chunks.
    static func twoWaySplits(_ bytes: [UInt8]) -> [[[UInt8]]] {
        (1..<bytes.count).map { [Array(bytes[..<$0]), Array(bytes[$0...])] }
    }

    static func byteByByte(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.map { [$0] }
    }

    /// `count` random cuts of `bytes` into several chunks, reproducible from `seed`.
    static func randomSplits(_ bytes: [UInt8], count: Int, seed: UInt64) -> [[[UInt8]]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let length = Int.random(in: 1...max(1, bytes.count / 4), using: &random)
                let end = min(bytes.count, start + length)
                chunks.append(Array(bytes[start..<end]))
                start = end
            }
            return chunks
        }
    }

    static func streamHeader(to: String = "example.net") -> StreamHeader {
        StreamHeader(
            name: "stream", namespace: Namespace.streams, prefix: "stream", contentNamespace: Namespace.client,
            attributes: [
                .init(name: "to", value: to),
                .init(name: "version", value: "1.0"),
                .init(name: "lang", namespace: Namespace.xml, value: "en"),
            ])
    }
}

/// A small deterministic generator so that failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
