import Accounts
import Testing

/// `AccountStore` semantics, identical on every backend (reference: `InMemoryAccountStorage`).
@Suite struct AccountStoreTests {
    @Test(arguments: StoreKind.available)
    func createThenLookUp(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let alice = Fixtures.account("alice")
            #expect(try await store.createAccount(alice))
            #expect(try await store.account(username: "alice") == alice)
            #expect(try await store.account(username: "bob") == nil)
            #expect(try await store.account(username: "Alice") == nil)
        }
    }

    /// The login path's callback form answers as `account(username:)` does, once, closed store included.
    @Test(arguments: StoreKind.available)
    func lookUpWithACompletionAnswersAsTheAsyncForm(_ kind: StoreKind) async throws {
        func lookUp(_ store: any AccountStorage, _ username: String) async -> Result<Account?, any Error> {
            await withCheckedContinuation { continuation in
                store.lookUpAccount(username: username) { continuation.resume(returning: $0) }
            }
        }
        let location = try StoreLocation(kind)
        let store = try await location.open()
        let alice = Fixtures.account("alice", [Fixtures.sha1, Fixtures.sha256])
        #expect(try await store.createAccount(alice))
        #expect(try await store.createAccount(Fixtures.account("bare", [])))
        #expect(try await lookUp(store, "alice").get() == alice)
        #expect(try await lookUp(store, "bare").get() == Fixtures.account("bare", []))
        #expect(try await lookUp(store, "bob").get() == nil)
        try await store.close()
        await #expect(throws: StorageClosedError.self) { try await lookUp(store, "alice").get() }
        await location.remove()
    }

    @Test(arguments: StoreKind.available)
    func duplicateCreateReturnsFalseAndChangesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let original = Fixtures.account("alice", [Fixtures.sha256])
            #expect(try await store.createAccount(original))
            #expect(try await !store.createAccount(Fixtures.account("alice", [Fixtures.sha1])))
            #expect(try await store.account(username: "alice") == original)
            #expect(try await store.usernames() == ["alice"])
        }
    }

    @Test(arguments: StoreKind.available)
    func credentialsRoundTripByteExact(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let big = SCRAMCredentials(
                algorithm: .sha1, salt: [0], iterations: Int(Int32.max) + 1,
                storedKey: [UInt8](repeating: 0, count: 20), serverKey: [UInt8](repeating: 0xFF, count: 20))
            let empty = SCRAMCredentials(algorithm: .sha256, salt: [], iterations: 1, storedKey: [], serverKey: [])
            let cases = [
                Fixtures.account("both"),
                Fixtures.account("reversed", [Fixtures.sha256, Fixtures.sha1]),
                Fixtures.account("sha1only", [Fixtures.sha1]),
                Fixtures.account("sha256only", [Fixtures.sha256]),
                Fixtures.account("none", []),
                Fixtures.account("edges", [big, empty]),
            ]
            for account in cases { #expect(try await store.createAccount(account)) }
            for account in cases {
                let stored = try #require(try await store.account(username: account.username))
                #expect(stored == account)
                for algorithm in SCRAMCredentials.Algorithm.allCases {
                    #expect(stored.credentials(for: algorithm)?.salt == account.credentials(for: algorithm)?.salt)
                    #expect(stored.credentials(for: algorithm)?.storedKey == account.credentials(for: algorithm)?.storedKey)
                    #expect(stored.credentials(for: algorithm)?.serverKey == account.credentials(for: algorithm)?.serverKey)
                }
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func updateCredentialsReplacesThem(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice", [Fixtures.sha1])))
            let rotated = SCRAMCredentials(
                algorithm: .sha256, salt: Fixtures.bytes(24, seed: 9), iterations: 10_000,
                storedKey: Fixtures.bytes(32, seed: 10), serverKey: Fixtures.bytes(32, seed: 11))
            #expect(try await store.updateCredentials(username: "alice", credentials: [rotated, Fixtures.sha1]))
            #expect(try await store.account(username: "alice") == Fixtures.account("alice", [rotated, Fixtures.sha1]))
            #expect(try await store.updateCredentials(username: "alice", credentials: []))
            #expect(try await store.account(username: "alice") == Fixtures.account("alice", []))
            #expect(try await store.updateCredentials(username: "alice", credentials: [Fixtures.sha256]))
            #expect(try await store.account(username: "alice") == Fixtures.account("alice", [Fixtures.sha256]))
        }
    }

    @Test(arguments: StoreKind.available)
    func updateCredentialsOfUnknownUserReturnsFalse(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await !store.updateCredentials(username: "ghost", credentials: [Fixtures.sha256]))
            #expect(try await store.account(username: "ghost") == nil)
            #expect(try await store.usernames() == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteTakesCredentialsAndRosterAlong(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            #expect(try await store.createAccount(Fixtures.account("bob")))
            let contact = try Fixtures.item("carol@example.com", name: "Carol", subscription: .both, groups: ["Friends"])
            try await store.setRosterItem(contact, of: "alice")
            try await store.setRosterItem(contact, of: "bob")

            #expect(try await store.deleteAccount(username: "alice"))
            #expect(try await store.account(username: "alice") == nil)
            #expect(try await store.rosterItems(of: "alice") == [])
            #expect(try await store.rosterItem(of: "alice", jid: contact.jid) == nil)
            #expect(try await !store.deleteAccount(username: "alice"))
            #expect(try await store.usernames() == ["bob"])
            // Bob's roster is his own.
            #expect(try await store.rosterItems(of: "bob") == [contact])

            // A new account under the old name starts empty: nothing was left behind.
            #expect(try await store.createAccount(Fixtures.account("alice", [Fixtures.sha1])))
            #expect(try await store.account(username: "alice") == Fixtures.account("alice", [Fixtures.sha1]))
            #expect(try await store.rosterItems(of: "alice") == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteUnknownReturnsFalse(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await !store.deleteAccount(username: "ghost"))
        }
    }

    @Test(arguments: StoreKind.available)
    func usernamesAreSorted(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let names = ["zoë", "bob", "émile", "alice", "ω", "ärger", "a", "z", "名前", "0x", "_"]
            for name in names { #expect(try await store.createAccount(Fixtures.account(name, []))) }
            #expect(try await store.usernames() == names.sorted())
            #expect(try await store.account(username: "名前") == Fixtures.account("名前", []))
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentCreatesOfOneNameHaveOneWinner(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    let credentials = [SCRAMCredentials(
                        algorithm: .sha256, salt: [UInt8(index)], iterations: 4096 + index,
                        storedKey: Fixtures.bytes(32, seed: UInt8(index)), serverKey: Fixtures.bytes(32, seed: 99))]
                    group.addTask { try await store.createAccount(Account(username: "race", credentials: credentials)) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            let winner = try #require(try await store.account(username: "race"))
            // The winner's credentials are stored whole, never mixed with a loser's.
            let credential = try #require(winner.credentials.first)
            #expect(winner.credentials.count == 1)
            #expect(credential.iterations == 4096 + Int(credential.salt[0]))
        }
    }

    @Test(arguments: StoreKind.available)
    func useAfterCloseThrows(_ kind: StoreKind) async throws {
        let location = try StoreLocation(kind)
        let store = try await location.open()
        #expect(try await store.createAccount(Fixtures.account("alice")))
        try await store.close()
        let jid = try Fixtures.jid("bob@example.com")
        await #expect(throws: StorageClosedError.self) { try await store.createAccount(Fixtures.account("bob")) }
        await #expect(throws: StorageClosedError.self) { try await store.account(username: "alice") }
        await #expect(throws: StorageClosedError.self) { try await store.updateCredentials(username: "alice", credentials: []) }
        await #expect(throws: StorageClosedError.self) { try await store.deleteAccount(username: "alice") }
        await #expect(throws: StorageClosedError.self) { try await store.usernames() }
        await #expect(throws: StorageClosedError.self) { try await store.rosterItems(of: "alice") }
        await #expect(throws: StorageClosedError.self) { try await store.rosterItem(of: "alice", jid: jid) }
        await #expect(throws: StorageClosedError.self) { try await store.setRosterItem(RosterItem(jid: jid), of: "alice") }
        await #expect(throws: StorageClosedError.self) { try await store.removeRosterItem(jid: jid, of: "alice") }
        // Closing twice is harmless, as in the reference.
        try await store.close()
        await location.remove()
    }
}
