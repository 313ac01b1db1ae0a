#!/usr/bin/env bash
# Run an example with one command: ./Examples/run.sh device|dashboard|mqtt-bridge [options]   (--help for options)
# Creates the Python venv .venv-test (slixmpp, from Tests/Interop/requirements.txt) the first time,
# exactly as ops/test.sh does, so both share it; needs python3 with venv (Debian: python3-venv).
# The current directory is kept: the examples look for the certificate a local `starling serve`
# generated in ./data/tls/ (run from where you started the server, or pass --cafile/--insecure).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { echo "usage: $0 device|dashboard|mqtt-bridge [options]   ($0 device --help)" >&2; exit 2; }
[ $# -ge 1 ] || usage
name=$1
shift
case $name in
    device|dashboard) script=$ROOT/Examples/$name/$name.py ;;
    mqtt-bridge)
        script=$ROOT/Examples/mqtt-bridge/mqtt_bridge.py
        # The demo runs its own Starling: build it the first time (a debug build, a few minutes).
        if [ ! -x "$ROOT/.build/debug/starling" ] && [[ " $* " != *" --starling "* ]]; then
            echo "run.sh: building starling (one time)" >&2
            (cd "$ROOT" && swift build --product starling >&2)
        fi
        ;;
    *) usage ;;
esac

venv=$ROOT/.venv-test
req=$ROOT/Tests/Interop/requirements.txt
if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=$(command -v python3) || {
    echo "python3 not found (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }; fi
# The same stamp as ops/test.sh's make_venv: requirements hash and Python version.
want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if ! { [ -x "$venv/bin/python" ] && [ -f "$venv/.requirements.stamp" ] \
        && [ "$(cat "$venv/.requirements.stamp")" = "$want" ] \
        && "$venv/bin/python" -c 'import slixmpp' 2>/dev/null; }; then
    echo "run.sh: creating $venv (one time)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" || { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >&2
    echo "$want" > "$venv/.requirements.stamp"
fi
exec "$venv/bin/python" "$script" "$@"
