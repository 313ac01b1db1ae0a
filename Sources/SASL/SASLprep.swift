import Foundation  // NFKC: String.precomposedStringWithCompatibilityMapping

/// The `Normalize()` of RFC 5802 §2.2, as a subset of SASLprep (RFC 4013 §2):
///
/// - §2.1 mapping: non-ASCII spaces (RFC 3454 table C.1.2) become U+0020, characters "commonly
///   mapped to nothing" (table B.1) are removed;
/// - §2.2 normalization: Unicode NFKC.
///
/// Not implemented: the prohibited-output (§2.3) and bidirectional (§2.4) checks, which would only
/// reject passwords, and the unassigned-code-point rule of stored strings. RFC 5802 §2.2 lets
/// implementations choose the normalization; the client, `SCRAM.makeCredentials` and PLAIN
/// verification all use this one, so they agree with each other.
enum SASLprep {
    static func normalize(_ string: String) -> String {
        // ASCII is invariant under both steps; skip Foundation on the common path.
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return string }
        var mapped = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            if isNonASCIISpace(scalar) {
                mapped.append(" ")
            } else if !isMappedToNothing(scalar) {
                mapped.append(scalar)
            }
        }
        return String(mapped).precomposedStringWithCompatibilityMapping
    }

    /// RFC 3454 table C.1.2.
    private static func isNonASCIISpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00A0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// RFC 3454 table B.1.
    private static func isMappedToNothing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200C, 0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF: true
        default: false
        }
    }
}
