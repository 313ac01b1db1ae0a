/// The base64 of SASL payloads in XMPP (RFC 6120 §6.4.2, RFC 4648 §4): strict, padded, no
/// whitespace. A present but empty payload is written as a single `=`.
public enum SASLBase64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// ASCII byte -> 6-bit value, 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Decodes an element's text. `"="` is an empty response (RFC 6120 §6.4.2); `""` also decodes to
    /// no bytes (an empty `<response/>`). Anything that is not canonical-length padded base64 throws
    /// `.incorrectEncoding` (RFC 6120 §6.5.2).
    public static func decode(_ text: String) throws(SASLFailure) -> [UInt8] {
        let input = Array(text.utf8)
        if input.isEmpty || input == [UInt8(ascii: "=")] { return [] }
        guard input.count % 4 == 0 else { throw .incorrectEncoding }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLastQuad = index + 4 == input.count
            var quad: (UInt32, Int) = (0, 0)  // accumulated bits, characters that are not padding
            for offset in 0..<4 {
                let byte = input[index + offset]
                if byte == UInt8(ascii: "=") {
                    // Padding only at the end of the last quad, and at most two characters of it.
                    guard isLastQuad, offset >= 2 else { throw .incorrectEncoding }
                    if offset == 2, input[index + 3] != UInt8(ascii: "=") { throw .incorrectEncoding }
                    break
                }
                let value = values[Int(byte)]
                guard value != 0xFF else { throw .incorrectEncoding }
                quad.0 = quad.0 << 6 | UInt32(value)
                quad.1 += 1
            }
            let (bits, count) = quad
            switch count {
            case 4:
                output.append(UInt8(truncatingIfNeeded: bits >> 16))
                output.append(UInt8(truncatingIfNeeded: bits >> 8))
                output.append(UInt8(truncatingIfNeeded: bits))
            case 3:
                output.append(UInt8(truncatingIfNeeded: bits >> 10))
                output.append(UInt8(truncatingIfNeeded: bits >> 2))
            default:  // 2: "xx=="
                output.append(UInt8(truncatingIfNeeded: bits >> 4))
            }
            index += 4
        }
        return output
    }

    /// Encodes a payload for an element's text; no bytes give `"="` (RFC 6120 §6.4.2).
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "=" : encodeStandard(bytes)
    }

    /// Plain RFC 4648 base64 (empty input gives ""), as SCRAM's `s=`, `c=`, `p=` and `v=` use it.
    package static func encodeStandard(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let bits = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(bits >> 18 & 0x3F)])
            output.append(alphabet[Int(bits >> 12 & 0x3F)])
            output.append(remaining > 1 ? alphabet[Int(bits >> 6 & 0x3F)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(bits & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Text of `<auth/>` -> the `initialResponse` argument of `start`: no text means no initial
    /// response (nil), `=` means an empty one (RFC 6120 §6.4.2).
    public static func decodeInitialResponse(_ text: String) throws(SASLFailure) -> [UInt8]? {
        text.isEmpty ? nil : try decode(text)
    }
}
