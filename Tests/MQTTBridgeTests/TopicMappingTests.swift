import MQTTBridge
import Testing

@Suite struct TopicMappingTests {
    @Test func singleLevelWildcardMapsBothWays() throws {
        let mapping = try TopicMapping(name: "temps", filter: "site/+/temp", nodeTemplate: "site-a/{1}/temp")
        #expect(mapping.isReversible)
        #expect(mapping.node(forTopic: "site/7/temp") == "site-a/7/temp")
        #expect(mapping.topic(forNode: "site-a/7/temp") == "site/7/temp")
        #expect(mapping.node(forTopic: "site/7/humidity") == nil)
        #expect(mapping.topic(forNode: "site-b/7/temp") == nil)
        #expect(mapping.topic(forNode: "site-a/7/8/temp") == nil)
    }

    @Test func multiLevelWildcardMapsASubtree() throws {
        let mapping = try TopicMapping(name: "plant", filter: "plant/#", nodeTemplate: "plant/{1}")
        #expect(mapping.node(forTopic: "plant/hall/press") == "plant/hall/press")
        #expect(mapping.node(forTopic: "plant") == "plant")
        #expect(mapping.topic(forNode: "plant/hall/press") == "plant/hall/press")
        #expect(mapping.topic(forNode: "plant") == "plant")
        #expect(mapping.topic(forNode: "factory/hall") == nil)
    }

    @Test func multiLevelCaptureInTheMiddleOfTheTemplate() throws {
        let mapping = try TopicMapping(name: "raw", filter: "dev/+/#", nodeTemplate: "devices/{1}/{2}/raw")
        #expect(mapping.node(forTopic: "dev/x/a/b") == "devices/x/a/b/raw")
        #expect(mapping.node(forTopic: "dev/x") == "devices/x/raw")
        #expect(mapping.topic(forNode: "devices/x/a/b/raw") == "dev/x/a/b")
        #expect(mapping.topic(forNode: "devices/x/raw") == "dev/x")
    }

    @Test func capturesMayBeReordered() throws {
        let mapping = try TopicMapping(name: "swap", filter: "+/+/v", nodeTemplate: "{2}/{1}")
        #expect(mapping.node(forTopic: "a/b/v") == "b/a")
        #expect(mapping.topic(forNode: "b/a") == "a/b/v")
    }

    @Test func repeatedSingleLevelCaptureMustAgreeOnTheWayBack() throws {
        let mapping = try TopicMapping(name: "twice", filter: "s/+", nodeTemplate: "{1}/x/{1}")
        #expect(mapping.node(forTopic: "s/a") == "a/x/a")
        #expect(mapping.topic(forNode: "a/x/a") == "s/a")
        #expect(mapping.topic(forNode: "a/x/b") == nil)
    }

    @Test func inboundOnlyMappingHasNoReverse() throws {
        let mapping = try TopicMapping(name: "all", filter: "site/+/temp", nodeTemplate: "all-temps")
        #expect(!mapping.isReversible)
        #expect(mapping.node(forTopic: "site/1/temp") == "all-temps")
        #expect(mapping.topic(forNode: "all-temps") == nil)
    }

    @Test func literalMappingWithoutWildcards() throws {
        let mapping = try TopicMapping(name: "one", filter: "a/b", nodeTemplate: "x/y")
        #expect(mapping.isReversible)
        #expect(mapping.node(forTopic: "a/b") == "x/y")
        #expect(mapping.topic(forNode: "x/y") == "a/b")
    }

    @Test func capturesThatCannotBeNodeSegmentsOrTopicLevelsDoNotMap() throws {
        let mapping = try TopicMapping(name: "temps", filter: "site/+/temp", nodeTemplate: "site-a/{1}/temp")
        // An empty level is a valid topic but would make an empty node segment.
        #expect(mapping.node(forTopic: "site//temp") == nil)
        // §4.7.1.1: topic names carry no wildcard characters.
        #expect(mapping.topic(forNode: "site-a/+/temp") == nil)
        #expect(mapping.topic(forNode: "site-a/#/temp") == nil)
        #expect(mapping.topic(forNode: "site-a//temp") == nil)
    }

    @Test func templateReferringToAMissingWildcardNamesTheMapping() {
        #expect(throws: TopicMappingError(mapping: "temps", reason: .missingWildcard(placeholder: 2, wildcards: 1))) {
            try TopicMapping(name: "temps", filter: "site/+/temp", nodeTemplate: "site-a/{2}/temp")
        }
        do {
            _ = try TopicMapping(name: "temps", filter: "site/temp", nodeTemplate: "site-a/{1}")
            Issue.record("expected an error")
        } catch {
            #expect(error.mapping == "temps")
            #expect(error.description.contains("bridge mapping 'temps'"))
            #expect(error.description.contains("{1}"))
        }
    }

    @Test(arguments: [
        ("site/#/x", "n/{1}"),
        ("", "n"),
        ("a/+", ""),
        ("a/+", "n//{1}"),
        ("a/+", "/n/{1}"),
        ("a/+", "n/{1}/"),
        ("a/+", "n/x{1}"),
        ("a/+", "n/{0}"),
        ("a/+", "n/{+1}"),
        ("a/+", "n/{one}"),
        ("a/+", "n/{1"),
        ("a/#", "{1}/{1}"),
    ])
    func invalidMappingsAreRejectedWithTheirName(_ filter: String, _ template: String) {
        do {
            _ = try TopicMapping(name: "bad", filter: filter, nodeTemplate: template)
            Issue.record("'\(filter)' ↔ '\(template)' was accepted")
        } catch {
            #expect(error.mapping == "bad")
            #expect(error.description.hasPrefix("bridge mapping 'bad': "))
        }
    }
}
