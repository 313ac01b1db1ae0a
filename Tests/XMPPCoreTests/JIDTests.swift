import Testing
import XMPPCore

/// RFC 7622 (XMPP address format) with the PRECIS profiles of RFC 8265 that it uses: localparts are
/// UsernameCaseMapped (§3.3), resourceparts OpaqueString (§3.4), domainparts IDNA2008 U-labels (§3.2).
///
/// Swift's `String ==` compares canonical equivalence, so normalization is checked on UTF-8 bytes.
@Suite struct JIDTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let input: String
        let localpart: String?
        let domainpart: String
        let resourcepart: String?
        let why: String
        init(_ input: String, _ localpart: String?, _ domainpart: String, _ resourcepart: String?, _ why: String) {
            (self.input, self.localpart, self.domainpart, self.resourcepart, self.why) =
                (input, localpart, domainpart, resourcepart, why)
        }
        var testDescription: String { "\(why): \(input.debugDescription)" }
    }

    /// RFC 7622 §3.5 Table 1, in its order, with the normalized parts.
    static let rfc7622Table1: [Valid] = [
        .init("juliet@example.com", "juliet", "example.com", nil, "bare JID"),
        .init("juliet@example.com/foo", "juliet", "example.com", "foo", "full JID"),
        .init("juliet@example.com/foo bar", "juliet", "example.com", "foo bar", "space in resourcepart"),
        .init("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar", "'@' in resourcepart"),
        .init(#"foo\20bar@example.com"#, #"foo\20bar"#, "example.com", nil, "XEP-0106 escaped space, kept as is"),
        .init("fussball@example.com", "fussball", "example.com", nil, "another bare JID"),
        .init("fußball@example.com", "fußball", "example.com", nil, "U+00DF is not case-folded to ss"),
        .init("π@example.com", "π", "example.com", nil, "GREEK SMALL LETTER PI"),
        .init("Σ@example.com", "σ", "example.com", nil, "GREEK CAPITAL SIGMA maps to small sigma"),
        .init("ς@example.com", "ς", "example.com", nil, "final sigma is already lower case"),
        .init("king@example.com/♚", "king", "example.com", "♚", "symbol in resourcepart"),
        .init("example.com", nil, "example.com", nil, "domainpart only"),
        .init("example.com/foobar", nil, "example.com", "foobar", "domainpart and resourcepart"),
        .init("a.example.com/b@example.net", nil, "a.example.com", "b@example.net", "'@' after the first '/'"),
    ]

    /// More valid forms: §3.1 splitting, §3.2 IP literals and the trailing dot, §3.3/§3.4 mappings.
    static let moreValid: [Valid] = [
        .init("[::1]", nil, "[::1]", nil, "§3.2 IPv6 literal"),
        .init("juliet@[2001:DB8::1]/r", "juliet", "[2001:db8::1]", "r", "§3.2 IPv6 literal, hex lower-cased"),
        .init("juliet@[::ffff:192.0.2.1]", "juliet", "[::ffff:192.0.2.1]", nil, "§3.2 IPv6 with IPv4 tail"),
        .init("juliet@192.0.2.1", "juliet", "192.0.2.1", nil, "§3.2 IPv4 address"),
        .init("juliet@example.com.", "juliet", "example.com", nil, "§3.2 trailing dot stripped"),
        .init("example.com./r", nil, "example.com", "r", "§3.2 trailing dot stripped before '/'"),
        .init("JULIET@EXAMPLE.COM/Balcony", "juliet", "example.com", "Balcony", "§3.3.2/§3.2.2 case, §3.4 kept"),
        .init("juliet@example.com/foo/bar", "juliet", "example.com", "foo/bar", "§3.1 resource after first '/'"),
        .init("server/resource@foo", nil, "server", "resource@foo", "§3.1 '@' only in the resource"),
        .init("server/resource@foo/bar", nil, "server", "resource@foo/bar", "§3.1 '@' and '/' in the resource"),
        .init("juliet@example.com/ foo", "juliet", "example.com", " foo", "§3.4 leading space (erratum 4560)"),
        .init("juliet@example.com/foo\u{A0}bar", "juliet", "example.com", "foo bar",
              "RFC 8265 §4.2.2 non-ASCII space maps to U+0020"),
        .init("juliet@example.com/a\u{3000}b", "juliet", "example.com", "a b", "RFC 8265 §4.2.2 ideographic space"),
        .init("juliet@example.com/ＡＢ", "juliet", "example.com", "ＡＢ", "RFC 8265 §4.2.2 no width mapping in resource"),
        .init("ＪＵＬＩＥＴ@example.com", "juliet", "example.com", nil, "RFC 8265 §3.3.2 width mapping, then case"),
        .init("cafe\u{301}@example.com", "caf\u{E9}", "example.com", nil, "RFC 8265 §3.3.2 NFC in localpart"),
        .init("juliet@caf\u{65}\u{301}.example", "juliet", "caf\u{E9}.example", nil, "§3.2.2 NFC in domainpart"),
        .init("juliet@CAFÉ.example", "juliet", "café.example", nil, "§3.2.2 non-ASCII domain lower-cased"),
        .init("juliet@example.com/re\u{301}sume\u{301}", "juliet", "example.com", "r\u{E9}sum\u{E9}",
              "RFC 8265 §4.2.2 NFC in resource"),
        .init("a!#$%*+=?^_`{|}~-.@example.com", "a!#$%*+=?^_`{|}~-.", "example.com", nil,
              "§3.3.1 ASCII punctuation other than the eight exclusions"),
        .init("juliet@x_y.example.com", "juliet", "x_y.example.com", nil, "'_' tolerated in domain labels"),
        .init("juliet@münchen.example", "juliet", "münchen.example", nil, "§3.2 U-label"),
        .init("juliet@example.com/\u{301}x", "juliet", "example.com", "\u{301}x",
              "§3.1 split at the '/' code point, also before a combining mark"),
        .init("juliet@a-b.c--d.example", "juliet", "a-b.c--d.example", nil, "§3.2 hyphens inside labels"),
        .init("juliet@" + String(repeating: "a", count: 63) + ".com", "juliet", String(repeating: "a", count: 63) + ".com",
              nil, "§3.2 a label of exactly 63 octets"),
    ]

    static func bytes(_ string: String?) -> [UInt8]? { string.map { Array($0.utf8) } }

    @Test(arguments: rfc7622Table1 + moreValid)
    func validJIDsParseToTheirNormalizedParts(_ c: Valid) throws {
        let jid = try JID(c.input)
        #expect(Self.bytes(jid.localpart) == Self.bytes(c.localpart))
        #expect(Self.bytes(jid.domainpart) == Self.bytes(c.domainpart))
        #expect(Self.bytes(jid.resourcepart) == Self.bytes(c.resourcepart))
    }

    /// §3.3/§3.4/§3.2: normalization is idempotent, so the description is a fixed point.
    @Test(arguments: rfc7622Table1 + moreValid)
    func descriptionRoundTrips(_ c: Valid) throws {
        let jid = try JID(c.input)
        let again = try JID(jid.description)
        #expect(again == jid)
        #expect(Self.bytes(again.description) == Self.bytes(jid.description))
        #expect(try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: jid.resourcepart) == jid)
    }

    enum Failure: Sendable, Equatable {
        case empty(String), tooLong(String), disallowed(String), invalidDomain

        init(_ reason: JIDError.Reason) {
            switch reason {
            case .emptyLocalpart: self = .empty("localpart")
            case .emptyDomainpart: self = .empty("domainpart")
            case .emptyResourcepart: self = .empty("resourcepart")
            case .partTooLong(let part): self = .tooLong(part)
            case .disallowedCharacter(let part, _): self = .disallowed(part)
            case .invalidDomain: self = .invalidDomain
            }
        }
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let input: String
        let failure: Failure
        let why: String
        init(_ input: String, _ failure: Failure, _ why: String) { (self.input, self.failure, self.why) = (input, failure, why) }
        var testDescription: String { "\(why): \(input.debugDescription)" }
    }

    /// RFC 7622 §3.5 Table 2 (without "leading space in resourcepart", which OpaqueString allows).
    static let rfc7622Table2: [Invalid] = [
        .init(#""juliet"@example.com"#, .disallowed("localpart"), "quotation marks in localpart"),
        .init("foo bar@example.com", .disallowed("localpart"), "space in localpart"),
        .init("@example.com/", .empty("localpart"), "empty localpart and resourcepart"),
        .init("henry\u{2163}@example.com", .disallowed("localpart"), "ROMAN NUMERAL FOUR (compatibility character)"),
        .init("♚@example.com", .disallowed("localpart"), "BLACK CHESS KING (symbol) in localpart"),
        .init("juliet@", .empty("domainpart"), "localpart without domainpart"),
        .init("/foobar", .empty("domainpart"), "resourcepart without domainpart"),
    ]

    static let long = String(repeating: "a", count: 1024)
    static let longDomain = Array(repeating: String(repeating: "a", count: 63), count: 16).joined(separator: ".") + "a"

    /// §3.1 empty parts and lengths, §3.2 domainpart syntax, §3.3.1 exclusions, PRECIS classes.
    static let moreInvalid: [Invalid] = [
        .init("", .empty("domainpart"), "§3.1 empty string"),
        .init("@example.com", .empty("localpart"), "§3.3.1 empty localpart"),
        .init("example.com/", .empty("resourcepart"), "§3.4.1 empty resourcepart"),
        .init("juliet@example.com/", .empty("resourcepart"), "§3.4.1 empty resourcepart"),
        .init("@", .empty("localpart"), "§3.1 '@' alone"),
        .init("/", .empty("domainpart"), "§3.1 '/' alone"),
        .init("node@/server", .empty("domainpart"), "§3.2 empty domainpart"),
        .init("juliet@.", .empty("domainpart"), "§3.2 only the trailing dot"),
        .init("user@@host", .disallowed("domainpart"), "§3.2 '@' in domainpart"),
        .init("exa mple.com", .disallowed("domainpart"), "§3.2 space in domainpart"),
        .init("juliet@exa mple.com", .disallowed("domainpart"), "§3.2 space in domainpart"),
        .init("juliet@exa\u{1}mple.com", .disallowed("domainpart"), "§3.2 control in domainpart"),
        .init("juliet@example..com", .invalidDomain, "§3.2 empty label"),
        .init("juliet@.example.com", .invalidDomain, "§3.2 empty first label"),
        .init("juliet@a-.example.com", .invalidDomain, "§3.2 hyphen ending a label"),
        .init("juliet@example.-com", .invalidDomain, "§3.2 hyphen starting a label"),
        .init("juliet@example.com..", .invalidDomain, "§3.2 only one trailing dot is stripped"),
        .init("juliet@" + String(repeating: "a", count: 64) + ".com", .invalidDomain, "§3.2 label over 63 octets"),
        .init("juliet@::1", .disallowed("domainpart"), "§3.2 IPv6 without brackets"),
        .init("juliet@[::1", .invalidDomain, "§3.2 unclosed IP literal"),
        .init("juliet@[]", .invalidDomain, "§3.2 empty IP literal"),
        .init("juliet@[::g]", .invalidDomain, "§3.2 non-hex IP literal"),
        .init("juliet@" + longDomain, .tooLong("domainpart"), "§3.2 domainpart over 1023 octets"),
        .init("jul'iet@example.com", .disallowed("localpart"), "§3.3.1 apostrophe"),
        .init("jul&iet@example.com", .disallowed("localpart"), "§3.3.1 ampersand"),
        .init("jul:iet@example.com", .disallowed("localpart"), "§3.3.1 colon"),
        .init("jul<iet@example.com", .disallowed("localpart"), "§3.3.1 less-than"),
        .init("jul>iet@example.com", .disallowed("localpart"), "§3.3.1 greater-than"),
        .init("juliet\u{7}@example.com", .disallowed("localpart"), "RFC 8264 §9.12 control in localpart"),
        .init("jul\u{0}iet@example.com", .disallowed("localpart"), "RFC 8264 §9.12 NUL in localpart"),
        .init("juliet\u{7F}@example.com", .disallowed("localpart"), "RFC 8264 §9.12 DEL in localpart"),
        .init("juliet\u{A0}@example.com", .disallowed("localpart"), "RFC 8264 §4.2 no spaces in IdentifierClass"),
        .init("jul\u{200B}iet@example.com", .disallowed("localpart"), "RFC 8264 §9.13 zero-width space"),
        .init("jul\u{378}iet@example.com", .disallowed("localpart"), "RFC 8264 §9.10 unassigned code point"),
        .init("jul\u{E000}iet@example.com", .disallowed("localpart"), "RFC 8264 §4.2 private use"),
        .init("juliet@example.com/foo\u{1}", .disallowed("resourcepart"), "RFC 8264 §9.12 control in resource"),
        .init("juliet@example.com/a\tb", .disallowed("resourcepart"), "RFC 8264 §9.12 tab in resource"),
        .init("juliet@example.com/a\nb", .disallowed("resourcepart"), "RFC 8264 §9.12 line feed in resource"),
        .init("juliet@example.com/a\u{2028}b", .disallowed("resourcepart"), "RFC 8264 §4.3 line separator"),
        .init("juliet@example.com/a\u{200B}b", .disallowed("resourcepart"), "RFC 8264 §9.13 zero-width space"),
        .init("juliet@example.com/a\u{E000}", .disallowed("resourcepart"), "RFC 8264 §4.3 private use"),
        .init("juliet@example.com/a\u{FFFF}", .disallowed("resourcepart"), "RFC 8264 §9.13 noncharacter"),
        .init("\u{FB01}nance@example.com", .disallowed("localpart"), "RFC 8264 §9.17 HasCompat: LATIN SMALL LIGATURE FI"),
        .init("\u{AA}@example.com", .disallowed("localpart"), "RFC 8264 §9.17 HasCompat: FEMININE ORDINAL INDICATOR"),
        .init("\u{FF4A}\u{FB01}@example.com", .disallowed("localpart"),
              "RFC 8265 §3.3.2 width mapping maps only fullwidth forms, not the ligature beside them"),
        .init("juliet@\u{FB01}.example", .disallowed("domainpart"), "§3.2 IDNA2008 disallows compatibility characters"),
        .init("juliet\u{FE0F}@example.com", .disallowed("localpart"), "RFC 8264 §9.13 default ignorable: VS16"),
        .init("jul\u{34F}iet@example.com", .disallowed("localpart"), "RFC 8264 §9.13 default ignorable: CGJ"),
        .init("juliet@-example.com", .invalidDomain, "RFC 5890 §2.3.1 LDH label: leading hyphen"),
        .init("juliet@example-.com", .invalidDomain, "RFC 5890 §2.3.1 LDH label: trailing hyphen"),
        .init("juliet@m\u{FC}nchen-.example", .invalidDomain, "RFC 5891 §4.2.3.1 U-label: trailing hyphen"),
        .init(long + "@example.com", .tooLong("localpart"), "§3.3 localpart over 1023 octets"),
        .init(String(repeating: "é", count: 512) + "@example.com", .tooLong("localpart"),
              "§3.3 octets, not characters: 512 × 2"),
        .init("juliet@example.com/" + long, .tooLong("resourcepart"), "§3.4 resourcepart over 1023 octets"),
    ]

    @Test(arguments: rfc7622Table2 + moreInvalid)
    func invalidJIDsAreRejected(_ c: Invalid) {
        let error = #expect(throws: JIDError.self) { try JID(c.input) }
        #expect(error.map { Failure($0.reason) } == c.failure)
    }

    /// §3.3.1: all eight excluded characters, including '@' and '/', which a string cannot carry
    /// into a localpart because §3.1 splits on them first.
    @Test(arguments: [#"""#, "&", "'", "/", ":", "<", ">", "@"])
    func excludedCharactersAreRejectedInLocalparts(_ character: String) {
        #expect(throws: JIDError(.disallowedCharacter(part: "localpart", scalar: character.unicodeScalars.first!))) {
            try JID(localpart: "a\(character)b", domainpart: "example.com")
        }
    }

    /// The ASCII fast path of the normalization must agree with the full PRECIS path: case mapped
    /// where the profile maps case, every exclusion and bound still enforced.
    @Test func asciiPartsNormalizeAsThePRECISPathDoes() throws {
        let jid = try JID("Juliet.Capulet@Example.COM/Balcony Room")
        #expect(jid.localpart == "juliet.capulet")
        #expect(jid.domainpart == "example.com")
        #expect(jid.resourcepart == "Balcony Room")
        #expect(try JID("a_b-c@sub_1.example-2.org").domainpart == "sub_1.example-2.org")
        #expect(try JID("x@Example.com.").domainpart == "example.com")
        // Same bytes through the non-ASCII path (one fullwidth letter forces it) give the same parts.
        #expect(try JID("ｊuliet.capulet@example.com").localpart == jid.localpart)
        for invalid in ["a b@example.com", "a\u{7F}@example.com", "a@-example.com", "a@example-.com",
                        "a@exa..mple.com", "a@exam ple.com", "a@example.com/a\u{01}b", "a@example.com/\u{7F}",
                        "a@" + String(repeating: "l", count: 64) + ".com",
                        String(repeating: "u", count: 1024) + "@example.com",
                        "a@example.com/" + String(repeating: "r", count: 1024)] {
            #expect(throws: JIDError.self, "\(invalid.debugDescription) must be refused") { try JID(invalid) }
        }
    }

    @Test func partsAtTheLengthLimitAreAccepted() throws {
        let max = String(repeating: "a", count: 1023)
        let domain = Array(repeating: String(repeating: "a", count: 63), count: 16).joined(separator: ".")
        #expect(domain.utf8.count == 1023)
        let jid = try JID("\(max)@\(domain)/\(max)")
        #expect(jid.localpart?.utf8.count == 1023)
        #expect(jid.domainpart.utf8.count == 1023)
        #expect(jid.resourcepart?.utf8.count == 1023)
        #expect(try JID(String(repeating: "é", count: 511) + "a@example.com").localpart?.utf8.count == 1023)
    }

    @Test func partsInitializerRejectsEmptyPartsAndSeparators() {
        #expect(throws: JIDError(.emptyLocalpart)) { try JID(localpart: "", domainpart: "example.com") }
        #expect(throws: JIDError(.emptyDomainpart)) { try JID(localpart: nil, domainpart: "") }
        #expect(throws: JIDError(.emptyResourcepart)) {
            try JID(localpart: nil, domainpart: "example.com", resourcepart: "")
        }
        #expect(throws: JIDError.self) { try JID(localpart: nil, domainpart: "example.com/r") }
        #expect(throws: JIDError.self) { try JID(localpart: nil, domainpart: "a@example.com") }
    }

    @Test func errorDescriptionsNameThePartAndTheCodePoint() {
        #expect(JIDError(.disallowedCharacter(part: "localpart", scalar: " ")).description
            == "disallowed character U+20 in localpart")
        #expect(JIDError(.partTooLong("resourcepart")).description == "resourcepart longer than 1023 bytes")
        #expect(JIDError(.emptyDomainpart).description == "empty domainpart")
    }
}

