import Foundation
import XMPPCore

/// A published item (XEP-0060 §7.1). The payload is opaque bytes — the serialized payload element, a
/// Base64 reading, or empty for a notification-only item; the domain never parses it.
public struct Item: Hashable, Sendable {
    /// The longest ItemID accepted, in UTF-8 bytes.
    public static let maximumIDLength = 1023

    /// The ItemID, unique within its node (§13.9).
    public let id: String
    /// The publisher's JID (§7.1.2.3), `nil` for items published by the system.
    public let publisher: JID?
    public let payload: [UInt8]
    /// When the service stored the item, truncated to whole microseconds so every store (PostgreSQL
    /// `timestamptz` included) keeps it exactly and cursors compare equal after a round trip.
    public let published: Date

    public init(id: String, publisher: JID?, payload: [UInt8], published: Date) {
        self.id = id
        self.publisher = publisher
        self.payload = payload
        self.published = published
    }

    /// The position of this item in publication order.
    public var cursor: ItemCursor { ItemCursor(published: published, id: id) }
}

/// A position in a node's publication order: `(published, id)`, compared lexicographically.
/// Paging by cursor, not by offset, stays correct while items are published or evicted between pages
/// (XEP-0059 §2.5 lets `<after/>`/`<before/>` carry any opaque identifier; ``token`` is that identifier).
public struct ItemCursor: Hashable, Sendable, Comparable {
    public let published: Date
    public let id: String

    public init(published: Date, id: String) {
        self.published = published
        self.id = id
    }

    public static func < (lhs: ItemCursor, rhs: ItemCursor) -> Bool {
        (lhs.published, lhs.id) < (rhs.published, rhs.id)
    }

    /// An opaque string form: microseconds since 1970, `.`, the item id.
    public var token: String { "\(Self.microseconds(published)).\(id)" }

    /// Parses ``token``; `nil` for anything else.
    public init?(token: String) {
        guard let dot = token.firstIndex(of: "."), let micros = Int64(token[..<dot]) else { return nil }
        self.published = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        self.id = String(token[token.index(after: dot)...])
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

/// Which items to return (XEP-0060 §6.5; XEP-0059 RSM). Results are always in publication order, oldest first.
public struct ItemQuery: Hashable, Sendable {
    /// Only these ItemIDs (§6.5.8); ids that do not exist are skipped.
    public var ids: [String]?
    /// At most this many items (`max_items` §6.5.7, RSM `<max/>`).
    public var limit: Int?
    /// Only items strictly after this position (RSM `<after/>`), the oldest `limit` of them.
    public var after: ItemCursor?
    /// Only items strictly before this position (RSM `<before/>`), the newest `limit` of them.
    public var before: ItemCursor?
    /// With a `limit` and no `after`, take the oldest items (the first page of forward RSM paging) instead
    /// of the newest (`max_items`).
    public var fromOldest: Bool

    public init(
        ids: [String]? = nil, limit: Int? = nil, after: ItemCursor? = nil, before: ItemCursor? = nil,
        fromOldest: Bool = false
    ) {
        self.ids = ids
        self.limit = limit
        self.after = after
        self.before = before
        self.fromOldest = fromOldest
    }

    /// Every item (§6.5.2).
    public static let all = ItemQuery()
    /// The `count` most recent items (§6.5.7: "the N most recent (as opposed to the N oldest)").
    public static func mostRecent(_ count: Int) -> ItemQuery { ItemQuery(limit: count) }
    /// Particular items (§6.5.8).
    public static func ids(_ ids: [String]) -> ItemQuery { ItemQuery(ids: ids) }
}

/// One page of items plus what XEP-0059 needs to describe it.
public struct ItemPage: Hashable, Sendable {
    public let items: [Item]
    /// How many items the node holds in total (RSM `<count/>`).
    public let count: Int

    public init(items: [Item], count: Int) {
        self.items = items
        self.count = count
    }

    public var first: ItemCursor? { items.first?.cursor }
    public var last: ItemCursor? { items.last?.cursor }
}
