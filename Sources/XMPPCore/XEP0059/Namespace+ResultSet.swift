extension Namespace {
    /// XEP-0059 Result Set Management (§7.1), also the disco feature that advertises it (§4).
    public static let rsm = "http://jabber.org/protocol/rsm"
}
