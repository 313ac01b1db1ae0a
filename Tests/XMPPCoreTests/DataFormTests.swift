import Testing
import XMPPCore

/// XEP-0004 fixtures (with XEP-0068 and XEP-0060 forms): each example decoded and checked, values
/// encoded and compared as `Element`s, round trips, and every malformed form answered with bad-request.
@Suite struct DataFormTests {
    static let xdata = "jabber:x:data"
    static let commands = "http://jabber.org/protocol/commands"

    /// The form inside an example stanza: `<iq><payload><x/></payload></iq>` or `<message><x/></message>`.
    static func form(in stanza: String) throws -> DataForm {
        let outer = try XEPExample.parse(stanza)
        var current = outer
        while current.namespace != xdata {
            current = try #require(current.elements.first { $0.name != "thread" })
        }
        return try DataForm(element: current)
    }

    static func badRequest(_ xml: String) throws -> StanzaError? {
        let element = try XEPExample.parse(xml)
        return #expect(throws: StanzaError.self) { try DataForm(element: element) }
    }

    // MARK: XEP-0004 §5.1 Configuration

    @Test func botCreationForm() throws {
        let form = try Self.form(in: DataFormFixtures.botCreationForm)
        #expect(form.type == .form)
        #expect(form.title == "Bot Configuration")
        #expect(form.instructions == ["Fill out this form to configure your new bot!"])
        #expect(form.formType == "jabber:bot")
        #expect(form.fields.count == 12)
        #expect(form.fields.map(\.var) == [
            "FORM_TYPE", nil, "botname", "description", "public", "password", nil, "features", nil,
            "maxsubs", nil, "invitelist",
        ])
        #expect(form.fields[1] == DataForm.Field(type: .fixed, values: ["Section 1: Bot Info"]))
        #expect(form.field("public") == DataForm.Field(var: "public", type: .boolean, label: "Public bot?", required: true))
        #expect(form.field("password")?.type == .textPrivate)
        let features = try #require(form.field("features"))
        #expect(features.type == .listMulti && features.label == "What features will the bot support?")
        #expect(features.values == ["news", "search"])
        #expect(features.options.map(\.value) == ["contests", "news", "polls", "reminders", "search"])
        #expect(features.options[3] == DataForm.Option(label: "Reminders", value: "reminders"))
        let maxsubs = try #require(form.field("maxsubs"))
        #expect(maxsubs.type == .listSingle && maxsubs.values == ["20"] && maxsubs.options.count == 6)
        #expect(maxsubs.options.last == DataForm.Option(label: "None", value: "none"))
        #expect(form.field("invitelist") == DataForm.Field(
            var: "invitelist", type: .jidMulti, label: "People to invite",
            desc: "Tell all your friends about your new bot!"))
        #expect(try form.bool("public") == nil)  // no value: §3.3's "false" default is the caller's
        #expect(try form.jids("invitelist") == [])
        #expect(try DataForm(element: form.element) == form)
    }

    @Test func botCreationSubmission() throws {
        let form = try Self.form(in: DataFormFixtures.botCreationSubmission)
        #expect(form.type == .submit && form.title == nil && form.instructions.isEmpty)
        #expect(form.formType == "jabber:bot")
        #expect(form.value("botname") == "The Jabber Google Bot")
        #expect(form.values("description") == [
            "This bot enables you to send requests to",
            "Google and receive the search results right",
            "in your Jabber client. It' really cool!",
            "It even supports Google News!",
        ])
        #expect(try form.bool("public") == false)
        #expect(form.value("password") == "v3r0na")
        #expect(form.values("features") == ["news", "search"])
        #expect(try form.int("maxsubs") == 50)
        #expect(try form.jids("invitelist") == [try JID("juliet@capulet.com"), try JID("benvolio@montague.net")])
        #expect(form.value("absent") == nil && form.values("absent") == [])
        #expect(try form.bool("absent") == nil && form.int("absent") == nil && form.jid("absent") == nil)
        #expect(try DataForm(element: form.element) == form)
    }

    @Test func botCreationResult() throws {
        let form = try Self.form(in: DataFormFixtures.botCreationResult)
        #expect(form.type == .result && form.formType == "jabber:bot")
        #expect(form.fields.count == 7 && form.field("description") == nil)
        #expect(form.field("maxsubs") == DataForm.Field(var: "maxsubs", type: .listSingle, values: ["50"]))
    }

    // MARK: XEP-0004 §5.2 Search (multi-item results, §3.4)

    @Test func searchForm() throws {
        let form = try Self.form(in: DataFormFixtures.searchForm)
        #expect(form == DataForm(
            type: .form, title: "Joogle Search", instructions: ["Fill out this form to search for information!"],
            fields: [DataForm.Field(var: "search_request", type: .textSingle, required: true)]))
        #expect(form.formType == nil)
    }

    @Test func searchSubmission() throws {
        let form = try Self.form(in: DataFormFixtures.searchSubmission)
        #expect(form == DataForm(type: .submit, fields: [DataForm.Field(var: "search_request", type: .textSingle, values: ["verona"])]))
    }

    @Test func searchResults() throws {
        let form = try Self.form(in: DataFormFixtures.searchResults)
        #expect(form.type == .result && form.title == "Joogle Search: verona" && form.fields.isEmpty)
        #expect(form.reported == [DataForm.Field(var: "name"), DataForm.Field(var: "url")])
        #expect(form.items.count == 5)
        #expect(form.items[2].fields == [
            DataForm.Field(var: "name", values: ["Universita degli Studi di Verona - Home Page"]),
            DataForm.Field(var: "url", values: ["http://www.univr.it/"]),
        ])
        #expect(try DataForm(element: form.element) == form)
    }

    @Test func reportedMayFollowItems() throws {  // §3.4 note: older senders put <reported/> last
        let form = try DataForm(element: XEPExample.parse("""
            <x xmlns='jabber:x:data' type='result'>
              <item><field var='name'><value>a</value></field></item>
              <reported><field var='name'/></reported>
            </x>
            """))
        #expect(form.reported?.count == 1 && form.items.count == 1)
        // Encoded with the header first, as §3.4 now requires.
        #expect(form.element.elements.map(\.name) == ["reported", "item"])
    }

    // MARK: XEP-0068 FORM_TYPE

    @Test func formTypeRules() throws {
        // §4.1: no FORM_TYPE.
        #expect(try Self.form(in: DataFormFixtures.unspecifiedFormType).formType == nil)
        // §4.2: a hidden FORM_TYPE; a Clark-notation field name is just a name.
        let correct = try Self.form(in: DataFormFixtures.correctFormType)
        #expect(correct.formType == "http://jabber.org/protocol/pubsub#subscribe_authorization")
        #expect(try correct.jid("pubsub#subscriber_jid") == (try JID("sub1@foo.com")))
        #expect(correct.values("{http://example.com/pubsub}time_restrictions") == ["09:00-12:00", "13:00-17:00"])
        // §4.3: FORM_TYPE not hidden in a form: an ordinary field.
        let field = DataForm.Field(var: "FORM_TYPE", type: .textSingle, values: ["urn:example"])
        #expect(DataForm(type: .form, fields: [field]).formType == nil)
        #expect(DataForm(type: .result, fields: [field]).formType == nil)
        // §5: in a submission the type may be omitted.
        let untyped = DataForm.Field(var: "FORM_TYPE", values: ["urn:example"])
        #expect(DataForm(type: .submit, fields: [untyped]).formType == "urn:example")
        #expect(DataForm(type: .form, fields: [untyped]).formType == nil)
        #expect(DataForm(type: .form, fields: [.formType("urn:example")]).formType == "urn:example")
        // XEP-0115 §5.4: several values make it ill-formed.
        let twice = DataForm.Field(var: "FORM_TYPE", type: .hidden, values: ["urn:a", "urn:b"])
        #expect(DataForm(type: .result, fields: [twice]).formType == nil)
    }

    @Test func incorrectFormTypeExampleIsMalformed() throws {
        // XEP-0068 §4.3's example has <option/>s without <value/>, which XEP-0004 §3.2 forbids.
        let error = #expect(throws: StanzaError.self) { try Self.form(in: DataFormFixtures.incorrectFormType) }
        #expect(error?.condition == .badRequest)
    }

    // MARK: XEP-0060 §8.2.4 node configuration submission: the typed accessors

    @Test func nodeConfigurationSubmission() throws {
        let form = try Self.form(in: DataFormFixtures.nodeConfigSubmission)
        #expect(form.formType == "http://jabber.org/protocol/pubsub#node_config")
        #expect(form.value("pubsub#title") == "Princely Musings (Atom)")
        #expect(try form.bool("pubsub#deliver_payloads") == true)
        #expect(try form.bool("pubsub#purge_offline") == false)
        #expect(try form.bool("pubsub#presence_based_delivery") == false)  // "false" spelling
        #expect(try form.int("pubsub#max_items") == 10)
        #expect(try form.int("pubsub#item_expire") == 604_800)
        #expect(form.values("pubsub#roster_groups_allowed") == ["friends", "servants", "courtiers"])
        #expect(form.value("pubsub#send_last_published_item") == "never")
        // Untyped submit fields are only checked when read as a type: not-acceptable (XEP-0004 §4).
        let errors = [
            #expect(throws: StanzaError.self) { try form.bool("pubsub#title") },
            #expect(throws: StanzaError.self) { try form.int("pubsub#access_model") },
            #expect(throws: StanzaError.self) { try form.bool("pubsub#roster_groups_allowed") },  // three values
            #expect(throws: StanzaError.self) { try form.jid("pubsub#body_xslt") },
        ]
        for error in errors {
            #expect(error?.condition == .notAcceptable && error?.type == .modify)
        }
    }

    @Test func typedAccessors() throws {
        let form = try DataForm(element: XEPExample.parse("""
            <x xmlns='jabber:x:data' type='submit'>
              <field var='t'><value> true </value></field>
              <field var='one' type='boolean'><value>1</value></field>
              <field var='unset' type='boolean'><value/></field>
              <field var='n'><value>-42</value></field>
              <field var='plus'><value>+7</value></field>
              <field var='huge'><value>99999999999999999999</value></field>
              <field var='who' type='jid-single'><value>Juliet@Capulet.com/Balcony</value></field>
              <field var='crowd' type='jid-multi'>
                <value>juliet@capulet.com</value><value/><value>JULIET@capulet.com</value><value>romeo@montague.net</value>
              </field>
              <field var='bad-jids'><value>romeo@montague.net</value><value>@capulet.com</value></field>
            </x>
            """))
        #expect(try form.bool("t") == true && form.bool("one") == true)
        #expect(try form.bool("unset") == nil)  // §3.6: <value/> is "no value"
        #expect(form.value("unset") == "")
        #expect(try form.int("n") == -42 && form.int("plus") == 7)
        let overflow = #expect(throws: StanzaError.self) { try form.int("huge") }
        #expect(overflow?.condition == .notAcceptable)
        #expect(try form.jid("who") == (try JID("juliet@capulet.com/Balcony")))
        // §3.3: duplicate JIDs (after normalization) MUST be ignored.
        #expect(try form.jids("crowd") == [try JID("juliet@capulet.com"), try JID("romeo@montague.net")])
        let error = #expect(throws: StanzaError.self) { try form.jids("bad-jids") }
        #expect(error?.condition == .notAcceptable)
    }

    // MARK: Encoding

    @Test func encodesCanonically() throws {
        let form = DataForm(
            type: .form,
            title: "Node configuration",
            instructions: ["Fill in", "then submit"],
            fields: [
                .formType("http://jabber.org/protocol/pubsub#node_config"),
                DataForm.Field(type: .fixed, values: ["Delivery"]),
                DataForm.Field(
                    var: "pubsub#access_model", type: .listSingle, label: "Access model", desc: "Who may subscribe",
                    required: true, values: ["open"],
                    options: [DataForm.Option(value: "open"), DataForm.Option(label: "Whitelist", value: "whitelist")]
                ),
                DataForm.Field(var: "pubsub#title", type: .textSingle, values: [""]),
            ]
        )
        let expected = try XEPExample.parse("""
            <x xmlns='jabber:x:data' type='form'>
              <title>Node configuration</title>
              <instructions>Fill in</instructions>
              <instructions>then submit</instructions>
              <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>
              <field type='fixed'><value>Delivery</value></field>
              <field var='pubsub#access_model' type='list-single' label='Access model'>
                <desc>Who may subscribe</desc>
                <required/>
                <value>open</value>
                <option><value>open</value></option>
                <option label='Whitelist'><value>whitelist</value></option>
              </field>
              <field var='pubsub#title' type='text-single'><value/></field>
            </x>
            """, keepWhitespace: false)
        #expect(form.element == expected)
        #expect(try DataForm(element: expected) == form)
        #expect(DataForm(type: .cancel).element == Element("x", namespace: Self.xdata, ["type": "cancel"]))
    }

    @Test func keepsFieldExtensionsAndIgnoresForeignFormChildren() throws {
        let validate = Element("validate", namespace: "http://jabber.org/protocol/xdata-validate", ["datatype": "xs:integer"])
        var x = Element("x", namespace: Self.xdata, ["type": "form"])
        x.append(Element("note", namespace: "urn:example:other"))
        x.append(Element("field", namespace: Self.xdata, ["var": "n", "type": "text-single"], children: [validate]))
        let form = try DataForm(element: x)
        #expect(form.fields == [DataForm.Field(var: "n", type: .textSingle, extensions: [validate])])
        #expect(form.element.elements.first?.elements == [validate])
    }

    @Test func unknownFieldTypeIsTextSingle() throws {  // §3.3
        let form = try DataForm(element: XEPExample.parse(
            "<x xmlns='jabber:x:data' type='form'><field var='c' type='x-colour'><value>red</value></field></x>"))
        #expect(form.field("c")?.type == .textSingle)
    }

    @Test func untypedSubmitFieldsMayRepeatValuesAndCarryOptions() throws {  // §3.2: type implied by context
        let form = try DataForm(element: XEPExample.parse("""
            <x xmlns='jabber:x:data' type='submit'>
              <field var='m'><value>a</value><value>b</value><option><value>a</value></option></field>
            </x>
            """))
        #expect(form.values("m") == ["a", "b"])
    }

    // MARK: Malformed forms

    @Test(arguments: DataFormFixtures.malformed)
    func malformedFormIsBadRequest(_ xml: String) throws {
        let error = try Self.badRequest(xml)
        #expect(error?.condition == .badRequest)
        #expect(error?.type == .modify)
    }

    @Test func noValueIsNotABadBoolean() throws {  // §3.6
        let form = try DataForm(element: XEPExample.parse(
            "<x xmlns='jabber:x:data' type='submit'><field var='b' type='boolean'><value/></field></x>"))
        #expect(form.values("b") == [""])
    }
}

