"""Publish-subscribe helpers for the interop suite: slixmpp's own XEP-0060 plugin (with XEP-0004
forms and XEP-0059 RSM) against the server's pubsub service, pubsub.<domain>.

Nothing here builds pubsub stanzas by hand: every request goes through slixmpp's xep_0060 API, so
the suite checks Starling against a client nobody here wrote.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slixmpp.exceptions import IqError
from slixmpp.plugins.xep_0059 import stanza as rsm_stanza
from slixmpp.plugins.xep_0060.stanza.pubsub import Pubsub
from slixmpp.xmlstream import ET, register_stanza_plugin

from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

from interop_client import STEP_TIMEOUT, Inbox, InteropClient, Session

PUBSUB_NS = "http://jabber.org/protocol/pubsub"
EVENT_NS = "http://jabber.org/protocol/pubsub#event"
SHIM_NS = "http://jabber.org/protocol/shim"
SENSOR_NS = "urn:example:sensor"
NODE_CONFIG = "http://jabber.org/protocol/pubsub#node_config"
SUBSCRIBE_OPTIONS = "http://jabber.org/protocol/pubsub#subscribe_options"

# XEP-0060 §6.5.4: <set xmlns='http://jabber.org/protocol/rsm'/> is a child of <pubsub/>, next to
# <items/>. slixmpp's xep_0060 plugin pages with xep_0059 but leaves this registration to the user.
register_stanza_plugin(Pubsub, rsm_stanza.Set)


def service_jid(server) -> str:
    return f"pubsub.{server.domain}"


async def pubsub_login(session: Session, user: str, *, resource: str | None = None,
                       presence: bool = True) -> InteropClient:
    """Log in with the XEP-0060 plugin loaded. Initial presence is sent by default: headline
    notifications addressed to the bare JID reach only available resources (RFC 6121 §8.5.2.1.1)."""
    client = session.client(user, resource=resource)
    for plugin in ("xep_0004", "xep_0059", "xep_0060"):
        client.register_plugin(plugin)
    # Event notifications carry no <body/>, so slixmpp's "message" event never sees them: collect
    # every message with a pubsub#event child, whole (one stanza per notification, §7.1.2).
    client.events = Inbox(f"{client.requested_jid} pubsub events")
    client.register_handler(Callback("interop pubsub events", StanzaPath("message/pubsub_event"),
                                     client.events.put))
    outcome = await session.attempt(client)
    assert outcome == "session", f"{user}: login failed ({outcome})"
    await client.get_roster(timeout=STEP_TIMEOUT)
    if presence:
        client.send_presence()
        # Our own presence coming back proves the server has processed it before we go on.
        await client.presences.expect(
            lambda p: p["type"] == "available" and p["from"] == client.boundjid,
            "own initial presence reflected")
    return client


def form(client: InteropClient, form_type: str, fields: dict[str, Any]):
    """A submit form (XEP-0004 §3.1) with FORM_TYPE hidden (XEP-0068)."""
    result = client.plugin["xep_0004"].make_form(ftype="submit")
    result.add_field(var="FORM_TYPE", ftype="hidden", value=form_type)
    for var, value in fields.items():
        if isinstance(value, (list, tuple)):
            result.add_field(var=var, ftype="text-multi", value=list(value))
        else:
            result.add_field(var=var, value=value)
    return result


def node_config(client: InteropClient, **fields: Any):
    """A pubsub#node_config form; keyword names drop the pubsub# prefix."""
    return form(client, NODE_CONFIG, {f"pubsub#{k}": v for k, v in fields.items()})


def reading(value: str, unit: str = "C", sensor: str = "t1") -> ET.Element:
    """The payload a sensor publishes: a namespaced element with attributes and text."""
    element = ET.Element(f"{{{SENSOR_NS}}}reading", {"unit": unit, "sensor": sensor})
    element.text = value
    return element


def payload_value(item) -> tuple[str, str | None, str | None]:
    """(tag, unit, text) of an item's payload, for comparison with what was published."""
    payload = item["payload"]
    assert payload is not None, f"item without payload: {item}"
    return payload.tag, payload.get("unit"), payload.text


async def expect_iq_error(awaitable, what: str) -> IqError:
    """The request must be answered with an IQ error; returns it for the condition checks."""
    try:
        result = await awaitable
    except IqError as error:
        return error
    raise AssertionError(f"{what}: expected an IQ error, got a result: {result}")


def error_summary(error: IqError) -> tuple[str, str, str | None]:
    """(type, defined condition, pubsub#errors condition) of an IQ error (XEP-0060 §7.1.3 etc.)."""
    stanza_error = error.iq["error"]
    return stanza_error["type"], stanza_error["condition"], stanza_error["pubsub"]["condition"] or None


def shim_headers(msg) -> list[tuple[str, str]]:
    """SHIM headers (XEP-0131) of a message: (name, value) in document order."""
    found = []
    for headers in msg.xml.findall(f"{{{SHIM_NS}}}headers"):
        for header in headers.findall(f"{{{SHIM_NS}}}header"):
            found.append((header.get("name"), header.text or ""))
    return found


def is_event(kind: str, node: str | None = None):
    """Predicate for Inbox.expect: a pubsub#event message with a child <kind node=…/>."""
    def check(msg) -> bool:
        event = msg.xml.find(f"{{{EVENT_NS}}}event")
        if event is None:
            return False
        child = event.find(f"{{{EVENT_NS}}}{kind}")
        return child is not None and (node is None or child.get("node") == node)
    return check


def is_item_event(node: str, item_id: str | None = None):
    """Predicate: an items notification on `node` carrying a published item (with `item_id`)."""
    def check(msg) -> bool:
        if not is_event("items", node)(msg):
            return False
        ids = [i["id"] for i in msg["pubsub_event"]["items"] if i.name == "item"]
        return bool(ids) and (item_id is None or item_id in ids)
    return check


async def all_item_ids(client: InteropClient, service: str, node: str) -> list[str]:
    result = await client.plugin["xep_0060"].get_items(service, node, timeout=STEP_TIMEOUT)
    return [item["id"] for item in result["pubsub"]["items"]]


def rsm_pages(client: InteropClient, service: str, node: str, page_size: int):
    """slixmpp's XEP-0059 iterator over a node's items (XEP-0060 §6.5.4): each step sends
    <set><max>page_size</max><after>previous last</after></set> and yields the result IQ."""
    iterator = client.plugin["xep_0060"].get_items(service, node, iterator=True)
    iterator.amount = page_size
    iterator.iq_options = {"timeout": STEP_TIMEOUT}
    return iterator


def page_summary(result) -> tuple[list[str], str | None, str | None, str | None]:
    """(item ids, rsm first, rsm last, rsm count) of one page."""
    rsm = result["pubsub"]["rsm"]
    ids = [item["id"] for item in result["pubsub"]["items"]]
    return ids, rsm["first"] or None, rsm["last"] or None, rsm["count"] or None


async def gather_bounded(*aws, timeout: float = 30.0):
    return await asyncio.wait_for(asyncio.gather(*aws), timeout)
