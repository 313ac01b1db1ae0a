import PubSub
import XMPPCore

/// The service's ``ItemForwarder`` when several broker connections are configured: every
/// connection's ``BridgeRouter`` in turn, and loop prevention across all of them — an item that
/// came from MQTT through any connection goes back to none (issue 5: "an item that came from MQTT
/// never goes back to MQTT").
public struct BridgeForwarder: ItemForwarder {
    public let routers: [BridgeRouter]
    private let bridgeJIDs: Set<JID>

    public init(routers: [BridgeRouter]) {
        self.routers = routers
        self.bridgeJIDs = Set(routers.map(\.bridgeJID.bare))
    }

    public func outbox(forPublished item: Item, on node: NodeID) -> [OutboxMessage] {
        if let publisher = item.publisher, bridgeJIDs.contains(publisher.bare) { return [] }
        return routers.flatMap { $0.outbox(forPublished: item, on: node) }
    }
}