/// Equality, hashing and the derived JIDs (RFC 7622 §3.2–§3.4: comparisons use normalized parts).
@Suite struct JIDNormalizationTests {
    /// Each row: spellings of one JID.
    static let sameJID: [[String]] = [
        ["juliet@example.com", "JULIET@example.com", "Juliet@EXAMPLE.COM", "juliet@example.com.", "ＪＵＬＩＥＴ@example.com"],
        ["caf\u{E9}@example.com", "cafe\u{301}@example.com", "CAFÉ@Example.com", "CAFE\u{301}@example.com"],
        ["Σ@example.com", "σ@example.com"],
        ["juliet@example.com/foo bar", "juliet@example.com/foo\u{A0}bar", "juliet@Example.COM./foo\u{2003}bar"],
        ["juliet@example.com/r\u{E9}", "juliet@example.com/re\u{301}"],
        ["[::1]", "[::1]."],
        // §3.2.2: width mapping in the domainpart, as in the localpart.
        ["juliet@example.com", "juliet@\u{FF45}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}.com", "juliet@ＥＸＡＭＰＬＥ.COM"],
    ]

    @Test(arguments: sameJID)
    func spellingsOfOneJIDAreEqualAndHashAlike(_ spellings: [String]) throws {
        let jids = try spellings.map { try JID($0) }
        #expect(Set(jids).count == 1)
        let descriptions = Set(jids.map { Array($0.description.utf8) })
        #expect(descriptions.count == 1, "one normalized byte form")
    }