// MARK: - Fixtures

/// Data forms from the XEP texts (xsf/xeps), reduced to the `<x/>` and its nearest wrapper where the
/// wrapper matters; element content as in the XEP, indentation compacted.
enum DataFormFixtures {
    /// XEP-0004 §5.1 "Service Returns Bot Creation Form".
    static let botCreationForm = """
        <iq from='joogle@botster.shakespeare.lit' to='romeo@montague.net/home' type='result' xml:lang='en' id='create1'>
          <command xmlns='http://jabber.org/protocol/commands' node='create' sessionid='create:20040408T0128Z' status='executing'>
            <x xmlns='jabber:x:data' type='form'>
              <title>Bot Configuration</title>
              <instructions>Fill out this form to configure your new bot!</instructions>
              <field type='hidden'
                     var='FORM_TYPE'>
                <value>jabber:bot</value>
              </field>
              <field type='fixed'><value>Section 1: Bot Info</value></field>
              <field type='text-single' label='The name of your bot' var='botname'/>
              <field type='text-multi' label='Helpful description of your bot' var='description'/>
              <field type='boolean' label='Public bot?' var='public'>
                <required/>
              </field>
              <field type='text-private' label='Password for special access' var='password'/>
              <field type='fixed'><value>Section 2: Features</value></field>
              <field type='list-multi' label='What features will the bot support?' var='features'>
                <option label='Contests'><value>contests</value></option>
                <option label='News'><value>news</value></option>
                <option label='Polls'><value>polls</value></option>
                <option label='Reminders'><value>reminders</value></option>
                <option label='Search'><value>search</value></option>
                <value>news</value>
                <value>search</value>
              </field>
              <field type='fixed'><value>Section 3: Subscriber List</value></field>
              <field type='list-single' label='Maximum number of subscribers' var='maxsubs'>
                <value>20</value>
                <option label='10'><value>10</value></option>
                <option label='20'><value>20</value></option>
                <option label='30'><value>30</value></option>
                <option label='50'><value>50</value></option>
                <option label='100'><value>100</value></option>
                <option label='None'><value>none</value></option>
              </field>
              <field type='fixed'><value>Section 4: Invitations</value></field>
              <field type='jid-multi' label='People to invite' var='invitelist'>
                <desc>Tell all your friends about your new bot!</desc>
              </field>
            </x>
          </command>
        </iq>
        """

