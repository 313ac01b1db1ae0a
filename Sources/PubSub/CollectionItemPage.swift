import XMPPCore

/// An item together with the leaf it was published to: what XEP-0248 §6.2 retrieval from a collection
/// returns, since the collection holds no items of its own.
public struct LeafItem: Hashable, Sendable {
    public let node: NodeID
    public let item: Item

    public init(node: NodeID, item: Item) {
        self.node = node
        self.item = item
    }
}

/// One page of items gathered from the leaves below a collection (XEP-0248 §6.2), in publication order
/// across all of them (oldest first, like ``ItemPage``). Publication times are service-wide and strictly
/// increasing, so an ``ItemCursor`` orders items of different leaves too and RSM paging works unchanged.
public struct CollectionItemPage: Hashable, Sendable {
    public let items: [LeafItem]
    /// How many items the readable leaves hold in total (RSM `<count/>`).
    public let count: Int

    public init(items: [LeafItem], count: Int) {
        self.items = items
        self.count = count
    }

    public var first: ItemCursor? { items.first?.item.cursor }
    public var last: ItemCursor? { items.last?.item.cursor }
}
