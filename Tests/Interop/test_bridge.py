"""Issue 5: the MQTT bridge between pubsub nodes and a real mosquitto broker, both ways, without loss.

Each test starts its own mosquitto (persistence on, fixed port: Tests/Interop/interop_mqtt.py) and a
Starling whose `bridges:` section points at it, on both storage backends. MQTT traffic comes from
the mosquitto_pub / mosquitto_sub command-line clients, XMPP traffic from slixmpp's xep_0060 plugin.
Outbound deliveries are collected through persistent QoS 1 sessions (`mosquitto_sub -c`) registered
before the publish, so no test depends on a subscriber being quick enough.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os

import pytest
from slixmpp.xmlstream import ET

from conftest import ACCOUNTS, SERVER_KIND, starling_binary
from interop_client import STEP_TIMEOUT, Session, run
from interop_mqtt import Broker, received
from interop_pubsub import SUBSCRIBE_OPTIONS, form, is_item_event, node_config, pubsub_login, service_jid
from interop_servers import ServerError, StarlingServer

pytestmark = pytest.mark.skipif(SERVER_KIND != "starling", reason="the bridge is Starling's")

MQTT_NS = "urn:starling:mqtt:0"
JSON_NS = "urn:xmpp:json:0"
BRIDGE_JID = "mqtt.localhost"


def bridge_config(port: int) -> str:
    return f"""\
bridges:
  - name: plant
    host: 127.0.0.1
    port: {port}
    client_id: starling-interop
    reconnect_min_seconds: 1
    reconnect_max_seconds: 2
    mappings:
      - name: temps
        topic: sensors/+/temp
        node: sensors/{{1}}/temp
        direction: in
        format: raw
      - name: plant
        topic: plant/#
        node: plant/{{1}}
        direction: in
        format: text
      - name: json
        topic: json/+
        node: json/{{1}}
        direction: both
        format: json
      - name: retained
        topic: retained/+
        node: retained/{{1}}
        direction: in
      - name: out
        topic: out/#
        node: xmpp/{{1}}
        direction: out
      - name: loop
        topic: loop/+
        node: loop/{{1}}
        direction: both
        retain: true
      - name: state
        topic: state/+
        node: state/{{1}}
        direction: out
        retain: true
        clear_retained_on_retract: true
