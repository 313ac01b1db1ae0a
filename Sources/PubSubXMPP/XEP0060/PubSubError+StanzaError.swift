import PubSub
import XMPPCore

/// The wire form of every ``PubSubError``: an RFC 6120 §8.3.3 condition plus, where XEP-0060 names one,
/// the `pubsub#errors` application condition (§14 Error Conditions, §20.1 namespace).
///
/// ```
/// S: <iq type='error' …>
///      <error type='cancel'>
///        <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
///        <unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='publish'/>
///      </error>
///    </iq>
/// ```
public extension PubSubError {
    /// One exhaustive `switch`: a new domain error does not compile until it has a wire form here.
    /// Error types follow the XEP's examples where they differ from RFC 6120's defaults.
    var stanzaError: StanzaError {
        switch self {
        case .nodeNotFound: // §6.1.3.12, §7.1.3.3, §8.2.3.5, §8.4.3.3
            StanzaError(.itemNotFound, type: .cancel)
        case .itemNotFound: // §7.2.3.2
            StanzaError(.itemNotFound, type: .cancel)
        case .nodeExists: // §8.1.1 "NodeID already exists"
            StanzaError(.conflict, type: .cancel)
        case .nodeIDRequired: // §8.1.1 instant nodes not supported
            StanzaError(.notAcceptable, type: .modify, applicationCondition: Self.condition("nodeid-required"))
        case .invalidNodeID: // local policy (§13.15 leaves NodeID syntax to the service)
            StanzaError(.notAcceptable, type: .modify, text: "invalid NodeID")
        case .forbidden: // §6.1.3.8, §7.1.3.1, §7.2.3.1, §8.2.3.2, §8.4.3.2
            StanzaError(.forbidden, type: .auth)
        case .invalidJID: // §6.1.3.1 JIDs do not match
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("invalid-jid"))
        case .presenceSubscriptionRequired: // §6.1.3.2, §6.5.9.6
            StanzaError(.notAuthorized, type: .auth,
                        applicationCondition: Self.condition("presence-subscription-required"))
        case .notInRosterGroup: // §6.1.3.3, §6.5.9.7
            StanzaError(.notAuthorized, type: .auth, applicationCondition: Self.condition("not-in-roster-group"))
        case .closedNode: // §6.1.3.4, §6.5.9.8 (not-allowed, type cancel)
            StanzaError(.notAllowed, type: .cancel, applicationCondition: Self.condition("closed-node"))
        case .pendingSubscription: // §6.1.3.7
            StanzaError(.notAuthorized, type: .auth, applicationCondition: Self.condition("pending-subscription"))
        case .tooManySubscriptions: // §6.1.3.9 (policy-violation, type wait)
            StanzaError(.policyViolation, type: .wait, applicationCondition: Self.condition("too-many-subscriptions"))
        case .alreadySubscribed: // XEP-0248 §6.1.3
            StanzaError(.conflict, type: .cancel)
        case .subIDRequired: // §6.2.3.1, §6.3.4.4, §6.5.9.1
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("subid-required"))
        case .invalidSubID: // §6.2.3.5, §6.3.4.5, §6.5.9.2
            StanzaError(.notAcceptable, type: .modify, applicationCondition: Self.condition("invalid-subid"))
        case .notSubscribed: // §6.2.3.2, §6.3.4.2 (unexpected-request, type cancel)
            StanzaError(.unexpectedRequest, type: .cancel, applicationCondition: Self.condition("not-subscribed"))
        case .retrievalRequiresSubscription: // §6.5.9.3
            StanzaError(.notAuthorized, type: .auth, applicationCondition: Self.condition("not-subscribed"))
        case .jidRequired: // §6.3.4.3
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("jid-required"))
        case .invalidOptions: // §6.3.5.2
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("invalid-options"))
        case .invalidConfiguration: // §8.2.5.2
            StanzaError(.notAcceptable, type: .modify)
        case .invalidGraphChange: // XEP-0248 §7.2.3
            StanzaError(.notAllowed, type: .cancel, applicationCondition: Self.condition("invalid-options"))
        case .maxNodesExceeded: // XEP-0248 §7.2.3.3
            StanzaError(.notAllowed, type: .cancel, applicationCondition: Self.condition("max-nodes-exceeded"))
        case .payloadTooBig: // §7.1.3.5
            StanzaError(.notAcceptable, type: .modify, applicationCondition: Self.condition("payload-too-big"))
        case .invalidPayload: // §7.1.3.6
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("invalid-payload"))
        case .itemRequired: // §7.1.3.7, §7.2.3.4
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("item-required"))
        case .payloadRequired: // §7.1.3.7
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("payload-required"))
        case .itemForbidden: // §7.1.3.7
            StanzaError(.badRequest, type: .modify, applicationCondition: Self.condition("item-forbidden"))
        case .nodeFull: // §7.1.3.4 (conflict, type cancel)
            StanzaError(.conflict, type: .cancel, applicationCondition: Self.condition("node-full"))
        case .notAssociated: // XEP-0248 §7.6.3.1 (bad-request, type modify; no application condition)
            StanzaError(.badRequest, type: .modify)
        case .invalidItemID: // local policy: ItemIDs are indexed, so bounded
            StanzaError(.badRequest, type: .modify, text: "ItemID too long")
        case .preconditionNotMet: // §7.1.5 (conflict, type cancel)
            StanzaError(.conflict, type: .cancel, applicationCondition: Self.condition("precondition-not-met"))
        case .unsupported(let feature): // §6.1.3.10, §7.1.3.2, §8.1.1, XEP-0248 §4.1
            StanzaError(.featureNotImplemented, type: .cancel,
                        applicationCondition: Self.condition("unsupported", feature: feature.rawValue))
        case .notAllowed: // XEP-0248 §7.1.3.2
            StanzaError(.notAllowed, type: .cancel)
        case .lastOwner: // §8.9.2.4 (the owner list may not become empty)
            StanzaError(.notAcceptable, type: .modify, text: "a node needs an owner")
        case .duplicateAffiliation: // §8.9.2.4
            StanzaError(.badRequest, type: .modify, text: "one entity listed twice")
        case .storeFailure: // RFC 6120 §8.3.3.6; the store's text is not for peers
            StanzaError(.internalServerError, type: .wait)
        }
    }

    /// `<name xmlns='http://jabber.org/protocol/pubsub#errors' [feature='…']/>` (§14).
    private static func condition(_ name: String, feature: String? = nil) -> Element {
        Element(name, namespace: Namespace.pubsubErrors, ["feature": feature])
    }
}
