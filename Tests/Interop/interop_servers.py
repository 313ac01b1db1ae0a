"""Servers under test for the interop suite.

Two implementations of one small interface (prepare, start, stop, restart, log_text):

- StarlingServer: the product. Configured by a YAML file, accounts created offline with
  `starling user add`, started with `starling serve --config FILE`.
- ProsodyServer: the reference (Debian's prosody 0.12), used to prove the tests themselves are
  right. A private instance on loopback with its own config, data dir and port; never the
  system service.

Readiness is "the c2s port accepts TCP connections"; stop is SIGTERM, then SIGKILL after 10 s.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOMAIN = "localhost"
HOST = "127.0.0.1"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class ServerError(RuntimeError):
    """The server could not be prepared or started; the message carries its log."""


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _yaml_str(value: str) -> str:
    # A JSON string literal is a valid YAML double-quoted scalar.
    return json.dumps(value)


class ServerUnderTest:
    """One server process with its own work dir, port and log file."""

    name = "server"

    def __init__(self, accounts: dict[str, str]):
        self.domain = DOMAIN
        self.host = HOST
        self.port = free_port()
        self.accounts = dict(accounts)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"starling-interop-{self.name}-"))
        self.log_path = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    # -- to implement -------------------------------------------------------------------
    def prepare(self) -> None:
        """Write the config and create the accounts (server not running)."""
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def popen_options(self) -> dict:
        return {}

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        if self.process is not None:
            raise ServerError(f"{self.name} already running")
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(),
                **self.popen_options(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise ServerError(f"{self.name} exited with status {code} before accepting "
                                  f"connections on {self.host}:{self.port}\n{self.log_text()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"{self.name} did not accept connections on {self.host}:{self.port} "
                          f"within {READY_TIMEOUT:.0f} s\n{self.log_text()}")

    def stop(self) -> int | None:
        """SIGTERM, wait, SIGKILL; returns the exit status (None if it was not running)."""
        proc, self.process = self.process, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with open(self.log_path, "ab") as log:
                    log.write(b"\n===== did not exit within 10 s of SIGTERM: SIGKILL\n")
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== exited with status {proc.returncode}\n".encode())
        return proc.returncode

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_text(self, limit: int = 200_000) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError as error:
            return f"(no server log: {error})"
        text = data.decode("utf-8", errors="replace")
        return text if len(text) <= limit else "...(truncated)...\n" + text[-limit:]

    def _run_tool(self, argv: list[str], what: str) -> None:
        """Run a helper command (account creation), append its output to the log."""
        try:
            done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, cwd=self.workdir, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ServerError(f"{what}: {' '.join(argv)}: {error}") from error
        with open(self.log_path, "ab") as log:
            log.write(f"===== {' '.join(argv)} -> {done.returncode}\n".encode() + done.stdout)
        if done.returncode != 0:
            raise ServerError(f"{what} failed with status {done.returncode}: {' '.join(argv)}\n"
                              + done.stdout.decode("utf-8", errors="replace"))


class StarlingServer(ServerUnderTest):
    """Starling with the embedded (sqlite) or the PostgreSQL store."""

    name = "starling"

    def __init__(self, accounts: dict[str, str], binary: Path, backend: str,
                 postgres_url: str | None = None, log_level: str = "debug", extra_config: str = ""):
        super().__init__(accounts)
        # YAML appended to the generated config (top-level sections such as `bridges:`).
        self.extra_config = extra_config
        self.binary = binary
        self.backend = backend
        self.postgres_url = postgres_url
        self.log_level = log_level
        self.data_dir = self.workdir / "data"
        self.config_path = self.workdir / "starling.yaml"

    def prepare(self) -> None:
        if not (self.binary.is_file() and os.access(self.binary, os.X_OK)):
            raise ServerError(f"Starling binary not found at {self.binary} (set STARLING_BIN, or "
                              "build it: swift build --product starling)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.backend == "sqlite":
            storage = ["  kind: sqlite",
                       f"  path: {_yaml_str(str(self.data_dir / 'starling.sqlite'))}"]
        elif self.backend == "postgres":
            if not self.postgres_url:
                raise ServerError("postgres backend needs a database URL")
            storage = ["  kind: postgres", f"  url: {_yaml_str(self.postgres_url)}"]
        else:
            raise ServerError(f"unknown backend {self.backend!r}")
        lines = [
            f"domain: {self.domain}",
            f"data_dir: {_yaml_str(str(self.data_dir))}",
            "c2s:",
            f"  listen: {_yaml_str(f'{self.host}:{self.port}')}",
            "  starttls: required",
            "storage:",
            *storage,
            "log:",
            f"  level: {self.log_level}",
        ]
        self.config_path.write_text("\n".join(lines) + "\n" + self.extra_config)
        with open(self.log_path, "ab") as log:
            log.write(b"===== config\n" + self.config_path.read_bytes())
        for user, password in self.accounts.items():
            self._run_tool([str(self.binary), "user", "add", user, "--password", password,
                            "--config", str(self.config_path)], f"creating account {user}")

    def command(self) -> list[str]:
        return [str(self.binary), "serve", "--config", str(self.config_path)]


class ProsodyServer(ServerUnderTest):
    """Debian's prosody 0.12, configured as close to Starling's documented behaviour as it goes:
    STARTTLS required, SCRAM-SHA-1 and SCRAM-SHA-256 (internal_plain derives both), no offline
    storage (so a message to an offline account bounces with service-unavailable, as Starling
    does), no s2s, no HTTP."""

    name = "prosody"

    def __init__(self, accounts: dict[str, str]):
        super().__init__(accounts)
        self.data_dir = self.workdir / "data"
        self.config_path = self.workdir / "prosody.cfg.lua"

    def prepare(self) -> None:
        for tool in ("prosody", "prosodyctl", "openssl"):
            if shutil.which(tool) is None:
                raise ServerError(f"{tool} not found (apt-get install prosody openssl)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "certs").mkdir()
        cert = self.workdir / "certs" / f"{self.domain}.crt"
        key = self.workdir / "certs" / f"{self.domain}.key"
        self._run_tool(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
                        "-subj", f"/CN={self.domain}", "-addext", f"subjectAltName=DNS:{self.domain}",
                        "-keyout", str(key), "-out", str(cert)], "generating a certificate")
        w = self.workdir
        self.config_path.write_text(f"""\