"""


@pytest.fixture
def broker():
    instance = Broker()
    instance.start()
    yield instance
    instance.cleanup()


@pytest.fixture
def bridged(request, backend, postgres_url, broker):
    """A running Starling bridged to `broker`."""
    level = os.environ.get("STARLING_INTEROP_LOG_LEVEL", "debug")
    instance = StarlingServer(ACCOUNTS, starling_binary(), backend, postgres_url, level,
                              extra_config=bridge_config(broker.port))
    request.node._interop_server = instance
    try:
        instance.prepare()
        instance.start()
    except ServerError as error:
        instance.cleanup()
        pytest.fail(str(error), pytrace=False)
    yield instance
    status = instance.stop()
    if status not in (None, 0):
        log = instance.log_text()
        instance.cleanup()
        pytest.fail(f"starling exited with status {status} on SIGTERM\n{log}", pytrace=False)
    if not getattr(request.node, "_interop_failed", False):
        instance.cleanup()


def data(payload: bytes) -> ET.Element:
    element = ET.Element(f"{{{MQTT_NS}}}data")
    element.text = base64.b64encode(payload).decode()
    return element


def json_payload(text: str) -> ET.Element:
    element = ET.Element(f"{{{JSON_NS}}}json")
    element.text = text
    return element


async def items_of(client, service: str, node: str) -> list:
    result = await client.plugin["xep_0060"].get_items(service, node, timeout=STEP_TIMEOUT)
    return [item for item in result["pubsub"]["items"]]


async def wait_for_items(client, service: str, node: str, count: int, timeout: float = 20.0) -> list:
    """Polls until `node` exists with `count` items (the bridge works asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    last = None
    while asyncio.get_running_loop().time() < deadline:
        try:
            found = await items_of(client, service, node)
            if len(found) >= count:
                return found
            last = f"{len(found)} items"
        except Exception as error:   # item-not-found until the bridge created the node
            last = repr(error)
        await asyncio.sleep(0.2)
    raise AssertionError(f"{node}: expected {count} items within {timeout} s; last: {last}")


async def subscribe_subtree(client, service: str, collection: str) -> None:
    ps = client.plugin["xep_0060"]
    await ps.create_node(service, collection, config=node_config(client, node_type="collection"),
                         timeout=STEP_TIMEOUT)
    options = form(client, SUBSCRIBE_OPTIONS, {"pubsub#subscription_type": "items",
                                               "pubsub#subscription_depth": "all"})
    await ps.subscribe(service, collection, options=options, timeout=STEP_TIMEOUT)


def test_mqtt_messages_reach_xmpp_subscribers_through_wildcard_and_subtree_mappings(bridged, broker):
    service = service_jid(bridged)
    reading = bytes(range(256)) + os.urandom(4096)   # every byte value, and noise

    async def scenario():
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice")
            await subscribe_subtree(alice, service, "sensors")
            await subscribe_subtree(alice, service, "plant")

            # `sensors/+/temp` ↔ `sensors/{1}/temp`, raw: Base64 in <data/>, bit-exact.
            broker.publish("sensors/7/temp", reading)
            note = await alice.events.expect(is_item_event("sensors/7/temp"), "raw reading via the collection")
            [item] = [i for i in note["pubsub_event"]["items"] if i.name == "item"]
            payload = item["payload"]
            assert payload.tag == f"{{{MQTT_NS}}}data", note
            assert base64.b64decode(payload.text) == reading
            [stored] = await items_of(alice, service, "sensors/7/temp")
            assert stored["publisher"] in ("", BRIDGE_JID), stored   # §7.1.2.3 publisher, when given

            # `plant/#` ↔ `plant/{1}`, text: the leaf lands under collections made for its path.
            broker.publish("plant/hall/press", " 1013 hPa <ok> & ".encode())
            note = await alice.events.expect(is_item_event("plant/hall/press"), "text reading via the subtree")
            [item] = [i for i in note["pubsub_event"]["items"] if i.name == "item"]
            assert item["payload"].tag == f"{{{MQTT_NS}}}text"
            assert item["payload"].text == " 1013 hPa <ok> & "
            # The tree, as any entity sees it (disco#items of a collection lists its children, XEP-0248 §5.2).
            disco = alice.plugin["xep_0030"]
            children = await disco.get_items(jid=service, node="plant", timeout=STEP_TIMEOUT)
            assert [i[1] for i in children["disco_items"]["items"]] == ["plant/hall"], children
            children = await disco.get_items(jid=service, node="plant/hall", timeout=STEP_TIMEOUT)
            assert [i[1] for i in children["disco_items"]["items"]] == ["plant/hall/press"], children

    run(scenario(), timeout=90)


def test_xmpp_publishes_reach_mqtt_bit_exact_and_json_round_trips(bridged, broker):
    service = service_jid(bridged)
    blob = os.urandom(5000) + bytes(range(256))
    document = '{"t": 21.5, "ok": true, "tags": ["a", "\\u00e9"]}'

    async def scenario():
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice")
            ps = alice.plugin["xep_0060"]
            await ps.publish(service, "xmpp/dev1", payload=data(blob), timeout=STEP_TIMEOUT)
            await ps.publish(service, "json/b", payload=json_payload(document), timeout=STEP_TIMEOUT)
            # MQTT → XMPP for JSON: XEP-0335 <json/> carrying the text as sent.
            broker.publish("json/a", b'{"a": [1, 2, {"b": null}]}')
            [item] = await wait_for_items(alice, service, "json/a", 1)
            assert item["payload"].tag == f"{{{JSON_NS}}}json"
            assert json.loads(item["payload"].text) == {"a": [1, 2, {"b": None}]}

    broker.register_session("out/#", "watch-out")
    broker.register_session("json/b", "watch-json")
    run(scenario(), timeout=60)
    [(topic, payload, _)] = received(broker.subscriber("out/#", count=1, client_id="watch-out", clean=False))
    assert topic == "out/dev1" and payload == blob
    [(topic, payload, _)] = received(broker.subscriber("json/b", count=1, client_id="watch-json", clean=False))
    assert topic == "json/b" and json.loads(payload) == json.loads(document)


def test_retained_message_becomes_the_last_item_once(bridged, broker):
    service = service_jid(bridged)
    bridged.stop()
    broker.publish("retained/boiler", b"72.5", retain=True)   # there before the bridge subscribes
    bridged.start()

    async def scenario(expect_last_item: bool):
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice")
            # A live message after the retained one proves the bridge has processed both.
            broker.publish("retained/marker", f"marker-{bridged.starts}".encode())
            await wait_for_items(alice, service, "retained/marker", bridged.starts - 1)
            items = await wait_for_items(alice, service, "retained/boiler", 1)
            assert [base64.b64decode(i["payload"].text) for i in items] == [b"72.5"], "one item, no duplicate"
            if expect_last_item:
                # send_last_published_item (on_sub on bridge-created leaves, XEP-0060 §6.1.7).
                bob = await pubsub_login(session, "bob")
                await bob.plugin["xep_0060"].subscribe(service, "retained/boiler", timeout=STEP_TIMEOUT)
                note = await bob.events.expect(is_item_event("retained/boiler"), "last item on subscribe")
                [item] = [i for i in note["pubsub_event"]["items"] if i.name == "item"]
                assert base64.b64decode(item["payload"].text) == b"72.5"

    run(scenario(True), timeout=60)
    bridged.restart()   # the broker sends its retained message again on the new subscription
    run(scenario(False), timeout=60)


def test_no_loops_with_both_directions(bridged, broker):
    service = service_jid(bridged)
    broker.register_session("loop/#", "watch-loop")

    async def scenario():
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice")
            broker.publish("loop/a", b"from-mqtt")
            await wait_for_items(alice, service, "loop/a", 1)
            await alice.plugin["xep_0060"].publish(service, "loop/b", payload=data(b"from-xmpp"),
                                                   timeout=STEP_TIMEOUT)
            await asyncio.sleep(3)   # time for an echo to come back, if the bridge let one through
            assert len(await items_of(alice, service, "loop/a")) == 1
            assert len(await items_of(alice, service, "loop/b")) == 1, "our own publish came back as an item"

    run(scenario(), timeout=60)
    # -C 4 with two expected: the subscriber waits out -W and shows nothing came back a second time.
    # Resubscribing also makes the broker resend loop/b's retained copy (MQTT 3.1.1 §3.8.4), flagged
    # retained: only the messages published while the session was away count.
    seen = received(broker.subscriber("loop/#", count=4, client_id="watch-loop", clean=False, timeout=4))
    live = sorted((t, p) for t, p, retained in seen if not retained)
    assert live == [("loop/a", b"from-mqtt"), ("loop/b", b"from-xmpp")], seen


@pytest.mark.parametrize("restart_starling", [False, True], ids=["broker-outage", "with-starling-restart"])
def test_items_published_while_the_broker_is_down_arrive_in_order(bridged, broker, restart_starling):
    service = service_jid(bridged)
    n = 20
    broker.register_session("out/#", "watch-outage")
    broker.stop()

    async def publish(values):
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice")
            for value in values:   # each acknowledged before the next
                await alice.plugin["xep_0060"].publish(service, "xmpp/seq", payload=data(b"%03d" % value),
                                                       timeout=STEP_TIMEOUT)

    if restart_starling:
        run(publish(range(0, n // 2)), timeout=60)
        bridged.restart()
        run(publish(range(n // 2, n)), timeout=60)
    else:
        run(publish(range(n)), timeout=60)
    broker.start()
    seen = received(broker.subscriber("out/#", count=n, client_id="watch-outage", clean=False, timeout=60))
    assert [p for _, p, _ in seen] == [b"%03d" % i for i in range(n)]
    assert {t for t, _, _ in seen} == {"out/seq"}


def retained_now(broker, topic: str) -> bytes | None:
    """The broker's retained message on `topic` right now (a new subscriber gets it at once), or None."""
    seen = received(broker.subscriber(topic, count=1, timeout=1))
    return seen[0][1] if seen and seen[0][2] else None


def eventually(check, what: str, timeout: float = 20.0):
    import time
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last is not None and last[0]:
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: last seen {last}")


def test_retained_message_follows_retracts(bridged, broker):
    service = service_jid(bridged)

    async def publish(item_id: str, value: bytes):
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice", presence=False)
            await alice.plugin["xep_0060"].publish(service, "state/boiler", id=item_id, payload=data(value),
                                                   timeout=STEP_TIMEOUT)

    async def retract(item_id: str):
        async with Session(bridged) as session:
            alice = await pubsub_login(session, "alice", presence=False)
            await alice.plugin["xep_0060"].retract(service, "state/boiler", item_id, timeout=STEP_TIMEOUT)

    def retained_is(expected):
        return lambda: ((got := retained_now(broker, "state/boiler")) == expected, got)

    run(publish("a", b"one"), timeout=30)
    eventually(retained_is(b"one"), "retained after the first publish")
    run(publish("b", b"two"), timeout=30)
    eventually(retained_is(b"two"), "retained follows the newest item")
    run(retract("b"), timeout=30)
    eventually(retained_is(b"one"), "after retracting the newest, the retained message is the item left")
    run(retract("a"), timeout=30)
    eventually(retained_is(None), "no item left: the retained message is cleared (zero-length retained publish)")
