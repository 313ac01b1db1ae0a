import Testing
import XMPPCore
import XMPPServer

@Suite struct ServerIQTests {
    // MARK: XEP-0092

    @Test func versionResult() {
        #expect(SoftwareVersion.result(name: "Starling", version: "0.1.0", os: nil)
            == Element("query", namespace: Namespace.version, children: [
                Element("name", namespace: Namespace.version, text: "Starling"),
                Element("version", namespace: Namespace.version, text: "0.1.0"),
            ]))
        #expect(SoftwareVersion.result(name: "Starling", version: "0.1.0", os: "Linux").elements.last
            == Element("os", namespace: Namespace.version, text: "Linux"))
    }

    @Test func versionRequest() {
        #expect(SoftwareVersion.isRequest(Element("query", namespace: Namespace.version)))
        #expect(!SoftwareVersion.isRequest(Element("query", namespace: Namespace.roster)))
    }

    // MARK: XEP-0199

    @Test func ping() {
        #expect(Ping.element == Element("ping", namespace: "urn:xmpp:ping"))
        #expect(Ping.isRequest(Ping.element))
        #expect(!Ping.isRequest(Element("ping", namespace: Namespace.client)))
    }

    // MARK: XEP-0077

    private func register(_ children: [Element]) -> Element {
        Element("query", namespace: Namespace.register, children: children)
    }

    private func field(_ name: String, _ text: String? = nil) -> Element {
        Element(name, namespace: Namespace.register, text: text)
    }

    @Test func form() {
        // XEP-0077 §3.1 example 2, with the fields this server asks for.
        #expect(InBandRegistration.form(instructions: "Choose a username and password.") == register([
            field("instructions", "Choose a username and password."), field("username"), field("password"),
        ]))
    }

    @Test func registeredForm() {
        #expect(InBandRegistration.registeredForm(username: "juliet") == register([
            field("registered"), field("username", "juliet"),
        ]))
    }

    @Test func streamFeature() {
        #expect(InBandRegistration.streamFeature
            == Element("register", namespace: "http://jabber.org/features/iq-register"))
    }

    @Test func decodesRegistration() throws {
        // XEP-0077 §3.1 example 3; the localpart is normalized (RFC 7622 §3.3).
        let set = register([field("username", "Bill"), field("password", "Calliope"), field("email", "bard@shakespeare.lit")])
        #expect(try InBandRegistration.decodeSet(set) == .register(username: "bill", password: "Calliope"))
    }

    @Test func decodesRemove() throws {
        // XEP-0077 §3.2 example 13.
        #expect(try InBandRegistration.decodeSet(register([field("remove")])) == .remove)
    }

    @Test func decodesPasswordChange() throws {
        // XEP-0077 §3.3 example 18: same shape as a registration.
        let set = register([field("username", "bill"), field("password", "newpass")])
        #expect(try InBandRegistration.decodeSet(set) == .register(username: "bill", password: "newpass"))
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let query: Element
        let condition: StanzaError.Condition
    }

    static let errorCases: [ErrorCase] = {
        func q(_ children: [Element]) -> Element { Element("query", namespace: Namespace.register, children: children) }
        func f(_ name: String, _ text: String? = nil) -> Element { Element(name, namespace: Namespace.register, text: text) }
        return [
            ErrorCase(testDescription: "§3.1 missing password", query: q([f("username", "bill")]), condition: .notAcceptable),
            ErrorCase(testDescription: "§3.1 missing username", query: q([f("password", "x")]), condition: .notAcceptable),
            ErrorCase(testDescription: "§3.1 empty username",
                      query: q([f("username"), f("password", "x")]), condition: .notAcceptable),
            ErrorCase(testDescription: "§3.1 empty password",
                      query: q([f("username", "bill"), f("password")]), condition: .notAcceptable),
            ErrorCase(testDescription: "§3.1 username not a localpart",
                      query: q([f("username", "bill@home"), f("password", "x")]), condition: .notAcceptable),
            ErrorCase(testDescription: "§3.1 nothing", query: q([]), condition: .notAcceptable),
            ErrorCase(testDescription: "wrong element",
                      query: Element("query", namespace: Namespace.roster), condition: .badRequest),
        ]
    }()

    @Test(arguments: errorCases)
    func rejects(_ errorCase: ErrorCase) {
        #expect {
            try InBandRegistration.decodeSet(errorCase.query)
        } throws: { error in
            (error as? StanzaError)?.condition == errorCase.condition
        }
    }
}
