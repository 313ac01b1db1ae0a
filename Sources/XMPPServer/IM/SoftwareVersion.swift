import XMPPCore

/// XEP-0092 Software Version: the server's answer to `<query xmlns='jabber:iq:version'/>`.
///
/// ```
/// C: <iq type='get' to='example.com' id='v1'><query xmlns='jabber:iq:version'/></iq>
/// S: <iq type='result' from='example.com' id='v1'>
///      <query xmlns='jabber:iq:version'><name>Starling</name><version>0.1.0</version></query></iq>
/// ```
public enum SoftwareVersion {
    /// `<query xmlns='jabber:iq:version'><name/><version/>[<os/>]</query>` (XEP-0092 §2). `os` is
    /// optional and best left out: it tells attackers what to aim at (XEP-0092 §5).
    public static func result(name: String, version: String, os: String?) -> Element {
        var children = [
            Element("name", namespace: Namespace.version, text: name),
            Element("version", namespace: Namespace.version, text: version),
        ]
        if let os { children.append(Element("os", namespace: Namespace.version, text: os)) }
        return Element("query", namespace: Namespace.version, children: children)
    }

    /// True for the payload of a version get (XEP-0092 §2).
    public static func isRequest(_ payload: Element) -> Bool {
        payload.name == "query" && payload.namespace == Namespace.version
    }
}
