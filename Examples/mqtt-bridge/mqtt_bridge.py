#!/usr/bin/env python3
"""MQTT ↔ XMPP through Starling's bridge, both directions, against a real mosquitto broker.

Starts a private mosquitto and a private Starling (Examples/mqtt-bridge/starling.yml with free
ports), then: an MQTT sensor reading reaches an XMPP dashboard subscribed to the `sensors`
subtree, and an XMPP publish to `commands/valve-1` reaches an MQTT subscriber. Exits 0 when both
worked.

Run: ./Examples/run.sh mqtt-bridge   (see README.md)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
JSON_NS = "urn:xmpp:json:0"   # XEP-0335
SUBSCRIBE_OPTIONS = "http://jabber.org/protocol/pubsub#subscribe_options"
NODE_CONFIG = "http://jabber.org/protocol/pubsub#node_config"
TIMEOUT = 30


def say(text: str) -> None:
    print(f"mqtt-bridge: {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with status {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on {port} within {TIMEOUT} s")


def start_mosquitto(work: Path, port: int) -> subprocess.Popen:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.access(binary, os.X_OK) or shutil.which("mosquitto_pub") is None:
        raise SystemExit("needs mosquitto and mosquitto-clients: apt-get install mosquitto mosquitto-clients")
    directory = work / "mosquitto"
    directory.mkdir()
    lines = [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false"]
    if os.geteuid() == 0:   # as root mosquitto switches to its own user
        lines.append("user mosquitto")
        user = pwd.getpwnam("mosquitto")
        os.chown(directory, user.pw_uid, user.pw_gid)
    (directory / "mosquitto.conf").write_text("\n".join(lines) + "\n")
    process = subprocess.Popen([binary, "-c", str(directory / "mosquitto.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port, process, "mosquitto")
    return process


def start_starling(binary: Path, work: Path, mqtt_port: int, xmpp_port: int) -> subprocess.Popen:
    config = (HERE / "starling.yml").read_text()
    config = config.replace('"127.0.0.1:5222"', f'"127.0.0.1:{xmpp_port}"').replace("port: 1883", f"port: {mqtt_port}")
    path = work / "starling.yml"
    path.write_text(config)
    subprocess.run([str(binary), "user", "add", "dashboard", "--password", "dashboard-secret",
                    "--config", str(path)], cwd=work, check=True, capture_output=True)
    log = open(work / "starling.log", "wb")
    process = subprocess.Popen([str(binary), "serve", "--config", str(path)], cwd=work,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(xmpp_port, process, "starling")
    return process


class Dashboard(slixmpp.ClientXMPP):
    def __init__(self, domain: str):
        super().__init__(f"dashboard@{domain}", "dashboard-secret")
        for plugin in ("xep_0004", "xep_0060"):
            self.register_plugin(plugin)
        self.items: asyncio.Queue = asyncio.Queue()
        self.started = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_start)
        self.register_handler(Callback("events", StanzaPath("message/pubsub_event"), self.on_event))

    async def on_start(self, _event) -> None:
        await self.get_roster()
        self.send_presence()
        if not self.started.done():
            self.started.set_result(True)

    def on_event(self, msg) -> None:
        for item in msg["pubsub_event"]["items"]:
            if item.name == "item":
                self.items.put_nowait((msg["pubsub_event"]["items"]["node"], item["payload"]))

    def form(self, form_type: str, fields: dict):
        result = self.plugin["xep_0004"].make_form(ftype="submit")
        result.add_field(var="FORM_TYPE", ftype="hidden", value=form_type)
        for var, value in fields.items():
            result.add_field(var=var, value=value)
        return result


async def demo(xmpp_port: int, mqtt_port: int, work: Path) -> bool:
    service = "pubsub.localhost"
    dashboard = Dashboard("localhost")
    context = ssl.create_default_context(cafile=str(work / "data" / "tls" / "localhost.crt"))
    dashboard.ssl_context = context
    dashboard.connect("127.0.0.1", xmpp_port)
    await asyncio.wait_for(dashboard.started, TIMEOUT)
    ps = dashboard.plugin["xep_0060"]
    await ps.create_node(service, "sensors", config=dashboard.form(NODE_CONFIG, {"pubsub#node_type": "collection"}),
                         timeout=TIMEOUT)
    await ps.subscribe(service, "sensors", timeout=TIMEOUT, options=dashboard.form(
        SUBSCRIBE_OPTIONS, {"pubsub#subscription_type": "items", "pubsub#subscription_depth": "all"}))
    say("dashboard subscribed to the collection 'sensors' (depth all)")

    # 1. MQTT → XMPP
    reading = {"celsius": 21.5}
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(mqtt_port), "-q", "1",
                    "-t", "sensors/boiler/temp", "-m", json.dumps(reading)], check=True, timeout=TIMEOUT)
    say(f"mosquitto_pub sensors/boiler/temp {json.dumps(reading)}")
    node, payload = await asyncio.wait_for(dashboard.items.get(), TIMEOUT)
    got = json.loads(payload.text) if payload is not None and payload.tag == f"{{{JSON_NS}}}json" else None
    say(f"dashboard received node={node} payload={ET.tostring(payload, encoding='unicode')}")
    inbound_ok = node == "sensors/boiler/temp" and got == reading

    # 2. XMPP → MQTT: a persistent session registered first, so the message waits for it.
    base = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(mqtt_port), "-q", "1", "-t", "actuators/#",
            "-i", "demo-valve", "-c", "-v"]
    subprocess.run(base + ["-W", "1"], capture_output=True, timeout=TIMEOUT)
    command = {"open": True}
    element = ET.Element(f"{{{JSON_NS}}}json")
    element.text = json.dumps(command)
    await ps.publish(service, "commands/valve-1", payload=element, timeout=TIMEOUT)
    say(f"dashboard published {json.dumps(command)} to node commands/valve-1")
    received = await asyncio.to_thread(subprocess.run, base + ["-C", "1", "-W", str(TIMEOUT)],
                                       capture_output=True, text=True, timeout=TIMEOUT + 10)
    line = received.stdout.strip()
    say(f"mosquitto_sub received: {line or '(nothing)'}")
    topic, _, body = line.partition(" ")
    outbound_ok = topic == "actuators/valve-1" and body and json.loads(body) == command
    dashboard.disconnect()
    return bool(inbound_ok and outbound_ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starling", default=str(ROOT / ".build" / "debug" / "starling"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    binary = Path(args.starling).resolve()
    if not binary.is_file():
        raise SystemExit(f"no starling binary at {binary} (swift build --product starling)")
    work = Path(tempfile.mkdtemp(prefix="starling-mqtt-bridge-"))
    mqtt_port, xmpp_port = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    ok = False
    try:
        processes.append(start_mosquitto(work, mqtt_port))
        say(f"mosquitto on 127.0.0.1:{mqtt_port}")
        processes.append(start_starling(binary, work, mqtt_port, xmpp_port))
        say(f"starling on 127.0.0.1:{xmpp_port}, bridged to the broker")
        ok = asyncio.run(asyncio.wait_for(demo(xmpp_port, mqtt_port, work), 3 * TIMEOUT))
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if not ok:
            log = work / "starling.log"
            if log.exists():
                sys.stderr.write(log.read_text(errors="replace")[-4000:])
        if args.keep:
            say(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say("both directions worked" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
