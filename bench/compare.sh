#!/usr/bin/env bash
# Starling against Prosody, ejabberd and Mosquitto on this machine, in one run: docs/PERFORMANCE.md.
#
#   sudo bench/compare.sh [--reps 3] [--servers "starling starling-pg prosody ejabberd mosquitto"]
#        [--scenarios "login connections fanout ingest latency subtree"] [--users 50]
#        [--logins 2000] [--login-concurrency 8] [--connections 1000] [--ramp 500] [--hold 15]
#        [--fanout 1000] [--fanout-items N] [--fanout-window 4] [--shards 1]
#        [--ingest 1000] [--ingest-items 10] [--ingest-window 2]
#        [--latency-subscribers 100] [--latency-rate 20] [--latency-duration 10]
#        [--subtree-subscribers 100] [--subtree-leaves 4] [--subtree-items 50]
#        [--scratch-path DIR] [--bin-dir DIR] [--out FILE] [--keep]
#
# Installs prosody, ejabberd, mosquitto (and postgresql for starling-pg) from Debian when missing,
# builds starling and starling-bench in release mode (unless --bin-dir holds both), starts each server
# privately on loopback (own config, data and port under a temp dir; rate limits and traffic shapers
# off; persistent storage: Starling embedded SQLite or PostgreSQL, Prosody internal, ejabberd Mnesia;
# Mosquitto without persistence), creates the bench accounts, then runs every scenario against every
# server it applies to, interleaved, --reps times. Each measurement starts the server afresh, warms it
# up with 50 logins, and samples the server's whole process tree from /proc (bench/procstat.py) before
# and after the measured phase only (pubsub scenarios: the load generator waits at <sync>/ready until
# sampled, so logins, node creation and subscriptions are not counted). Prints the markdown table and
# writes it (with the raw JSON lines) to --out. Root is needed: apt, and running the peers as their
# Debian users.
#
# Which server runs which scenario: login, connections: the XMPP servers (not starling-pg: same code);
# fanout: XMPP servers + mosquitto (MQTT QoS 1); ingest: all five; latency: XMPP servers;
# subtree (XEP-0248 collections): starling only. --fanout-items defaults to 100000 / --fanout
# (at least 5), so every fan-out run delivers about 100k notifications.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 LOGINS=2000 LOGIN_CONCURRENCY=8 CONNECTIONS=1000 RAMP=500 HOLD=15 USERS=50
FANOUT=1000 FANOUT_ITEMS="" FANOUT_WINDOW=4 SHARDS=1 INGEST=1000 INGEST_ITEMS=10 INGEST_WINDOW=2
LATENCY_SUBSCRIBERS=100 LATENCY_RATE=20 LATENCY_DURATION=10
SUBTREE_SUBSCRIBERS=100 SUBTREE_LEAVES=4 SUBTREE_ITEMS=50
SERVERS="starling starling-pg prosody ejabberd mosquitto"
SCENARIOS="login connections fanout ingest latency subtree"
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
        --fanout) FANOUT=$2; shift 2;;
        --fanout-items) FANOUT_ITEMS=$2; shift 2;;
        --fanout-window) FANOUT_WINDOW=$2; shift 2;;
        --shards) SHARDS=$2; shift 2;;
        --ingest) INGEST=$2; shift 2;;
        --ingest-items) INGEST_ITEMS=$2; shift 2;;
        --ingest-window) INGEST_WINDOW=$2; shift 2;;
        --latency-subscribers) LATENCY_SUBSCRIBERS=$2; shift 2;;
        --latency-rate) LATENCY_RATE=$2; shift 2;;
        --latency-duration) LATENCY_DURATION=$2; shift 2;;
        --subtree-subscribers) SUBTREE_SUBSCRIBERS=$2; shift 2;;
        --subtree-leaves) SUBTREE_LEAVES=$2; shift 2;;
        --subtree-items) SUBTREE_ITEMS=$2; shift 2;;
        --servers) SERVERS=$2; shift 2;;
        --scenarios) SCENARIOS=$2; shift 2;;
        --scratch-path) SCRATCH=$2; shift 2;;
        --bin-dir) BIN=$2; shift 2;;
        --out) OUT=$2; shift 2;;
        --keep) KEEP=1; shift;;
        -h|--help) sed -n '2,33p' "$0"; exit 0;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "compare.sh: run as root (apt, and the peers run as their Debian users)" >&2; exit 2; }

