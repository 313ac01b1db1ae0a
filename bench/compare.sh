#!/usr/bin/env bash
# Starling against Prosody and ejabberd on this machine, in one run: docs/PERFORMANCE.md.
#
#   sudo bench/compare.sh [--reps 3] [--logins 2000] [--login-concurrency 8] [--connections 1000]
#                         [--ramp 500] [--hold 10] [--users 50] [--servers "starling prosody ejabberd"]
#                         [--scenarios "login connections"] [--scratch-path DIR] [--bin-dir DIR]
#                         [--out FILE] [--keep]
#
# Installs prosody and ejabberd from Debian when missing, builds starling and starling-bench in release
# mode (unless --bin-dir holds both), starts each server privately on loopback (own config, data and
# port under a temp dir; rate limits and traffic shapers off; persistent storage: Starling embedded
# SQLite, Prosody internal, ejabberd Mnesia), creates the bench accounts, then runs every scenario
# against every server, interleaved, --reps times. Each measurement starts the server afresh, warms it
# up with 50 logins, and samples the server's whole process tree from /proc (bench/procstat.py) before
# and after. Prints the markdown table and writes it (with the raw JSON lines) to --out.
# Root is needed: apt, and running the peers as their Debian users.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 LOGINS=2000 LOGIN_CONCURRENCY=8 CONNECTIONS=1000 RAMP=500 HOLD=10 USERS=50
SERVERS="starling prosody ejabberd" SCENARIOS="login connections"
SCRATCH="$ROOT/.build" BIN="" OUT="" KEEP=0
while [ $# -gt 0 ]; do
    case $1 in
        --reps) REPS=$2; shift 2;;
        --logins) LOGINS=$2; shift 2;;
        --login-concurrency) LOGIN_CONCURRENCY=$2; shift 2;;
        --connections) CONNECTIONS=$2; shift 2;;
        --ramp) RAMP=$2; shift 2;;
        --hold) HOLD=$2; shift 2;;
        --users) USERS=$2; shift 2;;
        --servers) SERVERS=$2; shift 2;;
        --scenarios) SCENARIOS=$2; shift 2;;
        --scratch-path) SCRATCH=$2; shift 2;;
        --bin-dir) BIN=$2; shift 2;;
        --out) OUT=$2; shift 2;;
        --keep) KEEP=1; shift;;
        -h|--help) sed -n '2,18p' "$0"; exit 0;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "compare.sh: run as root (apt, and the peers run as their Debian users)" >&2; exit 2; }

PORT_starling=15222 PORT_prosody=25222 PORT_ejabberd=35222
PROCSTAT="python3 $ROOT/bench/procstat.py"
log() { printf '%s compare: %s\n' "$(date +%T)" "$*" >&2; }

# --- Packages and binaries ---------------------------------------------------------------------
missing=()
for pkg in openssl python3 $(for s in $SERVERS; do [ "$s" = starling ] || echo "$s"; done); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -z "$BIN" ]; then
    log "building starling and starling-bench (release, $SCRATCH)"
    (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product starling >&2 \
        && swift build -c release --scratch-path "$SCRATCH" --product starling-bench >&2)
    BIN="$SCRATCH/release"
fi
for b in starling starling-bench; do [ -x "$BIN/$b" ] || { echo "compare.sh: no $BIN/$b" >&2; exit 2; }; done

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/starling-compare.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.jsonl"
SERVER_PID="" CURRENT=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then stop_server "$CURRENT" || true; fi
    if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# One throwaway P-256 certificate for all three servers, so TLS costs the same everywhere.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
chmod 644 "$WORK/key.pem"

# shellcheck source=bench/servers.sh
. "$ROOT/bench/servers.sh"

wait_port() {  # port seconds
    local deadline=$((SECONDS + $2))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        [ $SECONDS -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

bench() {  # server scenario args…
    local server=$1; shift
    "$BIN/starling-bench" "$@" --host 127.0.0.1 --port "$(eval echo "\$PORT_$server")" --domain localhost \
        --users "$USERS" --user-pattern 'bench%d' --password-pattern 'bench-%d' --mechanism SCRAM-SHA-1
}

# --- Setup: configs and accounts, once per server ------------------------------------------------
ACTIVE=""
for s in $SERVERS; do
    log "setting up $s"
    if "setup_$s" "$WORK/$s" "$(eval echo "\$PORT_$s")"; then
        ACTIVE="$ACTIVE $s"
    else
        echo "compare.sh: SKIPPING $s: setup failed (see $WORK/$s; rerun with --keep to inspect)" >&2
    fi
done

# --- Measurements, interleaved; the server order rotates each repetition ---------------------
read -r -a order <<<"$ACTIVE"
for rep in $(seq 1 "$REPS"); do
    for scenario in $SCENARIOS; do
        for s in "${order[@]}"; do
            CURRENT=$s
            log "rep $rep/$REPS $scenario on $s"
            if ! start_server "$s"; then
                echo "compare.sh: $s did not start; rep $rep $scenario skipped" >&2
                continue
            fi
            bench "$s" login --count 50 --concurrency 4 --timeout 120 >/dev/null 2>&1 \
                || echo "compare.sh: warm-up logins on $s failed" >&2
            sleep 1
            before=$($PROCSTAT sample "$SERVER_PID")
            case $scenario in
                login)
                    result=$(bench "$s" login --count "$LOGINS" --concurrency "$LOGIN_CONCURRENCY" --timeout 600) || true
                    after=$($PROCSTAT sample "$SERVER_PID")
                    ;;
                connections)
                    ready="$WORK/ready.$s.$rep"
                    bench "$s" connections --count "$CONNECTIONS" --ramp "$RAMP" --hold "$HOLD" \
                        --ready-file "$ready" --timeout $((CONNECTIONS * 4 / RAMP + HOLD + 120)) >"$WORK/out.json" &
                    bpid=$!
                    while [ ! -e "$ready" ] && kill -0 "$bpid" 2>/dev/null; do sleep 0.2; done
                    sleep 2  # let the server settle before reading RSS mid-hold
                    after=$($PROCSTAT sample "$SERVER_PID")
                    wait "$bpid" || true
                    result=$(cat "$WORK/out.json")
                    ;;
            esac
            [ -n "$result" ] || result='{}'
            echo "$result" | grep -q '"ok":true' || echo "compare.sh: $s $scenario rep $rep FAILED: $result" >&2
            $PROCSTAT record --server "$s" --scenario "$scenario" --rep "$rep" \
                --before "$before" --after "$after" --bench "$result" | tee -a "$RESULTS" >&2
            stop_server "$s"
        done
    done
    order=("${order[@]:1}" "${order[0]}")
done

# --- Report ------------------------------------------------------------------------------------
{
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "Versions: starling $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), prosody $(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo -), ejabberd $(dpkg-query -W -f='${Version}' ejabberd 2>/dev/null || echo -)"
    echo "Run: reps=$REPS logins=$LOGINS concurrency=$LOGIN_CONCURRENCY connections=$CONNECTIONS ramp=$RAMP/s hold=${HOLD}s users=$USERS mechanism=SCRAM-SHA-1"
    echo
    $PROCSTAT report "$RESULTS"
} >"$WORK/table.md"
cat "$WORK/table.md"
if [ -n "$OUT" ]; then
    cp "$WORK/table.md" "$OUT"
    cp "$RESULTS" "${OUT%.md}.jsonl"
    log "table in $OUT, raw results in ${OUT%.md}.jsonl"
fi
