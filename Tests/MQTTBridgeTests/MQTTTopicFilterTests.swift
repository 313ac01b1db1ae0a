import MQTTBridge
import Testing

/// MQTT 3.1.1 §4.7, with the examples the section gives.
@Suite struct MQTTTopicFilterTests {
    @Test(arguments: ["sport/tennis/player1/#", "sport/#", "#", "+", "+/tennis/#", "sport/+/player1", "/+", "+/+", "a//b", "$SYS/#", " spaced level "])
    func validFilters(_ filter: String) throws {
        #expect(try MQTTTopicFilter(filter).rawValue == filter)
    }

    @Test(arguments: [
        ("", MQTTTopicFilter.ValidationError.empty),
        ("sport/tennis#", .wildcardNotWholeLevel(level: "tennis#")),
        ("sport/tennis/#/ranking", .multiLevelWildcardNotLast),
        ("#/a", .multiLevelWildcardNotLast),
        ("sport+", .wildcardNotWholeLevel(level: "sport+")),
        ("a/b+c/d", .wildcardNotWholeLevel(level: "b+c")),
        ("a/\u{0}", .containsNull),
    ])
    func invalidFilters(_ filter: String, _ expected: MQTTTopicFilter.ValidationError) {
        #expect(throws: expected) { try MQTTTopicFilter(filter) }
    }

    @Test func tooLongFilterIsRejected() {
        let filter = String(repeating: "a", count: 65_536)
        #expect(throws: MQTTTopicFilter.ValidationError.tooLong(bytes: 65_536)) { try MQTTTopicFilter(filter) }
    }

    @Test func multiLevelWildcardMatchesParentAndChildren() throws {
        let filter = try MQTTTopicFilter("sport/tennis/player1/#")
        #expect(filter.matches(topic: "sport/tennis/player1") == [""])
        #expect(filter.matches(topic: "sport/tennis/player1/ranking") == ["ranking"])
        #expect(filter.matches(topic: "sport/tennis/player1/score/wimbledon") == ["score/wimbledon"])
        #expect(filter.matches(topic: "sport/tennis/player2") == nil)
        #expect(try MQTTTopicFilter("#").matches(topic: "a/b/c") == ["a/b/c"])
    }

    @Test func singleLevelWildcardMatchesExactlyOneLevel() throws {
        let filter = try MQTTTopicFilter("sport/tennis/+")
        #expect(filter.matches(topic: "sport/tennis/player1") == ["player1"])
        #expect(filter.matches(topic: "sport/tennis/player1/ranking") == nil)
        #expect(filter.matches(topic: "sport/tennis") == nil)
        // §4.7.1.3: "sport/+" does not match "sport" but does match "sport/".
        let sport = try MQTTTopicFilter("sport/+")
        #expect(sport.matches(topic: "sport") == nil)
        #expect(sport.matches(topic: "sport/") == [""])
        #expect(try MQTTTopicFilter("+/+").matches(topic: "/finance") == ["", "finance"])
        #expect(try MQTTTopicFilter("/+").matches(topic: "/finance") == ["finance"])
        #expect(try MQTTTopicFilter("+").matches(topic: "/finance") == nil)
    }

    @Test func capturesComeInFilterOrder() throws {
        let filter = try MQTTTopicFilter("site/+/floor/+/#")
        #expect(filter.matches(topic: "site/a/floor/2/temp/raw") == ["a", "2", "temp/raw"])
        #expect(filter.wildcardCount == 3)
        #expect(!filter.isTopicName)
        #expect(try MQTTTopicFilter("a/b").isTopicName)
    }

    @Test func literalFiltersMatchExactlyAndCaseSensitively() throws {
        let filter = try MQTTTopicFilter("ACCOUNTS/a")
        #expect(filter.matches(topic: "ACCOUNTS/a") == [])
        #expect(filter.matches(topic: "Accounts/a") == nil)
        #expect(filter.matches(topic: "ACCOUNTS/a/b") == nil)
    }

    @Test func leadingWildcardsDoNotMatchDollarTopics() throws {
        // §4.7.2
        #expect(try MQTTTopicFilter("#").matches(topic: "$SYS/broker/uptime") == nil)
        #expect(try MQTTTopicFilter("+/monitor/Clients").matches(topic: "$SYS/monitor/Clients") == nil)
        #expect(try MQTTTopicFilter("$SYS/#").matches(topic: "$SYS/broker/uptime") == ["broker/uptime"])
        #expect(try MQTTTopicFilter("$SYS/monitor/+").matches(topic: "$SYS/monitor/Clients") == ["Clients"])
    }

    @Test func topicNamesWithWildcardsNeverMatch() throws {
        #expect(try MQTTTopicFilter("#").matches(topic: "a/+") == nil)
        #expect(try MQTTTopicFilter("#").matches(topic: "") == nil)
        #expect(throws: MQTTTopicFilter.ValidationError.wildcardInTopicName) {
            try MQTTTopicFilter.validateTopicName("a/#")
        }
        #expect(throws: MQTTTopicFilter.ValidationError.empty) { try MQTTTopicFilter.validateTopicName("") }
    }
}
