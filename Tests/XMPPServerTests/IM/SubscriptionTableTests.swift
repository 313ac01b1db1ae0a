import Accounts
import Testing
import XMPPCore
import XMPPServer

/// Every row of RFC 6121 Appendix A.2 (outbound) and A.3 (inbound), one test case per row.
/// Outbound rows are alice's server handling alice's stanza to bob; inbound rows are bob's server
/// handling alice's stanza, `item` being bob's record for alice.
@Suite struct SubscriptionTableTests {
    // MARK: A.2 Server processing of outbound presence subscription stanzas

    static let outboundSubscribeRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.2.1", .neither, true, .noneOut),
        SubscriptionTableRow("A.2.1", .noneOut, true, nil),
        SubscriptionTableRow("A.2.1", .noneIn, true, .noneOutIn),
        SubscriptionTableRow("A.2.1", .noneOutIn, true, nil),
        SubscriptionTableRow("A.2.1", .to, true, nil),
        SubscriptionTableRow("A.2.1", .toIn, true, nil),
        SubscriptionTableRow("A.2.1", .from, true, .fromOut),
        SubscriptionTableRow("A.2.1", .fromOut, true, nil),
        SubscriptionTableRow("A.2.1", .both, true, nil),
    ]

    static let outboundUnsubscribeRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.2.2", .neither, true, nil),
        SubscriptionTableRow("A.2.2", .noneOut, true, .neither),
        SubscriptionTableRow("A.2.2", .noneIn, true, nil),
        SubscriptionTableRow("A.2.2", .noneOutIn, true, .noneIn),
        SubscriptionTableRow("A.2.2", .to, true, .neither),
        SubscriptionTableRow("A.2.2", .toIn, true, .noneIn),
        SubscriptionTableRow("A.2.2", .from, true, nil),
        SubscriptionTableRow("A.2.2", .fromOut, true, .from),
        SubscriptionTableRow("A.2.2", .both, true, .from),
    ]

    /// A.2.3 as printed, i.e. for a server without pre-approval; the None, None + Pending Out and To
    /// rows with pre-approval are in `outboundSubscribedPreApproval`.
    static let outboundSubscribedRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.2.3", .neither, false, nil),
        SubscriptionTableRow("A.2.3", .noneOut, false, nil),
        SubscriptionTableRow("A.2.3", .noneIn, true, .from),
        SubscriptionTableRow("A.2.3", .noneOutIn, true, .fromOut),
        SubscriptionTableRow("A.2.3", .to, false, nil),
        SubscriptionTableRow("A.2.3", .toIn, true, .both),
        SubscriptionTableRow("A.2.3", .from, false, nil),
        SubscriptionTableRow("A.2.3", .fromOut, false, nil),
        SubscriptionTableRow("A.2.3", .both, false, nil),
    ]

    static let outboundUnsubscribedRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.2.4", .neither, false, nil),
        SubscriptionTableRow("A.2.4", .noneOut, false, nil),
        SubscriptionTableRow("A.2.4", .noneIn, true, .neither),
        SubscriptionTableRow("A.2.4", .noneOutIn, true, .noneOut),
        SubscriptionTableRow("A.2.4", .to, false, nil),
        SubscriptionTableRow("A.2.4", .toIn, true, .to),
        SubscriptionTableRow("A.2.4", .from, true, .neither),
        SubscriptionTableRow("A.2.4", .fromOut, true, .noneOut),
        SubscriptionTableRow("A.2.4", .both, true, .to),
    ]

    // MARK: A.3 Server processing of inbound presence subscription stanzas

    static let inboundSubscribeRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.3.1", .neither, true, .noneIn),
        SubscriptionTableRow("A.3.1", .noneOut, true, .noneOutIn),
        SubscriptionTableRow("A.3.1", .noneIn, false, nil),
        SubscriptionTableRow("A.3.1", .noneOutIn, false, nil),
        SubscriptionTableRow("A.3.1", .to, true, .toIn),
        SubscriptionTableRow("A.3.1", .toIn, false, nil),
        SubscriptionTableRow("A.3.1", .from, false, nil),
        SubscriptionTableRow("A.3.1", .fromOut, false, nil),
        SubscriptionTableRow("A.3.1", .both, false, nil),
    ]

    static let inboundUnsubscribeRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.3.2", .neither, false, nil),
        SubscriptionTableRow("A.3.2", .noneOut, false, nil),
        SubscriptionTableRow("A.3.2", .noneIn, true, .neither),
        SubscriptionTableRow("A.3.2", .noneOutIn, true, .noneOut),
        SubscriptionTableRow("A.3.2", .to, false, nil),
        SubscriptionTableRow("A.3.2", .toIn, true, .to),
        SubscriptionTableRow("A.3.2", .from, true, .neither),
        SubscriptionTableRow("A.3.2", .fromOut, true, .noneOut),
        SubscriptionTableRow("A.3.2", .both, true, .to),
    ]

    static let inboundSubscribedRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.3.3", .neither, false, nil),
        SubscriptionTableRow("A.3.3", .noneOut, true, .to),
        SubscriptionTableRow("A.3.3", .noneIn, false, nil),
        SubscriptionTableRow("A.3.3", .noneOutIn, true, .toIn),
        SubscriptionTableRow("A.3.3", .to, false, nil),
        SubscriptionTableRow("A.3.3", .toIn, false, nil),
        SubscriptionTableRow("A.3.3", .from, false, nil),
        SubscriptionTableRow("A.3.3", .fromOut, true, .both),
        SubscriptionTableRow("A.3.3", .both, false, nil),
    ]

    static let inboundUnsubscribedRows: [SubscriptionTableRow] = [
        SubscriptionTableRow("A.3.4", .neither, false, nil),
        SubscriptionTableRow("A.3.4", .noneOut, true, .neither),
        SubscriptionTableRow("A.3.4", .noneIn, false, nil),
        SubscriptionTableRow("A.3.4", .noneOutIn, true, .noneIn),
        SubscriptionTableRow("A.3.4", .to, true, .neither),
        SubscriptionTableRow("A.3.4", .toIn, true, .noneIn),
        SubscriptionTableRow("A.3.4", .from, false, nil),
        SubscriptionTableRow("A.3.4", .fromOut, true, .from),
        SubscriptionTableRow("A.3.4", .both, true, .from),
    ]

    // MARK: - Tests

    @Test(arguments: outboundSubscribeRows)
    func outboundSubscribe(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.outbound(.subscribe, item: row.existing.item(IMFixtures.bob), contact: IMFixtures.bob)
        check(outcome, row)
        #expect(outcome.autoReply == nil)
    }

    @Test(arguments: outboundUnsubscribeRows)
    func outboundUnsubscribe(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.outbound(.unsubscribe, item: row.existing.item(IMFixtures.bob), contact: IMFixtures.bob)
        check(outcome, row)
        #expect(outcome.autoReply == nil)
    }

    @Test(arguments: outboundSubscribedRows)
    func outboundSubscribed(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.outbound(
            .subscribed, item: row.existing.item(IMFixtures.bob), contact: IMFixtures.bob, preApproval: false)
        check(outcome, row)
        // §3.1.5: once the contact has From, it gets the user's current presence.
        #expect(outcome.sendCurrentPresence == (row.new.map { Self.hasFrom($0) } ?? false))
    }

    /// §3.4.2 rule 3: "To", "None" and "None + Pending Out" note the pre-approval, push the item,
    /// and do not route.
    @Test(arguments: [DefinedState.neither, .noneOut, .to])
    func outboundSubscribedPreApproval(_ state: DefinedState) {
        let outcome = SubscriptionRules.outbound(.subscribed, item: state.item(IMFixtures.bob), contact: IMFixtures.bob)
        var expected = state.item(IMFixtures.bob)
        expected.preApproved = true
        #expect(outcome == SubscriptionOutcome(item: expected, itemChanged: true, rosterPush: true))
    }

    /// With pre-approval support, the remaining A.2.3 rows behave as printed.
    @Test(arguments: outboundSubscribedRows.filter { ![.neither, .noneOut, .to].contains($0.existing) })
    func outboundSubscribedWithPreApprovalSupport(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.outbound(.subscribed, item: row.existing.item(IMFixtures.bob), contact: IMFixtures.bob)
        check(outcome, row)
    }

    @Test(arguments: outboundUnsubscribedRows)
    func outboundUnsubscribed(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.outbound(.unsubscribed, item: row.existing.item(IMFixtures.bob), contact: IMFixtures.bob)
        check(outcome, row)
        // §3.2.2: cancelling From sends unavailable presence first.
        #expect(outcome.sendUnavailable == (Self.hasFrom(row.existing) && row.new.map { !Self.hasFrom($0) } == true))
    }

    @Test(arguments: inboundSubscribeRows)
    func inboundSubscribe(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.inbound(.subscribe, item: row.existing.item(IMFixtures.alice), from: IMFixtures.alice)
        check(outcome, row)
        // The "*" rows: the contact already lets the user see its presence, so the server answers.
        #expect(outcome.autoReply == (Self.hasFrom(row.existing) ? .subscribed : nil))
    }

    @Test(arguments: inboundUnsubscribeRows)
    func inboundUnsubscribe(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.inbound(.unsubscribe, item: row.existing.item(IMFixtures.alice), from: IMFixtures.alice)
        check(outcome, row)
        // §3.3.3: the user no longer receives the contact's presence; tell it the contact is gone.
        #expect(outcome.sendUnavailable == (Self.hasFrom(row.existing) && row.new.map { !Self.hasFrom($0) } == true))
    }

    @Test(arguments: inboundSubscribedRows)
    func inboundSubscribed(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.inbound(.subscribed, item: row.existing.item(IMFixtures.bob), from: IMFixtures.bob)
        check(outcome, row)
        #expect(outcome.sendCurrentPresence == (row.new != nil))
    }

    @Test(arguments: inboundUnsubscribedRows)
    func inboundUnsubscribed(_ row: SubscriptionTableRow) {
        let outcome = SubscriptionRules.inbound(.unsubscribed, item: row.existing.item(IMFixtures.bob), from: IMFixtures.bob)
        check(outcome, row)
        #expect(outcome.sendUnavailable == false)
    }

    // MARK: - Helpers

    private static func hasFrom(_ state: DefinedState) -> Bool {
        [.from, .fromOut, .both].contains(state)
    }

    /// The subscription and ask a roster push shows; pending-in is invisible.
    private static func visible(_ state: DefinedState) -> (String, Bool) {
        let item = state.item(IMFixtures.bob)
        return (item.subscription.rawValue, item.askSubscribe)
    }

    private func check(_ outcome: SubscriptionOutcome, _ row: SubscriptionTableRow, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.route == row.route, "route", sourceLocation: sourceLocation)
        #expect(DefinedState(outcome.item) == (row.new ?? row.existing), "new state", sourceLocation: sourceLocation)
        #expect(outcome.itemChanged == (row.new != nil), "itemChanged", sourceLocation: sourceLocation)
        let pushExpected = row.new.map { Self.visible($0) != Self.visible(row.existing) } ?? false
        #expect(outcome.rosterPush == pushExpected, "rosterPush", sourceLocation: sourceLocation)
        #expect(outcome.item?.inRoster == true, "stays in the roster", sourceLocation: sourceLocation)
    }
}
