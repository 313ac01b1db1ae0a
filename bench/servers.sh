# shellcheck shell=bash disable=SC2154
# Private server instances for bench/compare.sh (sourced; uses BIN, USERS, WORK, wait_port, log).
# setup_<server> DIR PORT writes the config and creates bench1…benchN (password bench-N) once;
# start_server NAME starts it in the foreground in the background and sets SERVER_PID to the root of
# its process tree; stop_server NAME stops it and waits until it is gone.
# Every instance: loopback only, STARTTLS required, the shared P-256 certificate, no rate limits or
# traffic shapers, persistent storage, warnings-only logging, a XEP-0060 service at pubsub.localhost
# where bench1 may create nodes (node names free-form: ejabberd's `flat` plugin).
# Servers: starling (embedded SQLite), starling-pg (PostgreSQL from ops/testenv/postgres.sh),
# prosody, ejabberd, mosquitto (MQTT only: no accounts, no TLS). Function names use _ for -.

create_accounts() {  # function parallelism: calls "function N" for N in 1…USERS; fails if any fails
    local i pids=() failed=0
    for i in $(seq 1 "$USERS"); do
        "$1" "$i" >/dev/null 2>>"$WORK/accounts.err" &
        pids+=($!)
        if [ ${#pids[@]} -ge "$2" ] || [ "$i" = "$USERS" ]; then
            for p in "${pids[@]}"; do wait "$p" || failed=1; done
            pids=()
        fi
    done
    [ $failed = 0 ] || echo "compare.sh: creating some $1 bench accounts failed: $(tail -n 3 "$WORK/accounts.err")" >&2
    return $failed
}

# --- Starling (embedded SQLite store) ------------------------------------------------------------
account_starling() { "$BIN/starling" user add "bench$1" --password "bench-$1" --config "$WORK/starling/starling.yml"; }
account_starling_pg() { "$BIN/starling" user add "bench$1" --password "bench-$1" --config "$WORK/starling-pg/starling.yml"; }

setup_starling() { write_starling_config "$1" "$2" "  kind: sqlite" && create_accounts account_starling 1; }  # one writer at a time: SQLite

# A throwaway PostgreSQL (ops/testenv/postgres.sh; stopped by stop_postgres at exit). That script runs
# the cluster with fsync off: the PostgreSQL figures do not include disk flushes.
setup_starling_pg() {
    local url
    url=$("$ROOT/ops/testenv/postgres.sh" start "$WORK/pg" 2>>"$WORK/pg.log" | tail -n1) || return 1
    PG_STARTED=1
    write_starling_config "$1" "$2" "  kind: postgres
  url: $url" && create_accounts account_starling_pg 4
}

stop_postgres() { [ -z "${PG_STARTED:-}" ] || "$ROOT/ops/testenv/postgres.sh" stop "$WORK/pg" >/dev/null 2>&1 || true; }

write_starling_config() {  # dir port storage-lines
    local dir=$1 port=$2
    mkdir -p "$dir/data"
    cat >"$dir/starling.yml" <<EOF
domain: localhost
data_dir: $dir/data
c2s:
  listen: 127.0.0.1:$port
  starttls: required
  max_connections_per_ip: 1000000
  login_attempts_per_minute_per_ip: 10000
  ping_interval_seconds: 86400
  negotiation_timeout_seconds: 120
tls:
  certificate: $WORK/cert.pem
  key: $WORK/key.pem
  # The key exchange the OpenSSL 3.0 peers use; Starling's default puts X25519MLKEM768 first.
  key_exchange: [x25519, p256]
storage:
$3
limits:
  max_resources_per_account: 10000
log:
  level: warning
EOF
}

start_starling() {
    "$BIN/starling" serve --config "$WORK/starling/starling.yml" >>"$WORK/starling/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT_starling" 30
}

start_starling_pg() {
    "$BIN/starling" serve --config "$WORK/starling-pg/starling.yml" >>"$WORK/starling-pg/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT_starling_pg" 30
}

stop_starling() { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }
stop_starling_pg() { stop_starling; }

# --- Prosody (internal storage, hashed passwords) -----------------------------------------------
account_prosody() {
    runuser -u prosody -- prosodyctl --config "$WORK/prosody/prosody.cfg.lua" register "bench$1" localhost "bench-$1"
}

setup_prosody() {
    local dir=$1 port=$2
    mkdir -p "$dir/data"
    cat >"$dir/prosody.cfg.lua" <<EOF
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { warn = "$dir/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { $port }
c2s_interfaces = { "127.0.0.1" }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix" }
modules_disabled = { "s2s"; "http"; "limits" }
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
allow_registration = false
ssl = { certificate = "$WORK/cert.pem"; key = "$WORK/key.pem" }
-- mod_pubsub lets only admins create nodes; bench1 owns the benchmark's nodes (publish_model open).
admins = { "bench1@localhost" }
VirtualHost "localhost"
Component "pubsub.localhost" "pubsub"
    pubsub_max_items = 1000
EOF
    chown -R prosody: "$dir"
    create_accounts account_prosody 4
}

start_prosody() {
    # setpriv execs, so SERVER_PID is prosody itself and gets the TERM.
    setpriv --reuid=prosody --regid=prosody --init-groups prosody --config "$WORK/prosody/prosody.cfg.lua" -F >>"$WORK/prosody/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT_prosody" 30
}

stop_prosody() { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }

# --- ejabberd (Mnesia, SCRAM-hashed passwords) --------------------------------------------------
EJABBERD_NODE=ejabberd-bench@localhost
ejabberdctl_private() {
    # As the ejabberd user already, so ejabberdctl skips its `su`: PAM would reset the raised
    # descriptor limit to 1024 and the node would refuse connections ("too many open files").
    HOME=/var/lib/ejabberd setpriv --reuid=ejabberd --regid=ejabberd --init-groups \
        ejabberdctl --config-dir "$WORK/ejabberd" --config "$WORK/ejabberd/ejabberd.yml" \
        --spool "$WORK/ejabberd/spool" --logs "$WORK/ejabberd/logs" --node "$EJABBERD_NODE" "$@"
}

account_ejabberd() { ejabberdctl_private register "bench$1" localhost "bench-$1"; }

setup_ejabberd() {
    local dir=$1 port=$2
    mkdir -p "$dir/spool" "$dir/logs"
    cat "$WORK/cert.pem" "$WORK/key.pem" >"$dir/server.pem"
    cat >"$dir/ejabberd.yml" <<EOF
hosts: [localhost]
loglevel: warning
certfiles: ["$dir/server.pem"]
default_db: mnesia
auth_method: internal
auth_password_format: scram
auth_scram_hash: sha
listen:
  - port: $port
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    shaper: none
    max_stanza_size: 262144
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
shaper_rules:
  max_user_sessions: 100000
  c2s_shaper: none
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  mod_pubsub:
    hosts: ["pubsub.localhost"]
    access_createnode: all
    plugins: [flat]
    max_items_node: 1000
EOF
    chown -R ejabberd: "$dir"
    start_ejabberd || { log "ejabberd did not start; log: $(tail -5 "$dir/logs/"*.log "$dir/server.log" 2>/dev/null)"; return 1; }
    local rc=0
    # ejabberdctl register starts an Erlang node per call (~1 s): done once, kept in Mnesia.
    create_accounts account_ejabberd 4 || rc=1
    stop_ejabberd
    return $rc
}

start_ejabberd() {
    # The first start after boot (epmd, cold caches) can take over a minute; a start right after a
    # stop sometimes exits at once (the old node not yet gone from epmd): then it is started again.
    local attempt deadline
    for attempt in 1 2 3; do
        ejabberdctl_private foreground >>"$WORK/ejabberd/server.log" 2>&1 &
        SERVER_PID=$!
        deadline=$((SECONDS + 180))
        until (exec 3<>"/dev/tcp/127.0.0.1/$PORT_ejabberd") 2>/dev/null; do
            kill -0 "$SERVER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ] || break
            sleep 0.2
        done
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT_ejabberd") 2>/dev/null && break
        kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
        [ "$attempt" -lt 3 ] || return 1
        echo "ejabberd did not listen (attempt $attempt); starting it again" >&2
        sleep 3
    done
    # The listener opens before every module has started; status says when the node is up.
    local deadline=$((SECONDS + 60))
    until ejabberdctl_private status >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.5
    done
}

stop_ejabberd() {
    ejabberdctl_private stop >/dev/null 2>&1 || kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null || true
}

# --- Mosquitto (MQTT 3.1.1 baseline: plain TCP, anonymous, no persistence) ----------------------
setup_mosquitto() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    cat >"$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
# No per-client queue cap (a slow subscriber must not lose QoS 1 messages), default in-flight window.
max_queued_messages 0
max_inflight_messages 20
log_dest file $dir/mosquitto.log
log_type error
log_type warning
EOF
    chown -R mosquitto: "$dir" 2>/dev/null || true
}

start_mosquitto() {
    # Started as root it drops to the mosquitto user itself; the pid stays the same.
    mosquitto -c "$WORK/mosquitto/mosquitto.conf" >>"$WORK/mosquitto/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT_mosquitto" 30
}

stop_mosquitto() { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }

start_server() { SERVER_PID=""; "start_${1//-/_}"; }
stop_server() { [ -n "$SERVER_PID" ] && "stop_${1//-/_}"; SERVER_PID=""; }