    /// XEP-0004 §5.1 "User Submits Bot Creation Form".
    static let botCreationSubmission = """
        <command xmlns='http://jabber.org/protocol/commands' node='create' sessionid='create:20040408T0128Z'>
          <x xmlns='jabber:x:data' type='submit'>
            <field type='hidden' var='FORM_TYPE'>
              <value>jabber:bot</value>
            </field>
            <field type='text-single' var='botname'>
              <value>The Jabber Google Bot</value>
            </field>
            <field type='text-multi' var='description'>
              <value>This bot enables you to send requests to</value>
              <value>Google and receive the search results right</value>
              <value>in your Jabber client. It&apos; really cool!</value>
              <value>It even supports Google News!</value>
            </field>
            <field type='boolean' var='public'>
              <value>0</value>
            </field>
            <field type='text-private' var='password'>
              <value>v3r0na</value>
            </field>
            <field type='list-multi' var='features'>
              <value>news</value>
              <value>search</value>
            </field>
            <field type='list-single' var='maxsubs'>
              <value>50</value>
            </field>
            <field type='jid-multi' var='invitelist'>
              <value>juliet@capulet.com</value>
              <value>benvolio@montague.net</value>
            </field>
          </x>
        </command>
        """

    /// XEP-0004 §5.1 "Service Returns Bot Creation Result".
    static let botCreationResult = """
        <x xmlns='jabber:x:data' type='result'>
          <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
          <field type='text-single' var='botname'><value>The Jabber Google Bot</value></field>
          <field type='boolean' var='public'><value>0</value></field>
          <field type='text-private' var='password'><value>v3r0na</value></field>
          <field type='list-multi' var='features'><value>news</value><value>search</value></field>
          <field type='list-single' var='maxsubs'><value>50</value></field>
          <field type='jid-multi' var='invitelist'>
            <value>juliet@capulet.com</value><value>benvolio@montague.net</value>
          </field>
        </x>
        """

