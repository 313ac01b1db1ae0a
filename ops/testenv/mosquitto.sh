#!/usr/bin/env bash
# A throwaway mosquitto broker for tests and CI.
#
#   ops/testenv/mosquitto.sh start DIR [PORT] [--tls CERTDIR]
#                                               start mosquitto on 127.0.0.1 (PORT, or a free port),
#                                               config, pid file and log in DIR; waits until
#                                               mosquitto_pub gets through; the last stdout line is PORT
#   ops/testenv/mosquitto.sh stop DIR           stop it and remove DIR
#
# --tls CERTDIR makes the listener TLS-only with CERTDIR/ca.crt, CERTDIR/server.crt and
# CERTDIR/server.key (PEM; copied into DIR). Clients may present a certificate the CA signed but
# need not.
#
# Typical use:
#   D=$(mktemp -d)
#   export STARLING_TEST_MQTT_PORT=$(ops/testenv/mosquitto.sh start "$D" | tail -n1)
#   STARLING_REQUIRE_MQTT=1 swift test --filter MQTTBridgeTests
#   ops/testenv/mosquitto.sh stop "$D"
#
# PORT lets a test stop the broker and start it again where its clients expect it (reconnect tests).
# The broker allows anonymous clients on loopback only and keeps no state on disk: it exists for one
# test run. As root, mosquitto drops to the `mosquitto` user, so DIR is handed to that user.
set -euo pipefail

readonly MARKER=".starling-testenv-mosquitto"

log() { printf 'mosquitto.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { die "usage: $0 start DIR [PORT] [--tls CERTDIR] | stop DIR"; }

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
shift 2
requested_port=""
tls_dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --tls)
            [[ $# -ge 2 && -n "$2" ]] || usage
            tls_dir=$2
            shift 2
            ;;
        *)
            [[ -z "$requested_port" && "$1" =~ ^[0-9]+$ ]] || usage
            requested_port=$1
            shift
            ;;
    esac
done
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing DIR '$dir'"

find_broker() {
    command -v mosquitto 2>/dev/null || { [[ -x /usr/sbin/mosquitto ]] && echo /usr/sbin/mosquitto; } || true
}

install_mosquitto() {
    [[ $(id -u) -eq 0 ]] || die "mosquitto is not installed and we are not root: apt-get install mosquitto mosquitto-clients"
    log "installing mosquitto and mosquitto-clients with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends mosquitto mosquitto-clients >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends mosquitto mosquitto-clients >&2
    fi
}

# shellcheck source=ops/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.sh"

write_config() {
    local port=$1
    cat >"$dir/mosquitto.conf" <<CONF
# Written by $0; one test run only.
listener $port 127.0.0.1
allow_anonymous true
persistence false
pid_file $dir/mosquitto.pid
log_dest file $dir/mosquitto.log
log_type error
log_type warning
log_type notice
CONF
    if [[ -n "$tls_dir" ]]; then
        mkdir -p "$dir/tls"
        cp "$tls_dir/ca.crt" "$tls_dir/server.crt" "$tls_dir/server.key" "$dir/tls/"
        cat >>"$dir/mosquitto.conf" <<CONF
cafile $dir/tls/ca.crt
certfile $dir/tls/server.crt
keyfile $dir/tls/server.key
require_certificate false
CONF
    fi
    if [[ $(id -u) -eq 0 ]]; then
        # mosquitto started as root switches to this user before it opens the pid and log files.
        echo "user mosquitto" >>"$dir/mosquitto.conf"
        chown -R mosquitto: "$dir"
    fi
}

# Runs the broker (in the background subshell that calls this) with no signal blocked and no
# descriptor but 0-2 inherited. mosquitto waits in epoll_pwait with the signal mask it started with,
# so a SIGTERM blocked by whoever launched us (Swift's test runner does, through Foundation.Process)
# would never reach it. And a launcher's descriptors left open in the long-lived broker can keep the
# launcher from seeing this script exit (Foundation.Process watches a socket its children inherit).
launch() {
    if command -v python3 >/dev/null 2>&1; then
        exec python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_SETMASK, [])
os.closerange(3, os.sysconf("SC_OPEN_MAX"))
os.execv(sys.argv[1], sys.argv[1:])' "$@"
    fi
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@"
}

# Waits until a QoS 1 publish goes through (the listener is up and the broker answers MQTT).
wait_ready() {
    local port=$1 pid=$2 tries=0 tls=()
    # Only whether the broker answers: the certificate's names are the tests' business.
    [[ -z "$tls_dir" ]] || tls=(--cafile "$dir/tls/ca.crt" --insecure)
    until mosquitto_pub -h 127.0.0.1 -p "$port" "${tls[@]}" -q 1 -t starling/testenv/ping -m ready 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || return 1
        tries=$((tries + 1))
        ((tries < 100)) || return 1
        sleep 0.1
    done
}

start() {
    local broker
    broker=$(find_broker)
    if [[ -z "$broker" ]] || ! command -v mosquitto_pub >/dev/null 2>&1; then
        install_mosquitto
        broker=$(find_broker)
        [[ -n "$broker" ]] || die "no mosquitto binary after installing it"
    fi

    if [[ -n "$tls_dir" ]]; then
        local file
        for file in ca.crt server.crt server.key; do
            [[ -r "$tls_dir/$file" ]] || die "--tls $tls_dir: $file is missing or unreadable"
        done
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -f "$dir/mosquitto.pid" ]] && kill -0 "$(cat "$dir/mosquitto.pid")" 2>/dev/null; then
        die "a broker from $dir is still running: stop it first ($0 stop $dir)"
    fi
    touch "$dir/$MARKER"

    local port="" attempt candidate pid
    for attempt in 1 2 3 4 5; do
        candidate=${requested_port:-$(free_port)}
        write_config "$candidate"
        rm -f "$dir/mosquitto.pid"
        log "starting on 127.0.0.1:$candidate (attempt $attempt)"
        # Foreground process in the background (not -d): its pid is ours, whoever owns the pid file.
        launch "$broker" -c "$dir/mosquitto.conf" </dev/null >>"$dir/stderr.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/broker.pid"
        if wait_ready "$candidate" "$pid"; then
            port=$candidate
            break
        fi
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        tail -n 5 "$dir/stderr.log" "$dir/mosquitto.log" >&2 2>/dev/null || true
        # A fixed port that does not come up will not come up on the next try either.
        [[ -z "$requested_port" ]] || break
    done
    [[ -n "$port" ]] || die "mosquitto did not start; see $dir/stderr.log and $dir/mosquitto.log"
    echo "$port" >"$dir/port"
    log "ready (pid $pid)"
    echo "$port"
}

stop() {
    if [[ ! -d "$dir" ]]; then
        log "$dir does not exist: nothing to stop"
        return
    fi
    [[ -e "$dir/$MARKER" ]] || die "$dir was not made by '$0 start': not touching it"
    local pid=""
    if [[ -f "$dir/broker.pid" ]]; then
        pid=$(cat "$dir/broker.pid")
    fi
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        local tries=0
        while kill -0 "$pid" 2>/dev/null; do
            tries=$((tries + 1))
            if ((tries > 30)); then
                log "mosquitto (pid $pid) ignored SIGTERM for 3 s; killing it"
                kill -9 "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "$command" in
    start) start ;;
    stop) [[ -z "$requested_port" && -z "$tls_dir" ]] || usage; stop ;;
    *) usage ;;
esac
