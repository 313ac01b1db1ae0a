import Foundation  // NFC: String.precomposedStringWithCanonicalMapping

// RFC 7622 §3.2 (domainpart), §3.3 (localpart, PRECIS UsernameCaseMapped profile of RFC 8265 §3.3),
// §3.4 (resourcepart, PRECIS OpaqueString profile of RFC 8265 §4.2).
//
// Scope of this implementation (docs/CONFORMANCE.md): case mapping with Unicode toLowerCase, NFC,
// PRECIS IdentifierClass/FreeformClass decided by general category (RFC 8264 §9) plus the HasCompat
// and PrecisIgnorableProperties exclusions for IdentifierClass, the JID-specific exclusions of
// RFC 7622 §3.3.1, width mapping limited to fullwidth/halfwidth forms, and no IDNA A-label
// conversion of domain names (U-labels are compared after width mapping, lower-casing and NFC).
extension JID {
    static let maximumPartBytes = 1023

    static func normalizeLocalpart(_ raw: String) throws(JIDError) -> String {
        if raw.isEmpty { throw JIDError(.emptyLocalpart) }
        if raw.utf8.count <= maximumPartBytes,
           let ascii = asciiFastPath(raw, allowed: { $0 >= 0x21 && $0 <= 0x7E && !isExcludedFromLocalpart($0) }) {
            return ascii
        }
        // RFC 8265 §3.3.2 width mapping, then case mapping, then NFC.
        let mapped = canonicalComposition(mapWidth(raw).lowercased())
        for scalar in mapped.unicodeScalars {
            // RFC 7622 §3.3.1: these are never allowed in a localpart.
            switch scalar {
            case "\"", "&", "'", "/", ":", "<", ">", "@":
                throw JIDError(.disallowedCharacter(part: "localpart", scalar: scalar))
            default:
                break
            }
            guard isIdentifierClass(scalar) else {
                throw JIDError(.disallowedCharacter(part: "localpart", scalar: scalar))
            }
        }
        guard mapped.utf8.count <= maximumPartBytes else { throw JIDError(.partTooLong("localpart")) }
        if mapped.isEmpty { throw JIDError(.emptyLocalpart) }
        return mapped
    }

