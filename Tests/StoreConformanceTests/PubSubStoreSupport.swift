import Foundation
import PubSub
import StoreEmbedded
import StorePostgres
import XMPPCore

/// A pubsub store opened on a ``StoreLocation``, with the way to close it (the in-memory store has
/// nothing to close).
struct OpenedPubSubStore: Sendable {
    let store: any PubSubStore
    let close: @Sendable () async throws -> Void
}

extension StoreLocation {
    /// Opens a new pubsub store instance on this location (for memory: a new, empty store).
    func openPubSub() async throws -> OpenedPubSubStore {
        switch kind {
        case .memory:
            return OpenedPubSubStore(store: InMemoryPubSubStore(), close: {})
        case .embedded:
            let store = try EmbeddedStore(path: path)
            return OpenedPubSubStore(store: store, close: { try await store.close() })
        case .postgres:
            let store = try await PostgresStore.connect(url: try postgresURL(), schema: schema, logger: Self.logger)
            return OpenedPubSubStore(store: store, close: { try await store.close() })
        }
    }
}

extension StoreKind {
    /// Runs `body` against a fresh, empty pubsub store of this kind, then closes it and removes what
    /// it left behind.
    func withPubSubStore(_ body: (any PubSubStore) async throws -> Void) async throws {
        try await withLocation { location async throws in
            let opened = try await location.openPubSub()
            do {
                try await body(opened.store)
            } catch {
                try? await opened.close()
                throw error
            }
            try await opened.close()
        }
    }
}

/// Values for the pubsub suite. Times are whole microseconds, as `PubSubService` stamps them.
enum PubSubFixtures {
    static func at(_ seconds: Double) -> Date {
        let micros = Int64(((1_700_000_000 + seconds) * 1_000_000).rounded())
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func node(_ id: String) throws -> NodeID { try NodeID(id) }

    static let owner = "owner@example.org"
    static let alice = "alice@example.org"

    static func makeNode(
        _ id: String, type: NodeType = .leaf, parents: [String] = [], creator: String? = owner
    ) throws -> Node {
        var configuration = NodeConfiguration.defaults(for: type)
        configuration.collections = try parents.map(node)
        return Node(id: try node(id), configuration: configuration,
                    creator: try creator.map { try JID($0) }, created: at(0))
    }

    static func item(_ id: String, _ seconds: Double, payload: [UInt8]? = nil) throws -> Item {
        Item(id: id, publisher: try JID(alice), payload: payload ?? Array(id.utf8), published: at(seconds))
    }
}