    /// Pairs that must stay distinct: RFC 8265 uses toLowerCase, not case folding (ß, ς), and the
    /// resourcepart is never case-mapped (OpaqueString, RFC 8265 §4.2).
    static let differentJIDs: [(String, String)] = [
        ("fußball@example.com", "fussball@example.com"),
        ("ς@example.com", "σ@example.com"),
        ("juliet@example.com/Balcony", "juliet@example.com/balcony"),
        ("juliet@example.com/ＡＢ", "juliet@example.com/AB"),
        ("juliet@example.com", "juliet@example.com/r"),
        ("juliet@example.com", "example.com"),
        ("juliet@example.com", "juliet@example.net"),
    ]

    @Test(arguments: differentJIDs)
    func distinctJIDsStayDistinct(_ a: String, _ b: String) throws {
        #expect(try JID(a) != JID(b))
        #expect(try Set([JID(a), JID(b)]).count == 2)
    }

    @Test func bareDomainAndFullForms() throws {
        let full = try JID("Juliet@Example.com/Balcony")
        #expect(full.isFull && !full.isBare)
        #expect(full.bare == (try JID("juliet@example.com")))
        #expect(full.bare.isBare && full.bare.resourcepart == nil)
        #expect(full.domain == (try JID("example.com")))
        #expect(full.domain.localpart == nil && full.domain.resourcepart == nil)
        let bare = try JID("juliet@example.com")
        #expect(bare.bare == bare)
        #expect(bare.domain.description == "example.com")
    }

