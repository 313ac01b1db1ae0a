#!/usr/bin/env python3
"""A dashboard that follows a whole Starling node subtree and prints every item as it arrives.

It subscribes to a collection (default site-a) with the XEP-0248 §6.1 subscription options
pubsub#subscription_type=items and pubsub#subscription_depth=all, so items published into any
leaf below (site-a/floor-2/temp, …) are delivered, and prints one line per item:

    node=site-a/floor-2/temp id=01M80… payload={"celsius": 21.3, …}

Run: ./Examples/run.sh dashboard --jid dashboard@localhost --password secret   (see README.md)
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import sys
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

SUBSCRIBE_OPTIONS = "http://jabber.org/protocol/pubsub#subscribe_options"
JSON_NS = "urn:xmpp:json:0"   # XEP-0335
WAIT_FOR_NODE_SECONDS = 2.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jid", required=True, help="the dashboard's account, e.g. dashboard@localhost")
    parser.add_argument("--password", required=True)
    parser.add_argument("--server", default="127.0.0.1:5222",
                        help="host:port of Starling's client listener (default 127.0.0.1:5222)")
    parser.add_argument("--pubsub", help="pubsub service JID (default pubsub.<domain of --jid>)")
    parser.add_argument("--node", default="site-a", help="collection to follow")
    parser.add_argument("--depth", default="all", help="subscription depth: 1 or all (default all)")
    parser.add_argument("--count", type=int, default=0,
                        help="exit after printing this many items (default 0: run until Ctrl-C)")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--cafile", help="PEM certificate to trust (default: data/tls/<domain>.crt, "
                                      "the one `starling serve` generates, if it exists)")
    tls.add_argument("--insecure", action="store_true",
                     help="do not verify the server's certificate (local testing only)")
    return parser.parse_args(argv)


def tls_context(args: argparse.Namespace, domain: str) -> ssl.SSLContext:
    """Verify the server against --cafile, the self-signed certificate of a local `starling
    serve` (data/tls/<domain>.crt in the current directory), or the system's CAs."""
    context = ssl.create_default_context()
    if args.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    default = Path("data/tls") / f"{domain}.crt"
    cafile = args.cafile or (str(default) if default.is_file() else None)
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def render(payload) -> str:
    """A JSON container's text as is; any other payload as its XML."""
    if payload is None:
        return "(no payload)"
    if payload.tag == f"{{{JSON_NS}}}json":
        return (payload.text or "").strip()
    return ET.tostring(payload, encoding="unicode")


class Dashboard(slixmpp.ClientXMPP):
    def __init__(self, args: argparse.Namespace):
        super().__init__(args.jid, args.password)
        self.args = args
        self.service = args.pubsub or f"pubsub.{self.boundjid.domain}"
        self.ssl_context = tls_context(args, self.boundjid.domain)
        self.enable_direct_tls = False
        self.enable_plaintext = False     # STARTTLS only (RFC 6120 §5)
        for plugin in ("xep_0004", "xep_0030", "xep_0060"):
            self.register_plugin(plugin)
        self.printed = 0
        self.exit_code = 0
        self.subid: str | None = None
        self.finished = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self.fail(f"connection failed: {e}"))
        self.add_event_handler("disconnected", lambda _: self.fail("disconnected"))
        # One notification message may carry several items (XEP-0060 §7.1.2); take it whole.
        self.register_handler(Callback("dashboard events", StanzaPath("message/pubsub_event/items"),
                                       self.on_items))

    def fail(self, message: str) -> None:
        if not self.finished.done():
            print(f"dashboard: {message}", file=sys.stderr, flush=True)
            self.exit_code = 1
            self.finished.set_result(None)

    async def on_session_start(self, _event) -> None:
        # Notifications go to the bare JID, i.e. to available resources (RFC 6121 §8.5.2.1.1).
        self.send_presence()
        try:
            await self.subscribe_subtree()
        except (IqError, IqTimeout) as error:
            self.fail(f"subscribing to {self.args.node} failed: {describe(error)}")

    async def subscribe_subtree(self) -> None:
        while True:
            try:
                await self.try_subscribe()
                return
            except IqError as error:
                if error.iq["error"]["condition"] != "item-not-found":
                    raise
                print(f"dashboard: {self.args.node} does not exist yet; waiting for the device "
                      "to create it", flush=True)
                await asyncio.sleep(WAIT_FOR_NODE_SECONDS)

    async def try_subscribe(self) -> None:
        ps = self.plugin["xep_0060"]
        # Leftovers of an earlier run (killed before it could unsubscribe) would make this one a
        # duplicate (XEP-0248 §6.1.3 refuses a second collection subscription): drop them first.
        mine = await ps.get_subscriptions(self.service, self.args.node, timeout=10)
        for old in mine["pubsub"]["subscriptions"]:
            await ps.unsubscribe(self.service, self.args.node, subid=old["subid"] or None, timeout=10)
        options = self.plugin["xep_0004"].make_form(ftype="submit")
        options.add_field(var="FORM_TYPE", ftype="hidden", value=SUBSCRIBE_OPTIONS)
        options.add_field(var="pubsub#subscription_type", value="items")
        options.add_field(var="pubsub#subscription_depth", value=self.args.depth)
        result = await ps.subscribe(self.service, self.args.node, options=options, timeout=10)
        self.subid = result["pubsub"]["subscription"]["subid"] or None
        print(f"dashboard: subscribed to {self.args.node} (items, depth {self.args.depth})", flush=True)

    def on_items(self, msg) -> None:
        items = msg["pubsub_event"]["items"]
        for item in items:
            if item.name != "item" or self.finished.done():
                continue
            print(f"node={items['node']} id={item['id']} payload={render(item['payload'])}", flush=True)
            self.printed += 1
            if self.args.count and self.printed >= self.args.count:
                self.finished.set_result(None)

    async def unsubscribe(self) -> None:
        if self.subid is None:
            return
        try:
            await self.plugin["xep_0060"].unsubscribe(self.service, self.args.node, subid=self.subid, timeout=5)
        except (IqError, IqTimeout):
            pass


def describe(error: Exception) -> str:
    if isinstance(error, IqError):
        e = error.iq["error"]
        return f"{e['type']}/{e['condition']} {e['text'] or ''}".strip()
    return "no answer (timeout)"


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dashboard = Dashboard(args)
    host, _, port = args.server.rpartition(":")
    dashboard.connect(host.strip("[]") or "127.0.0.1", int(port))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: dashboard.finished.done() or dashboard.finished.set_result(None))
    await dashboard.finished
    code = dashboard.exit_code
    if code == 0:
        await dashboard.unsubscribe()
    try:
        await asyncio.wait_for(dashboard.disconnect(), 5)
    except Exception:
        dashboard.abort()
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
