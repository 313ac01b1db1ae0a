/// Lexical forms of the XML Schema datatypes that XEP-0004 and XEP-0059 put on the wire
/// (XML Schema Part 2: Datatypes §3.2.2 `boolean`, §3.3.13 `integer`, §3.3.17 `int`).
///
/// Both types carry the `whiteSpace=collapse` facet, so leading and trailing XML whitespace
/// (space, tab, CR, LF) is not part of the value and is skipped here.
enum XSDLexical {
    /// `xs:boolean`: "1"/"true" and "0"/"false" (XEP-0004 §3.3 says both styles MUST be supported).
    static func boolean(_ string: String) -> Bool? {
        switch trimmed(string) {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }

    /// `xs:integer` restricted to what `Int` holds: an optional sign and at least one ASCII digit.
    /// Overflow is nil, never a trap.
    static func integer(_ string: String) -> Int? {
        var scalars = trimmed(string).unicodeScalars
        var negative = false
        if let sign = scalars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        guard !scalars.isEmpty else { return nil }
        var value = 0
        for scalar in scalars {
            guard scalar.isASCII, ("0"..."9").contains(scalar) else { return nil }
            let digit = Int(scalar.value - 48)
            // Accumulate towards the sign so Int.min parses.
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    /// `xs:int` (32 bits, as the XEP-0059 schema types `max`, `index`, `count` and `first/@index`),
    /// further restricted to non-negative values: a negative page size, position or count has no meaning.
    static func nonNegativeInt(_ string: String) -> Int? {
        guard let value = integer(string), value >= 0, value <= Int(Int32.max) else { return nil }
        return value
    }

    static func trimmed(_ string: String) -> Substring {
        let isXMLSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        var slice = Substring(string)
        while let first = slice.first, isXMLSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isXMLSpace(last) { slice = slice.dropLast() }
        return slice
    }
}

extension Element {
    /// The character data of a leaf element whose schema type is `xs:string` (`<value/>`, `<desc/>`,
    /// `<title/>`, `<after/>` …): element children there are malformed, not silently dropped.
    func leafText() throws(StanzaError) -> String {
        if let nested = elements.first {
            throw .badRequest("<\(name)/> may not contain <\(nested.name)/>")
        }
        return text
    }
}
