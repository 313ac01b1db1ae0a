import Foundation
import PubSub
import PubSubXMPP
import Testing
import XMPPCore

@Suite struct PubSubRequestTests {
    // XEP-0060 Example 99, with the payload made telemetry-like: whitespace inside text, attributes,
    // a nested element in no namespace and a namespaced attribute.
    static let publishXML = """
        <iq type='set' from='hamlet@denmark.lit/blogbot' to='pubsub.shakespeare.lit' id='publish1'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <publish node='princely_musings'>
              <item id='bnd81g37d61f49fgn581'>
                <entry xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>
                  <title type='text'>Soliloquy</title>
                  <summary>  To be, or not to be:\tthat is the question &amp; &lt;more&gt;
        </summary>
                  <raw xmlns=''>x</raw>
                </entry>
              </item>
            </publish>
          </pubsub>
        </iq>
        """

    @Test func publishKeepsThePayloadByteExact() throws {
        let command = try PubSubRequest.command(from: iq(Self.publishXML))
        guard case .publish(let node, let itemID, let payload, let options, _) = command else {
            Issue.record("not a publish: \(command)"); return
        }
        #expect(node.rawValue == "princely_musings")
        #expect(itemID == "bnd81g37d61f49fgn581")
        #expect(options == nil)
        let original = parse(Self.publishXML).elements[0].elements[0].elements[0].elements[0]
        #expect(ItemPayload.decode(payload) == original)
        #expect(ItemPayload.encode(try #require(ItemPayload.decode(payload))) == payload)
        let text = String(decoding: payload, as: UTF8.self)
        #expect(text.hasPrefix("<entry xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>"))
        #expect(text.contains("  To be, or not to be:\tthat is the question &amp; &lt;more&gt;\n</summary>"))
        #expect(text.contains("<raw xmlns=''>x</raw>"))
    }

    @Test func twoPayloadsAreInvalidPayload() {
        let xml = """
            <iq type='set' id='p2'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <publish node='n'><item><a xmlns='urn:a'/><b xmlns='urn:b'/></item></publish></pubsub></iq>
            """
        #expect(throws: PubSubError.invalidPayload.stanzaError) { try PubSubRequest.command(from: iq(xml)) }
    }

    @Test func publishWithOptions() throws {
        let xml = """
            <iq type='set' id='p3'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
              <publish node='n'><item id='i'><a xmlns='urn:a'/></item></publish>
              <publish-options><x xmlns='jabber:x:data' type='submit'>
                <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>
                <field var='pubsub#access_model'><value>presence</value></field>
                <field var='pubsub#max_items'><value>max</value></field>
              </x></publish-options></pubsub></iq>
            """
        guard case .publish(_, _, _, let options?, _) = try PubSubRequest.command(from: iq(xml)) else {
            Issue.record("no options"); return
        }
        #expect(options == PublishOptions(accessModel: .presence, maxItems: .some(nil)))
        let unknown = xml.replacingOccurrences(of: "pubsub#access_model", with: "pubsub#bogus")
        #expect(throws: StanzaError.self) { try PubSubRequest.command(from: iq(unknown)) }
        do {
            _ = try PubSubRequest.command(from: iq(unknown))
        } catch {
            #expect(error.condition == .conflict)
            #expect(error.applicationCondition?.name == "precondition-not-met")
        }
    }

    @Test func createWithConfiguration() throws {
        let xml = """
            <iq type='set' id='create2'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
              <create node='site-a'/>
              <configure><x xmlns='jabber:x:data' type='submit'>
                <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>
                <field var='pubsub#node_type'><value>collection</value></field>
                <field var='pubsub#access_model'><value>whitelist</value></field>
              </x></configure></pubsub></iq>
            """
        guard case .create(let node, let configuration?) = try PubSubRequest.command(from: iq(xml)) else {
            Issue.record("not create+configure"); return
        }
        #expect(node?.rawValue == "site-a")
        #expect(configuration.nodeType == .collection)
        #expect(configuration.accessModel == .whitelist)
        guard case .create(nil, nil) = try PubSubRequest.command(from: iq("""
            <iq type='set' id='c'><pubsub xmlns='http://jabber.org/protocol/pubsub'><create/></pubsub></iq>
            """)) else { Issue.record("instant node"); return }
    }

    @Test func subscribeWithOptionsAndCollectionDepth() throws {
        let xml = """
            <iq type='set' id='sub1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
              <subscribe node='site-a' jid='francisco@denmark.lit'/>
              <options><x xmlns='jabber:x:data' type='submit'>
                <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>
                <field var='pubsub#subscription_type'><value>items</value></field>
                <field var='pubsub#subscription_depth'><value>all</value></field>
              </x></options></pubsub></iq>
            """
        let command = try PubSubRequest.command(from: iq(xml))
        guard case .subscribe(let node, let who, let options?) = command else { Issue.record("\(command)"); return }
        #expect(node.rawValue == "site-a")
        #expect(who == jid("francisco@denmark.lit"))
        #expect(options.subscriptionType == .items)
        #expect(options.subscriptionDepth == .all)
    }

