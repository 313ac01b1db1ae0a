import Foundation
import PubSub
import Synchronization
import Testing
import XMPPCore

/// `CachingPubSubStore`: the reads every publish makes are served from memory, every write through it
/// clears what it changed, and a read that was in flight across a write never caches what it read before.
@Suite struct CachingPubSubStoreTests {
    /// A creation date no store keeps exactly (a quarter microsecond past a whole second): a node
    /// created with it is not remembered from its creation, so these tests see its first read.
    let unrounded = Date(timeIntervalSince1970: 1_000 + 0.25e-6)

    /// The service creates nodes at whole microseconds, which every store keeps exactly: the node
    /// as created is remembered, and its first publish reads nothing; a later write still clears it.
    @Test func aNodeCreatedAtWholeMicrosecondsIsRememberedFromItsCreation() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store())
        let n = node("n")
        let created = Node(id: n, configuration: NodeConfiguration(), creator: alice,
                           created: Date(timeIntervalSince1970: 1_000.000_001))
        #expect(try await cache.createNode(created, owner: alice))
        #expect(try await cache.node(n) == created)
        #expect(probe.nodeReads.withLock { $0 } == 0)
        #expect(try await cache.deleteNode(n))
        #expect(try await cache.node(n) == nil)
        #expect(probe.nodeReads.withLock { $0 } == 1)
    }

    @Test func repeatedReadsHitTheCacheAndWritesClearIt() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store())
        let n = node("n")
        _ = try await cache.createNode(Node(id: n, configuration: NodeConfiguration(), creator: nil, created: unrounded), owner: owner)
        for _ in 0..<5 {
            #expect(try await cache.node(n)?.id == n)
            #expect(try await cache.affiliation(of: owner, on: n) == .owner)
            #expect(try await cache.node(node("missing")) == nil)   // negative answers too
        }
        #expect(probe.nodeReads.withLock { $0 } == 2)
        // The creation recorded the whole affiliation list: the owner's and anyone else's need no read.
        #expect(try await cache.affiliation(of: alice, on: n) == .none)
        #expect(probe.affiliationReads.withLock { $0 } == 0)

        var changed = NodeConfiguration()
        changed.title = "changed"
        try await cache.updateNode(Node(id: n, configuration: changed, creator: nil, created: unrounded))
        #expect(try await cache.node(n)?.configuration.title == "changed")
        try await cache.setAffiliation(.outcast, of: alice, on: n)
        #expect(try await cache.affiliation(of: alice, on: n) == .outcast)
        #expect(try await cache.deleteNode(n))
        #expect(try await cache.node(n) == nil)
        #expect(try await cache.affiliation(of: owner, on: n) == .none)
    }

    /// The bound counts affiliation entries over all nodes, not per node: with room for two, a third
    /// entry on another node starts the cache over (a per-node bound would let it grow to capacity²).
    @Test func theAffiliationBoundCountsEntriesOfEveryNode() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store(), capacity: 2)
        let (a, b) = (node("a"), node("b"))
        for reader in [alice, bob] { #expect(try await cache.affiliation(of: reader, on: a) == .none) }
        for reader in [alice, bob] { #expect(try await cache.affiliation(of: reader, on: a) == .none) }
        #expect(probe.affiliationReads.withLock { $0 } == 2)   // two entries fit
        #expect(try await cache.affiliation(of: alice, on: b) == .none)
        #expect(try await cache.affiliation(of: alice, on: a) == .none)
        #expect(probe.affiliationReads.withLock { $0 } == 4)   // the third entry started over
    }

    @Test func creatingANodeKeepsTheOthersAndForgetsWhatWasReadBeforeIt() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store())
        let (a, b) = (node("a"), node("b"))
        _ = try await cache.createNode(Node(id: a, configuration: NodeConfiguration(), creator: nil, created: unrounded), owner: owner)
        #expect(try await cache.node(a)?.id == a)
        // Before b exists: no node, and alice has no affiliation with it.
        #expect(try await cache.node(b) == nil)
        #expect(try await cache.affiliation(of: alice, on: b) == .none)
        #expect(probe.nodeReads.withLock { $0 } == 2)
        #expect(probe.affiliationReads.withLock { $0 } == 1)

        #expect(try await cache.createNode(Node(id: b, configuration: NodeConfiguration(), creator: alice, created: unrounded), owner: alice))
        #expect(try await cache.node(b)?.id == b)   // the cached "no such node" is gone …
        #expect(try await cache.affiliation(of: alice, on: b) == .owner)   // … and so is alice's old "none"
        #expect(try await cache.node(a)?.id == a)   // a is still cached
        #expect(probe.nodeReads.withLock { $0 } == 3)
        #expect(probe.affiliationReads.withLock { $0 } == 1)

        // A creation that fails changes nothing and clears nothing.
        #expect(try await !cache.createNode(Node(id: a, configuration: NodeConfiguration(), creator: nil, created: unrounded), owner: alice))
        #expect(try await cache.affiliation(of: alice, on: a) == .none)
        #expect(try await cache.node(a)?.id == a)
        #expect(probe.nodeReads.withLock { $0 } == 3)
        #expect(probe.affiliationReads.withLock { $0 } == 1)
    }

    @Test func aReadInFlightAcrossACreationDoesNotCacheNoSuchNode() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store())
        let n = node("n")
        await probe.gate.close()
        let stale = Task { try await cache.node(n) }
        while probe.nodeReads.withLock({ $0 }) == 0 { await Task.yield() }   // it read "no such node"
        #expect(try await cache.createNode(Node(id: n, configuration: NodeConfiguration(), creator: nil, created: unrounded), owner: owner))
        await probe.gate.open()
        #expect(try await stale.value == nil)
        #expect(try await cache.node(n)?.id == n)
    }

    @Test func aReadInFlightAcrossAWriteDoesNotCacheTheOldValue() async throws {
        let probe = Probe()
        let cache = CachingPubSubStore(probe.store())
        let n = node("n")
        _ = try await cache.createNode(Node(id: n, configuration: NodeConfiguration(), creator: nil, created: unrounded), owner: owner)
        await probe.gate.close()
        let stale = Task { try await cache.node(n) }
        while probe.nodeReads.withLock({ $0 }) == 0 { await Task.yield() }   // the read has its old value
        var changed = NodeConfiguration()
        changed.title = "new"
        try await cache.updateNode(Node(id: n, configuration: changed, creator: nil, created: unrounded))
        await probe.gate.open()
        #expect(try await stale.value?.configuration.title == "")   // it returns what it read …
        #expect(try await cache.node(n)?.configuration.title == "new")   // … but did not cache it
    }
}

/// Counts the cached reads of its ``store()`` and can hold `node(_:)` reads.
final class Probe: Sendable {
    let nodeReads = Mutex(0)
    let affiliationReads = Mutex(0)
    let gate = Gate()
}

/// A gate reads wait at while it is closed.
actor Gate {
    private var closed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func close() { closed = true }
    func open() {
        closed = false
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
    func wait() async {
        guard closed else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

extension Probe {
    /// A store whose node reads are counted and gated, and whose affiliation reads are counted.
    func store() -> HookedStore {
        HookedStore(hooks: HookedStore.Hooks(
            afterNodeRead: { [self] in
                nodeReads.withLock { $0 += 1 }
                await gate.wait()
            },
            beforeAffiliationRead: { [self] in affiliationReads.withLock { $0 += 1 } }))
    }
}
