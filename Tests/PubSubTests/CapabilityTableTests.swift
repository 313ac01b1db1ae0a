import PubSub
import Testing

/// XEP-0060 §4.1 Table 4, transcribed column by column from the XEP (not from the implementation):
///
/// | Affiliation  | Subscribe | Retrieve | Publish | Delete Single Item | Purge | Configure | Delete |
/// |--------------|-----------|----------|---------|--------------------|-------|-----------|--------|
/// | Owner        | Yes       | Yes      | Yes     | Yes                | Yes   | Yes       | Yes    |
/// | Publisher    | Yes       | Yes      | Yes     | Yes *              | Yes * | No        | No     |
/// | Publish-Only | No        | No       | Yes     | Yes * (own only)   | No *  | No        | No     |
/// | Member       | Yes       | Yes      | No      | No                 | No    | No        | No     |
/// | None         | Yes       | No       | No      | No                 | No    | No        | No     |
/// | Outcast      | No        | No       | No      | No                 | No    | No        | No     |
///
/// Manage subscriptions / affiliations: owner only (§8.8, §8.9).
private let table4: [Affiliation: [Capability: Bool]] = [
    .owner: [.subscribe: true, .retrieveItems: true, .publish: true, .retractOwnItem: true, .retractAnyItem: true,
             .purge: true, .configure: true, .deleteNode: true, .manageSubscriptions: true, .manageAffiliations: true],
    .publisher: [.subscribe: true, .retrieveItems: true, .publish: true, .retractOwnItem: true, .retractAnyItem: true,
                 .purge: true, .configure: false, .deleteNode: false, .manageSubscriptions: false, .manageAffiliations: false],
    .publishOnly: [.subscribe: false, .retrieveItems: false, .publish: true, .retractOwnItem: true, .retractAnyItem: false,
                   .purge: false, .configure: false, .deleteNode: false, .manageSubscriptions: false, .manageAffiliations: false],
    .member: [.subscribe: true, .retrieveItems: true, .publish: false, .retractOwnItem: false, .retractAnyItem: false,
              .purge: false, .configure: false, .deleteNode: false, .manageSubscriptions: false, .manageAffiliations: false],
    .none: [.subscribe: true, .retrieveItems: false, .publish: false, .retractOwnItem: false, .retractAnyItem: false,
            .purge: false, .configure: false, .deleteNode: false, .manageSubscriptions: false, .manageAffiliations: false],
    .outcast: [.subscribe: false, .retrieveItems: false, .publish: false, .retractOwnItem: false, .retractAnyItem: false,
               .purge: false, .configure: false, .deleteNode: false, .manageSubscriptions: false, .manageAffiliations: false],
]

@Suite("XEP-0060 §4.1 Table 4")
struct CapabilityTableTests {
    @Test(arguments: Affiliation.allCases, Capability.allCases)
    func cell(_ affiliation: Affiliation, _ capability: Capability) throws {
        let row = try #require(table4[affiliation])
        // A missing cell compares as nil and fails.
        #expect(CapabilityTable.allows(affiliation, capability) == row[capability])
    }

    @Test func affiliationWireNames() {
        #expect(Affiliation.allCases.map(\.rawValue) == ["owner", "publisher", "publish-only", "member", "none", "outcast"])
    }
}
