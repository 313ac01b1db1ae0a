import PubSub
import PubSubXMPP
import Testing
import XMPPCore

/// XEP-0060 §8.7 as the XEP-0050 command `…pubsub#get-pending`: the wire forms of §8.7.1–§8.7.4.
@Suite struct GetPendingCommandTests {
    static let commands = "http://jabber.org/protocol/commands"

    @Test func executeStartsAndTheFormOffersTheNodes() throws {
        let start = try iq("""
            <iq type='set' id='pending1' to='pubsub.example.org'>
              <command xmlns='\(Self.commands)' node='http://jabber.org/protocol/pubsub#get-pending' action='execute'/>
            </iq>
            """)
        #expect(try GetPendingCommand.request(from: start) == .start)

        let form = GetPendingCommand.form(nodes: [try NodeID("a"), try NodeID("b")], sessionID: GetPendingCommand.newSessionID("x1"))
        #expect(form.name == "command" && form.namespace == Self.commands)
        #expect(form[attribute: "status"] == "executing")
        #expect(form[attribute: "node"] == GetPendingCommand.node)
        let data = try DataForm(element: try #require(form.child("x", namespace: Namespace.dataForms)))
        #expect(data.type == .form)
        #expect(data.formType == Namespace.pubsubSubscribeAuthorization)
        let field = try #require(data.field("pubsub#node"))
        #expect(field.type == .listSingle)
        #expect(field.options.map(\.value) == ["a", "b"])

        // §8.7.4: the submitted node, in the same session.
        let session = try #require(form[attribute: "sessionid"])
        let submit = try iq("""
            <iq type='set' id='pending2' to='pubsub.example.org'>
              <command xmlns='\(Self.commands)' sessionid='\(session)' node='http://jabber.org/protocol/pubsub#get-pending' action='execute'>
                <x xmlns='jabber:x:data' type='submit'><field var='pubsub#node'><value>princely_musings</value></field></x>
              </command>
            </iq>
            """)
        #expect(try GetPendingCommand.request(from: submit) == .submit(sessionID: session, node: try NodeID("princely_musings")))
        let done = GetPendingCommand.finished(sessionID: session)
        #expect(done[attribute: "status"] == "completed" && done[attribute: "sessionid"] == session)
    }

    @Test func otherIQsAreNotTheCommandAndBadOnesAreRefused() throws {
        let other = try iq("<iq type='set' id='1'><command xmlns='\(Self.commands)' node='urn:other'/></iq>")
        #expect(try GetPendingCommand.request(from: other) == nil)
        let get = try iq("<iq type='get' id='2'><command xmlns='\(Self.commands)' node='http://jabber.org/protocol/pubsub#get-pending'/></iq>")
        #expect(throws: StanzaError.self) { try GetPendingCommand.request(from: get) }
        // A form for a session we never opened: bad-request + <bad-sessionid/> (XEP-0050 §6).
        let stranger = try iq("""
            <iq type='set' id='3'><command xmlns='\(Self.commands)' sessionid='nope' node='http://jabber.org/protocol/pubsub#get-pending'>
              <x xmlns='jabber:x:data' type='submit'><field var='pubsub#node'><value>a</value></field></x></command></iq>
            """)
        do {
            _ = try GetPendingCommand.request(from: stranger)
            Issue.record("expected bad-sessionid")
        } catch {
            #expect(error.condition == .badRequest)
            #expect(error.applicationCondition?.name == "bad-sessionid")
        }
        let unknown = try iq("<iq type='set' id='6'><command xmlns='\(Self.commands)' node='http://jabber.org/protocol/pubsub#get-pending' action='jump'/></iq>")
        do {
            _ = try GetPendingCommand.request(from: unknown)
            Issue.record("expected malformed-action")
        } catch {
            #expect(error.applicationCondition?.name == "malformed-action")
        }
        let cancel = try iq("<iq type='set' id='4'><command xmlns='\(Self.commands)' sessionid='pubsub-get-pending:1' node='http://jabber.org/protocol/pubsub#get-pending' action='cancel'/></iq>")
        #expect(try GetPendingCommand.request(from: cancel) == .cancel(sessionID: "pubsub-get-pending:1"))
    }

    @Test func commandsNodeListsTheCommand() throws {
        let query = try iq("<iq type='get' id='5'><query xmlns='http://jabber.org/protocol/disco#items' node='\(Self.commands)'/></iq>")
        #expect(GetPendingCommand.isCommandListQuery(query))
        let list = GetPendingCommand.commandList(service: jid("pubsub.example.org"))
        let item = try #require(list.child("item", namespace: Namespace.discoItems))
        #expect(item[attribute: "node"] == GetPendingCommand.node)
        #expect(item[attribute: "jid"] == "pubsub.example.org")
    }
}
