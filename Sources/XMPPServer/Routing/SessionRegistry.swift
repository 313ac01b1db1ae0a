import Synchronization
import XMPPCore

/// Who is connected: username → resource → session, shared by every event loop.
public final class SessionRegistry: Sendable {
    public enum BindOutcome: Sendable {
        /// Bound; `replaced` is an older session with the same full JID, to be closed with
        /// `<conflict/>` (RFC 6120 §7.7.2.2, "newest wins").
        case bound(replaced: Session?)
        /// The account has `maximumResources` sessions already (RFC 6120 §7.6.2.1 resource-constraint).
        case tooManyResources
    }

    private let sessions = Mutex<[String: [String: Session]]>([:])
    public let maximumResources: Int

    public init(maximumResources: Int = 32) {
        self.maximumResources = maximumResources
    }

    public func bind(_ session: Session) -> BindOutcome {
        guard let username = session.jid.localpart, let resource = session.jid.resourcepart else {
            return .tooManyResources
        }
        return sessions.withLock { all in
            var resources = all[username, default: [:]]
            let replaced = resources[resource]
            if replaced == nil, resources.count >= maximumResources { return .tooManyResources }
            resources[resource] = session
            all[username] = resources
            return .bound(replaced: replaced)
        }
    }

    /// Removes the session if it is still the one bound to its JID; returns whether it was.
    @discardableResult
    public func unbind(_ session: Session) -> Bool {
        guard let username = session.jid.localpart, let resource = session.jid.resourcepart else { return false }
        return sessions.withLock { all in
            guard all[username]?[resource] === session else { return false }
            all[username]?[resource] = nil
            if all[username]?.isEmpty == true { all[username] = nil }
            return true
        }
    }

    public func sessions(of username: String) -> [Session] {
        sessions.withLock { all in
            guard let resources = all[username] else { return [] }
            return resources.keys.sorted().compactMap { resources[$0] }
        }
    }

    public func session(_ jid: JID) -> Session? {
        guard let username = jid.localpart, let resource = jid.resourcepart else { return nil }
        return sessions.withLock { $0[username]?[resource] }
    }

    public func allSessions() -> [Session] {
        sessions.withLock { all in all.values.flatMap(\.values) }
    }

    public var count: Int {
        sessions.withLock { all in all.values.reduce(0) { $0 + $1.count } }
    }
}
