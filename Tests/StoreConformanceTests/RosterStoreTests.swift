import Accounts
import Testing
import XMPPCore

/// `RosterStore` semantics, identical on every backend (reference: `InMemoryAccountStorage`).
@Suite struct RosterStoreTests {
    @Test(arguments: StoreKind.available)
    func setThenGet(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            let item = try Fixtures.item("bob@example.com", name: "Bob", subscription: .to, groups: ["Work"])
            try await store.setRosterItem(item, of: "alice")
            #expect(try await store.rosterItem(of: "alice", jid: item.jid) == item)
            #expect(try await store.rosterItems(of: "alice") == [item])
            #expect(try await store.rosterItem(of: "alice", jid: Fixtures.jid("carol@example.com")) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func setReplacesTheItemWithTheSameJID(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            let first = try Fixtures.item(
                "bob@example.com", name: "Bob", subscription: .none, ask: true, groups: ["A", "B", "C"])
            try await store.setRosterItem(first, of: "alice")
            let second = try Fixtures.item(
                "bob@example.com", name: nil, subscription: .both, preApproved: true, groups: ["C"])
            try await store.setRosterItem(second, of: "alice")
            #expect(try await store.rosterItems(of: "alice") == [second])
            let third = try Fixtures.item("bob@example.com", subscription: .from, pendingIn: true, inRoster: false)
            try await store.setRosterItem(third, of: "alice")
            #expect(try await store.rosterItem(of: "alice", jid: third.jid) == third)
            #expect(try await store.rosterItems(of: "alice").count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func remove(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            let bob = try Fixtures.item("bob@example.com", groups: ["Friends"])
            let carol = try Fixtures.item("carol@example.com")
            try await store.setRosterItem(bob, of: "alice")
            try await store.setRosterItem(carol, of: "alice")
            #expect(try await store.removeRosterItem(jid: bob.jid, of: "alice"))
            #expect(try await store.rosterItems(of: "alice") == [carol])
            #expect(try await !store.removeRosterItem(jid: bob.jid, of: "alice"))
            // Setting it again after removal starts from the new value, with no stale groups.
            let bobAgain = try Fixtures.item("bob@example.com", name: "B")
            try await store.setRosterItem(bobAgain, of: "alice")
            #expect(try await store.rosterItems(of: "alice") == [bobAgain, carol])
        }
    }

    @Test(arguments: StoreKind.available)
    func everySubscriptionStateAndFlagRoundTrips(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            var expected: [RosterItem] = []
            for subscription in RosterItem.Subscription.allCases {
                for flags in 0..<16 {
                    let item = try Fixtures.item(
                        "c\(flags)-\(subscription.rawValue)@example.com",
                        subscription: subscription,
                        ask: flags & 1 != 0, pendingIn: flags & 2 != 0, preApproved: flags & 4 != 0,
                        inRoster: flags & 8 == 0)
                    try await store.setRosterItem(item, of: "alice")
                    expected.append(item)
                }
            }
            #expect(try await store.rosterItems(of: "alice") == expected.sorted { $0.jid < $1.jid })
            for item in expected {
                #expect(try await store.rosterItem(of: "alice", jid: item.jid) == item)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func unicodeNamesAndGroupsRoundTrip(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("jürgen")))
            let items = [
                try Fixtures.item(
                    "jörg@bücher.example", name: "Jörg 🚀 名前",
                    groups: ["Família", "友達", "🏠 Home", "a,b", "quote'\"", "{braces}", "NULL", "x", "x"]),
                try Fixtures.item("emptyname@example.com", name: "", groups: [""]),
                try Fixtures.item("nogroups@example.com", name: "  spaced  ", groups: []),
                // Domain-only and full JIDs are keys like any other.
                try Fixtures.item("pubsub.example.com", name: "service"),
                try Fixtures.item("dave@example.com/Laptop ☕", name: "with resource"),
            ]
            for item in items { try await store.setRosterItem(item, of: "jürgen") }
            #expect(try await store.rosterItems(of: "jürgen") == items.sorted { $0.jid < $1.jid })
            for item in items {
                #expect(try await store.rosterItem(of: "jürgen", jid: item.jid) == item)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func rostersAreKeptPerOwner(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            #expect(try await store.createAccount(Fixtures.account("alice")))
            #expect(try await store.createAccount(Fixtures.account("bob")))
            let forAlice = try Fixtures.item("carol@example.com", name: "Carol", subscription: .both)
            let forBob = try Fixtures.item("carol@example.com", name: "C.", subscription: .to, groups: ["Met once"])
            try await store.setRosterItem(forAlice, of: "alice")
            try await store.setRosterItem(forBob, of: "bob")
            #expect(try await store.rosterItems(of: "alice") == [forAlice])
            #expect(try await store.rosterItems(of: "bob") == [forBob])
            #expect(try await store.removeRosterItem(jid: forAlice.jid, of: "alice"))
            #expect(try await store.rosterItems(of: "bob") == [forBob])
        }
    }

    /// A roster belongs to its account: an unknown user has none, and a write for one is dropped
    /// (as if the account had been deleted right after it) rather than left orphaned.
    @Test(arguments: StoreKind.available)
    func itemsOfAnUnknownUser(_ kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            let item = try Fixtures.item("bob@example.com", subscription: .both)
            #expect(try await store.rosterItems(of: "ghost") == [])
            #expect(try await store.rosterItem(of: "ghost", jid: item.jid) == nil)
            #expect(try await !store.removeRosterItem(jid: item.jid, of: "ghost"))
            try await store.setRosterItem(item, of: "ghost")
            #expect(try await store.rosterItems(of: "ghost") == [])
            #expect(try await store.rosterItem(of: "ghost", jid: item.jid) == nil)
            #expect(try await store.createAccount(Fixtures.account("ghost")))
            #expect(try await store.rosterItems(of: "ghost") == [])
        }
    }
}
