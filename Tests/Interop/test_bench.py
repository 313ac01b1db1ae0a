"""starling-bench, the load generator, against a running Starling: exact accounting works, so the
benchmark tool cannot rot between benchmark runs (docs/PERFORMANCE.md holds the figures)."""
import json
import subprocess

import pytest

from conftest import SERVER_KIND, starling_binary


def bench(*args):
    binary = starling_binary().with_name("starling-bench")
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(SERVER_KIND != "starling", reason="Starling's own tool; the peers are compared by bench/compare.sh")
def test_login_and_connections_are_fully_accounted(server):
    common = ["--host", "127.0.0.1", "--port", str(server.port), "--domain", "localhost",
              "--users", "1", "--user-pattern", "alice", "--password-pattern", "alice-Secret-1"]
    login = bench("login", *common, "--count", "20", "--concurrency", "4", "--timeout", "60")
    assert login.returncode == 0, login.stderr
    result = json.loads(login.stdout.strip().splitlines()[-1])
    assert result["ok"] is True
    assert result["established"] == 20 and result["failed"] == 0 and result["dropped"] == 0

    held = bench("connections", *common, "--count", "10", "--ramp", "50", "--hold", "1", "--timeout", "60")
    assert held.returncode == 0, held.stderr
    result = json.loads(held.stdout.strip().splitlines()[-1])
    assert result["ok"] is True
    assert result["established"] == 10 and result["failed"] == 0 and result["dropped"] == 0

    # A wrong password is a lost login, and the run says so with a non-zero exit.
    wrong = bench("login", *common[:-1], "wrong", "--count", "2", "--timeout", "60")
    assert wrong.returncode != 0
