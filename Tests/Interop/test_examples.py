"""Examples/ run as their READMEs say (issue 3, "Done when" 5), against a fresh server on both
storage backends: the device publishes readings into site-a/floor-2/temp and the dashboard,
subscribed to site-a with depth all, prints each of them.

Both run through Examples/run.sh, the one command the READMEs give, from the server's work
directory, so they find the server's self-signed certificate in data/tls/ as they would next to a
local `starling serve`.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time

import pytest

from conftest import REPO_ROOT, SERVER_KIND

pytestmark = pytest.mark.skipif(SERVER_KIND != "starling",
                                reason="the Prosody reference runs without a pubsub component")

RUN = REPO_ROOT / "Examples" / "run.sh"
LEAF = "site-a/floor-2/temp"
LINE = re.compile(r"^(?:published )?node=(?P<node>\S+) id=(?P<id>\S+) payload=(?P<payload>.*)$")


def common(server, user: str) -> list[str]:
    return ["--jid", f"{user}@{server.domain}", "--password", server.accounts[user],
            "--server", f"{server.host}:{server.port}"]


def run_device(server, *extra: str) -> list[dict]:
    done = subprocess.run([str(RUN), "device", *common(server, "alice"), *extra],
                          cwd=server.workdir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"device exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return parse(done.stdout, "published ")


def parse(output: str, prefix: str = "") -> list[dict]:
    found = []
    for line in output.splitlines():
        if prefix and not line.startswith(prefix):
            continue
        match = LINE.match(line)
        if match:
            found.append({"node": match["node"], "id": match["id"], "payload": json.loads(match["payload"])})
    return found


def test_device_readings_reach_the_subtree_dashboard(server):
    # First run: the device creates site-a > site-a/floor-2 > site-a/floor-2/temp and publishes once.
    first = run_device(server, "--count", "1", "--interval", "0")
    assert len(first) == 1 and first[0]["node"] == LEAF, first

    dashboard = subprocess.Popen([str(RUN), "dashboard", *common(server, "bob"), "--count", "3"],
                                 cwd=server.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in dashboard.stdout] and None,
                     daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("subscribed to site-a" in l for l in seen):
            remaining = deadline - time.monotonic()
            assert remaining > 0 and dashboard.poll() is None, \
                f"dashboard did not subscribe (exit {dashboard.poll()}):\n{''.join(seen)}"
            try:
                seen.append(lines.get(timeout=min(remaining, 1.0)))
            except queue.Empty:
                pass

        readings = run_device(server, "--count", "3", "--interval", "0.2")
        assert len(readings) == 3, readings
        assert dashboard.wait(timeout=60) == 0, f"dashboard failed:\n{''.join(seen)}"
    finally:
        if dashboard.poll() is None:
            dashboard.kill()
            dashboard.wait(timeout=10)
    time.sleep(0.2)   # let the reader thread drain the pipe
    while not lines.empty():
        seen.append(lines.get())
    printed = parse("".join(seen))
    assert printed == readings, f"dashboard printed {printed}\ndevice published {readings}"
    for reading in printed:
        assert reading["node"] == LEAF
        assert set(reading["payload"]) == {"sensor", "celsius", "time"}, reading


def test_mqtt_bridge_example_works_both_ways():
    """Examples/mqtt-bridge (issue 5, "Done when" 3): its one command exits 0 only when an MQTT
    reading reached the XMPP dashboard and an XMPP publish reached mosquitto_sub."""
    from conftest import starling_binary
    done = subprocess.run([str(RUN), "mqtt-bridge", "--starling", str(starling_binary())],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "both directions worked" in done.stdout