PORT_starling=15222 PORT_starling_pg=16222 PORT_prosody=25222 PORT_ejabberd=35222 PORT_mosquitto=41883
PROCSTAT="python3 $ROOT/bench/procstat.py"
log() { printf '%s compare: %s\n' "$(date +%T)" "$*" >&2; }
port_of() { local v="PORT_${1//-/_}"; echo "${!v}"; }
[ -n "$FANOUT_ITEMS" ] || FANOUT_ITEMS=$(( 100000 / FANOUT > 5 ? 100000 / FANOUT : 5 ))

applies() {  # server scenario: does this scenario run on this server?
    case "$2:$1" in
        login:starling|login:prosody|login:ejabberd) return 0;;
        connections:starling|connections:prosody|connections:ejabberd) return 0;;
        fanout:starling|fanout:prosody|fanout:ejabberd|fanout:mosquitto) return 0;;
        ingest:*) return 0;;
        latency:starling|latency:prosody|latency:ejabberd) return 0;;
        subtree:starling) return 0;;
        *) return 1;;
    esac
}

# Starling allows 16 subscriptions per bare JID per node (XEP-0060 §6.1.3.9): subscribers spread over
# enough accounts that no account holds more than 16. Every server gets the same accounts.
for n in $(for sc in $SCENARIOS; do case $sc in fanout) echo "$FANOUT";; latency) echo "$LATENCY_SUBSCRIBERS";; subtree) echo "$SUBTREE_SUBSCRIBERS";; esac; done); do
    need=$(( (n + 15) / 16 + 8 ))
    [ "$USERS" -ge "$need" ] || USERS=$need
done

# --- Packages and binaries ---------------------------------------------------------------------
missing=()
for pkg in openssl python3 $(for s in $SERVERS; do case $s in starling) ;; starling-pg) echo postgresql;; *) echo "$s";; esac; done); do
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
    declare -F stop_postgres >/dev/null && stop_postgres
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
    "$BIN/starling-bench" "$@" --host 127.0.0.1 --port "$(port_of "$server")" --domain localhost \
        --users "$USERS" --user-pattern 'bench%d' --password-pattern 'bench-%d' --mechanism SCRAM-SHA-1
}

# A pubsub or MQTT scenario in --shards processes, gated: /proc is sampled at <sync>/ready (set up)
# and <sync>/measured (all counted), so only the measured phase is charged. Sets before, after, result.
gated() {  # server args…
    local server=$1; shift
    local sync="$WORK/sync.$server.$rep" i pids=()
    rm -rf "$sync"; mkdir -p "$sync"
    for i in $(seq $((SHARDS - 1)) -1 0); do
        bench "$server" "$@" --sync-dir "$sync" --gate --shard "$i/$SHARDS" >"$sync/out.$i" 2>>"$WORK/bench.err" &
        pids+=($!)
    done
    alive() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
    while [ ! -e "$sync/ready" ] && alive; do sleep 0.1; done
    before=$($PROCSTAT sample "$SERVER_PID")
    touch "$sync/go"
    while [ ! -e "$sync/measured" ] && alive; do sleep 0.05; done
    after=$($PROCSTAT sample "$SERVER_PID")
    touch "$sync/finish"
    for i in "${pids[@]}"; do wait "$i" || true; done
    result=$($PROCSTAT merge "$sync"/out.*)
}

