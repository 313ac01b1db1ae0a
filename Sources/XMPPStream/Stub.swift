// TEMPORARY stand-in with the agreed API; replaced by the real module.
import NIOCore
import XMPPCore
public struct XMLStreamLimits: Hashable, Sendable {
    public var maxStanzaBytes: Int
    public var maxDepth: Int
    public var maxAttributes: Int
    public init(maxStanzaBytes: Int = 262_144, maxDepth: Int = 32, maxAttributes: Int = 64) {
        self.maxStanzaBytes = maxStanzaBytes; self.maxDepth = maxDepth; self.maxAttributes = maxAttributes
    }
}
public struct StreamHeader: Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var prefix: String?
    public var contentNamespace: String?
    public var attributes: [Element.Attribute]
    public init(name: String, namespace: String, prefix: String?, contentNamespace: String?, attributes: [Element.Attribute]) {
        self.name = name; self.namespace = namespace; self.prefix = prefix; self.contentNamespace = contentNamespace; self.attributes = attributes
    }
    public subscript(attribute name: String) -> String? { attributes.first { $0.namespace == nil && $0.name == name }?.value }
    public var language: String? { attributes.first { $0.namespace == Namespace.xml && $0.name == "lang" }?.value }
}
public enum StreamEvent: Hashable, Sendable {
    case streamStart(StreamHeader)
    case element(Element)
    case streamEnd
}
public final class XMLStreamParser {
    public init(limits: XMLStreamLimits = .init()) {}
    public func feed(_ bytes: ByteBuffer, into events: inout [StreamEvent]) throws(StreamError) {}
    public func reset() {}
}
extension Element {
    public func write(to buffer: inout ByteBuffer, streamNamespace: String = Namespace.client) {
        buffer.writeString(serialized(streamNamespace: streamNamespace))
    }
    public func serialized(streamNamespace: String = Namespace.client) -> String { "<\(name)/>" }
}
public enum StreamOpening {
    public static func header(from: String?, to: String?, id: String?, version: String? = "1.0", language: String? = "en", contentNamespace: String = Namespace.client) -> String { "" }
    public static let closing = "</stream:stream>"
}
extension XMLStreamParser { public static func initializeLibrary() {} }
