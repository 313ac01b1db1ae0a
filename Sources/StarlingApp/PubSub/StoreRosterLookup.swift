import Accounts
import Logging
import PubSub
import XMPPCore

/// Answers the pubsub `presence` and `roster` access models (XEP-0060 §4.5) from local rosters
/// (RFC 6121 §2). Only local owners have rosters here; a store failure denies access (and is logged)
/// rather than granting it.
struct StoreRosterLookup: RosterLookup {
    let domain: String
    let rosters: any RosterStore
    let logger: Logger

    func isSubscribedToPresence(of owner: JID, contact: JID) async -> Bool {
        await item(of: owner, for: contact)?.subscription.hasFrom ?? false
    }

    func groups(of contact: JID, inRosterOf owner: JID) async -> Set<String> {
        guard let item = await item(of: owner, for: contact), item.inRoster else { return [] }
        return Set(item.groups)
    }

    private func item(of owner: JID, for contact: JID) async -> RosterItem? {
        guard owner.domainpart == domain, let username = owner.localpart else { return nil }
        do {
            return try await rosters.rosterItem(of: username, jid: contact.bare)
        } catch {
            logger.error("roster lookup failed: \(error)", metadata: ["owner": "\(owner)"])
            return nil
        }
    }
}
