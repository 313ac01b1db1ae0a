extension DataForm {
    /// Field types, XEP-0004 §3.3. The raw value is the `type` attribute.
    public enum FieldType: String, Hashable, Sendable, CaseIterable {
        case boolean
        case fixed
        case hidden
        case jidMulti = "jid-multi"
        case jidSingle = "jid-single"
        case listMulti = "list-multi"
        case listSingle = "list-single"
        case textMulti = "text-multi"
        case textPrivate = "text-private"
        case textSingle = "text-single"

        /// §3.2: "Fields of type list-multi, jid-multi, text-multi, and hidden MAY contain more than one
        /// `<value/>` element; all other field types MUST NOT".
        public var allowsMultipleValues: Bool {
            switch self {
            case .listMulti, .jidMulti, .textMulti, .hidden: true
            case .boolean, .fixed, .jidSingle, .listSingle, .textPrivate, .textSingle: false
            }
        }

        /// §3.2: only list fields carry `<option/>`.
        public var allowsOptions: Bool { self == .listSingle || self == .listMulti }
    }

    /// One choice of a `list-single` or `list-multi` field, XEP-0004 §3.2:
    /// `<option label='News'><value>news</value></option>`.
    public struct Option: Hashable, Sendable {
        public var label: String?
        public var value: String

        public init(label: String? = nil, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// A `<field/>`, XEP-0004 §3.2.
    ///
    /// `type` is the attribute as sent: nil when absent, which in a `form` means `text-single` (§3.2) and
    /// in `submit`/`result` forms means "as in the form it answers". `values` keeps empty strings:
    /// `<value/>` and no `<value/>` are both ways of saying "no value" (§3.6), and the typed accessors
    /// treat them alike.
    public struct Field: Hashable, Sendable {
        public var `var`: String?
        public var type: FieldType?
        public var label: String?
        public var desc: String?
        /// `<required/>`: the form is invalid without this field (§3.2).
        public var required: Bool
        public var values: [String]
        public var options: [Option]
        /// Children in other namespaces, such as XEP-0122 `<validate/>` or XEP-0221 `<media/>`, in order.
        public var extensions: [Element]

        public init(
            `var` name: String? = nil,
            type: FieldType? = nil,
            label: String? = nil,
            desc: String? = nil,
            required: Bool = false,
            values: [String] = [],
            options: [Option] = [],
            extensions: [Element] = []
        ) {
            self.var = name
            self.type = type
            self.label = label
            self.desc = desc
            self.required = required
            self.values = values
            self.options = options
            self.extensions = extensions
        }

        /// The hidden FORM_TYPE field that names a form's namespace (XEP-0068 §3.1).
        public static func formType(_ namespace: String) -> Field {
            Field(var: DataForm.formTypeVar, type: .hidden, values: [namespace])
        }
    }
}

// MARK: - XML

extension DataForm.Field {
    // <field var='…' type='…' label='…'>
    //   <desc/>? <required/>? <value/>* <option label='…'><value/></option>*
    // </field>                                         (XEP-0004 §10 schema; children in any order here)
    init(element: Element, in form: DataForm.FormType) throws(StanzaError) {
        var type: DataForm.FieldType?
        if let raw = element[attribute: "type"] {
            // §3.3: an unknown type "MUST be assumed" to be text-single.
            type = DataForm.FieldType(rawValue: raw) ?? .textSingle
        }
        let name = element[attribute: "var"]
        // §3.2: 'var' is required unless the field is "fixed".
        if name == nil, type != .fixed {
            throw .badRequest("field without 'var'")
        }
        var desc: String?
        var required = false
        var values: [String] = []
        var options: [DataForm.Option] = []
        var extensions: [Element] = []
        for child in element.elements {
            guard child.namespace == Namespace.dataForms else {
                extensions.append(child)
                continue
            }
            switch child.name {
            case "desc":
                guard desc == nil else { throw .badRequest("more than one <desc/> in field '\(name ?? "")'") }
                desc = try child.leafText()
            case "required":
                // §3.2: "This element, which MUST be empty".
                guard !required else { throw .badRequest("more than one <required/> in field '\(name ?? "")'") }
                guard child.isEmpty else { throw .badRequest("<required/> must be empty") }
                required = true
            case "value":
                values.append(try child.leafText())
            case "option":
                options.append(try DataForm.Option(element: child))
            default:
                throw .badRequest("unknown <\(child.name)/> in field '\(name ?? "")'")
            }
        }
        self.init(
            var: name, type: type, label: element[attribute: "label"], desc: desc, required: required,
            values: values, options: options, extensions: extensions
        )
        // §3.2: a missing type in a "form" is text-single; in the other forms it is implied by context,
        // so only the rules that hold for every type apply.
        try validate(as: type ?? (form == .form ? .textSingle : nil))
    }

    private func validate(as effectiveType: DataForm.FieldType?) throws(StanzaError) {
        let label = self.var ?? "(fixed)"
        if let effectiveType {
            if values.count > 1, !effectiveType.allowsMultipleValues {
                throw .badRequest("\(effectiveType.rawValue) field '\(label)' with more than one <value/>")
            }
            if !options.isEmpty, !effectiveType.allowsOptions {
                throw .badRequest("\(effectiveType.rawValue) field '\(label)' with <option/>")
            }
        }
        // §3.3 note **: options are unique by label and by value.
        var optionValues = Set<String>()
        var optionLabels = Set<String>()
        for option in options {
            guard optionValues.insert(option.value).inserted else {
                throw .badRequest("duplicate option value '\(option.value)' in field '\(label)'")
            }
            if let optionLabel = option.label, !optionLabels.insert(optionLabel).inserted {
                throw .badRequest("duplicate option label '\(optionLabel)' in field '\(label)'")
            }
        }
        // Empty values stand for "no value" (§3.6), so only non-empty ones must be well-formed.
        switch effectiveType {
        case .boolean:
            // §3.3 boolean: the xs:boolean lexical forms "0", "1", "false", "true".
            if let bad = values.first(where: { !$0.isEmpty && XSDLexical.boolean($0) == nil }) {
                throw .badRequest("boolean field '\(label)' with value '\(bad)'")
            }
        case .jidSingle, .jidMulti:
            // §3.3 note *: jid-single and jid-multi data "MUST contain one or more valid Jabber IDs".
            for value in values where !value.isEmpty {
                do {
                    _ = try JID(value)
                } catch {
                    throw .badRequest("field '\(label)': '\(value)' is not a JID (\(error))")
                }
            }
        default:
            break
        }
    }

    var element: Element {
        var field = Element(
            "field", namespace: Namespace.dataForms,
            ["var": self.var, "type": type?.rawValue, "label": label]
        )
        if let desc { field.append(.dataFormLeaf("desc", desc)) }
        if required { field.append(Element("required", namespace: Namespace.dataForms)) }
        for value in values { field.append(.dataFormLeaf("value", value)) }
        for option in options { field.append(option.element) }
        for element in extensions { field.append(element) }
        return field
    }
}

extension DataForm.Option {
    // <option label='…'><value>…</value></option>
    init(element: Element) throws(StanzaError) {
        // §3.2: "The <option/> element MUST contain one and only one <value/> child."
        let values = element.children("value", namespace: Namespace.dataForms)
        guard values.count == 1 else {
            throw .badRequest("<option/> with \(values.count) <value/> children")
        }
        if let stray = element.elements.first(where: { $0.namespace == Namespace.dataForms && $0.name != "value" }) {
            throw .badRequest("<\(stray.name)/> in <option/>")
        }
        self.init(label: element[attribute: "label"], value: try values[0].leafText())
    }

    var element: Element {
        Element(
            "option", namespace: Namespace.dataForms, ["label": label],
            children: [.dataFormLeaf("value", value)]
        )
    }
}
