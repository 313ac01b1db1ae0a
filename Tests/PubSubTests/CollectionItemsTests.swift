import Foundation
import PubSub
import Testing
import XMPPCore

/// XEP-0248 §6.2 retrieving items on a collection; XEP-0060 §5.5 disco#items on a leaf.
@Suite struct CollectionItemsTests {
    /// site-a > {site-a/floor-2 > site-a/floor-2/temp, site-a/door}; site-a/floor-2/temp also in `other`.
    func tree() async throws -> Fixture {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        try await f.createNode("other", type: .collection)
        try await f.createNode("site-a/floor-2", type: .collection, parents: ["site-a"])
        try await f.createNode("site-a/floor-2/temp", parents: ["site-a/floor-2", "other"])
        try await f.createNode("site-a/door", parents: ["site-a"])
        return f
    }

    func collectionItems(_ f: Fixture, _ id: String, _ query: ItemQuery = .all, as reader: JID = owner)
        async throws -> CollectionItemPage
    {
        let result = try await f.service.perform(.items(node: node(id), query: query), as: .entity(reader))
        guard case .collectionItems(let collection, let page) = result else { throw TestFailure("unexpected \(result)") }
        #expect(collection == node(id))
        return page
    }

    func entries(_ page: CollectionItemPage) -> [String] {
        page.items.map { "\($0.node.rawValue)#\($0.item.id)" }
    }

    @Test func itemsOfEveryLeafBelowInPublicationOrder() async throws {
        let f = try await tree()
        try await f.publish("site-a/floor-2/temp", itemID: "t1")
        try await f.publish("site-a/door", itemID: "d1")
        try await f.publish("site-a/floor-2/temp", itemID: "t2")
        let page = try await collectionItems(f, "site-a")
        // Depth "all": the leaf two levels down is included; the leaf's second parent changes nothing.
        #expect(entries(page) == ["site-a/floor-2/temp#t1", "site-a/door#d1", "site-a/floor-2/temp#t2"])
        #expect(page.count == 3)
        #expect(page.items.first?.item.payload == Array("reading".utf8))
        #expect(entries(try await collectionItems(f, "site-a/floor-2")) == ["site-a/floor-2/temp#t1", "site-a/floor-2/temp#t2"])
    }

    @Test func maxItemsIsTheNewestAcrossTheSubtree() async throws {
        let f = try await tree()
        for index in 0..<3 {
            try await f.publish("site-a/floor-2/temp", itemID: "t\(index)")
            try await f.publish("site-a/door", itemID: "d\(index)")
        }
        let page = try await collectionItems(f, "site-a", ItemQuery.mostRecent(3))
        #expect(entries(page) == ["site-a/door#d1", "site-a/floor-2/temp#t2", "site-a/door#d2"])
        #expect(page.count == 6)
    }

    @Test func rsmPagesAcrossLeavesByCursor() async throws {
        let f = try await tree()
        for index in 0..<3 {
            try await f.publish("site-a/floor-2/temp", itemID: "t\(index)")
            try await f.publish("site-a/door", itemID: "d\(index)")
        }
        let first = try await collectionItems(f, "site-a", ItemQuery(limit: 4, fromOldest: true))
        #expect(entries(first) == ["site-a/floor-2/temp#t0", "site-a/door#d0", "site-a/floor-2/temp#t1", "site-a/door#d1"])
        // A publish between pages does not shift the next page (cursor, not offset).
        try await f.publish("site-a/door", itemID: "d3")
        let second = try await collectionItems(f, "site-a", ItemQuery(limit: 4, after: try #require(first.last)))
        #expect(entries(second) == ["site-a/floor-2/temp#t2", "site-a/door#d2", "site-a/door#d3"])
    }

    @Test func accessModelOfTheCollectionAndOfEachLeaf() async throws {
        let f = try await tree()
        try await f.createNode("site-a/safe", parents: ["site-a"]) { $0.accessModel = .whitelist }
        try await f.publish("site-a/safe", itemID: "secret")
        try await f.publish("site-a/door", itemID: "d1")
        // A leaf the requester may not read is left out; the collection does not widen access to it.
        #expect(entries(try await collectionItems(f, "site-a", as: alice)) == ["site-a/door#d1"])
        #expect(entries(try await collectionItems(f, "site-a", as: owner)) == ["site-a/safe#secret", "site-a/door#d1"])
        // "subject to the access model of the collection node": its error is the answer.
        try await f.createNode("closed", type: .collection) { $0.accessModel = .whitelist }
        await #expect(throws: PubSubError.closedNode) { try await collectionItems(f, "closed", as: alice) }
    }

    @Test func discoItemsOnALeafListsItemIDsAndOnACollectionItsChildren() async throws {
        let f = try await tree()
        try await f.publish("site-a/door", itemID: "d1")
        try await f.publish("site-a/door", itemID: "d2")
        let leaf = try await f.service.perform(.childNodes(of: node("site-a/door")), as: .entity(alice))
        #expect(leaf == .itemIDs(node: node("site-a/door"), ids: ["d1", "d2"]))
        let collection = try await f.service.perform(.childNodes(of: node("site-a")), as: .entity(alice))
        guard case .nodes(let children) = collection else { Issue.record("\(collection)"); return }
        #expect(children.map(\.id.rawValue) == ["site-a/door", "site-a/floor-2"])
        // Same access rules as retrieval (§6.5.9).
        try await f.createNode("safe") { $0.accessModel = .whitelist }
        await #expect(throws: PubSubError.closedNode) {
            try await f.service.perform(.childNodes(of: node("safe")), as: .entity(alice))
        }
    }
}
