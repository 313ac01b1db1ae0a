import Foundation
import PubSub
import Testing

/// §6.5 retrieval and cursor paging (XEP-0059 shaped) that stays correct while items arrive.
@Suite struct ItemPagingTests {
    func filled(_ count: Int) async throws -> Fixture {
        let f = Fixture()
        try await f.createNode("n") { $0.maxItems = nil }
        for index in 0..<count { try await f.publish("n", itemID: "i\(index)") }
        return f
    }

    @Test func mostRecentAndByID() async throws {
        let f = try await filled(5)
        #expect(try await f.items("n", .mostRecent(2)).items.map(\.id) == ["i3", "i4"])
        #expect(try await f.items("n", .ids(["i1", "i3", "missing"])).items.map(\.id) == ["i1", "i3"])
        // §6.5.9.12: unknown items give an empty result, not an error.
        #expect(try await f.items("n", .ids(["missing"])).items.isEmpty)
        #expect(try await f.items("n", ItemQuery(limit: -3)).items.isEmpty)
    }

    @Test func forwardPagingIsStableWhilePublishing() async throws {
        let f = try await filled(5)
        var seen: [String] = []
        var cursor: ItemCursor?
        var published = 5
        while true {
            let page = try await f.items("n", ItemQuery(limit: 2, after: cursor, fromOldest: true))
            guard let last = page.last else { break }
            seen += page.items.map(\.id)
            cursor = last
            // Items arrive between pages; a cursor sees each exactly once, an offset would not.
            if published < 8 {
                try await f.publish("n", itemID: "i\(published)")
                published += 1
            }
        }
        #expect(seen == (0..<8).map { "i\($0)" })
    }

    @Test func pagingWhileManyPublishersRun() async throws {
        let f = Fixture()
        try await f.createNode("n") { $0.maxItems = nil; $0.publishModel = .open }
        let pager = Task {
            var seen: [String] = []
            var cursor: ItemCursor?
            for _ in 0..<400 {
                let page = try await f.items("n", ItemQuery(limit: 3, after: cursor, fromOldest: true))
                seen += page.items.map(\.id)
                cursor = page.last ?? cursor
                await Task.yield()
            }
            return (seen, cursor)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { try await f.publish("n", itemID: "p\(index)", as: index % 2 == 0 ? alice : bob) }
            }
            try await group.waitForAll()
        }
        var (seen, cursor) = try await pager.value
        while true {
            let page = try await f.items("n", ItemQuery(limit: 3, after: cursor, fromOldest: true))
            guard let last = page.last else { break }
            seen += page.items.map(\.id)
            cursor = last
        }
        let all = try await f.items("n").items.map(\.id)
        #expect(all.count == 100)
        #expect(seen == all)
    }

    @Test func backwardPagingFromTheNewest() async throws {
        let f = try await filled(5)
        let newest = try await f.items("n", ItemQuery(limit: 2))
        #expect(newest.items.map(\.id) == ["i3", "i4"])
        #expect(newest.count == 5)
        let older = try await f.items("n", ItemQuery(limit: 2, before: newest.first))
        #expect(older.items.map(\.id) == ["i1", "i2"])
        let oldest = try await f.items("n", ItemQuery(limit: 2, before: older.first))
        #expect(oldest.items.map(\.id) == ["i0"])
    }

    @Test func cursorTokenSurvivesARoundTrip() async throws {
        let f = try await filled(4)
        let first = try await f.items("n", ItemQuery(limit: 2, fromOldest: true))
        #expect(first.items.map(\.id) == ["i0", "i1"])
        let token = try #require(first.last?.token)
        let next = try await f.items("n", ItemQuery(limit: 2, after: ItemCursor(token: token)))
        #expect(next.items.map(\.id) == ["i2", "i3"])
    }

    @Test func publicationTimesNeverGoBackwards() async throws {
        let f = Fixture()
        try await f.createNode("n")
        try await f.publish("n", itemID: "a")
        f.clock.advance(seconds: -10)
        try await f.publish("n", itemID: "b")
        let items = try await f.items("n").items
        #expect(items.map(\.id) == ["a", "b"])
        #expect(items[0].published < items[1].published)
    }
}
