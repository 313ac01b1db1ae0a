/// Splits a migration file into statements. postgres-nio speaks only the extended query protocol,
/// which takes one statement per query, so a `.sql` file with several has to be cut first.
///
/// Understands what PostgreSQL's lexer does around `;` (PostgreSQL docs §4.1): `'…'` strings with
/// `''` escapes, `"…"` identifiers, `--` and nested `/* */` comments, and `$tag$ … $tag$` dollar
/// quotes, so function bodies survive. Backslash escapes in `E'…'` strings are not handled: write
/// migrations without them.
package struct SQLScript {
    package let statements: [String]

    package init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func finishStatement() {
            let statement = String(current).trimmingWhitespace()
            if hasCode, !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func at(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        /// Copies scalars up to and including the first occurrence of `terminator`.
        func copy(through terminator: [Unicode.Scalar]) {
            while index < scalars.count {
                if Array(scalars[index..<min(index + terminator.count, scalars.count)]) == terminator {
                    current.append(contentsOf: terminator)
                    index += terminator.count
                    return
                }
                current.append(scalars[index])
                index += 1
            }
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case ";":
                index += 1
                finishStatement()
            case "-" where at(1) == "-":
                // A comment alone does not make a statement.
                while index < scalars.count, scalars[index] != "\n" {
                    current.append(scalars[index])
                    index += 1
                }
            case "/" where at(1) == "*":
                var depth = 0
                while index < scalars.count {
                    if scalars[index] == "/", at(1) == "*" {
                        depth += 1
                        current.append(contentsOf: ["/", "*"])
                        index += 2
                    } else if scalars[index] == "*", at(1) == "/" {
                        depth -= 1
                        current.append(contentsOf: ["*", "/"])
                        index += 2
                        if depth == 0 { break }
                    } else {
                        current.append(scalars[index])
                        index += 1
                    }
                }
            case "'", "\"":
                // Doubled quotes inside come out as two back-to-back quoted runs: same result.
                hasCode = true
                current.append(scalar)
                index += 1
                copy(through: [scalar])
            case "$" where Self.dollarTag(in: scalars, at: index, after: current.last) != nil:
                hasCode = true
                let tag = Self.dollarTag(in: scalars, at: index, after: current.last) ?? []
                current.append(contentsOf: tag)
                index += tag.count
                copy(through: tag)
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                current.append(scalar)
                index += 1
            }
        }
        finishStatement()
        self.statements = statements
    }

    /// The opening `$tag$` at `index`, if one starts there. A tag is empty or an identifier that
    /// does not start with a digit (`$1` is a parameter), and `$` inside an identifier
    /// (`a$b`) opens nothing.
    private static func dollarTag(in scalars: [Unicode.Scalar], at index: Int, after previous: Unicode.Scalar?) -> [Unicode.Scalar]? {
        if let previous, isIdentifierPart(previous) { return nil }
        var end = index + 1
        while end < scalars.count, scalars[end] != "$" {
            let scalar = scalars[end]
            guard isIdentifierPart(scalar), !(end == index + 1 && ("0"..."9").contains(scalar)) else { return nil }
            end += 1
        }
        guard end < scalars.count else { return nil }
        return Array(scalars[index...end])
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
