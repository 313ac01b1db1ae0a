import Testing
import XMPPCore

/// Stanza errors (RFC 6120 §8.3) and stream errors (RFC 6120 §4.9): every defined condition encodes
/// to the wire element and decodes back.
@Suite struct StanzaErrorTests {
    static let allTypes: [StanzaError.ErrorType] = [.auth, .cancel, .continue, .modify, .wait]

    /// RFC 6120 §8.3.3: the types each condition's text says it SHOULD have.
    static let rfcTypes: [StanzaError.Condition: Set<StanzaError.ErrorType>] = [
        .badRequest: [.modify],                  // §8.3.3.1
        .conflict: [.cancel],                    // §8.3.3.2
        .featureNotImplemented: [.cancel, .modify], // §8.3.3.3
        .forbidden: [.auth],                     // §8.3.3.4
        .gone: [.cancel],                        // §8.3.3.5
        .internalServerError: [.cancel],         // §8.3.3.6
        .itemNotFound: [.cancel],                // §8.3.3.7
        .jidMalformed: [.modify],                // §8.3.3.8
        .notAcceptable: [.modify],               // §8.3.3.9
        .notAllowed: [.cancel],                  // §8.3.3.10
        .notAuthorized: [.auth],                 // §8.3.3.11
        .policyViolation: [.modify, .wait],      // §8.3.3.12
        .recipientUnavailable: [.wait],          // §8.3.3.13
        .redirect: [.modify],                    // §8.3.3.14
        .registrationRequired: [.auth],          // §8.3.3.15
        .remoteServerNotFound: [.cancel],        // §8.3.3.16
        .remoteServerTimeout: [.wait],           // §8.3.3.17
        .resourceConstraint: [.wait],            // §8.3.3.18
        .serviceUnavailable: [.cancel],          // §8.3.3.19
        .subscriptionRequired: [.auth],          // §8.3.3.20
        .undefinedCondition: Set(allTypes),      // §8.3.3.21: any type
        .unexpectedRequest: [.wait, .modify],    // §8.3.3.22
    ]

    @Test func everyDefinedConditionIsListed() {
        #expect(StanzaError.Condition.allCases.count == 22)
        #expect(Set(StanzaError.Condition.allCases) == Set(Self.rfcTypes.keys))
    }

    @Test(arguments: StanzaError.Condition.allCases)
    func defaultTypeIsOneTheRFCNames(_ condition: StanzaError.Condition) {
        #expect(Self.rfcTypes[condition]?.contains(condition.defaultType) == true)
        #expect(StanzaError(condition).type == condition.defaultType)
    }

    @Test(arguments: StanzaError.Condition.allCases)
    func conditionElementIsNamedByTheRawValue(_ condition: StanzaError.Condition) {
        let element = StanzaError(condition).element()
        #expect(element.name == "error" && element.namespace == Namespace.client)
        #expect(element[attribute: "type"] == condition.defaultType.rawValue)
        #expect(element[attribute: "by"] == nil)
        #expect(element.elements == [Element(condition.rawValue, namespace: Namespace.stanzaErrors)])
    }

    @Test(arguments: StanzaError.Condition.allCases, allTypes)
    func everyConditionAndTypeRoundTrips(_ condition: StanzaError.Condition, _ type: StanzaError.ErrorType) {
        let error = StanzaError(condition, type: type)
        #expect(StanzaError(element: error.element()) == error)
        #expect(StanzaError(element: error.element(namespace: Namespace.server)) == error)
    }

    @Test(arguments: StanzaError.Condition.allCases)
    func textApplicationConditionAndByRoundTrip(_ condition: StanzaError.Condition) throws {
        let app = Element("invalid-jid", namespace: "http://jabber.org/protocol/pubsub#errors")
        let error = StanzaError(condition, text: "why & how <exactly>", applicationCondition: app,
                                by: try JID("pubsub.example.com"))
        let element = error.element()
        #expect(element[attribute: "by"] == "pubsub.example.com")
        #expect(element.elements.map(\.name) == [condition.rawValue, "text", "invalid-jid"])
        #expect(element.child("text", namespace: Namespace.stanzaErrors)?.text == "why & how <exactly>")
        #expect(StanzaError(element: element) == error)
    }

