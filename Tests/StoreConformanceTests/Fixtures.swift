import Accounts
import XMPPCore

/// Values the suite stores and reads back. Bytes cover every value 0…255 (NUL and high bytes
/// included) so a text-encoding slip in a backend shows up as a mismatch.
enum Fixtures {
    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(seed)) }
    }

    static let allBytes: [UInt8] = (0...255).map { UInt8($0) }

    static let sha1 = SCRAMCredentials(
        algorithm: .sha1, salt: bytes(16, seed: 1), iterations: 4096,
        storedKey: bytes(20, seed: 2), serverKey: [0, 0, 255, 0] + bytes(16, seed: 3))

    static let sha256 = SCRAMCredentials(
        algorithm: .sha256, salt: allBytes, iterations: 15_000,
        storedKey: bytes(32, seed: 4), serverKey: bytes(32, seed: 5).reversed())

    static func account(_ username: String, _ credentials: [SCRAMCredentials] = [sha1, sha256]) -> Account {
        Account(username: username, credentials: credentials)
    }

    /// A JID from a literal the test controls; a typo fails the test instead of trapping.
    static func jid(_ string: String) throws -> JID {
        try JID(string)
    }

    static func item(
        _ jid: String,
        name: String? = nil,
        subscription: RosterItem.Subscription = .none,
        ask: Bool = false,
        pendingIn: Bool = false,
        preApproved: Bool = false,
        groups: [String] = [],
        inRoster: Bool = true
    ) throws -> RosterItem {
        RosterItem(
            jid: try JID(jid), name: name, subscription: subscription, askSubscribe: ask,
            pendingIn: pendingIn, preApproved: preApproved, groups: groups, inRoster: inRoster)
    }
}
