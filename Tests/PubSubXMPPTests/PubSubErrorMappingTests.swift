import PubSub
import PubSubXMPP
import Testing
import XMPPCore

@Suite struct PubSubErrorMappingTests {
    /// Every case: (error, RFC 6120 condition, type, pubsub#errors condition). `allCases` below is
    /// checked against this switch-free table by count, and `expected(_:)` switches exhaustively, so a new
    /// domain error fails to compile here too.
    static func expected(_ error: PubSubError) -> (StanzaError.Condition, StanzaError.ErrorType, String?) {
        switch error {
        case .nodeNotFound, .itemNotFound: (.itemNotFound, .cancel, nil)
        case .nodeExists, .alreadySubscribed: (.conflict, .cancel, nil)
        case .nodeIDRequired: (.notAcceptable, .modify, "nodeid-required")
        case .invalidNodeID, .invalidConfiguration, .lastOwner: (.notAcceptable, .modify, nil)
        case .forbidden: (.forbidden, .auth, nil)
        case .invalidJID: (.badRequest, .modify, "invalid-jid")
        case .presenceSubscriptionRequired: (.notAuthorized, .auth, "presence-subscription-required")
        case .notInRosterGroup: (.notAuthorized, .auth, "not-in-roster-group")
        case .closedNode: (.notAllowed, .cancel, "closed-node")
        case .pendingSubscription: (.notAuthorized, .auth, "pending-subscription")
        case .tooManySubscriptions: (.policyViolation, .wait, "too-many-subscriptions")
        case .subIDRequired: (.badRequest, .modify, "subid-required")
        case .invalidSubID: (.notAcceptable, .modify, "invalid-subid")
        case .notSubscribed: (.unexpectedRequest, .cancel, "not-subscribed")
        case .retrievalRequiresSubscription: (.notAuthorized, .auth, "not-subscribed")
        case .jidRequired: (.badRequest, .modify, "jid-required")
        case .invalidOptions: (.badRequest, .modify, "invalid-options")
        case .invalidGraphChange: (.notAllowed, .cancel, "invalid-options")
        case .maxNodesExceeded: (.notAllowed, .cancel, "max-nodes-exceeded")
        case .payloadTooBig: (.notAcceptable, .modify, "payload-too-big")
        case .invalidPayload: (.badRequest, .modify, "invalid-payload")
        case .itemRequired: (.badRequest, .modify, "item-required")
        case .payloadRequired: (.badRequest, .modify, "payload-required")
        case .itemForbidden: (.badRequest, .modify, "item-forbidden")
        case .nodeFull: (.conflict, .cancel, "node-full")
        case .invalidItemID, .duplicateAffiliation, .notAssociated: (.badRequest, .modify, nil)
        case .preconditionNotMet: (.conflict, .cancel, "precondition-not-met")
        case .unsupported: (.featureNotImplemented, .cancel, "unsupported")
        case .notAllowed: (.notAllowed, .cancel, nil)
        case .storeFailure: (.internalServerError, .wait, nil)
        }
    }

    static let allCases: [PubSubError] = [
        .nodeNotFound, .itemNotFound, .nodeExists, .nodeIDRequired, .invalidNodeID, .forbidden, .invalidJID,
        .presenceSubscriptionRequired, .notInRosterGroup, .closedNode, .pendingSubscription, .tooManySubscriptions,
        .alreadySubscribed, .subIDRequired, .invalidSubID, .notSubscribed, .retrievalRequiresSubscription,
        .jidRequired, .invalidOptions, .invalidConfiguration, .invalidGraphChange, .maxNodesExceeded, .payloadTooBig,
        .invalidPayload, .itemRequired, .payloadRequired, .invalidItemID, .preconditionNotMet, .notAllowed, .lastOwner,
        .duplicateAffiliation, .itemForbidden, .nodeFull, .notAssociated, .storeFailure("disk on fire"),
    ] + Feature.allCases.map(PubSubError.unsupported)

    @Test(arguments: allCases)
    func mapsToTheXEPCondition(_ error: PubSubError) {
        let (condition, type, application) = Self.expected(error)
        let stanzaError = error.stanzaError
        #expect(stanzaError.condition == condition)
        #expect(stanzaError.type == type)
        #expect(stanzaError.applicationCondition?.name == application)
        if application != nil { #expect(stanzaError.applicationCondition?.namespace == Namespace.pubsubErrors) }
    }

    @Test func unsupportedNamesTheFeature() {
        let element = PubSubError.unsupported(.publish).stanzaError.element()
        let app = element.child("unsupported", namespace: Namespace.pubsubErrors)
        #expect(app?[attribute: "feature"] == "publish")
        #expect(element[attribute: "type"] == "cancel")
    }

    @Test func storeFailureTextStaysInternal() {
        #expect(PubSubError.storeFailure("password=hunter2").stanzaError.text == nil)
    }
}
