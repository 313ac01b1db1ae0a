import XMPPCore

/// What the server itself answers to `disco#info` (XEP-0030 §3.1): identity server/im
/// (XEP-0030 registry) and the features of the IQ handlers it runs.
public enum ServerFeatures {
    /// Features every Starling server supports: disco (XEP-0030), ping (XEP-0199), version
    /// (XEP-0092) and the roster (RFC 6121 §2).
    public static let base: [String] = [
        Namespace.discoInfo,
        Namespace.discoItems,
        Namespace.ping,
        Namespace.version,
        Namespace.roster,
    ]

    /// The server's `disco#info` result. `registration` adds `jabber:iq:register` (XEP-0077 §7);
    /// `extra` lists features of other modules.
    public static func discoInfo(name: String? = "Starling", registration: Bool, extra: [String] = []) -> DiscoInfo {
        DiscoInfo(
            identities: [DiscoInfo.Identity(category: "server", type: "im", name: name)],
            features: base + (registration ? [Namespace.register] : []) + extra
        )
    }
}