    @Test func shortFormsUseTheirConditionAndDefaultType() {
        let forms: [(StanzaError, StanzaError.Condition)] = [
            (.badRequest(), .badRequest), (.forbidden(), .forbidden), (.itemNotFound(), .itemNotFound),
            (.jidMalformed(), .jidMalformed), (.notAllowed(), .notAllowed),
            (.serviceUnavailable(), .serviceUnavailable), (.featureNotImplemented(), .featureNotImplemented),
            (.internalServerError(), .internalServerError), (.policyViolation(), .policyViolation),
            (.resourceConstraint(), .resourceConstraint),
        ]
        for (error, condition) in forms {
            #expect(error.condition == condition && error.type == condition.defaultType && error.text == nil)
        }
        #expect(StanzaError.forbidden("no").text == "no")
    }

    @Test func decodingIsOrderIndependentAndIgnoresTheEnvelopeNamespace() {
        let element = Element("error", namespace: Namespace.server, ["type": "auth", "by": "Example.COM"], children: [
            Element("text", namespace: Namespace.stanzaErrors, text: "first"),
            Element("forbidden", namespace: Namespace.stanzaErrors),
        ])
        let error = StanzaError(element: element)
        #expect(error.condition == .forbidden && error.type == .auth && error.text == "first")
        #expect(error.by == (try? JID("example.com")))
        #expect(error.applicationCondition == nil)
    }

    @Test func unknownOrMissingPartsFallBack() {
        let unknown = StanzaError(element: Element("error", namespace: Namespace.client, ["type": "cancel"], children: [
            Element("payment-required", namespace: Namespace.stanzaErrors),
        ]))
        #expect(unknown.condition == .undefinedCondition, "RFC 3920's payment-required is not in RFC 6120")
        let untyped = StanzaError(element: Element("error", namespace: Namespace.client, children: [
            Element("item-not-found", namespace: Namespace.stanzaErrors),
        ]))
        #expect(untyped.condition == .itemNotFound && untyped.type == .cancel)
        let badType = StanzaError(element: Element("error", namespace: Namespace.client, ["type": "retry"], children: [
            Element("conflict", namespace: Namespace.stanzaErrors),
        ]))
        #expect(badType.type == .cancel)
        let badBy = StanzaError(element: Element("error", namespace: Namespace.client, ["by": "@"], children: [
            Element("conflict", namespace: Namespace.stanzaErrors),
        ]))
        #expect(badBy.by == nil)
        #expect(StanzaError(element: Element("error", namespace: Namespace.client)).condition == .undefinedCondition)
    }
}

@Suite struct StreamErrorTests {
    @Test func everyDefinedConditionIsListed() {
        // RFC 6120 §4.9.3.1–§4.9.3.25
        #expect(StreamError.Condition.allCases.count == 25)
    }

    @Test(arguments: StreamError.Condition.allCases)
    func elementIsStreamErrorWithTheCondition(_ condition: StreamError.Condition) {
        let element = StreamError(condition).element
        #expect(element.name == "error" && element.namespace == Namespace.streams)
        #expect(element.elements == [Element(condition.rawValue, namespace: Namespace.streamErrors)])
    }

    @Test(arguments: StreamError.Condition.allCases, [nil, "details & <more>"])
    func everyConditionRoundTrips(_ condition: StreamError.Condition, _ text: String?) {
        let error = StreamError(condition, text: text)
        #expect(StreamError(element: error.element) == error)
        let textElement = error.element.child("text", namespace: Namespace.streamErrors)
        #expect(textElement?.text == text)
    }

    @Test func decodingRejectsOtherElementsAndFallsBackForUnknownConditions() {
        #expect(StreamError(element: Element("error", namespace: Namespace.client)) == nil)
        #expect(StreamError(element: Element("failure", namespace: Namespace.streams)) == nil)
        let unknown = StreamError(element: Element("error", namespace: Namespace.streams, children: [
            Element("invalid-id", namespace: Namespace.streamErrors),
        ]))
        #expect(unknown == StreamError(.undefinedCondition), "RFC 3920's invalid-id is not in RFC 6120")
        let reordered = StreamError(element: Element("error", namespace: Namespace.streams, children: [
            Element("text", namespace: Namespace.streamErrors, text: "bye"),
            Element("app", namespace: "urn:example:app"),
            Element("system-shutdown", namespace: Namespace.streamErrors),
        ]))
        #expect(reordered == StreamError(.systemShutdown, text: "bye"))
        #expect(StreamError(element: Element("error", namespace: Namespace.streams)) == StreamError(.undefinedCondition))
    }

    @Test func descriptionIsTheConditionAndText() {
        #expect(StreamError(.policyViolation).description == "policy-violation")
        #expect(StreamError(.hostUnknown, text: "example.org").description == "host-unknown: example.org")
    }
}
