import PubSubXMPP
import Testing
import XMPPCore

/// XEP-0030 §3.1 / XEP-0060 §5.1: the service advertises pubsub/service and only features it has.
@Suite struct DiscoFeatureTests {
    @Test func serviceInfoNamesTheIdentityAndOnlyImplementedFeatures() {
        let info = PubSubDisco.serviceInfo()
        let identity = info.child("identity", namespace: Namespace.discoInfo)
        #expect(identity?[attribute: "category"] == "pubsub")
        #expect(identity?[attribute: "type"] == "service")
        let features = Set(info.children("feature", namespace: Namespace.discoInfo).compactMap { $0[attribute: "var"] })
        #expect(features.contains("http://jabber.org/protocol/pubsub#publish"))
        #expect(features.contains("http://jabber.org/protocol/pubsub#collections"))
        // §8.7 get-pending through XEP-0050 ad-hoc commands (§8.7: "MUST be implemented using" it).
        #expect(features.contains("http://jabber.org/protocol/pubsub#get-pending"))
        #expect(features.contains("http://jabber.org/protocol/commands"))
        // Not implemented, so not advertised (presence-triggered delivery, XEP-0115 filtering).
        for missing in ["presence-notifications", "filtered-notifications"] {
            #expect(!features.contains("http://jabber.org/protocol/pubsub#\(missing)"), "\(missing)")
        }
    }
}