    /// XEP-0004 §5.2 "Service Returns Search Form".
    static let searchForm = """
        <x xmlns='jabber:x:data' type='form'>
          <title>Joogle Search</title>
          <instructions>Fill out this form to search for information!</instructions>
          <field type='text-single'
                 var='search_request'>
            <required/>
          </field>
        </x>
        """

    /// XEP-0004 §5.2 "User Submits Search Form".
    static let searchSubmission = """
        <x xmlns='jabber:x:data' type='submit'>
          <field type='text-single' var='search_request'>
            <value>verona</value>
          </field>
        </x>
        """

    /// XEP-0004 §5.2 "Service Returns Search Results".
    static let searchResults = """
        <x xmlns='jabber:x:data' type='result'>
          <title>Joogle Search: verona</title>
          <reported>
            <field var='name'/>
            <field var='url'/>
          </reported>
          <item>
            <field var='name'><value>Comune di Verona - Benvenuti nel sito ufficiale</value></field>
            <field var='url'><value>http://www.comune.verona.it/</value></field>
          </item>
          <item>
            <field var='name'><value>benvenuto!</value></field>
            <field var='url'><value>http://www.hellasverona.it/</value></field>
          </item>
          <item>
            <field var='name'><value>Universita degli Studi di Verona - Home Page</value></field>
            <field var='url'><value>http://www.univr.it/</value></field>
          </item>
          <item>
            <field var='name'><value>Aeroporti del Garda</value></field>
            <field var='url'><value>http://www.aeroportoverona.it/</value></field>
          </item>
          <item>
            <field var='name'><value>Veronafiere - fiera di Verona</value></field>
            <field var='url'><value>http://www.veronafiere.it/</value></field>
          </item>
        </x>
        """

