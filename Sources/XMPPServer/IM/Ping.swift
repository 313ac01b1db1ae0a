import XMPPCore

/// XEP-0199 XMPP Ping: `<ping xmlns='urn:xmpp:ping'/>` in an IQ get, answered with an empty result
/// (§4.2) or, by a server that does not support it, `<service-unavailable/>`.
///
/// ```
/// C: <iq type='get' to='example.com' id='c2s1'><ping xmlns='urn:xmpp:ping'/></iq>
/// S: <iq type='result' from='example.com' id='c2s1'/>
/// ```
public enum Ping {
    /// The payload of a ping the server sends (XEP-0199 §4.1, keepalive of a client).
    public static var element: Element { Element("ping", namespace: Namespace.ping) }

    /// True for the payload of a ping get.
    public static func isRequest(_ payload: Element) -> Bool {
        payload.name == "ping" && payload.namespace == Namespace.ping
    }
}
