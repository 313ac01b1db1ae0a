"""The `starling` command line as an operator uses it (no server needed)."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import starling_binary


def run(*args, input=None):
    return subprocess.run([starling_binary(), *args], input=input, capture_output=True, text=True, timeout=60)


def test_help_everywhere():
    for args in ([], ["serve"], ["user"], ["user", "add"], ["user", "list"]):
        result = run(*args, "--help")
        assert result.returncode == 0, result.stderr
        assert "USAGE" in result.stdout.upper()


def test_unknown_config_key_stops_startup_naming_the_key(tmp_path: Path):
    config = tmp_path / "starling.yml"
    config.write_text("domain: localhost\nc2s:\n  listn: '127.0.0.1:5222'\n")
    result = run("serve", "--config", str(config))
    assert result.returncode == 2
    assert "c2s.listn" in result.stderr


def test_bad_value_stops_startup_naming_the_key(tmp_path: Path):
    config = tmp_path / "starling.yml"
    config.write_text("c2s:\n  starttls: maybe\n")
    result = run("serve", "--config", str(config))
    assert result.returncode == 2
    assert "c2s.starttls" in result.stderr


def test_user_add_list_passwd_delete(tmp_path: Path):
    config = tmp_path / "starling.yml"
    config.write_text(f"data_dir: '{tmp_path}/data'\n")
    assert run("user", "add", "Alice", "--password", "pw1", "--config", str(config)).returncode == 0
    # The password can come from standard input.
    assert run("user", "add", "bob", "--config", str(config), input="pw2\n").returncode == 0
    duplicate = run("user", "add", "alice", "--password", "x", "--config", str(config))
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    listed = run("user", "list", "--config", str(config))
    assert listed.stdout.split() == ["alice", "bob"]  # normalized (RFC 7622 §3.3) and sorted
    assert run("user", "passwd", "bob", "--password", "pw3", "--config", str(config)).returncode == 0
    assert run("user", "delete", "alice", "--config", str(config)).returncode == 0
    assert run("user", "list", "--config", str(config)).stdout.split() == ["bob"]
    missing = run("user", "delete", "alice", "--config", str(config))
    assert missing.returncode == 1 and "no user" in missing.stderr
    # Only SCRAM keys are stored, never the password.
    database = (tmp_path / "data" / "starling.sqlite").read_bytes()
    assert b"pw3" not in database and b"pw1" not in database
