import CLibXML2

/// Interns element names and namespace URIs, which libxml2 hands over as pointers into its
/// dictionary: the same name arrives as the same pointer, so a hit costs a hash of the pointer and
/// a `strcmp`, and every stanza shares one copy of each long namespace string. Contents are
/// compared on every hit, so a pointer that was freed and reused cannot return a stale string.
struct NameTable {
    private var strings: [UnsafeRawPointer: String] = [:]
    /// Bounded so that a peer inventing names cannot grow a connection's memory.
    private static let capacity = 128

    mutating func string(_ pointer: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(pointer)
        if let cached = strings[key], Self.matches(cached, pointer) {
            return cached
        }
        let string = String(cString: pointer)
        if strings.count >= Self.capacity { strings.removeAll(keepingCapacity: true) }
        strings[key] = string
        return string
    }

    mutating func removeAll() {
        strings.removeAll()
    }

    private static func matches(_ string: String, _ pointer: UnsafePointer<xmlChar>) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            for index in 0..<utf8.count where pointer[index] != utf8[index] { return false }
            return pointer[utf8.count] == 0
        }
    }
}