    /// XEP-0068 §4.1 "Message with no FORM_TYPE".
    static let unspecifiedFormType = """
        <message from='juliet@capulet.com/balcony' to='romeo@montague.net/garden'>
          <thread>vote-thread-reatmon-134</thread>
          <x xmlns='jabber:x:data' type='form'>
            <title>Vote #134</title>
            <instructions>
              This is the vote to pick a new mascot.
              Thanks for your time!
            </instructions>
            <field var='mascot' type='list-single'>
              <required/>
              <option label='Light Bulb'><value>light_bulb</value></option>
              <option label='Penguin'><value>penguin</value></option>
              <option label='Moose'><value>moose</value></option>
              <option label='Triangle Man'><value>triangle_man</value></option>
              <option label='Other'><value>other</value></option>
            </field>
          </x>
        </message>
        """

    /// XEP-0068 §4.2 "Message with FORM_TYPE".
    static let correctFormType = """
        <message to="node-owner" from="pubsub.jabber.org">
            <x xmlns="jabber:x:data" type="form">
               <title>PubSub subscriber request</title>
               <instructions>To approve this entity's subscription request,
                    click the OK button. To deny the request, click the
                    cancel button.</instructions>
               <field var="FORM_TYPE" type="hidden">
                   <value>http://jabber.org/protocol/pubsub#subscribe_authorization</value>
               </field>
               <field var="pubsub#node" type="hidden">
                   <value>generic/pgm-mp3-player</value>
               </field>
               <field var="pubsub#subscriber_jid" type="jid-single"
                      label="Jabber ID of Subscriber">
                   <value>sub1@foo.com</value>
               </field>
               <field var="{http://example.com/pubsub}time_restrictions" type="text-multi"
                      label="Limit to these time ranges">
                   <value>09:00-12:00</value>
                   <value>13:00-17:00</value>
               </field>
            </x>
        </message>
        """

