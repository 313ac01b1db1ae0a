import MQTTBridge
import Testing

@Suite struct BridgeMappingTests {
    private func configurationError(_ make: () throws(BridgeConfigurationError) -> Void) -> BridgeConfigurationError? {
        do {
            try make()
            return nil
        } catch {
            return error
        }
    }

    @Test func configWordsParse() throws {
        let mapping = try BridgeMapping(
            name: "temps", filter: "sensors/+/temp", nodeTemplate: "sensors/{1}/temp", direction: "both", qos: 0,
            format: "json", retain: true, clearRetainedOnRetract: true, autoCreate: true)
        #expect(mapping.direction == .both)
        #expect(mapping.format == .json)
        #expect(mapping.qos == 0)
        #expect(mapping.retain && mapping.clearRetainedOnRetract && mapping.autoCreate)
        #expect(BridgeMapping.Direction(configValue: "in") == .inbound)
        #expect(BridgeMapping.Direction(configValue: "out") == .outbound)
        #expect(PayloadFormat.allCases.map(\.configValue) == ["raw", "text", "json", "xml"])
    }

    @Test func errorsNameTheMapping() {
        let cases: [(() throws(BridgeConfigurationError) -> Void, BridgeConfigurationError.Reason)] = [
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a/+/#/b", nodeTemplate: "x", direction: .inbound) },
             .topicMapping(.invalidFilter("a/+/#/b", .multiLevelWildcardNotLast))),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a/+", nodeTemplate: "x/{2}", direction: .inbound) },
             .topicMapping(.missingWildcard(placeholder: 2, wildcards: 1))),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a/+", nodeTemplate: "all", direction: .both) },
             .notReversible),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a", nodeTemplate: "a", direction: .inbound, qos: 2) },
             .unsupportedQoS(2)),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a", nodeTemplate: "a", direction: .inbound, retain: true) },
             .optionNeedsDirection(option: "retain", direction: .inbound)),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a", nodeTemplate: "a", direction: .outbound, autoCreate: true) },
             .optionNeedsDirection(option: "auto_create", direction: .outbound)),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a", nodeTemplate: "a", direction: "sideways") },
             .invalidValue(key: "direction", value: "sideways", expected: "in, out or both")),
            ({ () throws(BridgeConfigurationError) in
                _ = try BridgeMapping(name: "m", filter: "a", nodeTemplate: "a", direction: "in", format: "yaml") },
             .invalidValue(key: "format", value: "yaml", expected: "raw, text, json or xml")),
        ]
        for (make, reason) in cases {
            let error = configurationError(make)
            #expect(error?.mapping == "m")
            #expect(error?.reason == reason)
            #expect(error?.description.hasPrefix("bridge mapping 'm': ") == true, "\(String(describing: error))")
        }
        let missing = configurationError { () throws(BridgeConfigurationError) in
            _ = try BridgeMapping(name: "m", filter: "a/+", nodeTemplate: "x/{3}", direction: .inbound)
        }
        #expect(missing?.description == "bridge mapping 'm': node template refers to {3} but the topic filter has 1 wildcard(s)")
    }

    @Test func connectionRulesRejectDuplicateNamesAndNoMappings() throws {
        let a = try BridgeMapping(name: "a", filter: "x/+", nodeTemplate: "x/{1}", direction: .both)
        let b = try BridgeMapping(name: "a", filter: "y/+", nodeTemplate: "y/{1}", direction: .both)
        let duplicate = configurationError { () throws(BridgeConfigurationError) in
            _ = try BridgeConnectionRules(name: "broker", mappings: [a, b])
        }
        #expect(duplicate == BridgeConfigurationError(connection: "broker", mapping: "a", reason: .duplicateMappingName))
        #expect(duplicate?.description.hasPrefix("bridge 'broker' mapping 'a': ") == true)
        let empty = configurationError { () throws(BridgeConfigurationError) in
            _ = try BridgeConnectionRules(name: "broker", mappings: [])
        }
        #expect(empty?.reason == .noMappings)
        let connections = [try BridgeConnectionRules(name: "k", mappings: [a]), try BridgeConnectionRules(name: "k", mappings: [a])]
        let twice = configurationError { () throws(BridgeConfigurationError) in
            try BridgeConnectionRules.validate(connections)
        }
        #expect(twice?.reason == .duplicateConnectionName)
    }

    @Test func anInboundOnlyMappingBehindACoveringFilterIsAnError() throws {
        let general = try BridgeMapping(name: "all", filter: "plant/#", nodeTemplate: "plant/{1}", direction: .inbound)
        let specific = try BridgeMapping(name: "press", filter: "plant/+/press", nodeTemplate: "p/{1}", direction: .inbound)
        let error = configurationError { () throws(BridgeConfigurationError) in
            _ = try BridgeConnectionRules(name: "c", mappings: [general, specific])
        }
        #expect(error == BridgeConfigurationError(connection: "c", mapping: "press", reason: .shadowed(by: "all")))
        // Specific first is the intended order; a shadowed `both` mapping still works outbound.
        _ = try BridgeConnectionRules(name: "c", mappings: [specific, general])
        let both = try BridgeMapping(name: "press", filter: "plant/+/press", nodeTemplate: "p/{1}", direction: .both)
        _ = try BridgeConnectionRules(name: "c", mappings: [general, both])
    }

    @Test func filterCoverage() throws {
        func covers(_ a: String, _ b: String) throws -> Bool { try MQTTTopicFilter(a).covers(MQTTTopicFilter(b)) }
        #expect(try covers("plant/#", "plant/+/press"))
        #expect(try covers("plant/#", "plant"))
        #expect(try covers("#", "a/b"))
        #expect(try covers("+/+", "a/b"))
        #expect(try covers("a/+", "a/b"))
        #expect(try !covers("a/+", "a/#"))
        #expect(try !covers("a/+", "a/b/c"))
        #expect(try !covers("a/b", "a/+"))
        #expect(try !covers("#", "$SYS/x"))
        #expect(try !covers("+/x", "$SYS/x"))
        #expect(try covers("$SYS/#", "$SYS/x"))
    }

    @Test func subscriptionsAreAMinimalCoverWithTheHighestQoS() throws {
        let rules = try BridgeConnectionRules(name: "c", mappings: [
            BridgeMapping(name: "press", filter: "plant/+/press", nodeTemplate: "p/{1}", direction: .inbound, qos: 1),
            BridgeMapping(name: "all", filter: "plant/#", nodeTemplate: "plant/{1}", direction: .both, qos: 0),
            BridgeMapping(name: "temps", filter: "sensors/+/temp", nodeTemplate: "sensors/{1}/temp", direction: .both, qos: 0),
            BridgeMapping(name: "out", filter: "cmd/+", nodeTemplate: "cmd/{1}", direction: .outbound),
        ])
        #expect(rules.subscriptions.map(\.filter.rawValue) == ["plant/#", "sensors/+/temp"])
        #expect(rules.subscriptions.map(\.qos) == [1, 0])
    }
}
