"""Fixtures for the slixmpp interop suite.

Environment:
  STARLING_INTEROP_SERVER   starling (default) | prosody — which server the same tests run against.
                            Prosody (Debian's 0.12) is the reference that proves the tests right.
  STARLING_BIN              Starling binary (default: .build/debug/starling under the repo root).
  STARLING_TEST_POSTGRES_URL  postgres://… of a server where this suite may create databases; each
                            test gets a fresh database, dropped afterwards.
  STARLING_REQUIRE_POSTGRES=1  without a URL, the postgres-backend tests FAIL instead of skipping.
  STARLING_INTEROP_LOG_LEVEL  Starling's log.level in the generated config (default: debug).

Starling tests run once per storage backend (sqlite, postgres); in Prosody mode there is one
backend ("prosody"). Each test starts its own server with accounts alice, bob and carol.
On failure the server's log is attached to the report.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interop_servers import ProsodyServer, ServerError, StarlingServer  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_KIND = os.environ.get("STARLING_INTEROP_SERVER", "starling").strip().lower()
ACCOUNTS = {
    "alice": "alice-Secret-1",
    "bob": "bob:Secret 2",        # a space and a colon: must survive the CLI, SASLprep and SCRAM
    "carol": "carol-Secret-3",    # stays offline
}

if SERVER_KIND not in ("starling", "prosody"):
    raise pytest.UsageError(f"STARLING_INTEROP_SERVER must be starling or prosody, not {SERVER_KIND!r}")

# slixmpp logs every stanza it sends and receives at DEBUG; pytest shows them for failed tests.
logging.getLogger("slixmpp").setLevel(logging.DEBUG)


def pytest_report_header(config):
    lines = [f"interop server: {SERVER_KIND}"]
    if SERVER_KIND == "starling":
        lines.append(f"starling binary: {starling_binary()}")
        lines.append("postgres: " + (os.environ.get("STARLING_TEST_POSTGRES_URL") or "(not set)"))
    return lines


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite", "postgres"] if SERVER_KIND == "starling" else ["prosody"]
        metafunc.parametrize("backend", backends, scope="function")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item._interop_failed = True
        server = getattr(item, "_interop_server", None)
        if server is not None:
            report.sections.append((f"{server.name} server log (kept: {server.log_path})",
                                    server.log_text()))


def starling_binary() -> Path:
    configured = os.environ.get("STARLING_BIN")
    path = Path(configured) if configured else Path(".build/debug/starling")
    return path if path.is_absolute() else (REPO_ROOT / path)


def _psql(url: str, sql: str) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql not found: the postgres-backend tests create a database per test with it")
    done = subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"psql {sql!r} failed ({done.returncode}):\n{done.stdout}")


@pytest.fixture
def postgres_url(backend):
    """A fresh, empty database on the server named by STARLING_TEST_POSTGRES_URL."""
    if backend != "postgres":
        yield None
        return
    admin_url = os.environ.get("STARLING_TEST_POSTGRES_URL", "").strip()
    if not admin_url:
        message = "STARLING_TEST_POSTGRES_URL is not set"
        if os.environ.get("STARLING_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{message} and STARLING_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    name = f"starling_interop_{uuid.uuid4().hex[:12]}"
    _psql(admin_url, f"CREATE DATABASE {name}")
    parts = urlsplit(admin_url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    _psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def server(request, backend, postgres_url):
    """A running server with the accounts in ACCOUNTS; stopped and removed afterwards."""
    if SERVER_KIND == "prosody":
        instance = ProsodyServer(ACCOUNTS)
    else:
        level = os.environ.get("STARLING_INTEROP_LOG_LEVEL", "debug")
        instance = StarlingServer(ACCOUNTS, starling_binary(), backend, postgres_url, level)
    request.node._interop_server = instance
    problem = None
    try:
        instance.prepare()
        instance.start()
    except ServerError as error:
        problem = str(error)
    if problem is not None:
        instance.cleanup()
        pytest.fail(problem, pytrace=False)
    yield instance
    status = instance.stop()
    if SERVER_KIND == "starling" and status not in (None, 0):
        # A graceful shutdown on SIGTERM exits 0; anything else is a finding.
        log = instance.log_text()
        instance.cleanup()
        pytest.fail(f"starling exited with status {status} on SIGTERM\n{log}", pytrace=False)
    if not getattr(request.node, "_interop_failed", False):
        instance.cleanup()   # a failed test keeps its work dir (config, data, log) for a look
