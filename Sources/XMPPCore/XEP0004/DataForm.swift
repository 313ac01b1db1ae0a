/// A data form (XEP-0004): the `<x xmlns='jabber:x:data'/>` that carries node configuration,
/// publish-options, subscription options and search results.
///
/// ```
/// S: <x xmlns='jabber:x:data' type='form'>
///      <title>Bot Configuration</title>
///      <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
///      <field type='boolean' label='Public bot?' var='public'><required/></field>
///    </x>
/// C: <x xmlns='jabber:x:data' type='submit'>
///      <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
///      <field type='boolean' var='public'><value>0</value></field>
///    </x>
/// ```
///
/// Decoding enforces the MUSTs of XEP-0004 §3 and answers `bad-request` when one is broken: the form
/// `type` (§3.1), `var` on every non-`fixed` field and unique within its form, item or header (§3.2),
/// at most one `<value/>` for single-valued types and `<option/>` only in list fields with exactly one
/// `<value/>` each (§3.2), the `xs:boolean` lexical forms and valid JIDs (§3.3), unique options (§3.3),
/// `<reported/>`/`<item/>` only in `result` forms, one header, every item carrying every header field (§3.4).
/// Whether the *values* suit the using protocol is §4 Data Validation, answered with `not-acceptable`
/// by the typed accessors in `DataForm+Values.swift`.
///
/// Deliberately lenient where the XEP asks receivers to be (§3.4 note): `<reported/>` may follow `<item/>`,
/// and top-level fields may sit beside a header. A field `type` this version does not know is read as
/// `text-single`, as §3.3 requires of a form-submitting entity. Children in other namespaces of `<x/>`
/// are ignored; those of `<field/>` (XEP-0122 validation, XEP-0221 media) are kept in `Field.extensions`.
public struct DataForm: Hashable, Sendable {
    /// The form's place in the workflow, XEP-0004 §3.1.
    public enum FormType: String, Hashable, Sendable, CaseIterable {
        /// The form-processing entity asks for the form to be completed.
        case form
        /// The form-submitting entity submits data; fields it omits keep their value (§3.5).
        case submit
        /// The form-submitting entity cancels; carries no fields.
        case cancel
        /// Data returned by the form-processing entity, or a generic data set.
        case result
    }

    /// One row of a multi-item result (XEP-0004 §3.4): the fields named by `reported`.
    public struct Item: Hashable, Sendable {
        public var fields: [Field]

        public init(fields: [Field]) {
            self.fields = fields
        }
    }

    public var type: FormType
    public var title: String?
    /// §3: several `<instructions/>` may appear; each is one line.
    public var instructions: [String]
    /// The top-level fields, in document order (§3.2: the order is the presentation order).
    public var fields: [Field]
    /// The "table header" of a multi-item result (§3.4); nil when the form has no `<reported/>`.
    public var reported: [Field]?
    /// The rows of a multi-item result (§3.4).
    public var items: [Item]

    public init(
        type: FormType,
        title: String? = nil,
        instructions: [String] = [],
        fields: [Field] = [],
        reported: [Field]? = nil,
        items: [Item] = []
    ) {
        self.type = type
        self.title = title
        self.instructions = instructions
        self.fields = fields
        self.reported = reported
        self.items = items
    }

    /// The form's FORM_TYPE (XEP-0068 §3.1): the value of the top-level field named `FORM_TYPE`.
    ///
    /// In `form` and `result` forms the field must be `type='hidden'`, otherwise it is an ordinary field
    /// (XEP-0068 §4.3, §5); in `submit` forms the type may be omitted (XEP-0068 §4.1, §5). Nil unless the
    /// field has exactly one value (XEP-0115 §5.4 deems a FORM_TYPE with differing values ill-formed).
    public var formType: String? {
        guard let field = fields.first(where: { $0.var == DataForm.formTypeVar }) else { return nil }
        switch type {
        case .form, .result:
            guard field.type == .hidden else { return nil }
        case .submit, .cancel:
            break
        }
        guard field.values.count == 1 else { return nil }
        return field.values[0]
    }

    /// The field name XEP-0068 §3.1 reserves for the form's namespace.
    public static let formTypeVar = "FORM_TYPE"
}

