import XMPPCore

/// XEP-0077 In-Band Registration, with the fields this server asks for: username and password.
/// Off by default (docs: registration is an operator's choice); when on, the server advertises the
/// `<register xmlns='http://jabber.org/features/iq-register'/>` stream feature (§8).
///
/// ```
/// C: <iq type='get' id='reg1'><query xmlns='jabber:iq:register'/></iq>
/// S: <iq type='result' id='reg1'><query xmlns='jabber:iq:register'>
///      <instructions>Choose a username and password.</instructions><username/><password/>
///    </query></iq>
/// C: <iq type='set' id='reg2'><query xmlns='jabber:iq:register'>
///      <username>bill</username><password>Calliope</password></query></iq>
/// ```
public enum InBandRegistration {
    /// The stream feature (XEP-0077 §8).
    public static var streamFeature: Element {
        Element("register", namespace: Namespace.registerFeature)
    }

    /// The registration form for an entity that is not registered (XEP-0077 §3.1, example 2):
    /// `<query><instructions/><username/><password/></query>`.
    public static func form(instructions: String) -> Element {
        Element(
            "query", namespace: Namespace.register,
            children: [
                Element("instructions", namespace: Namespace.register, text: instructions),
                Element("username", namespace: Namespace.register),
                Element("password", namespace: Namespace.register),
            ]
        )
    }

    /// The answer to a get from an authenticated user (XEP-0077 §3.1, example 4): `<registered/>`
    /// and the username. The password is not echoed: only SCRAM keys are stored.
    public static func registeredForm(username: String) -> Element {
        Element(
            "query", namespace: Namespace.register,
            children: [
                Element("registered", namespace: Namespace.register),
                Element("username", namespace: Namespace.register, text: username),
            ]
        )
    }

    /// Decodes a registration set.
    ///
    /// ```
    /// query = <query xmlns='jabber:iq:register'> ( <remove/> | <username/> <password/> ... ) </query>
    /// ```
    /// `<remove/>` wins over any other child (§3.2). Otherwise username and password must both be
    /// present and non-empty, and the username a valid localpart, else `<not-acceptable/>`
    /// (§3.1 "required information not provided", §3.3). Whether a username/password pair means
    /// a new account or a password change depends on the stream being authenticated, which the
    /// session knows. Fields this server did not ask for are ignored.
    public static func decodeSet(_ query: Element) throws(StanzaError) -> RegistrationRequest {
        guard query.name == "query", query.namespace == Namespace.register else {
            throw StanzaError.badRequest("expected <query xmlns='jabber:iq:register'/>")
        }
        if query.child("remove", namespace: Namespace.register) != nil {
            return .remove
        }
        guard let rawUsername = query.child("username", namespace: Namespace.register)?.text,
              !rawUsername.isEmpty
        else {
            throw StanzaError(.notAcceptable, text: "username is required")
        }
        guard let password = query.child("password", namespace: Namespace.register)?.text,
              !password.isEmpty
        else {
            throw StanzaError(.notAcceptable, text: "password is required")
        }
        let username: String
        do {
            // Localpart rules (RFC 7622 §3.3) do not depend on the domain; any valid one will do.
            let jid = try JID(localpart: rawUsername, domainpart: "localhost")
            username = jid.localpart ?? rawUsername
        } catch {
            throw StanzaError(.notAcceptable, text: "username is not a valid localpart: \(error.description)")
        }
        return .register(username: username, password: password)
    }
}
