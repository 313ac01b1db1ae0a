import XMPPCore

/// Typed reading of one submitted pubsub form with the error its use case names: a value the service
/// cannot use is `failure` (not-acceptable for node configuration, §8.2.5.2; bad-request +
/// invalid-options for subscription options, §6.3.5.2; conflict + precondition-not-met for
/// publish-options, §7.1.5). Fields are read only when present (XEP-0004 §3.5: omitted fields keep
/// their value).
struct FormReader {
    let form: DataForm
    let failure: StanzaError

    /// Checks the FORM_TYPE and that every field is one of `known` (the rest is `failure`).
    init(_ form: DataForm, formType: String, known: Set<String>, failure: StanzaError) throws(StanzaError) {
        self.form = form
        self.failure = failure
        if let type = form.formType, type != formType {
            throw StanzaError(.badRequest, text: "expected FORM_TYPE \(formType), got \(type)")
        }
        for field in form.fields {
            guard let name = field.var, name != DataForm.formTypeVar else { continue }
            guard known.contains(name) else { throw fail("unknown field '\(name)'") }
        }
    }

    func has(_ name: String) -> Bool { form.field(name) != nil }

    func fail(_ text: String) -> StanzaError {
        var error = failure
        error.text = text
        return error
    }

    /// The single non-empty value, nil when empty.
    func string(_ name: String) throws(StanzaError) -> String? {
        let present = form.values(name).filter { !$0.isEmpty }
        guard present.count <= 1 else { throw fail("field '\(name)' has several values") }
        return present.first
    }

    func bool(_ name: String) throws(StanzaError) -> Bool? {
        do { return try form.bool(name) } catch { throw fail(error.text ?? "field '\(name)' is not a boolean") }
    }

    /// A non-negative integer.
    func count(_ name: String) throws(StanzaError) -> Int? {
        let value: Int?
        do { value = try form.int(name) } catch { throw fail(error.text ?? "field '\(name)' is not an integer") }
        if let value, value < 0 { throw fail("field '\(name)' must not be negative") }
        return value
    }

    /// A non-negative integer or `max` (`pubsub#max_items`, §16.4.4); `.some(nil)` is `max`.
    func countOrMax(_ name: String) throws(StanzaError) -> Int?? {
        guard let raw = try string(name) else { return .none }
        if raw == "max" { return .some(nil) }
        return .some(try count(name))
    }

    func value<T: RawRepresentable>(_ name: String, as: T.Type) throws(StanzaError) -> T? where T.RawValue == String {
        guard let raw = try string(name) else { return nil }
        guard let value = T(rawValue: raw) else { throw fail("field '\(name)': unknown value '\(raw)'") }
        return value
    }

    func strings(_ name: String) -> [String] {
        form.values(name).filter { !$0.isEmpty }
    }

    func jids(_ name: String) throws(StanzaError) -> [JID] {
        do { return try form.jids(name) } catch { throw fail(error.text ?? "field '\(name)' is not a JID") }
    }
}

extension DataForm.Field {
    /// A field of a `form` the service sends, with its options.
    static func make(
        _ name: String, _ type: DataForm.FieldType, _ label: String, _ values: [String],
        options: [String] = []
    ) -> DataForm.Field {
        DataForm.Field(
            var: name, type: type, label: label, values: values,
            options: options.map { DataForm.Option(value: $0) }
        )
    }

    static func boolean(_ name: String, _ label: String, _ value: Bool) -> DataForm.Field {
        make(name, .boolean, label, [value ? "1" : "0"])
    }

    static func list<T: RawRepresentable & CaseIterable>(_ name: String, _ label: String, _ value: T) -> DataForm.Field
    where T.RawValue == String {
        make(name, .listSingle, label, [value.rawValue], options: T.allCases.map(\.rawValue))
    }
}
