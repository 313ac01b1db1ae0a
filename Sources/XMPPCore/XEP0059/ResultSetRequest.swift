/// The `<set/>` a requesting entity adds to a query to page through its results (XEP-0059 §2).
///
/// ```
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>                                  §2.1
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>peterpan@neverland.lit</after></set> §2.2
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before>peter@pixyland.org</before></set>  §2.3
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set>                          §2.5
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><index>371</index></set>                 §2.6
/// C: <set xmlns='http://jabber.org/protocol/rsm'><max>0</max></set>                                    §2.7
/// ```
///
/// What the responder does with it, which callers implement:
/// - `max` caps the page (§2.1); nil leaves the size to the responder, and `max == 0` asks for the
///   count alone (§2.7, `isCountOnly`), answered by a page with only `count`.
/// - `after` pages forwards: the page starts right after that UID (§2.2). No `after` means "before the
///   first item".
/// - `before` pages backwards: the page ends right before that UID (§2.3); `""` (an empty `<before/>`)
///   asks for the last page (§2.5, `isLastPage`).
/// - `index` asks for the page starting at that position (§2.6); at or past the end, the answer is an
///   empty page; a responder that cannot seek by index answers `feature-not-implemented`.
/// - An `after`/`before` UID that no longer exists, and whose position the responder cannot derive,
///   MUST be answered with `item-not-found` (§2.4). Decoding cannot know the result set, so raising
///   that error is the caller's job.
///
/// Decoding answers `bad-request` for: another element than `<set xmlns='…rsm'/>`, a repeated child
/// (§8 schema: each at most once), `max`/`index` that are not non-negative `xs:int`s, element content
/// in `after`/`before`, an empty `<after/>` (it names no item; only `<before/>` has an empty form,
/// §2.5), and combinations XEP-0059 leaves undefined: `after` with `before` (XEP-0313 §4.3.2 says so
/// outright) and `index` with either UID (§2.6 uses `index` only when no UID is known).
/// The response-only children `first`, `last` and `count`, and children in other namespaces, are ignored.
public struct ResultSetRequest: Hashable, Sendable {
    /// The largest page wanted (§2.1); 0 asks for the count only (§2.7).
    public var max: Int?
    /// The UID of the last item already received: page forwards from it (§2.2).
    public var after: String?
    /// The UID of the first item already received: page backwards from it (§2.3); `""` asks for the
    /// last page (§2.5).
    public var before: String?
    /// The position of the first item wanted (§2.6).
    public var index: Int?

    public init(max: Int? = nil, after: String? = nil, before: String? = nil, index: Int? = nil) {
        self.max = max
        self.after = after
        self.before = before
        self.index = index
    }

    /// `max == 0`: the requester wants the item count, no items (§2.7).
    public var isCountOnly: Bool { max == 0 }

    /// An empty `<before/>`: the requester wants the last page (§2.5).
    public var isLastPage: Bool { before == "" }
}

// MARK: - XML

extension ResultSetRequest {
    // <set xmlns='http://jabber.org/protocol/rsm'>
    //   <max>xs:int</max>? <after>UID</after>? <before>UID or empty</before>? <index>xs:int</index>?
    // </set>                                                             (XEP-0059 §8 schema)
    public init(element: Element) throws(StanzaError) {
        guard element.name == "set", element.namespace == Namespace.rsm else {
            throw .badRequest("expected <set xmlns='\(Namespace.rsm)'/>, got <\(element.name)/>")
        }
        var request = ResultSetRequest()
        var seen = Set<String>()
        for child in element.elements where child.namespace == Namespace.rsm {
            switch child.name {
            case "max", "after", "before", "index":
                guard seen.insert(child.name).inserted else {
                    throw .badRequest("more than one <\(child.name)/> in <set/>")
                }
            default:
                continue  // <first/>, <last/>, <count/> belong to responses; nothing else is defined
            }
            let text = try child.leafText()
            switch child.name {
            case "max": request.max = try Self.nonNegative(text, in: "max")
            case "index": request.index = try Self.nonNegative(text, in: "index")
            case "after":
                guard !text.isEmpty else { throw .badRequest("empty <after/>") }
                request.after = text
            default: request.before = text
            }
        }
        if request.after != nil, request.before != nil {
            throw .badRequest("<after/> and <before/> together are undefined")
        }
        if request.index != nil, request.after != nil || request.before != nil {
            throw .badRequest("<index/> with <after/> or <before/> is undefined")
        }
        self = request
    }

    /// The `<set/>` child of `parent` (the using protocol's `<query/>`, `<pubsub/>` …), decoded; nil when
    /// there is none, so that requests without RSM keep their plain meaning (§4).
    public init?(in parent: Element) throws(StanzaError) {
        guard let set = parent.child("set", namespace: Namespace.rsm) else { return nil }
        try self.init(element: set)
    }

    public var element: Element {
        var set = Element("set", namespace: Namespace.rsm)
        if let max { set.append(Element("max", namespace: Namespace.rsm, text: String(max))) }
        if let after { set.append(.rsmLeaf("after", after)) }
        if let before { set.append(.rsmLeaf("before", before)) }
        if let index { set.append(Element("index", namespace: Namespace.rsm, text: String(index))) }
        return set
    }

    private static func nonNegative(_ text: String, in name: String) throws(StanzaError) -> Int {
        guard let value = XSDLexical.nonNegativeInt(text) else {
            throw .badRequest("<\(name)/> must be a non-negative integer, got '\(text)'")
        }
        return value
    }
}

extension Element {
    /// An RSM element holding a UID; `<before/>`'s empty form gets no text node, matching a parsed one.
    static func rsmLeaf(_ name: String, _ text: String) -> Element {
        Element(name, namespace: Namespace.rsm, text: text.isEmpty ? nil : text)
    }
}
