#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and CI.
#
#   ops/testenv/postgres.sh start DIR   initdb + start on a free port of 127.0.0.1, socket in DIR,
#                                       create database starling_test; the last stdout line is
#                                       postgres://postgres@127.0.0.1:PORT/starling_test
#   ops/testenv/postgres.sh stop DIR    stop it (fast shutdown) and remove DIR
#
# Typical use:
#   export STARLING_TEST_POSTGRES_URL=$(ops/testenv/postgres.sh start "$D" | tail -n1)
#   STARLING_REQUIRE_POSTGRES=1 swift test --filter StoreConformanceTests
#   ops/testenv/postgres.sh stop "$D"
#
# initdb refuses to run as root, so as root the server commands run as the `postgres` user
# (runuser) and DIR is handed to that user. The cluster trusts local connections and runs with
# fsync off: it exists for one test run and holds nothing worth keeping.
set -euo pipefail

readonly MARKER=".starling-testenv-postgres"
readonly DATABASE="starling_test"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { die "usage: $0 start|stop DIR"; }

[[ $# -eq 2 ]] || usage
command=$1
dir=$2
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing DIR '$dir'"

# Server binaries: prefer PostgreSQL 15 (what the project is tested with), else the newest.
find_bindir() {
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    local candidate
    candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
    if [[ -n "$candidate" && -x "$candidate/initdb" ]]; then
        echo "$candidate"
    fi
}

install_postgres() {
    [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
    log "installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends postgresql >&2
    fi
}

# Runs a server command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# shellcheck source=ops/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.sh"

start() {
    local bindir
    bindir=$(find_bindir)
    if [[ -z "$bindir" ]]; then
        install_postgres
        bindir=$(find_bindir)
        [[ -n "$bindir" ]] || die "no initdb under /usr/lib/postgresql/*/bin after installing postgresql"
    fi

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -e "$dir/data" ]]; then
        die "$dir/data exists: stop the old cluster first ($0 stop $dir)"
    fi
    touch "$dir/$MARKER"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$dir"
        # mktemp -d gives 0700; the owner changed, so that is still enough. Parents must let
        # `postgres` through, which /tmp does; say so plainly when a parent does not.
        runuser -u postgres -- test -w "$dir" \
            || die "user postgres cannot reach $dir (a parent directory is not searchable)"
    fi

    log "initdb in $dir/data ($bindir)"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        log "starting on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 -o \
            "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >&2; then
            break
        fi
        port=""
        # A failed start may leave a half-started postmaster behind; make sure it is gone.
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        tail -n 5 "$dir/log" >&2 || true
    done
    [[ -n "$port" ]] || die "server did not start; see $dir/log"
    echo "$port" >"$dir/port"

    local tries=0
    until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
        tries=$((tries + 1))
        ((tries < 100)) || die "server on port $port not ready after 10 s; see $dir/log"
        sleep 0.1
    done

    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE DATABASE $DATABASE" >&2

    local url="postgres://postgres@127.0.0.1:$port/$DATABASE"
    echo "$url" >"$dir/url"
    log "ready"
    echo "$url"
}

stop() {
    if [[ ! -d "$dir" ]]; then
        log "$dir does not exist: nothing to stop"
        return
    fi
    if [[ ! -e "$dir/$MARKER" ]]; then
        die "$dir was not made by '$0 start': not touching it"
    fi
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        local bindir
        bindir=$(find_bindir)
        [[ -n "$bindir" ]] || die "no pg_ctl found to stop the server in $dir"
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >&2 \
            || as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 \
            || log "pg_ctl stop failed; removing $dir anyway"
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "$command" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
