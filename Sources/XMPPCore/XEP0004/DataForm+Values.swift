/// Typed reading of submitted values, for using protocols such as XEP-0060 node configuration.
///
/// All accessors look at the top-level `fields` only, and answer nil (or `[]`) when the field is absent
/// or carries no non-empty value: XEP-0004 §3.5 says omitted fields keep their current value, and §3.6
/// leaves `<field/>` and `<field><value/></field>` to mean the same. A boolean field's §3.3 default of
/// "false" is therefore the caller's to apply.
///
/// A value that cannot be read as the requested type throws `not-acceptable`: XEP-0004 §4 names it for
/// data the form-processing entity finds invalid, as does XEP-0060 §8.2.5.2 for configuration it cannot
/// apply. (`init(element:)` already rejected, with `bad-request`, typed fields that break §3.3; these
/// checks matter for `submit` forms, whose fields may omit `type`.)
extension DataForm {
    /// The first top-level field named `name`.
    public func field(_ name: String) -> Field? {
        fields.first { $0.var == name }
    }

    /// The first value of field `name`, as sent (possibly empty).
    public func value(_ name: String) -> String? {
        field(name)?.values.first
    }

    /// All values of field `name`, in order; `[]` when the field is absent.
    public func values(_ name: String) -> [String] {
        field(name)?.values ?? []
    }

    /// Field `name` as an `xs:boolean` ("1"/"true", "0"/"false"; XEP-0004 §3.3).
    public func bool(_ name: String) throws(StanzaError) -> Bool? {
        guard let raw = try singleValue(name) else { return nil }
        guard let value = XSDLexical.boolean(raw) else {
            throw Self.notAcceptable("field '\(name)': '\(raw)' is not a boolean")
        }
        return value
    }

    /// Field `name` as an integer (`xs:integer` lexical form, e.g. `pubsub#max_payload_size`).
    /// Range checks are the caller's; a value such as XEP-0060's `max` for `pubsub#max_items` should be
    /// looked for with `value(_:)` first.
    public func int(_ name: String) throws(StanzaError) -> Int? {
        guard let raw = try singleValue(name) else { return nil }
        guard let value = XSDLexical.integer(raw) else {
            throw Self.notAcceptable("field '\(name)': '\(raw)' is not an integer")
        }
        return value
    }

    /// Field `name` as one JID (`jid-single`, e.g. `pubsub#subscriber_jid`).
    public func jid(_ name: String) throws(StanzaError) -> JID? {
        guard let raw = try singleValue(name) else { return nil }
        return try Self.parseJID(raw, field: name)
    }

    /// Field `name` as JIDs (`jid-multi`, e.g. `pubsub#contact`), in order, empty values skipped and
    /// duplicates dropped: XEP-0004 §3.3 says "duplicate JIDs MUST be ignored", compared after
    /// normalization (which `JID` equality does).
    public func jids(_ name: String) throws(StanzaError) -> [JID] {
        var seen = Set<JID>()
        var result: [JID] = []
        for raw in values(name) where !raw.isEmpty {
            let jid = try Self.parseJID(raw, field: name)
            if seen.insert(jid).inserted { result.append(jid) }
        }
        return result
    }

    /// The one non-empty value of field `name`; nil when there is none, `not-acceptable` when there
    /// are several (possible only in forms whose fields omit `type`).
    private func singleValue(_ name: String) throws(StanzaError) -> String? {
        let present = values(name).filter { !$0.isEmpty }
        guard present.count <= 1 else {
            throw Self.notAcceptable("field '\(name)' has \(present.count) values, expected one")
        }
        return present.first
    }

    private static func parseJID(_ raw: String, field name: String) throws(StanzaError) -> JID {
        do {
            return try JID(raw)
        } catch {
            throw notAcceptable("field '\(name)': '\(raw)' is not a JID (\(error))")
        }
    }

    private static func notAcceptable(_ text: String) -> StanzaError {
        StanzaError(.notAcceptable, text: text)
    }
}