# --- Setup: configs and accounts, once per server ------------------------------------------------
ACTIVE=""
for s in $SERVERS; do
    log "setting up $s"
    if "setup_${s//-/_}" "$WORK/$s" "$(port_of "$s")"; then
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
            applies "$s" "$scenario" || continue
            CURRENT=$s
            log "rep $rep/$REPS $scenario on $s"
            if ! start_server "$s"; then
                echo "compare.sh: $s did not start; rep $rep $scenario skipped" >&2
                continue
            fi
            if [ "$s" != mosquitto ]; then
                bench "$s" login --count 50 --concurrency 4 --timeout 120 >/dev/null 2>&1 \
                    || echo "compare.sh: warm-up logins on $s failed" >&2
            fi
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
                    # Idle sessions: read RSS near the end of the hold, when every session has been
                    # silent for (hold - 3) s (Starling releases an idle stream's parser after 5 s).
                    sleep $((HOLD > 5 ? HOLD - 3 : 2))
                    after=$($PROCSTAT sample "$SERVER_PID")
                    wait "$bpid" || true
                    result=$(cat "$WORK/out.json")
                    ;;
                fanout)
                    if [ "$s" = mosquitto ]; then
                        gated "$s" mqtt --shape fanout --qos 1 --subscribers "$FANOUT" --items "$FANOUT_ITEMS" \
                            --window "$FANOUT_WINDOW" --timeout 1800
                    else
                        gated "$s" fanout --subscribers "$FANOUT" --items "$FANOUT_ITEMS" --window "$FANOUT_WINDOW" --timeout 1800
                    fi
                    ;;
                ingest)
                    if [ "$s" = mosquitto ]; then
                        gated "$s" mqtt --shape ingest --qos 1 --publishers "$INGEST" --items "$INGEST_ITEMS" \
                            --window "$INGEST_WINDOW" --timeout 1800
                    else
                        gated "$s" ingest --publishers "$INGEST" --items "$INGEST_ITEMS" --window "$INGEST_WINDOW" --timeout 1800
                    fi
                    ;;
                latency)
                    gated "$s" latency --subscribers "$LATENCY_SUBSCRIBERS" --rate "$LATENCY_RATE" \
                        --duration "$LATENCY_DURATION" --timeout 900
                    ;;
                subtree)
                    gated "$s" subtree --subscribers "$SUBTREE_SUBSCRIBERS" --leaves "$SUBTREE_LEAVES" \
                        --items "$SUBTREE_ITEMS" --timeout 900
                    ;;
            esac
            [ -n "$result" ] || result='{}'
            echo "$result" | grep -Eq '"ok": ?true' || echo "compare.sh: $s $scenario rep $rep FAILED: $result" >&2
            # Starling on PostgreSQL is reported as Starling's "ingest-pg" row, against the peers' ingest.
            rec_server=$s rec_scenario=$scenario
            [ "$s" != starling-pg ] || { rec_server=starling; rec_scenario="$scenario-pg"; }
            $PROCSTAT record --server "$rec_server" --scenario "$rec_scenario" --rep "$rep" \
                --before "$before" --after "$after" --bench "$result" | tee -a "$RESULTS" >&2
            stop_server "$s"
        done
    done
    order=("${order[@]:1}" "${order[0]}")
done

# --- Report ------------------------------------------------------------------------------------
{
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "Versions: starling $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), prosody $(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo -), ejabberd $(dpkg-query -W -f='${Version}' ejabberd 2>/dev/null || echo -), mosquitto $(dpkg-query -W -f='${Version}' mosquitto 2>/dev/null || echo -), postgresql $(dpkg-query -W -f='${Version}' postgresql 2>/dev/null || echo -)"
    echo "Run: reps=$REPS scenarios=\"$SCENARIOS\" logins=$LOGINS concurrency=$LOGIN_CONCURRENCY connections=$CONNECTIONS ramp=$RAMP/s hold=${HOLD}s users=$USERS mechanism=SCRAM-SHA-1"
    echo "Pubsub: fanout=$FANOUT×$FANOUT_ITEMS window=$FANOUT_WINDOW ingest=$INGEST×$INGEST_ITEMS window=$INGEST_WINDOW latency=$LATENCY_SUBSCRIBERS subscribers at $LATENCY_RATE/s for ${LATENCY_DURATION}s subtree=$SUBTREE_SUBSCRIBERS×$SUBTREE_LEAVES leaves×$SUBTREE_ITEMS shards=$SHARDS"
    echo
    $PROCSTAT report "$RESULTS"
} >"$WORK/table.md"
cat "$WORK/table.md"
if [ -n "$OUT" ]; then
    cp "$WORK/table.md" "$OUT"
    cp "$RESULTS" "${OUT%.md}.jsonl"
    log "table in $OUT, raw results in ${OUT%.md}.jsonl"
fi