    @Test func unsubscribeOptionsAndRetract() throws {
        guard case .unsubscribe(_, _, let subid) = try PubSubRequest.command(from: iq("""
            <iq type='set' id='u'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <unsubscribe node='n' jid='a@b.c' subid='s1'/></pubsub></iq>
            """)) else { Issue.record("unsubscribe"); return }
        #expect(subid == SubscriptionID("s1"))
        guard case .getSubscriptionOptions = try PubSubRequest.command(from: iq("""
            <iq type='get' id='o'><pubsub xmlns='http://jabber.org/protocol/pubsub'><options node='n' jid='a@b.c'/></pubsub></iq>
            """)) else { Issue.record("options get"); return }
        guard case .retract(_, let ids, let notify) = try PubSubRequest.command(from: iq("""
            <iq type='set' id='r'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <retract node='n' notify='true'><item id='i1'/></retract></pubsub></iq>
            """)) else { Issue.record("retract"); return }
        #expect(ids == ["i1"] && notify)
        #expect(throws: PubSubError.jidRequired.stanzaError) {
            try PubSubRequest.command(from: iq("""
                <iq type='set' id='s'><pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='n'/></pubsub></iq>
                """))
        }
    }

    @Test func itemsWithMaxItemsIdsAndRSM() throws {
        func query(_ inner: String) throws -> ItemQuery? {
            let command = try PubSubRequest.command(from: iq(
                "<iq type='get' id='i'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\(inner)</pubsub></iq>"))
            guard case .items(_, let query) = command else { return nil }
            return query
        }
        #expect(try query("<items node='n' max_items='2'/>") == .mostRecent(2))
        #expect(try query("<items node='n'><item id='a'/><item id='b'/></items>") == .ids(["a", "b"]))
        #expect(try query("<items node='n'/><set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>")
            == ItemQuery(limit: 10, fromOldest: true))
        let cursor = ItemCursor(published: Date(timeIntervalSince1970: 1_700_000_000), id: "r7")
        #expect(try query("<items node='n'/><set xmlns='http://jabber.org/protocol/rsm'><max>5</max><after>\(cursor.token)</after></set>")
            == ItemQuery(limit: 5, after: cursor))
        #expect(try query("<items node='n'/><set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before/></set>")
            == ItemQuery(limit: 5))
        #expect(throws: StanzaError.self) {
            try query("<items node='n'/><set xmlns='http://jabber.org/protocol/rsm'><after>junk</after></set>")
        }
    }

    @Test func ownerUseCases() throws {
        func command(_ type: String, _ inner: String) throws -> PubSubCommand {
            try PubSubRequest.command(from: iq(
                "<iq type='\(type)' id='o'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>\(inner)</pubsub></iq>"))
        }
        guard case .delete(let node, let redirect) = try command("set",
            "<delete node='old'><redirect uri='xmpp:pubsub.shakespeare.lit?;node=new'/></delete>") else {
            Issue.record("delete"); return
        }
        #expect(node.rawValue == "old" && redirect == "xmpp:pubsub.shakespeare.lit?;node=new")
        guard case .purge = try command("set", "<purge node='n'/>") else { Issue.record("purge"); return }
        guard case .getConfiguration = try command("get", "<configure node='n'/>") else { Issue.record("configure"); return }
        guard case .defaultConfiguration(.leaf) = try command("get", "<default/>") else { Issue.record("default"); return }
        guard case .setOwnerSubscriptions(_, let subs) = try command("set", """
            <subscriptions node='n'><subscription jid='bard@shakespeare.lit' subscription='subscribed'/>
            <subscription jid='x@y.z' subscription='none' subid='s9'/></subscriptions>
            """) else { Issue.record("subscriptions"); return }
        #expect(subs == [SubscriptionChange(jid: jid("bard@shakespeare.lit"), state: .subscribed),
                         SubscriptionChange(jid: jid("x@y.z"), subscriptionID: SubscriptionID("s9"), state: .none)])
        guard case .setOwnerAffiliations(_, let affs) = try command("set", """
            <affiliations node='n'><affiliation jid='hamlet@denmark.lit' affiliation='publish-only'/></affiliations>
            """) else { Issue.record("affiliations"); return }
        #expect(affs == [AffiliationChange(jid: jid("hamlet@denmark.lit"), affiliation: .publishOnly)])
        guard case .ownerAffiliations = try command("get", "<affiliations node='n'/>") else { Issue.record("affs get"); return }
        #expect(throws: StanzaError.self) { try command("set", "<purge/>") }
    }

    @Test func discoQueries() throws {
        guard case .metadata(let node) = try PubSubRequest.command(from: iq(
            "<iq type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info' node='blogs'/></iq>")) else {
            Issue.record("info"); return
        }
        #expect(node.rawValue == "blogs")
        guard case .childNodes(of: nil) = try PubSubRequest.command(from: iq(
            "<iq type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")) else {
            Issue.record("items"); return
        }
        let service = try iq("<iq type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
        #expect(PubSubRequest.isServiceInfoQuery(service))
    }

    @Test func entityLists() throws {
        guard case .subscriptions(node: nil) = try PubSubRequest.command(from: iq(
            "<iq type='get' id='s'><pubsub xmlns='http://jabber.org/protocol/pubsub'><subscriptions/></pubsub></iq>")) else {
            Issue.record("subscriptions"); return
        }
        guard case .defaultSubscriptionOptions(node: nil) = try PubSubRequest.command(from: iq(
            "<iq type='get' id='s'><pubsub xmlns='http://jabber.org/protocol/pubsub'><default/></pubsub></iq>")) else {
            Issue.record("default"); return
        }
    }
}
