/// The SCRAM messages of RFC 5802 §7 and their parsers. Every attribute value of SCRAM is free of
/// ",", so a message splits at commas; only the GS2 header has empty fields.
///
/// ```
/// client-first-message = gs2-header client-first-message-bare
/// gs2-header      = gs2-cbind-flag "," [ authzid ] ","
/// gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
/// client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
/// server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
/// client-final-message-without-proof = channel-binding "," nonce ["," extensions]
/// client-final-message = client-final-message-without-proof "," proof
/// server-final-message = (server-error / verifier) ["," extensions]
/// ```
enum SCRAMMessage {
    /// A parsed client-first-message.
    struct ClientFirst: Sendable {
        /// The GS2 header bytes, e.g. "n,,", which `c=` must repeat (RFC 5802 §7, channel-binding).
        var gs2Header: [UInt8]
        /// client-first-message-bare, byte for byte, for AuthMessage.
        var bare: [UInt8]
        var username: String
        var authzid: String?
        var clientNonce: String
    }

    /// A parsed client-final-message.
    struct ClientFinal: Sendable {
        var channelBinding: [UInt8]
        var nonce: String
        var proof: [UInt8]
        /// client-final-message-without-proof, byte for byte, for AuthMessage.
        var withoutProof: [UInt8]
    }

    /// A parsed server-first-message (client side).
    struct ServerFirst: Sendable {
        var nonce: String
        var salt: [UInt8]
        var iterations: Int
    }

    // MARK: - Client messages (server side)

    /// Splitting and prefix tests run on UTF-8 bytes, not Characters: a combining mark after ","
    /// or "=" would otherwise hide the delimiter inside one grapheme.
    typealias Field = ArraySlice<UInt8>

    static func parseClientFirst(_ bytes: [UInt8]) throws(SASLFailure) -> ClientFirst {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformedRequest }
        let fields = bytes.split(separator: comma, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { throw .malformedRequest }
        // A client picking a non-PLUS mechanism sends "n" or "y"; "p=" asks for channel binding,
        // which only the -PLUS mechanisms carry and we do not offer (RFC 5802 §6, §7).
        guard fields[0].elementsEqual([UInt8(ascii: "n")]) || fields[0].elementsEqual([UInt8(ascii: "y")])
        else { throw .malformedRequest }
        var authzid: String?
        if !fields[1].isEmpty {
            guard let name = value(of: "a", in: fields[1]) else { throw .malformedRequest }
            authzid = try unescapeSASLName(name)
        }
        let bare = fields[2]
        var attributes = bare.split(separator: comma, omittingEmptySubsequences: false)[...]
        // "m" announces a mandatory extension; none is defined, so authentication fails (§5.1):
        // it fails the "n=" test here.
        guard let first = attributes.popFirst(), let name = value(of: "n", in: first) else { throw .malformedRequest }
        let username = try unescapeSASLName(name)
        guard let nonceField = attributes.popFirst(), let nonce = nonce(in: nonceField) else { throw .malformedRequest }
        try checkExtensions(attributes)
        return ClientFirst(
            gs2Header: Array(bytes[..<bare.startIndex]), bare: Array(bare),
            username: username, authzid: authzid, clientNonce: nonce
        )
    }

