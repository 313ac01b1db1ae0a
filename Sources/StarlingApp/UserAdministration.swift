import Accounts
import Logging
import SASL
import XMPPCore

/// `starling user add|passwd|delete|list`: account administration against the configured store,
/// storing SCRAM-SHA-1 and SCRAM-SHA-256 keys only (RFC 5802 §3), never the password.
public struct UserAdministration: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case invalidUsername(String)
        case exists(String)
        case noSuchUser(String)
        case emptyPassword

        public var description: String {
            switch self {
            case .invalidUsername(let name): "invalid username '\(name)': it must be a valid JID localpart"
            case .exists(let name): "user '\(name)' already exists"
            case .noSuchUser(let name): "no user '\(name)'"
            case .emptyPassword: "the password must not be empty"
            }
        }
    }

    let configuration: StarlingConfiguration
    let logger: Logger

    public init(configuration: StarlingConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Normalizes a username (or a full `user@domain` JID) to the stored localpart.
    public func normalize(_ username: String) throws -> String {
        let candidate = username.contains("@") ? username : "\(username)@\(configuration.domain)"
        guard let jid = try? JID(candidate), let localpart = jid.localpart, jid.resourcepart == nil,
              jid.domainpart == (try? JID(localpart: nil, domainpart: configuration.domain))?.domainpart
        else { throw Failure.invalidUsername(username) }
        return localpart
    }

    public func add(_ username: String, password: String) async throws {
        let name = try normalize(username)
        guard !password.isEmpty else { throw Failure.emptyPassword }
        try await withStorage { storage in
            guard try await storage.createAccount(Self.account(name, password)) else { throw Failure.exists(name) }
        }
    }

    public func changePassword(_ username: String, password: String) async throws {
        let name = try normalize(username)
        guard !password.isEmpty else { throw Failure.emptyPassword }
        try await withStorage { storage in
            guard try await storage.updateCredentials(username: name, credentials: Self.account(name, password).credentials)
            else { throw Failure.noSuchUser(name) }
        }
    }

    public func delete(_ username: String) async throws {
        let name = try normalize(username)
        try await withStorage { storage in
            guard try await storage.deleteAccount(username: name) else { throw Failure.noSuchUser(name) }
        }
    }

    public func list() async throws -> [String] {
        try await withStorage { try await $0.usernames() }
    }

    static func account(_ name: String, _ password: String) -> Account {
        Account(username: name, credentials: SCRAMCredentials.Algorithm.allCases.map {
            SCRAM.makeCredentials(password: password, algorithm: $0)
        })
    }

    private func withStorage<R: Sendable>(_ body: (any AccountStorage) async throws -> R) async throws -> R {
        let storage = try await StorageFactory.open(configuration, logger: logger)
        do {
            let result = try await body(storage.accounts)
            try await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    }
}
