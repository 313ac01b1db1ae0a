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


def last_json(done):
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(SERVER_KIND != "starling", reason="Starling's own tool; the peers are compared by bench/compare.sh")
def test_pubsub_scenarios_are_fully_accounted(server):
    """Every scenario small (seconds): exact counts of notifications and acknowledgements, not speed.
    All sessions log in as alice (distinct resources): Starling allows 16 subscriptions per bare JID
    per node (XEP-0060 §6.1.3.9), hence 15 subscribers."""
    common = ["--host", "127.0.0.1", "--port", str(server.port), "--domain", "localhost",
              "--users", "1", "--user-pattern", "alice", "--password-pattern", "alice-Secret-1",
              "--timeout", "60", "--node-prefix", "smoke"]

    fanout = bench("fanout", *common, "--subscribers", "15", "--items", "5", "--window", "2")
    assert fanout.returncode == 0, fanout.stdout + fanout.stderr
    result = last_json(fanout)
    assert result["ok"] is True
    assert result["notifications"] == result["expected_notifications"] == 15 * 5
    assert result["acknowledged"] == 5 and result["missing_notifications"] == 0
    assert result["surplus_notifications"] == 0 and result["publish_errors"] == 0

    ingest = bench("ingest", *common, "--publishers", "10", "--items", "5", "--window", "2")
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    result = last_json(ingest)
    assert result["ok"] is True
    assert result["acknowledged"] == result["expected_publishes"] == 10 * 5
    assert result["publish_errors"] == 0

    # XEP-0248: subscribers on the collection receive the items of every leaf below it.
    subtree = bench("subtree", *common, "--subscribers", "3", "--leaves", "2", "--items", "4")
    assert subtree.returncode == 0, subtree.stdout + subtree.stderr
    result = last_json(subtree)
    assert result["ok"] is True
    assert result["notifications"] == result["expected_notifications"] == 3 * 2 * 4

    latency = bench("latency", *common, "--subscribers", "4", "--rate", "20", "--duration", "1")
    assert latency.returncode == 0, latency.stdout + latency.stderr
    result = last_json(latency)
    assert result["ok"] is True
    assert result["notifications"] == result["expected_notifications"] == 4 * 20
    assert result["latency_samples"] == 4 * 20
    assert 0 <= result["latency_p50_ms"] <= result["latency_p99_ms"] <= result["latency_max_ms"]

    # The nodes are gone afterwards: a second fanout run creates its node again without conflict.
    again = bench("fanout", *common, "--subscribers", "2", "--items", "1")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.skipif(SERVER_KIND != "starling", reason="Starling's own tool")
def test_fanout_split_across_two_shards(server, tmp_path):
    """--shard 0/2 and 1/2 with a shared --sync-dir split the subscribers; together exact."""
    common = ["--host", "127.0.0.1", "--port", str(server.port), "--domain", "localhost",
              "--users", "1", "--user-pattern", "alice", "--password-pattern", "alice-Secret-1",
              "--timeout", "60", "--node-prefix", "shards", "--subscribers", "10", "--items", "3",
              "--sync-dir", str(tmp_path)]
    binary = str(starling_binary().with_name("starling-bench"))
    shards = [subprocess.Popen([binary, "fanout", *common, "--shard", f"{i}/2"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for i in (1, 0)]
    outputs = [shard.communicate(timeout=120) for shard in shards]
    assert all(shard.returncode == 0 for shard in shards), outputs
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(r["notifications"] for r in results) == 10 * 3
    assert sorted(r["subscribers"] for r in results) == [5, 5]
