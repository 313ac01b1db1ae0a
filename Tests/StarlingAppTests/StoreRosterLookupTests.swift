import Accounts
import Logging
import Testing
import XMPPCore
@testable import StarlingApp

/// The pubsub presence/roster access models read local rosters (XEP-0060 §4.5, RFC 6121 §2).
@Suite struct StoreRosterLookupTests {
    @Test func subscriptionFromAndGroupsComeFromTheOwnersRoster() async throws {
        let storage = InMemoryAccountStorage()
        _ = try await storage.createAccount(Account(username: "owner", credentials: []))
        let friend = try JID("friend@example.com")
        let pending = try JID("pending@example.com")
        try await storage.setRosterItem(RosterItem(jid: friend, subscription: .from, groups: ["sensors"]), of: "owner")
        try await storage.setRosterItem(RosterItem(jid: pending, subscription: .to, pendingIn: true, groups: ["x"], inRoster: false), of: "owner")
        let lookup = StoreRosterLookup(domain: "example.com", rosters: storage, logger: Logger(label: "test"))
        let owner = try JID("owner@example.com")
        #expect(await lookup.isSubscribedToPresence(of: owner, contact: try JID("friend@example.com/phone")))
        #expect(!(await lookup.isSubscribedToPresence(of: owner, contact: pending)))  // 'to' is not 'from'
        #expect(await lookup.groups(of: friend, inRosterOf: owner) == ["sensors"])
        #expect(await lookup.groups(of: pending, inRosterOf: owner) == [])              // hidden record
        #expect(!(await lookup.isSubscribedToPresence(of: try JID("owner@elsewhere.org"), contact: friend)))
    }
}
