/// An XML element as XMPP uses it: a namespaced name, ordered attributes, and children that are
/// elements or text. A value type with no parent pointers; the stream parser builds it, handlers read
/// it, and `XMPPStream` serializes it.
///
/// `namespace` is the element's namespace name (URI), never a prefix: `<stream:features/>` and
/// `<features xmlns='http://etherx.jabber.org/streams'/>` are the same `Element`.
public struct Element: Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var attributes: [Attribute]
    public var children: [Node]

    /// A child of an element.
    public enum Node: Hashable, Sendable {
        case element(Element)
        case text(String)
    }

    /// An attribute. `namespace` is nil for the usual unqualified attributes; `xml:lang` carries
    /// `Namespace.xml`.
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var namespace: String?
        public var value: String

        public init(name: String, namespace: String? = nil, value: String) {
            self.name = name
            self.namespace = namespace
            self.value = value
        }
    }

    public init(name: String, namespace: String, attributes: [Attribute] = [], children: [Node] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }

    /// Builds an element with unqualified attributes, in the given order, skipping nil values.
    public init(
        _ name: String,
        namespace: String,
        _ attributes: KeyValuePairs<String, String?> = [:],
        children: [Element] = [],
        text: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes.compactMap { key, value in
            value.map { Attribute(name: key, value: $0) }
        }
        self.children = children.map(Node.element)
        if let text { self.children.append(.text(text)) }
    }
}

// MARK: - Reading

extension Element {
    /// The value of the unqualified attribute `name`.
    public subscript(attribute name: String) -> String? {
        get {
            for attribute in attributes where attribute.namespace == nil && attribute.name == name {
                return attribute.value
            }
            return nil
        }
        set {
            if let index = attributes.firstIndex(where: { $0.namespace == nil && $0.name == name }) {
                if let newValue {
                    attributes[index].value = newValue
                } else {
                    attributes.remove(at: index)
                }
            } else if let newValue {
                attributes.append(Attribute(name: name, value: newValue))
            }
        }
    }

    /// `xml:lang`, if present.
    public var language: String? {
        attributes.first { $0.namespace == Namespace.xml && $0.name == "lang" }?.value
    }

    /// The element children, in order, without text.
    public var elements: [Element] {
        children.compactMap {
            if case .element(let element) = $0 { return element }
            return nil
        }
    }

    /// The first element child, without building `elements`.
    public var firstElement: Element? {
        for case .element(let element) in children { return element }
        return nil
    }

    /// How many element children there are, without building `elements`.
    public var elementCount: Int {
        var count = 0
        for case .element in children { count += 1 }
        return count
    }

    /// The first element child with the given name and namespace (any name when `name` is nil).
    public func child(_ name: String? = nil, namespace: String) -> Element? {
        for case .element(let element) in children
        where element.namespace == namespace && (name == nil || element.name == name) {
            return element
        }
        return nil
    }

    /// All element children with the given name and namespace.
    public func children(_ name: String, namespace: String) -> [Element] {
        var matching: [Element] = []
        for case .element(let element) in children where element.name == name && element.namespace == namespace {
            matching.append(element)
        }
        return matching
    }

    /// The concatenated character data of the direct text children.
    public var text: String {
        var result = ""
        for case .text(let text) in children { result += text }
        return result
    }

    /// True when the element has no element children and no non-whitespace text.
    public var isEmpty: Bool {
        children.allSatisfy {
            switch $0 {
            case .element: false
            case .text(let text): text.allSatisfy(\.isWhitespace)
            }
        }
    }

    public mutating func append(_ element: Element) {
        children.append(.element(element))
    }
}
