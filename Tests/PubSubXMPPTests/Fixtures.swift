import NIOCore
import XMPPCore
import XMPPStream

/// Parses one XML element the way the server would receive it: as a child of a `jabber:client` stream.
func parse(_ xml: String) -> Element {
    let parser = XMLStreamParser()
    var buffer = ByteBuffer()
    buffer.writeString("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
    buffer.writeString(xml)
    var events: [StreamEvent] = []
    try? parser.feed(buffer, into: &events)
    for case .element(let element) in events { return element }
    return Element("parse-failed", namespace: "test")
}

func iq(_ xml: String) throws(StanzaError) -> IQ {
    try IQ(parse(xml))
}

func jid(_ string: String) -> JID {
    (try? JID(string)) ?? JID.fallback
}

extension JID {
    static let fallback = try! JID("fallback.invalid")  // test-only
}
