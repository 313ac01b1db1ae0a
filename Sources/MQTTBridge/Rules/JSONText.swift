/// RFC 8259 JSON text validation over UTF-8 bytes, without building values: the bridge only needs
/// to know that a payload is JSON (XEP-0335 §4: the data "MUST conform"), never what it says.
///
/// Any value is accepted at the top level (RFC 8259 §2), not only the object or array RFC 4627
/// required, since MQTT sensors commonly publish bare numbers. Iterative, so nesting depth costs heap
/// (one byte per level), never stack: a hostile `[[[[…` cannot crash the broker.
enum JSONText {
    /// Throws the byte offset of the first error.
    static func validate(_ bytes: [UInt8]) throws(JSONSyntaxError) {
        var scanner = JSONScanner(bytes: bytes)
        try scanner.validate()
    }
}

/// Where a payload stops being JSON.
struct JSONSyntaxError: Error, Hashable, Sendable {
    let offset: Int
}

private struct JSONScanner {
    let bytes: [UInt8]
    var index = 0
    /// Open containers, innermost last: `{` or `[`.
    var open: [UInt8] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func validate() throws(JSONSyntaxError) {
        value: while true {
            try scanValue()
            // After a value: close containers, or a comma leads to the next value.
            while let container = open.last {
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    index += 1
                    if container == UInt8(ascii: "{") { try scanMemberName() }
                    continue value
                case UInt8(ascii: "}") where container == UInt8(ascii: "{"),
                     UInt8(ascii: "]") where container == UInt8(ascii: "["):
                    index += 1
                    open.removeLast()
                default:
                    throw failure
                }
            }
            break
        }
        skipWhitespace()
        guard index == bytes.count else { throw failure }
    }

    /// One value; an opened container counts as scanned once it is empty-and-closed or its first
    /// member name is read, and the caller continues with its elements.
    private mutating func scanValue() throws(JSONSyntaxError) {
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw failure }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                open.append(byte)
                try scanMemberName()
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                open.append(byte)
            case UInt8(ascii: "\""):
                try scanString()
                return
            case UInt8(ascii: "t"):
                try expect("true")
                return
            case UInt8(ascii: "f"):
                try expect("false")
                return
            case UInt8(ascii: "n"):
                try expect("null")
                return
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try scanNumber()
                return
            default:
                throw failure
            }
        }
    }

    /// `ws string ws ":"`, leaving the index at the member's value.
    private mutating func scanMemberName() throws(JSONSyntaxError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw failure }
        try scanString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw failure }
        index += 1
    }

    /// RFC 8259 §7; the bytes are known to be UTF-8, so only the ASCII rules need checking.
    private mutating func scanString() throws(JSONSyntaxError) {
        index += 1  // the opening quote
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { throw failure }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let hex = peek(), hex.isHexDigit else { throw failure }
                        index += 1
                    }
                default:
                    index -= 1
                    throw failure
                }
            case 0x00..<0x20:
                index -= 1
                throw failure
            default:
                continue
            }
        }
        throw failure
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func scanNumber() throws(JSONSyntaxError) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first.isDigit else { throw failure }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard peek()?.isDigit == true else { throw failure }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard peek()?.isDigit == true else { throw failure }
            skipDigits()
        }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            index += offset
            throw failure
        }
        index += count
    }

    private mutating func skipDigits() {
        while peek()?.isDigit == true { index += 1 }
    }

    /// RFC 8259 §2: space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private var failure: JSONSyntaxError { JSONSyntaxError(offset: index) }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
