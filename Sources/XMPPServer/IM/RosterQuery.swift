import Accounts
import XMPPCore

/// What a client asked for in a roster set (RFC 6121 §2.3 add/update, §2.5 delete).
public enum RosterSetRequest: Equatable, Sendable {
    /// Add the contact or update its name and groups (RFC 6121 §2.3.2, §2.4.2). `name` is nil when
    /// absent or empty; `groups` keep the client's order.
    case update(jid: JID, name: String?, groups: [String])
    /// `subscription='remove'` (RFC 6121 §2.5.2).
    case remove(jid: JID)
}

/// The `jabber:iq:roster` payload (RFC 6121 §2): decoding roster sets, encoding roster results and
/// roster pushes.
///
/// ```
/// C: <iq type='set' id='rs1'><query xmlns='jabber:iq:roster'>
///      <item jid='nurse@example.com' name='Nurse'><group>Servants</group></item>
///    </query></iq>
/// S: <iq type='set' id='a78b4q6ha463'><query xmlns='jabber:iq:roster'>   (push, §2.1.6)
///      <item jid='nurse@example.com' name='Nurse' subscription='none'><group>Servants</group></item>
///    </query></iq>
/// ```
public enum RosterQuery {
    /// RFC 6121 §2.3.3 leaves the limits to the server; 1023 bytes matches the JID part limit
    /// (RFC 7622 §3.1) and what Prosody and ejabberd accept.
    public static let maximumNameBytes = 1023
    public static let maximumGroupBytes = 1023

    // MARK: - XML

    /// Decodes the `<query xmlns='jabber:iq:roster'/>` of a roster set (RFC 6121 §2.3.2, §2.5.2).
    ///
    /// ```
    /// query = <query xmlns='jabber:iq:roster' [ver]> item </query>      exactly one item (§2.3.3)
    /// item  = <item jid='bare' [name] [subscription] [ask] [approved]> group* </item>
    /// group = <group> 1*char </group>
    /// ```
    /// Errors (§2.3.3): not one `<item/>`, a missing `jid`, a full JID or duplicate groups give
    /// `<bad-request/>`; a `jid` that is no JID gives `<jid-malformed/>`; a name or group over the
    /// limit, or an empty group, gives `<not-acceptable/>`. `ask`, `approved` and subscription values
    /// other than `remove` are ignored, as §2.1.2.1, §2.1.2.2 and §2.1.2.5 tell servers to do.
    public static func decodeSet(_ query: Element) throws(StanzaError) -> RosterSetRequest {
        guard query.name == "query", query.namespace == Namespace.roster else {
            throw StanzaError.badRequest("expected <query xmlns='jabber:iq:roster'/>")
        }
        let items = query.children("item", namespace: Namespace.roster)
        guard items.count == 1, let item = items.first else {
            throw StanzaError.badRequest("a roster set carries exactly one <item/>")
        }
        let jid = try contactJID(item)
        if item[attribute: "subscription"] == "remove" {
            return .remove(jid: jid)
        }

        var name = item[attribute: "name"]
        if name?.isEmpty == true { name = nil }
        if let name, name.utf8.count > maximumNameBytes {
            throw StanzaError(.notAcceptable, text: "name longer than \(maximumNameBytes) bytes")
        }

        var groups: [String] = []
        var seen = Set<String>()
        for group in item.children("group", namespace: Namespace.roster) {
            let groupName = group.text
            guard !groupName.isEmpty else {
                throw StanzaError(.notAcceptable, text: "empty group name")
            }
            guard groupName.utf8.count <= maximumGroupBytes else {
                throw StanzaError(.notAcceptable, text: "group longer than \(maximumGroupBytes) bytes")
            }
            guard seen.insert(groupName).inserted else {
                throw StanzaError.badRequest("duplicate group '\(groupName)'")
            }
            groups.append(groupName)
        }
        return .update(jid: jid, name: name, groups: groups)
    }

    /// The roster result (RFC 6121 §2.1.4): every item the user can see. Records kept only for a
    /// pending inbound request (`inRoster == false`, §3.1.3) are left out.
    public static func result(items: [RosterItem]) -> Element {
        Element(
            "query", namespace: Namespace.roster,
            children: items.filter(\.inRoster).map(itemElement)
        )
    }

    /// A roster push of one added or updated item (RFC 6121 §2.1.6): the payload of an
    /// `<iq type='set'/>` the server sends to each interested resource.
    public static func push(item: RosterItem) -> Element {
        Element("query", namespace: Namespace.roster, children: [itemElement(item)])
    }

    /// A roster push announcing a removal (RFC 6121 §2.5.2): `subscription='remove'`.
    public static func pushRemoval(jid: JID) -> Element {
        Element(
            "query", namespace: Namespace.roster,
            children: [Element("item", namespace: Namespace.roster,
                               ["jid": jid.bare.description, "subscription": "remove"])]
        )
    }

    /// `<item jid name subscription [approved] [ask]>group*</item>` (RFC 6121 §2.1.2). `approved`
    /// is sent because this server supports pre-approval (§3.4, `urn:xmpp:features:pre-approval`).
    static func itemElement(_ item: RosterItem) -> Element {
        Element(
            "item", namespace: Namespace.roster,
            [
                "jid": item.jid.bare.description,
                "name": item.name,
                "subscription": item.subscription.rawValue,
                "approved": item.preApproved ? "true" : nil,
                "ask": item.askSubscribe ? "subscribe" : nil,
            ],
            children: item.groups.map { Element("group", namespace: Namespace.roster, text: $0) }
        )
    }

    private static func contactJID(_ item: Element) throws(StanzaError) -> JID {
        guard let raw = item[attribute: "jid"] else {
            throw StanzaError.badRequest("roster item without 'jid'")
        }
        let jid: JID
        do {
            jid = try JID(raw)
        } catch {
            throw StanzaError.jidMalformed("'jid': \(error.description)")
        }
        // Rosters hold contacts, whose presence is addressed to bare JIDs (RFC 6121 §2.1.2.3).
        guard jid.isBare else {
            throw StanzaError.badRequest("roster items are bare JIDs")
        }
        return jid
    }
}
