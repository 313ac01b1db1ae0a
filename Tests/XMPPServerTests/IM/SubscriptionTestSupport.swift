import Accounts
import Testing
import XMPPCore

/// The nine defined subscription states of RFC 6121 Appendix A.1, for table-driven tests.
enum DefinedState: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case neither = "None"
    case noneOut = "None + Pending Out"
    case noneIn = "None + Pending In"
    case noneOutIn = "None + Pending Out+In"
    case to = "To"
    case toIn = "To + Pending In"
    case from = "From"
    case fromOut = "From + Pending Out"
    case both = "Both"

    var testDescription: String { rawValue }

    /// A visible roster item in this state.
    func item(_ jid: JID) -> RosterItem {
        var item = RosterItem(jid: jid)
        switch self {
        case .neither: break
        case .noneOut: item.askSubscribe = true
        case .noneIn: item.pendingIn = true
        case .noneOutIn: item.askSubscribe = true; item.pendingIn = true
        case .to: item.subscription = .to
        case .toIn: item.subscription = .to; item.pendingIn = true
        case .from: item.subscription = .from
        case .fromOut: item.subscription = .from; item.askSubscribe = true
        case .both: item.subscription = .both
        }
        return item
    }

    /// The state a record is in (a missing record is "None").
    init(_ item: RosterItem?) {
        guard let item else { self = .neither; return }
        switch (item.subscription, item.askSubscribe, item.pendingIn) {
        case (.none, false, false): self = .neither
        case (.none, true, false): self = .noneOut
        case (.none, false, true): self = .noneIn
        case (.none, true, true): self = .noneOutIn
        case (.to, _, false): self = .to
        case (.to, _, true): self = .toIn
        case (.from, false, _): self = .from
        case (.from, true, _): self = .fromOut
        case (.both, _, _): self = .both
        }
    }
}

/// One row of an RFC 6121 Appendix A table: existing state, ROUTE?/DELIVER?, new state (nil for
/// "no state change").
struct SubscriptionTableRow: Sendable, CustomTestStringConvertible {
    let table: String
    let existing: DefinedState
    let route: Bool
    let new: DefinedState?

    init(_ table: String, _ existing: DefinedState, _ route: Bool, _ new: DefinedState?) {
        self.table = table
        self.existing = existing
        self.route = route
        self.new = new
    }

    var testDescription: String {
        "RFC 6121 \(table) \"\(existing.rawValue)\" | \(route ? "yes" : "no") | "
            + (new.map { "\"\($0.rawValue)\"" } ?? "no state change")
    }
}

enum IMFixtures {
    static let alice = try! JID("alice@example.com")
    static let bob = try! JID("bob@example.net")
    static let aliceResource = try! JID("alice@example.com/phone")
    static let bobResource = try! JID("bob@example.net/laptop")
}
