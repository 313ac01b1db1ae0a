"""A real mosquitto broker for the bridge tests, with the mosquitto_pub / mosquitto_sub clients.

Unlike ops/testenv/mosquitto.sh (one throwaway broker for a whole run), each test gets its own
broker with persistence on, on a port that stays the same across stop/start: the outage tests stop
it while Starling keeps running and start it again where the bridge expects it, and a persistent
subscriber session (clean session off) must survive that.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from interop_servers import free_port

HOST = "127.0.0.1"


class Broker:
    def __init__(self) -> None:
        for tool in ("mosquitto_pub", "mosquitto_sub"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} not found (apt-get install mosquitto-clients)")
        self.binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("mosquitto not found (apt-get install mosquitto)")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="starling-interop-mosquitto-"))
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def _write_config(self) -> Path:
        config = self.dir / "mosquitto.conf"
        lines = [
            f"listener {self.port} {HOST}",
            "allow_anonymous true",
            # Sessions and queued QoS 1 messages survive a broker restart (the outage tests).
            "persistence true",
            f"persistence_location {self.dir}/",
            "autosave_interval 1",
            f"log_dest file {self.dir}/mosquitto.log",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
        ]
        if os.geteuid() == 0:
            lines.append("user mosquitto")
            user = pwd.getpwnam("mosquitto")
            for path in [self.dir, *self.dir.iterdir()]:
                os.chown(path, user.pw_uid, user.pw_gid)
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self) -> None:
        assert self.process is None, "broker already running"
        config = self._write_config()
        self.starts += 1
        self.process = subprocess.Popen([self.binary, "-c", str(config)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}:\n{self.log_text()}")
            ping = subprocess.run(["mosquitto_pub", "-h", HOST, "-p", str(self.port), "-q", "1",
                                   "-t", "starling/test/ping", "-m", "up"],
                                  capture_output=True, timeout=10)
            if ping.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"mosquitto did not come up on {self.port}:\n{self.log_text()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)   # mosquitto writes its persistence file on the way out
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self) -> str:
        try:
            return (self.dir / "mosquitto.log").read_text(errors="replace")
        except OSError:
            return "(no mosquitto log)"

    # -- clients -----------------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> None:
        """mosquitto_pub with the payload from a file, so any bytes go through unchanged."""
        path = self.dir / f"payload-{time.monotonic_ns()}"
        path.write_bytes(payload)
        args = ["mosquitto_pub", "-h", HOST, "-p", str(self.port), "-q", str(qos), "-t", topic,
                "-f", str(path)]
        if retain:
            args.append("-r")
        done = subprocess.run(args, capture_output=True, text=True, timeout=20)
        path.unlink(missing_ok=True)
        assert done.returncode == 0, f"mosquitto_pub failed: {done.stderr}"

    def subscriber(self, topic: str, *, count: int, client_id: str | None = None,
                   clean: bool = True, timeout: int = 30) -> subprocess.Popen:
        """A running mosquitto_sub printing `topic<TAB>hex payload<TAB>retained` per message
        (`-F`, mosquitto_sub(1)); ends after `count` messages or `timeout` seconds."""
        args = ["mosquitto_sub", "-h", HOST, "-p", str(self.port), "-q", "1", "-t", topic,
                "-C", str(count), "-W", str(timeout), "-F", "%t\t%x\t%r"]
        if client_id:
            args += ["-i", client_id]
        if not clean:
            args.append("-c")
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def register_session(self, topic: str, client_id: str) -> None:
        """Creates a persistent QoS 1 session subscribed to `topic`, then disconnects: the broker
        queues what is published meanwhile for `client_id` (MQTT 3.1.1 §3.1.2.4)."""
        sub = self.subscriber(topic, count=1, client_id=client_id, clean=False, timeout=1)
        sub.communicate(timeout=15)   # -W 1: subscribes, waits a second, leaves (exit status 27)


def received(sub: subprocess.Popen, timeout: float = 60) -> list[tuple[str, bytes, bool]]:
    """Waits for a subscriber from Broker.subscriber; (topic, payload, retained) per message."""
    out, err = sub.communicate(timeout=timeout)
    messages = []
    for line in out.splitlines():
        if not line:
            continue
        topic, hex_payload, retained = line.split("\t")
        messages.append((topic, bytes.fromhex(hex_payload), retained == "1"))
    return messages
