/// The `<set/>` a responding entity appends to one page of results (XEP-0059 §2.2).
///
/// ```
/// S: <set xmlns='http://jabber.org/protocol/rsm'>
///      <first index='0'>stpeter@jabber.org</first>
///      <last>peterpan@neverland.lit</last>
///      <count>800</count>
///    </set>
/// S: <set xmlns='http://jabber.org/protocol/rsm'><count>790</count></set>      (empty page, §2.2, §2.7)
/// ```
///
/// Rules for whoever builds one (§2.2, §2.6): `first` and `last` are the UIDs of the first and last item
/// of the page, equal when it holds one item, both nil when it holds none; `firstIndex` is the position
/// of `first` in the full set (equal to the requested `index` in §2.6 answers) and is only written with
/// `first`; `count` is the size of the full set, which MAY be approximate and is omitted only when
/// computing it is impossible or exceptionally expensive. UIDs are opaque to the requester.
///
/// Decoding answers `bad-request` for: another element than `<set xmlns='…rsm'/>`, a repeated child,
/// `first` without `last` or the reverse, element content in `first`/`last`, and a `count` or `index`
/// that is not a non-negative `xs:int`. Request-only children and foreign namespaces are ignored.
public struct ResultSetPage: Hashable, Sendable {
    /// The UID of the first item in the page.
    public var first: String?
    /// The position of the first item in the full result set (`<first index='…'/>`).
    public var firstIndex: Int?
    /// The UID of the last item in the page.
    public var last: String?
    /// The number of items in the full result set.
    public var count: Int?

    public init(first: String? = nil, firstIndex: Int? = nil, last: String? = nil, count: Int? = nil) {
        self.first = first
        self.firstIndex = firstIndex
        self.last = last
        self.count = count
    }

    /// The answer to a `max == 0` request or an empty page: the count alone (§2.2, §2.7).
    public static func empty(count: Int?) -> ResultSetPage {
        ResultSetPage(count: count)
    }
}

// MARK: - XML

extension ResultSetPage {
    // <set xmlns='http://jabber.org/protocol/rsm'>
    //   <first index='xs:int'?>UID</first>? <last>UID</last>? <count>xs:int</count>?
    // </set>                                                             (XEP-0059 §8 schema)
    public init(element: Element) throws(StanzaError) {
        guard element.name == "set", element.namespace == Namespace.rsm else {
            throw .badRequest("expected <set xmlns='\(Namespace.rsm)'/>, got <\(element.name)/>")
        }
        var page = ResultSetPage()
        var seen = Set<String>()
        for child in element.elements where child.namespace == Namespace.rsm {
            switch child.name {
            case "first", "last", "count":
                guard seen.insert(child.name).inserted else {
                    throw .badRequest("more than one <\(child.name)/> in <set/>")
                }
            default:
                continue  // <max/>, <after/>, <before/>, <index/> belong to requests
            }
            let text = try child.leafText()
            switch child.name {
            case "first":
                page.first = text
                if let index = child[attribute: "index"] {
                    page.firstIndex = try Self.nonNegative(index, in: "first/@index")
                }
            case "last":
                page.last = text
            default:
                page.count = try Self.nonNegative(text, in: "count")
            }
        }
        // §2.2: both for a non-empty page, neither for an empty one.
        guard (page.first == nil) == (page.last == nil) else {
            throw .badRequest("<first/> and <last/> must come together")
        }
        self = page
    }

    /// The `<set/>` child of `parent`, decoded; nil when the responder sent none, which tells the
    /// requester it does not support RSM for this query (§4).
    public init?(in parent: Element) throws(StanzaError) {
        guard let set = parent.child("set", namespace: Namespace.rsm) else { return nil }
        try self.init(element: set)
    }

    /// `firstIndex` is dropped when `first` is nil: the index is an attribute of `<first/>`.
    public var element: Element {
        var set = Element("set", namespace: Namespace.rsm)
        if let first {
            set.append(Element(
                "first", namespace: Namespace.rsm, ["index": firstIndex.map(String.init)],
                text: first.isEmpty ? nil : first
            ))
        }
        if let last { set.append(.rsmLeaf("last", last)) }
        if let count { set.append(Element("count", namespace: Namespace.rsm, text: String(count))) }
        return set
    }

    private static func nonNegative(_ text: String, in name: String) throws(StanzaError) -> Int {
        guard let value = XSDLexical.nonNegativeInt(text) else {
            throw .badRequest("\(name) must be a non-negative integer, got '\(text)'")
        }
        return value
    }
}
