import Foundation
import PubSub
import PubSubXMPP
import Testing
import XMPPCore

/// Wire fixtures, request XML → ``PubSubCommand`` → result XML, for XEP-0060 §5.3/§5.4 node information
/// and meta-data, §6.3 subscription options, §6.4 default subscription options, §8.3 default node
/// configuration (XEP-0248 §7.3 for collections), and the XEP-0203 delay on §6.1.7 last items.
@Suite struct DiscoAndOptionsWireTests {
    let node = try! NodeID("princely_musings")  // test-only literal

    /// The answer the component sends: the command's result wrapped in the IQ result for `request`.
    func answer(_ request: IQ, _ result: PubSubResult, _ command: PubSubCommand) -> Element {
        request.makeResult(payload: PubSubResponse.payload(for: result, command: command)).element
    }

    // MARK: §5.3, §5.4

    /// §5.3: "MUST include an identity with a category of "pubsub" and … type (e.g. "leaf")"; §5.4: the
    /// meta-data form (FORM_TYPE `pubsub#meta-data`) with the configured values and the automatic ones.
    @Test func nodeInfoOfALeafIsItsIdentityAndMetaDataForm() throws {
        let request = try iq("""
            <iq type='get' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='meta1'>\
            <query xmlns='http://jabber.org/protocol/disco#info' node='princely_musings'/></iq>
            """)
        #expect(!PubSubRequest.isServiceInfoQuery(request))
        let command = try PubSubRequest.command(from: request)
        guard case .metadata(let requested) = command else { Issue.record("\(command)"); return }
        #expect(requested == node)

        var configuration = NodeConfiguration()
        configuration.title = "Princely Musings (Atom)"
        configuration.description = "Updates for Hamlet's Princely Musings weblog."
        configuration.payloadType = "http://www.w3.org/2005/Atom"
        configuration.collections = [try NodeID("blogs")]
        let metadata = NodeMetadata(
            node: Node(id: node, configuration: configuration, creator: jid("hamlet@denmark.lit"),
                       created: Date(timeIntervalSince1970: 1_059_519_370)),  // 2003-07-29T22:56:10Z, the §5.4 example
            children: [], owners: [jid("hamlet@denmark.lit")],
            publishers: [jid("hamlet@denmark.lit"), jid("bard@shakespeare.lit")], subscriberCount: 1066)
        #expect(answer(request, .metadata(metadata), command) == parse("""
            <iq from='pubsub.shakespeare.lit' to='francisco@denmark.lit/barracks' \
            type='result' id='meta1'>\
            <query xmlns='http://jabber.org/protocol/disco#info' node='princely_musings'>\
            <identity category='pubsub' type='leaf'/>\
            <feature var='http://jabber.org/protocol/pubsub'/>\
            <x xmlns='jabber:x:data' type='result'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#meta-data</value></field>\
            <field var='pubsub#type' type='text-single'><value>http://www.w3.org/2005/Atom</value></field>\
            <field var='pubsub#title' type='text-single'><value>Princely Musings (Atom)</value></field>\
            <field var='pubsub#description' type='text-single'>\
            <value>Updates for Hamlet&apos;s Princely Musings weblog.</value></field>\
            <field var='pubsub#creation_date' type='text-single'><value>2003-07-29T22:56:10Z</value></field>\
            <field var='pubsub#owner' type='jid-multi'><value>hamlet@denmark.lit</value></field>\
            <field var='pubsub#publisher' type='jid-multi'><value>hamlet@denmark.lit</value>\
            <value>bard@shakespeare.lit</value></field>\
            <field var='pubsub#access_model' type='list-single'><value>open</value></field>\
            <field var='pubsub#publish_model' type='list-single'><value>publishers</value></field>\
            <field var='pubsub#num_subscribers' type='text-single'><value>1066</value></field>\
            <field var='pubsub#collection' type='text-multi'><value>blogs</value></field>\
            <field var='pubsub#creator' type='jid-single'><value>hamlet@denmark.lit</value></field>\
            </x></query></iq>
            """))
    }

    /// XEP-0248 §5: a collection answers as pubsub/collection and lists its children; a node the system
    /// created has no `pubsub#creator`, and an unset `pubsub#type` is an empty value.
    @Test func nodeInfoOfACollectionNamesItsChildren() throws {
        let request = try iq("""
            <iq type='get' from='dashboard@example.org/web' to='pubsub.example.org' id='meta2'>\
            <query xmlns='http://jabber.org/protocol/disco#info' node='site-a'/></iq>
            """)
        let command = try PubSubRequest.command(from: request)
        let site = try NodeID("site-a")
        var configuration = NodeConfiguration.defaults(for: .collection)
        configuration.accessModel = .whitelist
        let metadata = NodeMetadata(
            node: Node(id: site, configuration: configuration, creator: nil, created: Date(timeIntervalSince1970: 1_700_000_000)),
            children: [try NodeID("site-a/floor-1"), try NodeID("site-a/floor-2")], owners: [], publishers: [],
            subscriberCount: 0)
        #expect(answer(request, .metadata(metadata), command) == parse("""
            <iq from='pubsub.example.org' to='dashboard@example.org/web' type='result' id='meta2'>\
            <query xmlns='http://jabber.org/protocol/disco#info' node='site-a'>\
            <identity category='pubsub' type='collection'/>\
            <feature var='http://jabber.org/protocol/pubsub'/>\
            <x xmlns='jabber:x:data' type='result'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#meta-data</value></field>\
            <field var='pubsub#type' type='text-single'><value/></field>\
            <field var='pubsub#title' type='text-single'><value/></field>\
            <field var='pubsub#description' type='text-single'><value/></field>\
            <field var='pubsub#creation_date' type='text-single'><value>2023-11-14T22:13:20Z</value></field>\
            <field var='pubsub#owner' type='jid-multi'/>\
            <field var='pubsub#publisher' type='jid-multi'/>\
            <field var='pubsub#access_model' type='list-single'><value>whitelist</value></field>\
            <field var='pubsub#publish_model' type='list-single'><value>publishers</value></field>\
            <field var='pubsub#num_subscribers' type='text-single'><value>0</value></field>\
            <field var='pubsub#collection' type='text-multi'/>\
            <field var='pubsub#children' type='text-multi'><value>site-a/floor-1</value><value>site-a/floor-2</value></field>\
            </x></query></iq>
            """))
    }

    // MARK: §6.3.1, §6.4.1, §8.3.1 advertising

    /// §6.3.1: "MUST advertise … a feature whose 'var' attribute is "pubsub#subscription-options"";
    /// `retrieve-default-sub` (§6.4) and `retrieve-default` (§8.3) for the two default requests.
    @Test func serviceAdvertisesSubscriptionOptionsAndDefaults() {
        let features = PubSubDisco.serviceInfo().children("feature", namespace: Namespace.discoInfo)
            .compactMap { $0[attribute: "var"] }
        for feature in ["subscription-options", "retrieve-default-sub", "retrieve-default"] {
            #expect(features.filter { $0 == "http://jabber.org/protocol/pubsub#\(feature)" }.count == 1, "\(feature)")
        }
    }

    // MARK: §6.3.2, §6.3.3

    /// §6.3.3: "the service MUST respond with the options" — `<options node jid subid>` holding the
    /// `pubsub#subscribe_options` form with the subscription's current values; submitted back, the
    /// form decodes to the same options (§6.3.5).
    @Test func optionsRequestIsAnsweredWithTheCurrentOptionsForm() throws {
        let request = try iq("""
            <iq type='get' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='options1'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'>\
            <options node='princely_musings' jid='francisco@denmark.lit'/></pubsub></iq>
            """)
        let command = try PubSubRequest.command(from: request)
        guard case .getSubscriptionOptions(let requested, let subscriber, nil) = command else { Issue.record("\(command)"); return }
        #expect(requested == node && subscriber == jid("francisco@denmark.lit"))
        let options = SubscriptionOptions(deliver: true, expire: Date(timeIntervalSince1970: 1_700_000_000), includeBody: false,
                                          showValues: ["chat", "online"], subscriptionType: .items, subscriptionDepth: .all)
        let subscription = Subscription(node: node, jid: subscriber, id: SubscriptionID("ba49"), state: .subscribed, options: options)
        let reply = answer(request, .subscription(subscription), command)
        #expect(reply == parse("""
            <iq from='pubsub.shakespeare.lit' to='francisco@denmark.lit/barracks' \
            type='result' id='options1'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'>\
            <options node='princely_musings' jid='francisco@denmark.lit' subid='ba49'>\
            <x xmlns='jabber:x:data' type='form'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>\
            <field var='pubsub#deliver' type='boolean' label='Enable delivery?'><value>1</value></field>\
            <field var='pubsub#expire' type='text-single' label='Requested lease expiration time'>\
            <value>2023-11-14T22:13:20Z</value></field>\
            <field var='pubsub#include_body' type='boolean' label='Receive message body in addition to payload?'>\
            <value>0</value></field>\
            <field var='pubsub#show-values' type='list-multi' \
            label='Select the presence types which are allowed to receive event notifications'>\
            <value>chat</value><value>online</value>\
            <option><value>away</value></option><option><value>chat</value></option><option><value>dnd</value></option>\
            <option><value>online</value></option><option><value>xa</value></option></field>\
            <field var='pubsub#subscription_type' type='list-single' label='Type of notifications to receive'>\
            <value>items</value>\
            <option><value>items</value></option><option><value>nodes</value></option><option><value>all</value></option></field>\
            <field var='pubsub#subscription_depth' type='list-single' \
            label='Depth from subscription for which to receive notifications'>\
            <value>all</value><option><value>1</value></option><option><value>all</value></option></field>\
            </x></options></pubsub></iq>
            """))

        // The client fills in the form it got and submits it unchanged: the same options come back.
        let x = try #require(reply.child("pubsub", namespace: Namespace.pubsub)?
            .child("options", namespace: Namespace.pubsub)?.child("x", namespace: Namespace.dataForms))
        var submitted = try DataForm(element: x)
        submitted.type = .submit
        #expect(try SubscriptionOptions.decode(form: submitted) == options)
    }

    // MARK: §6.4

    /// §6.4.2: "the node MUST return the default subscription configuration options", in `<default/>`
    /// carrying the node it was asked for, or no node for the service's defaults. The form is
    /// `type='form'` (the §6.4.2 example shows `type='result'`).
    @Test func defaultSubscriptionOptionsForANodeAndForTheService() throws {
        let defaults = """
            <x xmlns='jabber:x:data' type='form'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>\
            <field var='pubsub#deliver' type='boolean' label='Enable delivery?'><value>1</value></field>\
            <field var='pubsub#expire' type='text-single' label='Requested lease expiration time'><value/></field>\
            <field var='pubsub#include_body' type='boolean' label='Receive message body in addition to payload?'>\
            <value>0</value></field>\
            <field var='pubsub#show-values' type='list-multi' \
            label='Select the presence types which are allowed to receive event notifications'>\
            <option><value>away</value></option><option><value>chat</value></option><option><value>dnd</value></option>\
            <option><value>online</value></option><option><value>xa</value></option></field>\
            <field var='pubsub#subscription_type' type='list-single' label='Type of notifications to receive'>\
            <value>nodes</value>\
            <option><value>items</value></option><option><value>nodes</value></option><option><value>all</value></option></field>\
            <field var='pubsub#subscription_depth' type='list-single' \
            label='Depth from subscription for which to receive notifications'>\
            <value>1</value><option><value>1</value></option><option><value>all</value></option></field>\
            </x>
            """
        let forNode = try iq("""
            <iq type='get' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='def1'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><default node='princely_musings'/></pubsub></iq>
            """)
        let nodeCommand = try PubSubRequest.command(from: forNode)
        guard case .defaultSubscriptionOptions(node) = nodeCommand else { Issue.record("\(nodeCommand)"); return }
        #expect(answer(forNode, .subscriptionOptions(SubscriptionOptions()), nodeCommand) == parse("""
            <iq from='pubsub.shakespeare.lit' to='francisco@denmark.lit/barracks' \
            type='result' id='def1'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><default node='princely_musings'>\(defaults)</default>\
            </pubsub></iq>
            """))

        let forService = try iq("""
            <iq type='get' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='def2'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><default/></pubsub></iq>
            """)
        let serviceCommand = try PubSubRequest.command(from: forService)
        guard case .defaultSubscriptionOptions(nil) = serviceCommand else { Issue.record("\(serviceCommand)"); return }
        #expect(PubSubResponse.payload(for: .subscriptionOptions(SubscriptionOptions()), command: serviceCommand) == parse("""
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><default>\(defaults)</default></pubsub>
            """))
    }

    // MARK: §8.3, XEP-0248 §7.3

    /// §8.3.2: `<pubsub xmlns='…#owner'><default><x type='form'>` with every `pubsub#node_config` field
    /// the service supports; the collection defaults (asked with a `pubsub#node_type` form, XEP-0248
    /// §7.3) add the collection fields. Submitted back, each form decodes to the same configuration.
    @Test func defaultNodeConfigurationForALeafAndForACollection() throws {
        let leafFields = [
            "FORM_TYPE", "pubsub#node_type", "pubsub#title", "pubsub#description", "pubsub#type", "pubsub#max_items",
            "pubsub#item_expire", "pubsub#publish_node_full", "pubsub#access_model", "pubsub#publish_model",
            "pubsub#deliver_payloads", "pubsub#deliver_notifications", "pubsub#notify_config", "pubsub#notify_delete",
            "pubsub#notify_retract", "pubsub#notify_sub", "pubsub#persist_items", "pubsub#presence_based_delivery",
            "pubsub#send_last_published_item", "pubsub#notification_type", "pubsub#max_payload_size",
            "pubsub#roster_groups_allowed", "pubsub#subscribe", "pubsub#collection",
        ]
        let collectionFields = leafFields + [
            "pubsub#children", "pubsub#children_association_policy", "pubsub#children_association_whitelist",
            "pubsub#children_max",
        ]
        let cases: [(xml: String, type: NodeType, fields: [String])] = [
            ("<default/>", .leaf, leafFields),
            ("""
             <default><x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>\
             <field var='pubsub#node_type'><value>collection</value></field></x></default>
             """, .collection, collectionFields),
        ]
        for (xml, type, fields) in cases {
            let request = try iq("""
                <iq type='get' from='hamlet@denmark.lit/elsinore' to='pubsub.shakespeare.lit' id='def1'>\
                <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>\(xml)</pubsub></iq>
                """)
            let command = try PubSubRequest.command(from: request)
            guard case .defaultConfiguration(type) = command else { Issue.record("\(command)"); continue }
            let configuration = NodeConfiguration.defaults(for: type)
            let payload = try #require(PubSubResponse.payload(for: .configuration(configuration, children: []), command: command))
            #expect(payload.name == "pubsub" && payload.namespace == Namespace.pubsubOwner && payload.elements.count == 1)
            let wrapper = try #require(payload.child("default", namespace: Namespace.pubsubOwner))
            #expect(wrapper.attributes.isEmpty && wrapper.elements.count == 1)
            let form = try DataForm(element: try #require(wrapper.child("x", namespace: Namespace.dataForms)))
            #expect(form.type == .form)
            #expect(form.formType == Namespace.pubsubNodeConfig)
            #expect(form.fields.map { $0.var ?? "" } == fields)
            #expect(form.fields.allSatisfy { $0.type != nil }, "every field of a form names its type")
            #expect(form.value("pubsub#node_type") == type.rawValue)
            #expect(form.fields.first { $0.var == "pubsub#access_model" }?.options.map(\.value)
                == ["open", "presence", "roster", "authorize", "whitelist"])
            #expect(form.value("pubsub#max_items") == "10")
            #expect(form.value("pubsub#notification_type") == "headline")
            var submitted = form
            submitted.type = .submit
            let decoded = try NodeConfiguration.decode(form: submitted, base: NodeConfiguration())
            #expect(decoded.configuration == configuration)
            #expect(decoded.children == (type == .collection ? [] : nil))
        }
    }

    // MARK: §6.5.9.6–§6.5.9.8, §7.2.3, §8.2.3, §8.5.3 error wire forms

    /// §7.2.3.3 and §8.2.3.3: a retract, configure (form request or submission) or purge without a
    /// node is bad-request + nodeid-required, `type='modify'` as the examples show.
    @Test func ownerAndPublisherRequestsWithoutANodeAreNodeIDRequired() throws {
        let requests = [
            "<pubsub xmlns='http://jabber.org/protocol/pubsub'><retract><item id='ae890ac52d0df67ed7cfdf51b644e901'/></retract></pubsub>",
            "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure/></pubsub>",
            """
            <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure><x xmlns='jabber:x:data' type='submit'>\
            <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>\
            <field var='pubsub#title'><value>t</value></field></x></configure></pubsub>
            """,
            "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><purge/></pubsub>",
        ]
        for (index, payload) in requests.enumerated() {
            let type = index == 1 ? "get" : "set"
            let request = try iq("<iq type='\(type)' from='hamlet@denmark.lit/elsinore' to='pubsub.shakespeare.lit' id='r'>\(payload)</iq>")
            #expect(throws: StanzaError(.badRequest, type: .modify,
                                        applicationCondition: parse("<nodeid-required xmlns='http://jabber.org/protocol/pubsub#errors'/>")),
                    "\(payload)") { try PubSubRequest.command(from: request) }
        }
    }

    /// The `<error/>` each domain refusal of these rows is sent as, byte for byte the XEP's examples:
    /// §6.5.9.6, §6.5.9.7, §6.5.9.8, §7.2.3.2 / §8.2.3.5 / §8.5.3.4, §7.2.3.5 / §8.5.3.3, §8.2.3.2.
    @Test func refusalsCarryTheConditionsOfTheExamples() {
        let cases: [(PubSubError, String)] = [
            (.presenceSubscriptionRequired, """
             <error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <presence-subscription-required xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
             """),
            (.notInRosterGroup, """
             <error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <not-in-roster-group xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
             """),
            (.closedNode, """
             <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <closed-node xmlns='http://jabber.org/protocol/pubsub#errors'/></error>
             """),
            (.nodeNotFound, "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"),
            (.unsupported(.persistentItems), """
             <error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='persistent-items'/></error>
             """),
            (.forbidden, "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"),
        ]
        for (error, xml) in cases {
            #expect(error.stanzaError.element() == parse(xml), "\(error)")
        }
    }

    // MARK: XEP-0203 on §6.1.7

    /// §6.1.7 with XEP-0203: the last published item carries `<delay from='service' stamp='published'/>`
    /// after the event, whatever the time it is sent.
    @Test func lastPublishedItemIsStampedWithItsPublicationTime() throws {
        let service = jid("pubsub.example.org")
        let item = Item(id: "r1", publisher: jid("device@example.org"), payload: ItemPayload.encode(parse("<t xmlns='urn:example'>5</t>")),
                        published: Date(timeIntervalSince1970: 1_700_000_000))
        let recipient = Recipient(jid: jid("dashboard@example.org/web"), subscriptionIDs: [SubscriptionID("s1")], collections: [])
        let event = PubSubEvent.lastPublished(
            node: node, item: item, delivery: Delivery(deliverPayloads: true, notificationType: .headline, presenceBased: false),
            recipient: recipient)
        let notifications = PubSubNotifications.notifications(for: event, service: service)
        #expect(notifications.count == 1)
        let message = try #require(notifications.first?.element)
        #expect(message[attribute: "to"] == "dashboard@example.org/web")
        #expect(message[attribute: "from"] == "pubsub.example.org")
        let delays = message.children("delay", namespace: Namespace.delay)
        #expect(delays == [parse("<delay xmlns='urn:xmpp:delay' from='pubsub.example.org' stamp='2023-11-14T22:13:20Z'/>")])
        // XEP-0203 §4: the delay follows the payload it qualifies, the event.
        #expect(message.elements.first?.name == "event")
    }
}