    static func parseClientFinal(_ bytes: [UInt8]) throws(SASLFailure) -> ClientFinal {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformedRequest }
        let fields = bytes.split(separator: comma, omittingEmptySubsequences: false)
        guard fields.count >= 3,
              let binding = value(of: "c", in: fields[0]), let channelBinding = base64(binding),
              let nonce = nonce(in: fields[1]),
              let last = fields.last, let proofText = value(of: "p", in: last), let proof = base64(proofText)
        else { throw .malformedRequest }
        try checkExtensions(fields.dropFirst(2).dropLast())
        return ClientFinal(
            channelBinding: channelBinding, nonce: nonce, proof: proof,
            withoutProof: Array(bytes[..<(last.startIndex - 1)])
        )
    }

    // MARK: - Server messages (client side)

    static func parseServerFirst(_ bytes: [UInt8]) -> ServerFirst? {
        let fields = bytes.split(separator: comma, omittingEmptySubsequences: false)
        guard String(validating: bytes, as: UTF8.self) != nil, fields.count >= 3,
              let nonce = nonce(in: fields[0]),
              let saltText = value(of: "s", in: fields[1]), let salt = base64(saltText),
              let count = value(of: "i", in: fields[2]), !count.isEmpty, count.count <= 9,
              count.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let iterations = Int(String(decoding: count, as: UTF8.self)),
              (try? checkExtensions(fields.dropFirst(3))) != nil
        else { return nil }
        return ServerFirst(nonce: nonce, salt: salt, iterations: iterations)
    }

    // MARK: - Pieces

    static let comma = UInt8(ascii: ",")

    /// The value of `name "=" value`, nil when the field has another attribute name.
    static func value(of name: Character, in field: Field) -> Field? {
        guard let ascii = name.asciiValue, field.count >= 2, field.first == ascii,
              field[field.startIndex + 1] == UInt8(ascii: "=")
        else { return nil }
        return field.dropFirst(2)
    }

    /// `nonce = "r=" c-nonce [s-nonce]`.
    static func nonce(in field: Field) -> String? {
        guard let text = value(of: "r", in: field) else { return nil }
        let nonce = String(decoding: text, as: UTF8.self)
        return isValidNonce(nonce) ? nonce : nil
    }

    /// A non-empty standard base64 value (`base64` in RFC 5802 §7 has no "=" shorthand).
    static func base64(_ field: Field) -> [UInt8]? {
        guard !field.isEmpty, field.elementsEqual([UInt8(ascii: "=")]) == false else { return nil }
        return try? SASLBase64.decode(String(decoding: field, as: UTF8.self))
    }

    /// `saslname = 1*(value-safe-char / "=2C" / "=3D")`: "=" introduces only these two escapes; any
    /// other is a failure (RFC 5802 §5.1). NUL is not a value-safe-char. Empty names are refused.
    static func unescapeSASLName(_ escaped: Field) throws(SASLFailure) -> String {
        guard !escaped.isEmpty else { throw .malformedRequest }
        var result: [UInt8] = []
        result.reserveCapacity(escaped.count)
        var index = escaped.startIndex
        while index < escaped.endIndex {
            let byte = escaped[index]
            if byte == UInt8(ascii: "=") {
                let code = escaped[(index + 1)...].prefix(2)
                if code.elementsEqual("2C".utf8) {
                    result.append(comma)
                } else if code.elementsEqual("3D".utf8) {
                    result.append(UInt8(ascii: "="))
                } else {
                    throw .malformedRequest
                }
                index += 3
            } else {
                guard byte != 0 else { throw .malformedRequest }
                result.append(byte)
                index += 1
            }
        }
        // Escapes replace ASCII with ASCII, so the bytes stay valid UTF-8; check anyway.
        guard let name = String(validating: result, as: UTF8.self) else { throw .malformedRequest }
        return name
    }

    static func escapeSASLName(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case ",": result += "=2C"
            case "=": result += "=3D"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `c-nonce = printable`, `printable = %x21-2B / %x2D-7E` (RFC 5802 §7).
    static func isValidNonce(_ nonce: String) -> Bool {
        !nonce.isEmpty && nonce.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") }
    }

    /// `attr-val = ALPHA "=" value` with a non-empty value; unknown extensions are ignored (§7), but
    /// "m" (reserved-mext) is a mandatory one we cannot honour (§5.1).
    static func checkExtensions<C: Collection>(_ fields: C) throws(SASLFailure) where C.Element == Field {
        for field in fields {
            guard field.count >= 3, field[field.startIndex + 1] == UInt8(ascii: "="),
                  let name = field.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(name | 0x20),
                  name != UInt8(ascii: "m"), !field.contains(0)
            else { throw .malformedRequest }
        }
    }
}