    /// XEP-0068 §4.3 "Message with bad FORM_TYPE".
    static let incorrectFormType = """
        <message to="juliet@capulet.com" from="romeo@montague.net/garden">
            <x xmlns="jabber:x:data" type="form">
               <title>Balcony Scene (Act 2, Scene 2)</title>
               <instructions>But soft! What light through yonder window breaks?</instructions>
               <!-- Not hidden.  Treated as any other text-single field. -->
               <field var="FORM_TYPE" type="text-single">
                 <value>http://jabber.org/protocol/shakespeare</value>
               </field>
               <field var="light" type="list-multi">
                   <option label="Juliet">Sun</option>
                   <option lable="Maid">Moon</option>
                   <option label="Eyes">Stars</option>
               </field>
            </x>
        </message>
        """

    /// XEP-0060 §8.2.4 "Owner submits node configuration form".
    static let nodeConfigSubmission = """
        <configure xmlns='http://jabber.org/protocol/pubsub#owner' node='princely_musings'>
          <x xmlns='jabber:x:data' type='submit'>
            <field var='FORM_TYPE' type='hidden'>
              <value>http://jabber.org/protocol/pubsub#node_config</value>
            </field>
            <field var='pubsub#title'><value>Princely Musings (Atom)</value></field>
            <field var='pubsub#deliver_notifications'><value>1</value></field>
            <field var='pubsub#deliver_payloads'><value>1</value></field>
            <field var='pubsub#persist_items'><value>1</value></field>
            <field var='pubsub#max_items'><value>10</value></field>
            <field var='pubsub#item_expire'><value>604800</value></field>
            <field var='pubsub#access_model'><value>roster</value></field>
            <field var='pubsub#roster_groups_allowed'>
              <value>friends</value>
              <value>servants</value>
              <value>courtiers</value>
            </field>
            <field var='pubsub#publish_model'><value>publishers</value></field>
            <field var='pubsub#purge_offline'><value>0</value></field>
            <field var='pubsub#send_last_published_item'><value>never</value></field>
            <field var='pubsub#presence_based_delivery'><value>false</value></field>
            <field var='pubsub#notification_type'><value>headline</value></field>
            <field var='pubsub#notify_config'><value>0</value></field>
            <field var='pubsub#notify_delete'><value>0</value></field>
            <field var='pubsub#notify_retract'><value>0</value></field>
            <field var='pubsub#notify_sub'><value>0</value></field>
            <field var='pubsub#max_payload_size'><value>1028</value></field>
            <field var='pubsub#type'><value>urn:example:e2ee:bundle</value></field>
            <field var='pubsub#body_xslt'>
              <value>http://jabxslt.jabberstudio.org/atom_body.xslt</value>
            </field>
          </x>
        </configure>
        """

