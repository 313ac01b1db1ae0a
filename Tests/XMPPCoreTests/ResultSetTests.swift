import Testing
import XMPPCore

/// XEP-0059 fixtures: each example's `<set/>` decoded and checked, values encoded and compared as
/// `Element`s, and every malformed `<set/>` answered with bad-request.
@Suite struct ResultSetTests {
    static let rsm = "http://jabber.org/protocol/rsm"

    /// The `<set/>` inside an example stanza's payload.
    static func set(in stanza: String) throws -> Element {
        let iq = try XEPExample.parse(stanza)
        let payload = try #require(iq.elements.first)
        return try #require(payload.child("set", namespace: rsm))
    }

    // MARK: Requests

    @Test func limitRequest() throws {  // §2.1 example 1
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='limit1'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                </set>
              </query>
            </iq>
            """)
        let request = try ResultSetRequest(element: set)
        #expect(request == ResultSetRequest(max: 10))
        #expect(!request.isCountOnly && !request.isLastPage)
        #expect(request.element == (try XEPExample.parse(
            "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>")))
    }

    @Test func forwardRequest() throws {  // §2.2 "Requesting the Second Page"
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='page2'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                  <after>peterpan@neverland.lit</after>
                </set>
              </query>
            </iq>
            """)
        let request = try ResultSetRequest(element: set)
        #expect(request == ResultSetRequest(max: 10, after: "peterpan@neverland.lit"))
        #expect(request.element == (try XEPExample.parse(
            "<set xmlns='\(Self.rsm)'><max>10</max><after>peterpan@neverland.lit</after></set>")))
    }

    @Test func backwardRequest() throws {  // §2.3
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='back1'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                  <before>peter@pixyland.org</before>
                </set>
              </query>
            </iq>
            """)
        #expect(try ResultSetRequest(element: set) == ResultSetRequest(max: 10, before: "peter@pixyland.org"))
    }

    @Test func pageNotFoundErrorEchoesTheRequest() throws {  // §2.4: the error is the caller's; the set decodes
        let set = try Self.set(in: """
            <iq type='error' from='users.jabber.org' to='stpeter@jabber.org/roundabout' id='page2'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                  <after>peterpan@neverland.lit</after>
                </set>
              </query>
              <error type='cancel'>
                <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
              </error>
            </iq>
            """)
        #expect(try ResultSetRequest(element: set).after == "peterpan@neverland.lit")
    }

    @Test func lastPageRequest() throws {  // §2.5: empty <before/>
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='page1'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                  <before/>
                </set>
              </query>
            </iq>
            """)
        let request = try ResultSetRequest(element: set)
        #expect(request == ResultSetRequest(max: 10, before: ""))
        #expect(request.isLastPage)
        // Encodes back to an empty <before/>, not one holding an empty text node.
        #expect(request.element == (try XEPExample.parse("<set xmlns='\(Self.rsm)'><max>10</max><before/></set>")))
    }

    @Test func indexRequest() throws {  // §2.6
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='index10'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>10</max>
                  <index>371</index>
                </set>
              </query>
            </iq>
            """)
        #expect(try ResultSetRequest(element: set) == ResultSetRequest(max: 10, index: 371))
    }

    @Test func countRequest() throws {  // §2.7: max 0
        let set = try Self.set(in: """
            <iq type='set' from='stpeter@jabber.org/roundabout' to='users.jabber.org' id='count1'>
              <query xmlns='jabber:iq:search'>
                <nick>Pete</nick>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>0</max>
                </set>
              </query>
            </iq>
            """)
        let request = try ResultSetRequest(element: set)
        #expect(request.max == 0 && request.isCountOnly)
    }

    @Test func findsTheSetInTheUsingProtocolsPayload() throws {  // §3 disco#items example
        let iq = try XEPExample.parse("""
            <iq type='set' from='stpeter@jabber.org/roundabout' to='conference.jabber.org' id='ex3'>
              <query xmlns='http://jabber.org/protocol/disco#items'>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <max>20</max>
                  <after>4da91d4b330112f683dddaebf93180b1bd25e95f</after>
                </set>
              </query>
            </iq>
            """)
        let query = try #require(iq.elements.first)
        #expect(try ResultSetRequest(in: query) == ResultSetRequest(max: 20, after: "4da91d4b330112f683dddaebf93180b1bd25e95f"))
        let plain = Element("query", namespace: "http://jabber.org/protocol/disco#items")
        #expect(try ResultSetRequest(in: plain) == nil)
        #expect(try ResultSetPage(in: plain) == nil)
    }

    @Test func requestLexicalLatitude() throws {
        // xs:int collapses whitespace and allows a sign; response-only and foreign children are ignored.
        let set = try XEPExample.parse("""
            <set xmlns='\(Self.rsm)'><max> +10\n</max><count>5</count><x xmlns='urn:example'/></set>
            """)
        #expect(try ResultSetRequest(element: set) == ResultSetRequest(max: 10))
    }

    static let malformedRequests: [String] = [
        "<query xmlns='\(rsm)'><max>1</max></query>",                 // not <set/>
        "<set xmlns='urn:example:rsm'><max>1</max></set>",            // wrong namespace
        "<set xmlns='\(rsm)'><max>1</max><max>2</max></set>",         // repeated
        "<set xmlns='\(rsm)'><after>a</after><after>b</after></set>",
        "<set xmlns='\(rsm)'><before/><before/></set>",
        "<set xmlns='\(rsm)'><index>1</index><index>1</index></set>",
        "<set xmlns='\(rsm)'><max>-1</max></set>",                    // negative
        "<set xmlns='\(rsm)'><max>ten</max></set>",
        "<set xmlns='\(rsm)'><max/></set>",
        "<set xmlns='\(rsm)'><max>1.5</max></set>",
        "<set xmlns='\(rsm)'><max>2147483648</max></set>",            // beyond xs:int
        "<set xmlns='\(rsm)'><max>99999999999999999999999</max></set>",
        "<set xmlns='\(rsm)'><index>-3</index></set>",
        "<set xmlns='\(rsm)'><index>x</index></set>",
        "<set xmlns='\(rsm)'><after/></set>",                         // empty UID
        "<set xmlns='\(rsm)'><after><b/>a</after></set>",             // element content
        "<set xmlns='\(rsm)'><before><b/></before></set>",
        "<set xmlns='\(rsm)'><max><b>1</b></max></set>",
        "<set xmlns='\(rsm)'><after>a</after><before>b</before></set>",  // undefined combinations
        "<set xmlns='\(rsm)'><after>a</after><before/></set>",
        "<set xmlns='\(rsm)'><index>0</index><after>a</after></set>",
        "<set xmlns='\(rsm)'><index>0</index><before/></set>",
    ]

    @Test(arguments: malformedRequests)
    func malformedRequestIsBadRequest(_ xml: String) throws {
        let element = try XEPExample.parse(xml)
        let error = #expect(throws: StanzaError.self) { try ResultSetRequest(element: element) }
        #expect(error?.condition == .badRequest)
        #expect(error?.type == .modify)
    }

    @Test(arguments: [
        ResultSetRequest(),
        ResultSetRequest(max: 0),
        ResultSetRequest(max: 10, after: "peterpan@neverland.lit"),
        ResultSetRequest(max: 10, before: ""),
        ResultSetRequest(before: "x y <&>"),
        ResultSetRequest(max: 2_147_483_647, index: 371),
    ])
    func requestRoundTrip(_ request: ResultSetRequest) throws {
        #expect(try ResultSetRequest(element: request.element) == request)
    }

    // MARK: Responses

    @Test func firstPage() throws {  // §2.2 "Returning the First Page"
        let set = try Self.set(in: """
            <iq type='result' from='users.jabber.org' to='stpeter@jabber.org/roundabout' id='page1'>
              <query xmlns='jabber:iq:search'>
                <item jid='stpeter@jabber.org'>
                  <first>Peter</first>
                  <last>Saint-Andre</last>
                  <nick>Pete</nick>
                </item>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <first index='0'>stpeter@jabber.org</first>
                  <last>peterpan@neverland.lit</last>
                  <count>800</count>
                </set>
              </query>
            </iq>
            """)
        let page = try ResultSetPage(element: set)
        #expect(page == ResultSetPage(first: "stpeter@jabber.org", firstIndex: 0, last: "peterpan@neverland.lit", count: 800))
        #expect(page.element == (try XEPExample.parse("""
            <set xmlns='\(Self.rsm)'><first index='0'>stpeter@jabber.org</first>\
            <last>peterpan@neverland.lit</last><count>800</count></set>
            """)))
    }

    @Test func indexedPage() throws {  // §2.6 "Returning a Result Page at an Index"
        let set = try Self.set(in: """
            <iq type='result' from='users.jabber.org' to='stpeter@jabber.org/roundabout' id='index10'>
              <query xmlns='jabber:iq:search'>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <first index='371'>peter@pixyland.org</first>
                  <last>peter@rabbit.lit</last>
                  <count>800</count>
                </set>
              </query>
            </iq>
            """)
        #expect(try ResultSetPage(element: set)
            == ResultSetPage(first: "peter@pixyland.org", firstIndex: 371, last: "peter@rabbit.lit", count: 800))
    }

    @Test func emptyPageAndCount() throws {  // §2.2 "Returning an Empty Page", §2.7 "Returning the Item Count"
        let empty = try Self.set(in: """
            <iq type='result' from='users.jabber.org' to='stpeter@jabber.org/roundabout' id='page80'>
              <query xmlns='jabber:iq:search'>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <count>790</count>
                </set>
              </query>
            </iq>
            """)
        #expect(try ResultSetPage(element: empty) == .empty(count: 790))
        #expect(ResultSetPage.empty(count: 800).element
            == (try XEPExample.parse("<set xmlns='\(Self.rsm)'><count>800</count></set>")))
    }

    @Test func discoItemsPage() throws {  // §3 "Returning a Limited Result Set"
        let set = try Self.set(in: """
            <iq type='result' from='conference.jabber.org' to='stpeter@jabber.org/roundabout' id='ex2'>
              <query xmlns='http://jabber.org/protocol/disco#items'>
                <item jid='12@conference.jabber.org'/>
                <item jid='council@conference.jabber.org'/>
                <set xmlns='http://jabber.org/protocol/rsm'>
                  <first index='0'>acc3594e844c77696f7a7ba9367ae324b6b958ad</first>
                  <last>4da91d4b330112f683dddaebf93180b1bd25e95f</last>
                  <count>150</count>
                </set>
              </query>
            </iq>
            """)
        let page = try ResultSetPage(element: set)
        #expect(page.first == "acc3594e844c77696f7a7ba9367ae324b6b958ad")
        #expect(page.last == "4da91d4b330112f683dddaebf93180b1bd25e95f")
        #expect(page.firstIndex == 0 && page.count == 150)
    }

    @Test func firstIndexNeedsFirst() throws {
        // The index is an attribute of <first/>; without a first UID there is nowhere to write it.
        let page = ResultSetPage(firstIndex: 3, count: 9)
        #expect(page.element == (try XEPExample.parse("<set xmlns='\(Self.rsm)'><count>9</count></set>")))
    }

    static let malformedPages: [String] = [
        "<page xmlns='\(rsm)'/>",
        "<set xmlns='jabber:iq:search'><count>1</count></set>",
        "<set xmlns='\(rsm)'><first>a</first></set>",                  // §2.2: first and last together
        "<set xmlns='\(rsm)'><last>a</last><count>3</count></set>",
        "<set xmlns='\(rsm)'><first>a</first><first>b</first><last>b</last></set>",
        "<set xmlns='\(rsm)'><first>a</first><last>a</last><last>b</last></set>",
        "<set xmlns='\(rsm)'><count>1</count><count>1</count></set>",
        "<set xmlns='\(rsm)'><count>many</count></set>",
        "<set xmlns='\(rsm)'><count>-1</count></set>",
        "<set xmlns='\(rsm)'><first index='-1'>a</first><last>a</last></set>",
        "<set xmlns='\(rsm)'><first index='one'>a</first><last>a</last></set>",
        "<set xmlns='\(rsm)'><first><x/>a</first><last>a</last></set>",
    ]

    @Test(arguments: malformedPages)
    func malformedPageIsBadRequest(_ xml: String) throws {
        let element = try XEPExample.parse(xml)
        let error = #expect(throws: StanzaError.self) { try ResultSetPage(element: element) }
        #expect(error?.condition == .badRequest)
    }

    @Test func pageIgnoresRequestChildren() throws {
        let set = try XEPExample.parse("<set xmlns='\(Self.rsm)'><max>5</max><count>2</count></set>")
        #expect(try ResultSetPage(element: set) == .empty(count: 2))
    }

    @Test(arguments: [
        ResultSetPage(),
        ResultSetPage(count: 0),
        ResultSetPage(first: "a", last: "a"),
        ResultSetPage(first: "stpeter@jabber.org", firstIndex: 0, last: "peterpan@neverland.lit", count: 800),
    ])
    func pageRoundTrip(_ page: ResultSetPage) throws {
        #expect(try ResultSetPage(element: page.element) == page)
    }
}
