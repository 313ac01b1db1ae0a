import Accounts
import Testing
import XMPPCore
import XMPPServer

@Suite struct RosterQueryTests {
    private func query(_ items: [Element]) -> Element {
        Element("query", namespace: Namespace.roster, children: items)
    }

    private func item(_ attributes: KeyValuePairs<String, String?>, groups: [String] = []) -> Element {
        Element("item", namespace: Namespace.roster, attributes,
                children: groups.map { Element("group", namespace: Namespace.roster, text: $0) })
    }

    // MARK: decodeSet

    @Test func decodesAddWithNameAndGroups() throws {
        // RFC 6121 §2.3.2 example.
        let set = query([item(["jid": "nurse@example.com", "name": "Nurse"], groups: ["Servants", "Family"])])
        #expect(try RosterQuery.decodeSet(set)
            == .update(jid: JID("nurse@example.com"), name: "Nurse", groups: ["Servants", "Family"]))
    }

    @Test func decodesMinimalItemAndNormalizesJID() throws {
        let set = query([item(["jid": "Nurse@Example.COM"])])
        #expect(try RosterQuery.decodeSet(set) == .update(jid: JID("nurse@example.com"), name: nil, groups: []))
    }

    @Test func emptyNameMeansNoName() throws {
        let set = query([item(["jid": "nurse@example.com", "name": ""])])
        #expect(try RosterQuery.decodeSet(set) == .update(jid: JID("nurse@example.com"), name: nil, groups: []))
    }

    @Test func decodesRemove() throws {
        // RFC 6121 §2.5.2 example.
        let set = query([item(["jid": "nurse@example.com", "subscription": "remove"])])
        #expect(try RosterQuery.decodeSet(set) == .remove(jid: JID("nurse@example.com")))
    }

    @Test(arguments: ["both", "to", "from", "none", "bogus"])
    func ignoresOtherSubscriptionValuesAndAsk(_ subscription: String) throws {
        // §2.1.2.5 and §2.1.2.2: a client's subscription and ask are ignored.
        let set = query([item(["jid": "nurse@example.com", "subscription": subscription, "ask": "subscribe", "approved": "true"])])
        #expect(try RosterQuery.decodeSet(set) == .update(jid: JID("nurse@example.com"), name: nil, groups: []))
    }

    @Test func ignoresForeignChildren() throws {
        var entry = item(["jid": "nurse@example.com"], groups: ["A"])
        entry.append(Element("x", namespace: "urn:example:ext"))
        #expect(try RosterQuery.decodeSet(query([entry]))
            == .update(jid: JID("nurse@example.com"), name: nil, groups: ["A"]))
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let query: Element
        let condition: StanzaError.Condition
    }

    static let errorCases: [ErrorCase] = {
        func q(_ items: [Element]) -> Element { Element("query", namespace: Namespace.roster, children: items) }
        func i(_ jid: String?, name: String? = nil, groups: [String] = []) -> Element {
            Element("item", namespace: Namespace.roster, ["jid": jid, "name": name],
                    children: groups.map { Element("group", namespace: Namespace.roster, text: $0) })
        }
        let long = String(repeating: "x", count: 1024)
        let longUTF8 = String(repeating: "é", count: 512)  // 1024 bytes, 512 characters
        return [
            ErrorCase(testDescription: "§2.3.3 no item", query: q([]), condition: .badRequest),
            ErrorCase(testDescription: "§2.3.3 two items",
                      query: q([i("a@example.com"), i("b@example.com")]), condition: .badRequest),
            ErrorCase(testDescription: "missing jid", query: q([i(nil)]), condition: .badRequest),
            ErrorCase(testDescription: "malformed jid", query: q([i("@example.com")]), condition: .jidMalformed),
            ErrorCase(testDescription: "full jid", query: q([i("a@example.com/res")]), condition: .badRequest),
            ErrorCase(testDescription: "§2.3.3 duplicate groups",
                      query: q([i("a@example.com", groups: ["A", "A"])]), condition: .badRequest),
            ErrorCase(testDescription: "§2.3.3 empty group",
                      query: q([i("a@example.com", groups: [""])]), condition: .notAcceptable),
            ErrorCase(testDescription: "§2.3.3 group too long",
                      query: q([i("a@example.com", groups: [long])]), condition: .notAcceptable),
            ErrorCase(testDescription: "§2.3.3 name too long",
                      query: q([i("a@example.com", name: long)]), condition: .notAcceptable),
            ErrorCase(testDescription: "name too long in bytes",
                      query: q([i("a@example.com", name: longUTF8)]), condition: .notAcceptable),
            ErrorCase(testDescription: "wrong namespace",
                      query: Element("query", namespace: Namespace.version), condition: .badRequest),
        ]
    }()

    @Test(arguments: errorCases)
    func rejects(_ errorCase: ErrorCase) {
        #expect {
            try RosterQuery.decodeSet(errorCase.query)
        } throws: { error in
            (error as? StanzaError)?.condition == errorCase.condition
        }
    }

    @Test func acceptsLimits() throws {
        let name = String(repeating: "x", count: 1023)
        let set = query([item(["jid": "a@example.com", "name": name], groups: [name])])
        #expect(try RosterQuery.decodeSet(set) == .update(jid: JID("a@example.com"), name: name, groups: [name]))
    }

    // MARK: encoding

    @Test func resultHidesRecordsOutsideTheRoster() throws {
        let romeo = RosterItem(jid: try JID("romeo@example.net"), name: "Romeo", subscription: .both, groups: ["Friends"])
        let mercutio = RosterItem(jid: try JID("mercutio@example.com"), askSubscribe: true)
        let stranger = RosterItem(jid: try JID("stranger@example.org"), pendingIn: true, inRoster: false)
        let expected = query([
            item(["jid": "romeo@example.net", "name": "Romeo", "subscription": "both"], groups: ["Friends"]),
            item(["jid": "mercutio@example.com", "subscription": "none", "ask": "subscribe"]),
        ])
        #expect(RosterQuery.result(items: [romeo, mercutio, stranger]) == expected)
    }

    @Test func emptyResult() {
        #expect(RosterQuery.result(items: []) == Element("query", namespace: Namespace.roster))
    }

    @Test func pushCarriesOneItem() throws {
        let nurse = RosterItem(jid: try JID("nurse@example.com"), name: "Nurse", subscription: .from,
                               askSubscribe: true, groups: ["Servants", "Family"])
        #expect(RosterQuery.push(item: nurse) == query([
            item(["jid": "nurse@example.com", "name": "Nurse", "subscription": "from", "ask": "subscribe"],
                 groups: ["Servants", "Family"]),
        ]))
    }

    @Test func pushShowsPreApproval() throws {
        // RFC 6121 §3.4.1 / §2.1.2.1: approved='true'.
        let item = RosterItem(jid: try JID("nurse@example.com"), preApproved: true)
        #expect(RosterQuery.push(item: item) == query([
            self.item(["jid": "nurse@example.com", "subscription": "none", "approved": "true"]),
        ]))
    }

    @Test func pushRemoval() throws {
        #expect(RosterQuery.pushRemoval(jid: try JID("nurse@example.com/res")) == query([
            item(["jid": "nurse@example.com", "subscription": "remove"]),
        ]))
    }

    @Test func pushRoundTripsThroughDecode() throws {
        let nurse = RosterItem(jid: try JID("nurse@example.com"), name: "Nurse", subscription: .both, groups: ["A", "B"])
        #expect(try RosterQuery.decodeSet(RosterQuery.push(item: nurse))
            == .update(jid: nurse.jid, name: "Nurse", groups: ["A", "B"]))
        #expect(try RosterQuery.decodeSet(RosterQuery.pushRemoval(jid: nurse.jid)) == .remove(jid: nurse.jid))
    }
}
