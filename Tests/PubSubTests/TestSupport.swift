import Foundation
import PubSub
import Testing
import XMPPCore

/// A clock the test moves by hand.
final class TestClock: PubSubClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    func now() -> Date { lock.withLock { current } }

    func advance(seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// A roster where the owner has given presence subscriptions and groups to listed contacts.
struct StubRoster: RosterLookup {
    var presence: Set<JID> = []
    var groups: [JID: Set<String>] = [:]

    func isSubscribedToPresence(of owner: JID, contact: JID) async -> Bool { presence.contains(contact.bare) }
    func groups(of contact: JID, inRosterOf owner: JID) async -> Set<String> { groups[contact.bare] ?? [] }
}

func jid(_ string: String) -> JID {
    // Test literals only; a typo should fail loudly here, not in the assertion that follows.
    do { return try JID(string) } catch { fatalError("bad test JID \(string)") }
}

func node(_ string: String) -> NodeID {
    do { return try NodeID(string) } catch { fatalError("bad test NodeID \(string)") }
}

let owner = jid("owner@example.org")
let alice = jid("alice@example.org")
let bob = jid("bob@example.org")
let stranger = jid("mallory@elsewhere.example")

struct Fixture {
    let service: PubSubService
    let store: InMemoryPubSubStore
    let clock: TestClock

    /// Over a ``HookedStore`` (through the cache as well); `store` is the one underneath its hooks.
    init(store hooked: HookedStore) {
        clock = TestClock()
        store = hooked.base
        service = PubSubService(
            jid: jid("pubsub.example.org"), store: CachingPubSubStore(hooked),
            configuration: PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org")), clock: clock)
    }

    init(roster: StubRoster? = nil, configure: (inout PubSubServiceConfiguration) -> Void = { _ in }) {
        var configuration = PubSubServiceConfiguration(creationPolicy: .anyLocalUser(domain: "example.org"))
        configure(&configuration)
        clock = TestClock()
        store = InMemoryPubSubStore()
        // Through the cache the server runs with (StarlingService), so every domain test covers it;
        // assertions read `store` underneath.
        service = PubSubService(
            jid: jid("pubsub.example.org"), store: CachingPubSubStore(store), configuration: configuration, clock: clock,
            rosterLookup: roster
        )
    }

    /// Creates `id` as `owner` with `configuration` edits applied to the leaf defaults.
    @discardableResult
    func createNode(
        _ id: String, type: NodeType = .leaf, parents: [String] = [], as creator: JID = owner,
        _ edit: (inout NodeConfiguration) -> Void = { _ in }
    ) async throws -> NodeID {
        var configuration = NodeConfiguration.defaults(for: type)
        configuration.collections = parents.map(node)
        edit(&configuration)
        let result = try await service.perform(.create(node: node(id), configuration: configuration), as: .entity(creator))
        guard case .created(let created) = result else { throw TestFailure("unexpected \(result)") }
        return created
    }

    @discardableResult
    func publish(_ id: String, itemID: String? = nil, _ text: String = "reading", as publisher: JID = owner)
        async throws -> String
    {
        let result = try await service.perform(
            .publish(node: node(id), itemID: itemID, payload: Array(text.utf8), options: nil), as: .entity(publisher)
        )
        guard case .published(_, let itemID) = result else { throw TestFailure("unexpected \(result)") }
        return itemID
    }

    @discardableResult
    func subscribe(_ id: String, _ subscriber: JID, options: SubscriptionOptions? = nil) async throws -> Subscription {
        let result = try await service.perform(
            .subscribe(node: node(id), jid: subscriber, options: options), as: .entity(subscriber)
        )
        guard case .subscription(let subscription) = result else { throw TestFailure("unexpected \(result)") }
        return subscription
    }

    func items(_ id: String, _ query: ItemQuery = .all, as reader: Requester = .entity(owner)) async throws -> ItemPage {
        let result = try await service.perform(.items(node: node(id), query: query), as: reader)
        guard case .items(_, let page) = result else { throw TestFailure("unexpected \(result)") }
        return page
    }

    /// Runs `body`, then returns every event it emitted.
    func events(during body: () async throws -> Void) async throws -> [PubSubEvent] {
        let stream = await service.events()
        try await body()
        await service.finishEvents()
        var collected: [PubSubEvent] = []
        for await event in stream { collected.append(event) }
        return collected
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
