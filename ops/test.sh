#!/usr/bin/env bash
# Run every Starling test: ops/test.sh (from anywhere; works on a fresh Debian 12, as root or as a
# user with sudo for the package step).
#
# Steps, each bounded in time; a failed step is reported and the rest still run where they can:
#   1. deps      install missing system packages (apt-get update once, then install; sudo if not root)
#   2. venv      Python venv .venv-test with Tests/Interop/requirements.txt (reused while unchanged)
#   3. postgres  throwaway PostgreSQL via ops/testenv/postgres.sh, stopped on exit
#      mosquitto throwaway mosquitto broker via ops/testenv/mosquitto.sh, stopped on exit
#   4. build     swift build --build-tests --explicit-target-dependency-import-check error
#   5. test      swift test --skip-build
#   6. interop   slixmpp suite against the built Starling, sqlite and PostgreSQL backends:
#                .venv-test/bin/python -m pytest Tests/Interop -v
# Exit status is non-zero if any step failed; the last line is the summary.
#
# Environment:
#   STARLING_TEST_SKIP_SWIFT=1      skip steps 4 and 5 (only for checking this script without a Swift
#                                   build; step 6 then needs an existing STARLING_BIN, or Prosody mode)
#   STARLING_INTEROP_SERVER=prosody run step 6 against Debian's Prosody 0.12, the reference that proves
#                                   the interop tests themselves (default: starling)
#   STARLING_BIN                    Starling binary for step 6 (default: .build/debug/starling)
#   STARLING_PYTEST_ARGS            extra pytest arguments for step 6, e.g. "-k login"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

BUILD_TIMEOUT=3600      # a clean debug build with tests on 2 cores is ~10-20 min
TEST_TIMEOUT=1800
INTEROP_TIMEOUT=1200
INTEROP_SERVER=${STARLING_INTEROP_SERVER:-starling}
SKIP_SWIFT=${STARLING_TEST_SKIP_SWIFT:-0}
STARTED=$SECONDS

results=()
failed=0

log() { printf '\n==> %s\n' "$*"; }

# step NAME FUNCTION [ARGS...]: run, record the outcome, never abort the script.
step() {
    local name=$1 rc=0
    shift
    log "$name"
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        results+=("$name ok")
    else
        results+=("$name FAILED($rc)")
        failed=1
        echo "!!! $name failed with status $rc" >&2
    fi
    return "$rc"
}

# shellcheck source=ops/lib/packages.sh
. "$ROOT/ops/lib/packages.sh"

install_deps() {
    local wanted=("${STARLING_BUILD_PACKAGES[@]}" postgresql mosquitto mosquitto-clients python3-venv python3-pip)
    if [ "$INTEROP_SERVER" = prosody ]; then
        wanted+=(prosody openssl)
    fi
    ensure_packages "${wanted[@]}"
}

python_for_venv() {
    # Debian's python3 (what python3-venv provides for), not whatever is first on PATH.
    if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi
}

make_venv() {
    local venv=$ROOT/.venv-test req=$ROOT/Tests/Interop/requirements.txt want
    local python
    python=$(python_for_venv) || { echo "python3 not found" >&2; return 1; }
    want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
    if [ -x "$venv/bin/python" ] && [ -f "$venv/.requirements.stamp" ] \
        && [ "$(cat "$venv/.requirements.stamp")" = "$want" ] \
        && "$venv/bin/python" -c 'import slixmpp, pytest' 2>/dev/null; then
        echo "up to date: $venv"
        return 0
    fi
    rm -rf "$venv"
    timeout 120 "$python" -m venv "$venv" || return $?
    timeout 900 "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" || return $?
    echo "$want" > "$venv/.requirements.stamp"
    "$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(slixmpp|pytest) '
}