pidfile = "{w}/prosody.pid"
data_path = "{self.data_dir}"
plugin_paths = {{ }}
interfaces = {{ "{self.host}" }}
local_interfaces = {{ "{self.host}" }}
c2s_ports = {{ {self.port} }}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
s2s_ports = {{ }}
component_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
authentication = "internal_plain"
storage = "internal"
log = {{ {{ levels = {{ min = "debug" }}, to = "console" }} }}
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping", "version" }}
modules_disabled = {{ "s2s", "offline" }}
ssl = {{ certificate = "{cert}", key = "{key}" }}
VirtualHost "{self.domain}"
""")
        if os.geteuid() == 0:
            # Started as root, prosody and prosodyctl switch to the prosody user.
            entry = pwd.getpwnam("prosody")
            for path in [w, *w.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid)
            os.chmod(w, 0o755)
        for user, password in self.accounts.items():
            self._run_tool(["prosodyctl", "--config", str(self.config_path), "register", user,
                            self.domain, password], f"creating account {user}")

    def popen_options(self) -> dict:
        # prosody itself (unlike prosodyctl) refuses to run as root instead of switching user.
        if os.geteuid() == 0:
            return {"user": "prosody", "group": "prosody", "extra_groups": []}
        return {}

    def command(self) -> list[str]:
        return ["prosody", "--config", str(self.config_path), "-F"]
