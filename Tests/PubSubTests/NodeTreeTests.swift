import PubSub
import Testing

/// XEP-0248 collection nodes: the node graph.
@Suite struct NodeTreeTests {
    @Test func createLeafAndCollectionWithParent() async throws {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        try await f.createNode("site-a/temp", parents: ["site-a"])
        let result = try await f.service.perform(.childNodes(of: node("site-a")), as: .entity(alice))
        #expect(result == .nodes([NodeSummary(id: node("site-a/temp"), title: "", type: .leaf)]))
        let top = try await f.service.perform(.childNodes(of: nil), as: .entity(alice))
        #expect(top == .nodes([NodeSummary(id: node("site-a"), title: "", type: .collection)]))
    }

    @Test func configurationReportsDerivedChildren() async throws {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        try await f.createNode("site-a/temp", parents: ["site-a"])
        let result = try await f.service.perform(.getConfiguration(node: node("site-a")), as: .entity(owner))
        guard case .configuration(let configuration, let children) = result else { Issue.record("\(result)"); return }
        #expect(configuration.nodeType == .collection)
        #expect(children == [node("site-a/temp")])
    }

    @Test func duplicateNodeIsConflict() async throws {
        let f = Fixture()
        try await f.createNode("n")
        await #expect(throws: PubSubError.nodeExists) { try await f.createNode("n") }
    }

    @Test func instantNodeGetsAGeneratedID() async throws {
        let f = Fixture()
        let result = try await f.service.perform(.create(node: nil, configuration: nil), as: .entity(alice))
        guard case .created(let id) = result else { Issue.record("\(result)"); return }
        #expect(id.rawValue.count == 26)
    }

