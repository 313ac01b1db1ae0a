import Foundation

/// Generates ItemIDs and SubscriptionIDs that are unique and sort in creation order: a ULID-shaped
/// string (48-bit milliseconds + 80 random bits, Crockford base32, 26 characters). Within one
/// millisecond the random part is incremented, so ids stay strictly increasing for this generator
/// (XEP-0060 §13.9: ItemIDs unique within the node; "time-ordered" is Starling's choice for paging).
struct IDGenerator: Sendable {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private var lastMillis: UInt64 = 0
    private var lastRandom: (high: UInt16, low: UInt64) = (0, 0)

    mutating func next(at date: Date) -> String {
        var millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        if millis <= lastMillis {
            // Same (or earlier) millisecond: keep the previous time and count up, so ids never go backwards.
            millis = lastMillis
            let (low, overflow) = lastRandom.low.addingReportingOverflow(1)
            lastRandom = (overflow ? lastRandom.high &+ 1 : lastRandom.high, low)
        } else {
            var rng = SystemRandomNumberGenerator()
            lastRandom = (UInt16.random(in: 0...UInt16.max, using: &rng), rng.next())
        }
        lastMillis = millis
        return Self.encode(millis: millis, high: lastRandom.high, low: lastRandom.low)
    }

    private static func encode(millis: UInt64, high: UInt16, low: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        // 10 characters of time (50 bits, top 2 are zero for 48-bit millis).
        var time = millis
        for index in stride(from: 9, through: 0, by: -1) {
            out[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // 16 characters of the 80-bit random part, high 16 bits then low 64 bits.
        var low = low
        var high = UInt64(high)
        for index in stride(from: 25, through: 10, by: -1) {
            out[index] = alphabet[Int(low & 31)]
            low = (low >> 5) | ((high & 31) << 59)
            high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
