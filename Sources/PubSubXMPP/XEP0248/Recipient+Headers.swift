import PubSub
import XMPPCore

extension Recipient {
    /// The SHIM headers of one recipient's notification:
    /// - `SubID` per matching subscription when more than one matched, so the subscriber can tell them
    ///   apart (XEP-0060 §12.2 "Notifications for multiple subscriptions", §6.1.6);
    /// - `Collection` per collection whose subscription matched, so a collection subscriber knows where
    ///   the event came from (XEP-0248 §5.3 "Notifications about Items", `<header name='Collection'>`).
    public var shimHeaders: SHIMHeaders {
        var headers = SHIMHeaders()
        if subscriptionIDs.count > 1 {
            for id in subscriptionIDs { headers.append(name: "SubID", value: id.rawValue) }
        }
        for collection in collections { headers.append(name: "Collection", value: collection.rawValue) }
        return headers
    }
}
