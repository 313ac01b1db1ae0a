import XMPPCore

/// XEP-0131 Stanza Headers and Internet Metadata: `<headers xmlns='http://jabber.org/protocol/shim'>`
/// with `<header name='…'>value</header>` children, in order (§3 "a header MAY be repeated").
///
/// ```
/// <headers xmlns='http://jabber.org/protocol/shim'>
///   <header name='SubID'>123-abc</header>
///   <header name='SubID'>004-yyy</header>
/// </headers>                                                            (XEP-0060 §12.2 example)
/// ```
public struct SHIMHeaders: Hashable, Sendable {
    public var headers: [(name: String, value: String)] {
        get { storage.map { ($0.name, $0.value) } }
        set { storage = newValue.map { Header(name: $0.name, value: $0.value) } }
    }

    private struct Header: Hashable, Sendable {
        var name: String
        var value: String
    }

    private var storage: [Header]

    public init(_ headers: [(name: String, value: String)] = []) {
        self.storage = headers.map { Header(name: $0.name, value: $0.value) }
    }

    public var isEmpty: Bool { storage.isEmpty }

    public mutating func append(name: String, value: String) {
        storage.append(Header(name: name, value: value))
    }

    /// The values of every header named `name`, in order.
    public func values(_ name: String) -> [String] {
        storage.filter { $0.name == name }.map(\.value)
    }

    public var element: Element {
        Element(
            "headers", namespace: Namespace.shim,
            children: storage.map { Element("header", namespace: Namespace.shim, ["name": $0.name], text: $0.value) }
        )
    }

    /// Decodes `<headers/>`; nil for another element.
    public init?(element: Element) {
        guard element.name == "headers", element.namespace == Namespace.shim else { return nil }
        storage = element.children("header", namespace: Namespace.shim).compactMap { header in
            header[attribute: "name"].map { Header(name: $0, value: header.text) }
        }
    }
}