    @Test func instantNodesCanBeDisabled() async throws {
        let f = Fixture { $0.instantNodes = false }
        await #expect(throws: PubSubError.nodeIDRequired) {
            try await f.service.perform(.create(node: nil, configuration: nil), as: .entity(alice))
        }
    }

    @Test func creationPolicy() async throws {
        let local = Fixture()
        await #expect(throws: PubSubError.forbidden) { try await local.createNode("n", as: stranger) }
        let admins = Fixture { $0.creationPolicy = .admins([owner]) }
        await #expect(throws: PubSubError.forbidden) { try await admins.createNode("n", as: alice) }
        try await admins.createNode("n", as: owner)
        _ = try await admins.service.perform(.create(node: node("sys"), configuration: nil), as: .system)
    }

    @Test func parentMustBeAnExistingCollection() async throws {
        let f = Fixture()
        try await f.createNode("leaf")
        await #expect(throws: PubSubError.invalidGraphChange) { try await f.createNode("child", parents: ["leaf"]) }
        await #expect(throws: PubSubError.nodeNotFound) { try await f.createNode("child", parents: ["missing"]) }
    }

    @Test func onlyOwnersOfTheCollectionMayAssociateByDefault() async throws {
        let f = Fixture()
        try await f.createNode("site-a", type: .collection)
        await #expect(throws: PubSubError.forbidden) { try await f.createNode("x", parents: ["site-a"], as: alice) }
        try await f.createNode("open", type: .collection) { $0.childrenAssociationPolicy = .all }
        try await f.createNode("y", parents: ["open"], as: alice)
    }

    @Test func cyclesAreRejected() async throws {
        let f = Fixture()
        try await f.createNode("a", type: .collection)
        try await f.createNode("b", type: .collection, parents: ["a"])
        try await f.createNode("c", type: .collection, parents: ["b"])
        var configuration = NodeConfiguration.defaults(for: .collection)
        configuration.collections = [node("c")]
        await #expect(throws: PubSubError.invalidGraphChange) {
            try await f.service.perform(.configure(node: node("a"), configuration: configuration, children: nil), as: .entity(owner))
        }
        configuration.collections = [node("a")]
        await #expect(throws: PubSubError.invalidGraphChange) {
            try await f.service.perform(.configure(node: node("a"), configuration: configuration, children: nil), as: .entity(owner))
        }
        // Through pubsub#children: making `a` a child of `c` closes a -> b -> c -> a.
        await #expect(throws: PubSubError.invalidGraphChange) {
            try await f.service.perform(
                .configure(node: node("c"), configuration: .defaults(for: .collection), children: [node("a")]), as: .entity(owner))
        }
    }

    @Test func childrenFieldAssociatesAndDissociates() async throws {
        let f = Fixture()
        try await f.createNode("col", type: .collection)
        try await f.createNode("x")
        try await f.createNode("y", parents: ["col"])
        _ = try await f.service.perform(
            .configure(node: node("col"), configuration: .defaults(for: .collection), children: [node("x")]), as: .entity(owner))
        #expect(try await f.service.perform(.childNodes(of: node("col")), as: .system)
            == .nodes([NodeSummary(id: node("x"), title: "", type: .leaf)]))
        #expect(try await f.store.node(node("y"))?.parents == [])
    }

    @Test func leafCannotHaveChildrenAndCollectionCannotBecomeLeaf() async throws {
        let f = Fixture()
        try await f.createNode("leaf")
        try await f.createNode("other")
        await #expect(throws: PubSubError.invalidGraphChange) {
            try await f.service.perform(
                .configure(node: node("leaf"), configuration: .defaults(for: .leaf), children: [node("other")]), as: .entity(owner))
        }
        try await f.createNode("col", type: .collection)
        await #expect(throws: PubSubError.invalidGraphChange) {
            try await f.service.perform(.configure(node: node("col"), configuration: .defaults(for: .leaf), children: nil), as: .entity(owner))
        }
    }

    @Test func leafBecomingCollectionIsPurged() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.publish("n")
        _ = try await f.service.perform(.configure(node: node("n"), configuration: .defaults(for: .collection), children: nil), as: .entity(owner))
        #expect(try await f.store.items(in: node("n"), query: .all).count == 0)
    }

    @Test func childrenMax() async throws {
        let f = Fixture()
        try await f.createNode("col", type: .collection) { $0.childrenMax = 1 }
        try await f.createNode("one", parents: ["col"])
        await #expect(throws: PubSubError.maxNodesExceeded) { try await f.createNode("two", parents: ["col"]) }
    }

    @Test func publishingToACollectionIsUnsupported() async throws {
        let f = Fixture()
        try await f.createNode("col", type: .collection)
        await #expect(throws: PubSubError.unsupported(.publish)) { try await f.publish("col") }
    }

    /// XEP-0248 §8.2: Starling orphans children whose only parent is deleted (they become top-level) and
    /// keeps children's other parents.
    @Test func deletingACollectionOrphansChildrenAndKeepsOtherParents() async throws {
        let f = Fixture()
        try await f.createNode("a", type: .collection)
        try await f.createNode("b", type: .collection)
        try await f.createNode("only-a", parents: ["a"])
        try await f.createNode("both", parents: ["a", "b"])
        _ = try await f.service.perform(.delete(node: node("a"), redirect: nil), as: .entity(owner))
        #expect(try await f.store.node(node("only-a"))?.parents == [])
        #expect(try await f.store.node(node("both"))?.parents == [node("b")])
        let top = try await f.service.perform(.childNodes(of: nil), as: .system)
        #expect(top == .nodes([
            NodeSummary(id: node("b"), title: "", type: .collection),
            NodeSummary(id: node("only-a"), title: "", type: .leaf),
        ]))
    }

    @Test func metadata() async throws {
        let f = Fixture()
        try await f.createNode("col", type: .collection) { $0.title = "Site A" }
        try await f.createNode("leaf", parents: ["col"])
        try await f.subscribe("col", alice)
        let result = try await f.service.perform(.metadata(node: node("col")), as: .entity(bob))
        guard case .metadata(let metadata) = result else { Issue.record("\(result)"); return }
        #expect(metadata.node.configuration.title == "Site A")
        #expect(metadata.children == [node("leaf")])
        #expect(metadata.owners == [owner])
        #expect(metadata.subscriberCount == 1)
        #expect(metadata.node.creator == owner)
    }
}
