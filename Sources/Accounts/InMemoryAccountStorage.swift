import Synchronization
import XMPPCore

/// Accounts and rosters in memory: the reference for the store suite and for unit tests.
public final class InMemoryAccountStorage: AccountStorage {
    private struct State {
        var accounts: [String: Account] = [:]
        var rosters: [String: [JID: RosterItem]] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    private func withState<R>(_ body: (inout State) throws -> R) throws -> R {
        try state.withLock { state in
            if state.closed { throw StorageClosedError() }
            return try body(&state)
        }
    }

    public func createAccount(_ account: Account) async throws -> Bool {
        try withState { state in
            guard state.accounts[account.username] == nil else { return false }
            state.accounts[account.username] = account
            return true
        }
    }

    public func account(username: String) async throws -> Account? {
        try withState { $0.accounts[username] }
    }

    public func updateCredentials(username: String, credentials: [SCRAMCredentials]) async throws -> Bool {
        try withState { state in
            guard state.accounts[username] != nil else { return false }
            state.accounts[username]?.credentials = credentials
            return true
        }
    }

    public func deleteAccount(username: String) async throws -> Bool {
        try withState { state in
            guard state.accounts.removeValue(forKey: username) != nil else { return false }
            state.rosters[username] = nil
            return true
        }
    }

    public func usernames() async throws -> [String] {
        try withState { $0.accounts.keys.sorted() }
    }

    public func rosterItems(of username: String) async throws -> [RosterItem] {
        try withState { ($0.rosters[username] ?? [:]).values.sorted { $0.jid < $1.jid } }
    }

    public func rosterItem(of username: String, jid: JID) async throws -> RosterItem? {
        try withState { $0.rosters[username]?[jid] }
    }

    /// A roster belongs to its account: setting an item for an unknown user changes nothing, as if
    /// the account had been deleted (taking its roster along) right after the write.
    public func setRosterItem(_ item: RosterItem, of username: String) async throws {
        try withState { state in
            guard state.accounts[username] != nil else { return }
            state.rosters[username, default: [:]][item.jid] = item
        }
    }

    public func removeRosterItem(jid: JID, of username: String) async throws -> Bool {
        try withState { $0.rosters[username]?.removeValue(forKey: jid) != nil }
    }

    public func close() async throws {
        state.withLock { $0.closed = true }
    }
}

/// Thrown by a store used after `close()`.
public struct StorageClosedError: Error, Hashable, Sendable {
    public init() {}
}