    static func normalizeDomainpart(_ raw: String) throws(JIDError) -> String {
        var domain = Substring(raw)
        // RFC 7622 §3.2: a trailing label separator is stripped before any other processing.
        if domain.hasSuffix(".") { domain = domain.dropLast() }
        if domain.isEmpty { throw JIDError(.emptyDomainpart) }
        if let ascii = asciiFastPath(String(domain), allowed: isLDH), ascii.utf8.count <= maximumPartBytes,
           hasValidLabels(ascii)
        {
            return ascii
        }
        // RFC 7622 §3.2.2: width mapping, case mapping and NFC, as for U-labels (RFC 5895 §2).
        let mapped = canonicalComposition(mapWidth(String(domain)).lowercased())
        guard mapped.utf8.count <= maximumPartBytes else { throw JIDError(.partTooLong("domainpart")) }
        if mapped.hasPrefix("[") {
            // IPv6 literal (RFC 7622 §3.2, RFC 3986 IP-literal): hex digits, colons, dots.
            guard mapped.hasSuffix("]"), mapped.count > 2,
                  mapped.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
            else { throw JIDError(.invalidDomain) }
            return mapped
        }
        for label in mapped.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63 else { throw JIDError(.invalidDomain) }
            // RFC 5890 §2.3.1 (LDH labels) and RFC 5891 §4.2.3.1 (U-labels): no hyphen at either end.
            guard label.first != "-", label.last != "-" else { throw JIDError(.invalidDomain) }
            for scalar in label.unicodeScalars {
                if scalar.isASCII {
                    // LDH rule for ASCII labels; '_' tolerated as deployed XMPP services use it.
                    let c = Character(scalar)
                    guard c.isLetter || c.isNumber || c == "-" || c == "_" else {
                        throw JIDError(.disallowedCharacter(part: "domainpart", scalar: scalar))
                    }
                } else if !isIdentifierClass(scalar) {
                    throw JIDError(.disallowedCharacter(part: "domainpart", scalar: scalar))
                }
            }
        }
        return mapped
    }

    static func normalizeResourcepart(_ raw: String) throws(JIDError) -> String {
        if raw.isEmpty { throw JIDError(.emptyResourcepart) }
        if raw.utf8.count <= maximumPartBytes, raw.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) {
            // Printable ASCII: NFC and the space mapping change nothing, FreeformClass admits all.
            return raw
        }
        // RFC 8265 §4.2.2: non-ASCII spaces map to U+0020, then NFC.
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if scalar.properties.generalCategory == .spaceSeparator {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        let mapped = canonicalComposition(String(scalars))
        for scalar in mapped.unicodeScalars where !isFreeformClass(scalar) {
            throw JIDError(.disallowedCharacter(part: "resourcepart", scalar: scalar))
        }
        guard mapped.utf8.count <= maximumPartBytes else { throw JIDError(.partTooLong("resourcepart")) }
        return mapped
    }

    /// Most JIDs are ASCII, and for ASCII the PRECIS pipeline reduces to lower-casing (width mapping
    /// and NFC change nothing): returns the normalized part when every byte passes `allowed` after
    /// lower-casing, nil to take the full path (which also produces the precise error). Stanza
    /// routing parses several JIDs per stanza; Foundation's NFC was most of that cost.
    private static func asciiFastPath(_ raw: String, allowed: (UInt8) -> Bool) -> String? {
        var hasUppercase = false
        for byte in raw.utf8 {
            if byte >= 0x41 && byte <= 0x5A {
                hasUppercase = true
            } else if !allowed(byte) {
                return nil
            }
        }
        guard hasUppercase else { return raw }
        return String(decoding: raw.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Every dot-separated label of an LDH domain is 1–63 bytes with no hyphen at either end (the
    /// same rule as the full path's), checked in one pass without splitting.
    private static func hasValidLabels(_ domain: String) -> Bool {
        var length = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in domain.utf8 {
            if byte == UInt8(ascii: ".") {
                if length == 0 || previous == UInt8(ascii: "-") { return false }
                length = 0
            } else {
                if length == 0 && byte == UInt8(ascii: "-") { return false }
                length += 1
                if length > 63 { return false }
            }
            previous = byte
        }
        return length > 0 && previous != UInt8(ascii: "-")
    }

    /// RFC 7622 §3.3.1: ASCII characters never allowed in a localpart.
    private static func isExcludedFromLocalpart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "/"), UInt8(ascii: ":"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"):
            true
        default:
            false
        }
    }

    /// Lower-case letters, digits, '-', '_' (tolerated, as in the full path) and the label separator.
    private static func isLDH(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// NFC (Unicode Normalization Form C). ASCII text is already in NFC (no ASCII character
    /// decomposes or composes), so the common all-ASCII JID skips Foundation's normalizer, which
    /// is most of the cost of parsing one.
    private static func canonicalComposition(_ string: String) -> String {
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return string }
        return string.precomposedStringWithCanonicalMapping
    }

    /// Fullwidth and halfwidth forms to their decomposition mappings (RFC 8265 §3.3.2 rule 1).
    /// Only those code points: other compatibility characters must reach the class check unmapped.
    private static func mapWidth(_ string: String) -> String {
        guard string.unicodeScalars.contains(where: { (0xFF00...0xFFEF).contains($0.value) }) else {
            return string
        }
        var result = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            if (0xFF00...0xFFEF).contains(scalar.value) {
                result.append(contentsOf: String(Character(scalar)).decomposedStringWithCompatibilityMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// PRECIS IdentifierClass (RFC 8264 §4.2): ASCII7 printable and LetterDigits; no spaces, symbols,
    /// punctuation outside ASCII, controls or unassigned code points.
    static func isIdentifierClass(_ scalar: Unicode.Scalar) -> Bool {
        if (0x21...0x7E).contains(scalar.value) { return true }
        // RFC 8264 §9.13 (PrecisIgnorableProperties) and §9.17 (HasCompat) disallow these whatever
        // their category: variation selectors and ligatures would make look-alike localparts.
        if scalar.properties.isDefaultIgnorableCodePoint || scalar.properties.isNoncharacterCodePoint {
            return false
        }
        let character = String(Character(scalar))
        guard character.precomposedStringWithCompatibilityMapping.unicodeScalars.elementsEqual(CollectionOfOne(scalar))
        else { return false }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
             .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    /// PRECIS FreeformClass (RFC 8264 §4.3): IdentifierClass plus spaces, symbols and punctuation;
    /// still no controls, unassigned code points, private use or surrogates.
    static func isFreeformClass(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value == 0x20 || (0x21...0x7E).contains(scalar.value) { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate, .lineSeparator,
             .paragraphSeparator:
            return false
        default:
            return !scalar.properties.isNoncharacterCodePoint
        }
    }
}
