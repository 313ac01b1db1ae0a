import Foundation
import PostgresNIO

/// A `timestamptz` as whole microseconds since 1970, encoded and decoded without floating point.
///
/// postgres-nio's own `Date` coding truncates `seconds * 1e6` (so 0.123456 s can come back as
/// 0.123455 s) and decodes relative to 2000-01-01; a pubsub cursor must survive the round trip
/// exactly. PubSub truncates publication times to microseconds (`Item.published`) and builds them as
/// `Date(timeIntervalSince1970: micros / 1e6)`; ``date`` rebuilds exactly that value.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresDecodable, Hashable, Sendable {
    /// Microseconds since 1970-01-01 00:00 UTC.
    let microseconds: Int64

    /// PostgreSQL counts from 2000-01-01 00:00 UTC.
    private static let epochOffset: Int64 = 946_684_800 * 1_000_000

    init(microseconds: Int64) { self.microseconds = microseconds }

    /// The nearest microsecond, the same rounding as `ItemCursor.token`.
    init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(microseconds - Self.epochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp else { throw PostgresDecodingError.Code.typeMismatch }
        guard format == .binary, buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        microseconds = value + Self.epochOffset
    }
}

extension PostgresTimestamp: PostgresArrayEncodable {
    static var psqlArrayType: PostgresDataType { .timestamptzArray }
}

extension Duration {
    /// Whole microseconds (truncated), the precision of a PostgreSQL `interval`.
    var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
