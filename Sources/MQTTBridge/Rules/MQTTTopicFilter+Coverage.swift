extension MQTTTopicFilter {
    /// Whether every topic name `other` matches is matched by `self` too (MQTT 3.1.1 §4.7.1), so a
    /// subscription to `self` receives everything a subscription to `other` would.
    ///
    /// `plant/#` covers `plant/+/press` and `plant`; `+/temp` does not cover `$SYS/temp` (§4.7.2:
    /// a leading wildcard never matches a `$` topic); `a/+` does not cover `a/#` (which also matches
    /// `a` and `a/b/c`).
    public func covers(_ other: MQTTTopicFilter) -> Bool {
        let mine = levels
        let theirs = other.levels
        // A leading wildcard here misses the `$` topics a leading `$` literal there names.
        let theyNameDollarTopics = theirs.first?.literalValue?.hasPrefix("$") ?? false
        for (index, level) in mine.enumerated() {
            switch level {
            case .multiLevel:
                return !(index == 0 && theyNameDollarTopics)
            case .singleLevel:
                guard index < theirs.count else { return false }
                if index == 0, theyNameDollarTopics { return false }
                // Their `#` also matches topics that end before this level.
                if case .multiLevel = theirs[index] { return false }
            case .literal(let text):
                guard index < theirs.count, theirs[index].literalValue == text else { return false }
            }
        }
        return theirs.count == mine.count
    }
}
