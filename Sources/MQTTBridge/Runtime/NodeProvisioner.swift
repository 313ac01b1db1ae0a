import PubSub
import XMPPCore

/// Creates the nodes inbound MQTT messages need, as the tree Starling's users expect: a message on
/// `plant/hall/press` mapped to node `plant/hall/press` creates collection `plant`, collection
/// `plant/hall` under it, and leaf `plant/hall/press` under that (XEP-0248 §7.1 create with
/// `pubsub#collection`), each only when missing.
///
/// Runs as the bridge (`Requester.service`), which passes the permission checks like the system
/// itself and owns nothing; nodes it creates are administered by the server's admins.
struct NodeProvisioner: Sendable {
    let service: PubSubService
    let requester: Requester
    /// Configuration of the leaves it creates (the mapping's `node_config`).
    let leafConfiguration: NodeConfiguration
    /// Configuration of the parent collections it creates.
    let collectionConfiguration: NodeConfiguration

    /// Ensures `node` exists as a leaf placed under its path parents. A concurrent creation (another
    /// message, an XMPP user) is fine; a path prefix that is a leaf cannot hold children, so then
    /// the leaf is created on its own.
    func ensureLeaf(_ node: NodeID) async throws(PubSubError) {
        let segments = node.rawValue.split(separator: "/", omittingEmptySubsequences: false)
        var parent: NodeID?
        if segments.count > 1 {
            for end in 1..<segments.count {
                let path = try NodeID(segments[..<end].joined(separator: "/"))
                parent = try await ensureCollection(path, under: parent) ? path : nil
            }
        }
        var configuration = leafConfiguration
        configuration.nodeType = .leaf
        configuration.collections = parent.map { [$0] } ?? []
        try await create(node, configuration)
    }

    /// Returns whether `path` is (now) a collection that can take children.
    private func ensureCollection(_ path: NodeID, under parent: NodeID?) async throws(PubSubError) -> Bool {
        if let existing = try await metadataType(path) { return existing == .collection }
        var configuration = collectionConfiguration
        configuration.nodeType = .collection
        configuration.collections = parent.map { [$0] } ?? []
        try await create(path, configuration)
        return try await metadataType(path) == .collection
    }

    private func create(_ node: NodeID, _ configuration: NodeConfiguration) async throws(PubSubError) {
        do {
            _ = try await service.perform(.create(node: node, configuration: configuration), as: requester)
        } catch .nodeExists {
            return
        }
    }

    /// The node's type, or nil when it does not exist.
    private func metadataType(_ node: NodeID) async throws(PubSubError) -> NodeType? {
        do {
            let result = try await service.perform(.getConfiguration(node: node), as: requester)
            if case .configuration(let configuration, _) = result { return configuration.nodeType }
            return nil
        } catch .nodeNotFound {
            return nil
        }
    }
}
