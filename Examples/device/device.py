#!/usr/bin/env python3
"""A temperature sensor that publishes a reading into a Starling pubsub leaf every few seconds.

Each reading is one XEP-0060 item (id chosen by the server) whose payload is a XEP-0335 JSON
container: <json xmlns='urn:xmpp:json:0'>{"sensor": …, "celsius": …, "time": …}</json>.
On start the node tree is created if missing (XEP-0248): every parent of the leaf is a collection,
so site-a/floor-2/temp sits in site-a/floor-2, which sits in site-a.

Run: ./Examples/run.sh device --jid device@localhost --password secret   (see README.md)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import ssl
import sys
from datetime import datetime, timezone
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import ET

NODE_CONFIG = "http://jabber.org/protocol/pubsub#node_config"
JSON_NS = "urn:xmpp:json:0"   # XEP-0335


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jid", required=True, help="the device's account, e.g. device@localhost")
    parser.add_argument("--password", required=True)
    parser.add_argument("--server", default="127.0.0.1:5222",
                        help="host:port of Starling's client listener (default 127.0.0.1:5222)")
    parser.add_argument("--pubsub", help="pubsub service JID (default pubsub.<domain of --jid>)")
    parser.add_argument("--node", default="site-a/floor-2/temp", help="leaf to publish into")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between readings")
    parser.add_argument("--count", type=int, default=0,
                        help="publish this many readings, then exit (default 0: run until Ctrl-C)")
    parser.add_argument("--sensor", default="floor-2-temp", help="sensor name inside each reading")
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
    cafile = args.cafile or (str(Path("data/tls") / f"{domain}.crt")
                             if (Path("data/tls") / f"{domain}.crt").is_file() else None)
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


class Device(slixmpp.ClientXMPP):
    def __init__(self, args: argparse.Namespace):
        super().__init__(args.jid, args.password)
        self.args = args
        self.service = args.pubsub or f"pubsub.{self.boundjid.domain}"
        self.ssl_context = tls_context(args, self.boundjid.domain)
        self.enable_direct_tls = False
        self.enable_plaintext = False     # STARTTLS only (RFC 6120 §5)
        for plugin in ("xep_0004", "xep_0030", "xep_0060"):
            self.register_plugin(plugin)
        self.exit_code = 0
        self.finished = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self.fail(f"connection failed: {e}"))
        self.add_event_handler("disconnected", lambda _: self.fail("disconnected"))

    def fail(self, message: str) -> None:
        if not self.finished.done():
            print(f"device: {message}", file=sys.stderr, flush=True)
            self.exit_code = 1
            self.finished.set_result(None)

    async def on_session_start(self, _event) -> None:
        try:
            await self.ensure_tree()
            await self.publish_loop()
        except (IqError, IqTimeout) as error:
            self.fail(f"pubsub request failed: {describe(error)}")
            return
        if not self.finished.done():
            self.finished.set_result(None)

    async def ensure_tree(self) -> None:
        """Create site-a, site-a/floor-2 (collections) and the leaf, each unless it exists."""
        parts = self.args.node.split("/")
        parent = None
        for depth in range(1, len(parts) + 1):
            node = "/".join(parts[:depth])
            leaf = depth == len(parts)
            form = self.plugin["xep_0004"].make_form(ftype="submit")
            form.add_field(var="FORM_TYPE", ftype="hidden", value=NODE_CONFIG)
            form.add_field(var="pubsub#node_type", value="leaf" if leaf else "collection")
            if parent is not None:
                form.add_field(var="pubsub#collection", value=parent)
            try:
                await self.plugin["xep_0060"].create_node(self.service, node, config=form, timeout=10)
                print(f"device: created {'leaf' if leaf else 'collection'} {node}", flush=True)
            except IqError as error:
                # XEP-0060 §8.1.3.5: <conflict/> means the node already exists; that is fine.
                if error.iq["error"]["condition"] != "conflict":
                    raise
            parent = node

    async def publish_loop(self) -> None:
        temperature = 21.0
        published = 0
        while self.args.count == 0 or published < self.args.count:
            temperature = round(temperature + random.uniform(-0.3, 0.3), 2)
            reading = {"sensor": self.args.sensor, "celsius": temperature,
                       "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            payload = ET.Element(f"{{{JSON_NS}}}json")
            payload.text = json.dumps(reading, sort_keys=True)
            result = await self.plugin["xep_0060"].publish(self.service, self.args.node, payload=payload,
                                                    timeout=10)
            item_id = result["pubsub"]["publish"]["item"]["id"]
            published += 1
            print(f"published node={self.args.node} id={item_id} payload={payload.text}", flush=True)
            if self.args.count == 0 or published < self.args.count:
                await asyncio.sleep(self.args.interval)


def describe(error: Exception) -> str:
    if isinstance(error, IqError):
        e = error.iq["error"]
        return f"{e['type']}/{e['condition']} {e['text'] or ''}".strip()
    return "no answer (timeout)"


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    device = Device(args)
    host, _, port = args.server.rpartition(":")
    device.connect(host.strip("[]") or "127.0.0.1", int(port))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: device.finished.done() or device.finished.set_result(None))
    await device.finished
    code = device.exit_code
    try:
        await asyncio.wait_for(device.disconnect(), 5)
    except Exception:
        device.abort()
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