PG_DIR=""
start_postgres() {
    local out url
    if [ ! -x ops/testenv/postgres.sh ]; then
        echo "ops/testenv/postgres.sh missing" >&2
        return 1
    fi
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/starling-test-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    out=$(timeout 180 ops/testenv/postgres.sh start "$PG_DIR") || { echo "$out"; return 1; }
    echo "$out"
    url=$(printf '%s\n' "$out" | tail -n 1)
    case $url in
        postgres://*) export STARLING_TEST_POSTGRES_URL=$url ;;
        *) echo "postgres.sh did not print a URL last" >&2; return 1 ;;
    esac
}

MQTT_DIR=""
start_mosquitto() {
    local out port
    MQTT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/starling-test-mqtt.XXXXXX")
    chmod 755 "$MQTT_DIR"
    out=$(timeout 120 ops/testenv/mosquitto.sh start "$MQTT_DIR") || { echo "$out"; return 1; }
    echo "$out"
    port=$(printf '%s\n' "$out" | tail -n 1)
    case $port in
        ''|*[!0-9]*) echo "mosquitto.sh did not print a port last" >&2; return 1 ;;
        *) export STARLING_TEST_MQTT_PORT=$port ;;
    esac
}

stop_mosquitto() {
    if [ -n "$MQTT_DIR" ]; then
        timeout 60 ops/testenv/mosquitto.sh stop "$MQTT_DIR" >/dev/null 2>&1 || true
        rm -rf "$MQTT_DIR" 2>/dev/null || true
        MQTT_DIR=""
    fi
}

stop_postgres() {
    if [ -n "$PG_DIR" ]; then
        timeout 60 ops/testenv/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || true
        rm -rf "$PG_DIR" 2>/dev/null || as_root rm -rf "$PG_DIR" 2>/dev/null || true
        PG_DIR=""
    fi
}
trap 'stop_postgres; stop_mosquitto' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need_swift() {
    command -v swift >/dev/null 2>&1 || { echo "swift not found on PATH" >&2; return 127; }
}

swift_build() {
    need_swift || return $?
    timeout -k 30 "$BUILD_TIMEOUT" swift build --build-tests --explicit-target-dependency-import-check error
}

swift_tests() {
    need_swift || return $?
    timeout -k 30 "$TEST_TIMEOUT" swift test --skip-build
}

interop() {
    local args=()
    if [ -n "${STARLING_PYTEST_ARGS:-}" ]; then
        read -r -a args <<< "$STARLING_PYTEST_ARGS"
    fi
    STARLING_INTEROP_SERVER=$INTEROP_SERVER \
    STARLING_BIN=${STARLING_BIN:-$ROOT/.build/debug/starling} \
    STARLING_REQUIRE_POSTGRES=1 \
        timeout -k 30 "$INTEROP_TIMEOUT" "$ROOT/.venv-test/bin/python" -m pytest Tests/Interop -v \
            -p no:cacheprovider "${args[@]}"
}

step deps install_deps || true
venv_ok=1
step venv make_venv || venv_ok=0
step postgres start_postgres || true
export STARLING_REQUIRE_POSTGRES=1
step mosquitto start_mosquitto || true
export STARLING_REQUIRE_MQTT=1

if [ "$SKIP_SWIFT" = 1 ]; then
    results+=("build skipped" "test skipped")
    echo "STARLING_TEST_SKIP_SWIFT=1: swift build and swift test skipped"
    build_ok=1
else
    build_ok=1
    step build swift_build || build_ok=0
    if [ "$build_ok" = 1 ]; then
        step test swift_tests || true
    else
        results+=("test not-run")
        failed=1
    fi
fi

if [ "$venv_ok" = 1 ] && { [ "$build_ok" = 1 ] || [ "$INTEROP_SERVER" = prosody ]; }; then
    step "interop($INTEROP_SERVER)" interop || true
else
    results+=("interop not-run")
    failed=1
fi

stop_postgres
stop_mosquitto
summary=$(printf '%s, ' "${results[@]}")
summary="${summary%, } in $((SECONDS - STARTED))s"
if [ "$failed" = 0 ]; then
    echo "test.sh: PASSED: $summary"
else
    echo "test.sh: FAILED: $summary"
    exit 1
fi