    /// One broken rule each (XEP-0004 section in the comment); every one must be bad-request.
    static let malformed: [String] = [
        "<form xmlns='jabber:x:data' type='form'/>",                                        // §3: <x/>
        "<x xmlns='jabber:x:oob' type='form'/>",
        "<x xmlns='jabber:x:data'><field var='a'/></x>",                                    // §10: type required
        "<x xmlns='jabber:x:data' type='error'/>",                                          // §3.1
        "<x xmlns='jabber:x:data' type='form'><title>a</title><title>b</title></x>",        // §10: one title
        "<x xmlns='jabber:x:data' type='form'><title><b>a</b></title></x>",                 // xs:string
        "<x xmlns='jabber:x:data' type='form'><instructions><br/></instructions></x>",
        "<x xmlns='jabber:x:data' type='form'><page/></x>",                                 // unknown child
        "<x xmlns='jabber:x:data' type='form'><field type='text-single'/></x>",             // §3.2: var
        "<x xmlns='jabber:x:data' type='submit'><field><value>a</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a'/><field var='a'/></x>",      // §3.2: unique var
        "<x xmlns='jabber:x:data' type='form'><field var='a'><foo/></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a'><desc>x</desc><desc>y</desc></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a'><required/><required/></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a'><required>yes</required></field></x>", // empty
        "<x xmlns='jabber:x:data' type='submit'><field var='a'><value><b>x</b></value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='text-single'><value>1</value><value>2</value></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a'><value>1</value><value>2</value></field></x>", // implied text-single
        "<x xmlns='jabber:x:data' type='result'><field var='a' type='boolean'><value>1</value><value>0</value></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field type='fixed'><value>1</value><value>2</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='list-single'><value>1</value><value>2</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='jid-single'><value>a@b</value><value>c@d</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='text-private'><value>1</value><value>2</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='boolean'><value>yes</value></field></x>", // §3.3
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='boolean'><value>TRUE</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='jid-single'><value>@capulet.com</value></field></x>",
        "<x xmlns='jabber:x:data' type='submit'><field var='a' type='jid-multi'><value>a@b</value><value>juliet@</value></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='text-single'><option><value>1</value></option></field></x>", // §3.2
        "<x xmlns='jabber:x:data' type='form'><field var='a'><option><value>1</value></option></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'><option label='x'/></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-multi'><option><value>1</value><value>2</value></option></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'><option><value>1</value><desc/></option></field></x>",
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'><option><value>1</value></option><option><value>1</value></option></field></x>", // §3.3 **
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'><option label='x'><value>1</value></option><option label='x'><value>2</value></option></field></x>",
        "<x xmlns='jabber:x:data' type='form'><reported><field var='a'/></reported></x>",    // §3.4: result only
        "<x xmlns='jabber:x:data' type='submit'><item><field var='a'/></item></x>",
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><reported><field var='a'/></reported></x>",
        "<x xmlns='jabber:x:data' type='result'><reported/></x>",                            // one or more fields
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><item/></x>",
        "<x xmlns='jabber:x:data' type='result'><item><field var='a'/></item></x>",          // no header
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/><field var='b'/></reported><item><field var='a'/></item></x>",
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/><field var='a'/></reported></x>",
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><item><field var='a'/><field var='a'/></item></x>",
        "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/><value/></reported></x>",
        "<x xmlns='jabber:x:data' type='result'><reported><field/></reported></x>",
    ]
}

// MARK: - XEPExample

