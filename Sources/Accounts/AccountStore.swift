import XMPPCore

/// Where accounts live. Implemented by `InMemoryAccountStore`, the embedded SQLite store and the
/// PostgreSQL store; all three pass the shared suite in `Tests/StoreConformanceTests`.
public protocol AccountStore: Sendable {
    /// Creates the account; returns false (and changes nothing) when the username is taken.
    func createAccount(_ account: Account) async throws -> Bool
    func account(username: String) async throws -> Account?
    /// ``account(username:)`` for a caller that is not in a task (an event loop at login): the
    /// answer goes to `completion`, exactly once, on any thread. The default starts a task; a
    /// store that has a cheaper way (the embedded store's reader queue) overrides it.
    func lookUpAccount(username: String, completion: @escaping @Sendable (Result<Account?, any Error>) -> Void)
    /// Replaces the credentials; returns false when there is no such account.
    func updateCredentials(username: String, credentials: [SCRAMCredentials]) async throws -> Bool
    /// Deletes the account and its roster; returns false when there is no such account.
    func deleteAccount(username: String) async throws -> Bool
    /// All usernames, sorted.
    func usernames() async throws -> [String]
}

extension AccountStore {
    public func lookUpAccount(username: String, completion: @escaping @Sendable (Result<Account?, any Error>) -> Void) {
        Task {
            do {
                completion(.success(try await account(username: username)))
            } catch {
                completion(.failure(error))
            }
        }
    }
}

/// Where rosters live, keyed by the owner's username. Items include entries that only carry a
/// pending inbound request (`pendingIn` with subscription none and no ask), which the roster
/// protocol hides from `roster get` (RFC 6121 §3.1.3).
public protocol RosterStore: Sendable {
    func rosterItems(of username: String) async throws -> [RosterItem]
    func rosterItem(of username: String, jid: JID) async throws -> RosterItem?
    /// Inserts or replaces the item with the same `jid`.
    func setRosterItem(_ item: RosterItem, of username: String) async throws
    /// Returns false when there was no such item.
    func removeRosterItem(jid: JID, of username: String) async throws -> Bool
}

/// Both protocols, as one storage backend provides them, plus closing.
public protocol AccountStorage: AccountStore, RosterStore {
    /// Flushes and releases the backend. Calls after `close()` throw.
    func close() async throws
}