// MARK: - XML

extension DataForm {
    // <x xmlns='jabber:x:data' type='form|submit|cancel|result'>
    //   <instructions/>* <title/>? <field/>* <reported/>? <item/>*
    // </x>                                        (XEP-0004 §10 schema; children in any order here)
    public init(element: Element) throws(StanzaError) {
        guard element.name == "x", element.namespace == Namespace.dataForms else {
            throw .badRequest("expected <x xmlns='\(Namespace.dataForms)'/>, got <\(element.name)/>")
        }
        guard let rawType = element[attribute: "type"] else {
            throw .badRequest("data form without a type")  // §10: use='required'
        }
        guard let type = FormType(rawValue: rawType) else {
            throw .badRequest("unknown data form type '\(rawType)'")
        }
        var title: String?
        var instructions: [String] = []
        var fields: [Field] = []
        var reported: [Field]?
        var items: [Item] = []
        for child in element.elements where child.namespace == Namespace.dataForms {
            switch child.name {
            case "title":
                guard title == nil else { throw .badRequest("more than one <title/>") }
                title = try child.leafText()
            case "instructions":
                instructions.append(try child.leafText())
            case "field":
                fields.append(try Field(element: child, in: type))
            case "reported":
                guard type == .result else { throw .badRequest("<reported/> outside a result form") }
                guard reported == nil else { throw .badRequest("more than one <reported/>") }
                reported = try Self.fieldGroup(child, in: type)
            case "item":
                guard type == .result else { throw .badRequest("<item/> outside a result form") }
                items.append(Item(fields: try Self.fieldGroup(child, in: type)))
            default:
                throw .badRequest("unknown <\(child.name)/> in a data form")
            }
        }
        try Self.requireUniqueVars(fields)
        if !items.isEmpty {
            // §3.4: each item MUST contain each field the header names.
            guard let reported else { throw .badRequest("<item/> without <reported/>") }
            let header = reported.compactMap(\.var)
            for item in items {
                let present = Set(item.fields.compactMap(\.var))
                if let missing = header.first(where: { !present.contains($0) }) {
                    throw .badRequest("<item/> lacks the reported field '\(missing)'")
                }
            }
        }
        self.init(
            type: type, title: title, instructions: instructions, fields: fields,
            reported: reported, items: items
        )
    }

    public var element: Element {
        var x = Element("x", namespace: Namespace.dataForms, ["type": type.rawValue])
        if let title { x.append(.dataFormLeaf("title", title)) }
        for line in instructions { x.append(.dataFormLeaf("instructions", line)) }
        for field in fields { x.append(field.element) }
        if let reported {
            x.append(Element("reported", namespace: Namespace.dataForms, children: reported.map(\.element)))
        }
        for item in items {
            x.append(Element("item", namespace: Namespace.dataForms, children: item.fields.map(\.element)))
        }
        return x
    }

    /// `<reported/>` or `<item/>`: one or more fields (§3.4), nothing else of ours.
    private static func fieldGroup(_ group: Element, in type: FormType) throws(StanzaError) -> [Field] {
        var fields: [Field] = []
        for child in group.elements where child.namespace == Namespace.dataForms {
            guard child.name == "field" else {
                throw .badRequest("<\(child.name)/> in <\(group.name)/>")
            }
            fields.append(try Field(element: child, in: type))
        }
        guard !fields.isEmpty else { throw .badRequest("<\(group.name)/> without fields") }
        try requireUniqueVars(fields)
        return fields
    }

    /// §3.2: a field's `var` "uniquely identifies the field in the context of the form".
    private static func requireUniqueVars(_ fields: [Field]) throws(StanzaError) {
        var seen = Set<String>()
        for name in fields.lazy.compactMap(\.var) where !seen.insert(name).inserted {
            throw .badRequest("duplicate field '\(name)'")
        }
    }
}

extension Element {
    /// A `jabber:x:data` element holding only character data; empty text adds no text node, so an
    /// encoded `<value/>` compares equal to a parsed one.
    static func dataFormLeaf(_ name: String, _ text: String) -> Element {
        Element(name, namespace: Namespace.dataForms, text: text.isEmpty ? nil : text)
    }
}