/// A small XML reader for the fixtures, so XEP examples can be pasted as text (XMPPCore has no parser;
/// XMPPStream's libxml2 one is out of this test target's reach). It knows what the examples use:
/// elements, quoted attributes, default `xmlns`, `xml:lang`, the five predefined entities and character
/// references, comments. Whitespace-only text is kept unless `keepWhitespace` is false.
enum XEPExample {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ xml: String, keepWhitespace: Bool = true) throws -> Element {
        var reader = Reader(scalars: Array(xml.unicodeScalars), keepWhitespace: keepWhitespace)
        reader.skipMisc()
        let root = try reader.element(inheriting: "")
        reader.skipMisc()
        guard reader.position == reader.scalars.count else { throw Failure(description: "content after the root") }
        return root
    }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        let keepWhitespace: Bool
        var position = 0

        init(scalars: [Unicode.Scalar], keepWhitespace: Bool) {
            self.scalars = scalars
            self.keepWhitespace = keepWhitespace
        }

        func at(_ literal: String) -> Bool {
            let wanted = Array(literal.unicodeScalars)
            return scalars.count - position >= wanted.count && Array(scalars[position..<position + wanted.count]) == wanted
        }

        mutating func expect(_ literal: String) throws {
            guard at(literal) else { throw Failure(description: "expected \(literal) at \(position)") }
            position += literal.unicodeScalars.count
        }

        mutating func skipSpace() {
            while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
        }

        mutating func skipMisc() {
            while true {
                skipSpace()
                guard at("<!--") else { return }
                skipComment()
            }
        }

        mutating func skipComment() {
            while position < scalars.count, !at("-->") { position += 1 }
            position = min(position + 3, scalars.count)
        }

        mutating func name() throws -> String {
            var result = ""
            while position < scalars.count {
                let scalar = scalars[position]
                if scalar.properties.isWhitespace || "/>=".unicodeScalars.contains(scalar) { break }
                result.unicodeScalars.append(scalar)
                position += 1
            }
            guard !result.isEmpty else { throw Failure(description: "expected a name at \(position)") }
            return result
        }

        mutating func until(_ stop: Unicode.Scalar) throws -> String {
            var raw = ""
            while position < scalars.count, scalars[position] != stop {
                raw.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else { throw Failure(description: "unterminated text") }
            return try Self.unescape(raw)
        }

        mutating func element(inheriting namespace: String) throws -> Element {
            try expect("<")
            let qualifiedName = try name()
            var pairs: [(String, String)] = []
            var selfClosing = false
            while true {
                skipSpace()
                if at("/>") { position += 2; selfClosing = true; break }
                if at(">") { position += 1; break }
                let key = try name()
                skipSpace()
                try expect("=")
                skipSpace()
                guard position < scalars.count, scalars[position] == "'" || scalars[position] == "\"" else {
                    throw Failure(description: "unquoted attribute \(key)")
                }
                let quote = scalars[position]
                position += 1
                pairs.append((key, try until(quote)))
                position += 1
            }
            let ns = pairs.first { $0.0 == "xmlns" }?.1 ?? namespace
            guard !qualifiedName.contains(":") else { throw Failure(description: "prefixed element \(qualifiedName)") }
            var element = Element(name: qualifiedName, namespace: ns)
            for (key, value) in pairs where key != "xmlns" {
                if key == "xml:lang" {
                    element.attributes.append(.init(name: "lang", namespace: Namespace.xml, value: value))
                } else if key.contains(":") {
                    throw Failure(description: "prefixed attribute \(key)")
                } else {
                    element.attributes.append(.init(name: key, value: value))
                }
            }
            if selfClosing { return element }
            while true {
                if at("</") {
                    position += 2
                    guard try name() == qualifiedName else { throw Failure(description: "mismatched end of \(qualifiedName)") }
                    skipSpace()
                    try expect(">")
                    return element
                } else if at("<!--") {
                    skipComment()
                } else if at("<") {
                    element.children.append(.element(try self.element(inheriting: ns)))
                } else {
                    let text = try until("<")
                    if keepWhitespace || !text.allSatisfy(\.isWhitespace) { element.children.append(.text(text)) }
                }
            }
        }

        static func unescape(_ raw: String) throws -> String {
            guard raw.contains("&") else { return raw }
            var result = ""
            var rest = Substring(raw)
            while let amp = rest.firstIndex(of: "&") {
                result += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";") else { throw Failure(description: "bad reference") }
                let entity = rest[rest.index(after: amp)..<semi]
                switch entity {
                case "lt": result += "<"
                case "gt": result += ">"
                case "amp": result += "&"
                case "apos": result += "'"
                case "quot": result += "\""
                default:
                    let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                        : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                    guard let number, let scalar = Unicode.Scalar(number) else {
                        throw Failure(description: "unknown entity \(entity)")
                    }
                    result.unicodeScalars.append(scalar)
                }
                rest = rest[rest.index(after: semi)...]
            }
            return result + rest
        }
    }
}