    @Test func withResourceReplacesAndNormalizesTheResource() throws {
        let full = try JID("juliet@example.com/balcony")
        #expect(try full.with(resource: "Orchard") == JID("juliet@example.com/Orchard"))
        #expect(try full.with(resource: "a\u{A0}b").resourcepart == "a b")
        #expect(try Array(full.with(resource: "re\u{301}").resourcepart!.utf8) == Array("r\u{E9}".utf8))
        #expect(try full.with(resource: nil) == full.bare)
        #expect(throws: JIDError(.emptyResourcepart)) { try full.with(resource: "") }
        #expect(throws: JIDError.self) { try full.with(resource: "a\u{0}") }
    }

    @Test func descriptionJoinsThePartsWithTheirSeparators() throws {
        #expect(try JID("JULIET@Example.COM./Balcony Scene").description == "juliet@example.com/Balcony Scene")
        #expect(try JID("example.com/r").description == "example.com/r")
        #expect(try JID(localpart: "Romeo", domainpart: "Example.NET.", resourcepart: "Ｘ").description
            == "romeo@example.net/Ｘ")
        #expect(try "\(JID("a@b"))" == "a@b")
    }

    @Test func comparableOrdersByDescription() throws {
        let jids = try ["b@example.com", "a@example.com/z", "a@example.com", "example.com"].map { try JID($0) }
        #expect(jids.sorted().map(\.description) == ["a@example.com", "a@example.com/z", "b@example.com", "example.com"])
    }
}
