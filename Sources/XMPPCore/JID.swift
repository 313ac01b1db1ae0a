/// A Jabber ID, `localpart@domainpart/resourcepart` (RFC 7622).
///
/// A `JID` that exists is valid and normalized (RFC 7622 §3.2–§3.4: localpart case-mapped and NFC,
/// domainpart lower-cased, NFC, trailing dot removed, resourcepart NFC), so equality and hashing
/// compare normalized parts.
public struct JID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let localpart: String?
    public let domainpart: String
    public let resourcepart: String?

    /// Parses and normalizes a JID string (RFC 7622 §3.1): the resourcepart is everything after the
    /// first `/`; the localpart is everything before the first `@` that precedes it.
    ///
    /// The separators are found among the UTF-8 bytes: both are ASCII, so no multi-byte sequence
    /// contains them, and a combining mark after `/` does not hide it (the split is by code point,
    /// as §3.1 says, not by grapheme cluster, which was also several times slower).
    public init(_ string: String) throws(JIDError) {
        let utf8 = string.utf8
        let slash = utf8.firstIndex(of: UInt8(ascii: "/"))
        let head = utf8[..<(slash ?? utf8.endIndex)]
        let at = head.firstIndex(of: UInt8(ascii: "@"))
        let local = at.map { String(decoding: head[..<$0], as: UTF8.self) }
        let domain = at.map { String(decoding: head[utf8.index(after: $0)...], as: UTF8.self) }
            ?? (slash == nil ? string : String(decoding: head, as: UTF8.self))
        let resource = slash.map { String(decoding: utf8[utf8.index(after: $0)...], as: UTF8.self) }
        try self.init(localpart: local, domainpart: domain, resourcepart: resource)
    }

    /// Builds a JID from parts, normalizing each. An empty localpart or resourcepart is an error
    /// (RFC 7622 §3.3.1, §3.4.1); pass nil for "absent".
    public init(localpart: String?, domainpart: String, resourcepart: String? = nil) throws(JIDError) {
        self.localpart = try localpart.map { s throws(JIDError) in try JID.normalizeLocalpart(s) }
        self.domainpart = try JID.normalizeDomainpart(domainpart)
        self.resourcepart = try resourcepart.map { s throws(JIDError) in try JID.normalizeResourcepart(s) }
    }

    private init(validatedLocal: String?, domain: String, resource: String?) {
        self.localpart = validatedLocal
        self.domainpart = domain
        self.resourcepart = resource
    }

    /// The JID without its resourcepart.
    public var bare: JID {
        resourcepart == nil ? self : JID(validatedLocal: localpart, domain: domainpart, resource: nil)
    }

    public var isBare: Bool { resourcepart == nil }
    public var isFull: Bool { resourcepart != nil }

    /// This JID's bare form with another (already valid) resource.
    public func with(resource: String?) throws(JIDError) -> JID {
        let normalized = try resource.map { s throws(JIDError) in try JID.normalizeResourcepart(s) }
        return JID(validatedLocal: localpart, domain: domainpart, resource: normalized)
    }

    /// The domain JID (no localpart, no resourcepart).
    public var domain: JID { JID(validatedLocal: nil, domain: domainpart, resource: nil) }

    public var description: String {
        var result = ""
        if let localpart { result += localpart + "@" }
        result += domainpart
        if let resourcepart { result += "/" + resourcepart }
        return result
    }

    public static func < (lhs: JID, rhs: JID) -> Bool { lhs.description < rhs.description }
}
