#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (docs/warehouse.md, "PostgreSQL").
#
#   eval "$(scripts/pg-test-cluster.sh start)"   initdb in a new temporary folder, start the
#                                                server on 127.0.0.1 at a free non-default port,
#                                                create the database mlaudit_test, and print the
#                                                `export` lines for the tests:
#                                                  MLAUDIT_TEST_POSTGRES_URL  (no password in it:
#                                                    it names a password_file)
#                                                  MLAUDIT_TEST_POSTGRES_DIR  (the folder, for stop)
#   scripts/pg-test-cluster.sh stop [DIR]        stop the server and delete the folder
#                                                (DIR defaults to $MLAUDIT_TEST_POSTGRES_DIR)
#   scripts/pg-test-cluster.sh deps              install Debian's postgresql when initdb is
#                                                missing (as root; otherwise say how)
#
# `make test` runs start before `swift test` and stop after it, also when the tests fail.
# The server listens on loopback only, with scram-sha-256 password authentication over TCP
# (a random password in DIR/password) and trust on its Unix socket inside DIR. Durability is
# switched off (fsync=off): the cluster is deleted after the tests. As root (CI), initdb and
# the server run as the `postgres` user that Debian's package creates.
set -euo pipefail

find_bin() {
    if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
    return 1
}

deps() {
    if find_bin >/dev/null; then return 0; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing postgresql (the tests start a throwaway PostgreSQL cluster)…" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        find_bin >/dev/null || { echo "pg-test-cluster: postgresql installed but initdb not found" >&2; exit 1; }
    else
        echo "The PostgreSQL tests need a PostgreSQL server (initdb, pg_ctl). Install it with: sudo apt-get install -y postgresql" >&2
        exit 1
    fi
}

# Runs a server program as the owner of the cluster (root may not run initdb or postgres).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
    deps
    local bin dir port password tries
    bin=$(find_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mlaudit-pg.XXXXXX")
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
        chown postgres "$dir"
    fi
    chmod 700 "$dir"
    password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
    printf '%s\n' "$password" > "$dir/password"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/password"
    chmod 600 "$dir/password"
    as_owner "$bin/initdb" -D "$dir/data" -U mlaudit --pwfile="$dir/password" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2; rm -rf "$dir"; echo "pg-test-cluster: initdb failed" >&2; exit 1; }
    tries=0
    while :; do
        port=$(( 40000 + RANDOM % 20000 ))
        if port_free "$port" && as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        if [ $tries -ge 10 ]; then
            cat "$dir/server.log" >&2 2>/dev/null || true
            rm -rf "$dir"
            echo "pg-test-cluster: the server did not start (10 ports tried)" >&2
            exit 1
        fi
    done
    as_owner "$bin/psql" -q -h "$dir" -p "$port" -U mlaudit -d postgres -c "CREATE DATABASE mlaudit_test" >&2
    echo "export MLAUDIT_TEST_POSTGRES_URL='postgres://mlaudit@127.0.0.1:$port/mlaudit_test?password_file=$dir/password'"
    echo "export MLAUDIT_TEST_POSTGRES_DIR='$dir'"
    echo "pg-test-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, folder $dir" >&2
}

stop() {
    local dir=${1:-${MLAUDIT_TEST_POSTGRES_DIR:-}}
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then return 0; fi
    case "$dir" in */mlaudit-pg.*) ;; *) echo "pg-test-cluster: refusing to delete $dir (not a cluster folder of this script)" >&2; exit 1;; esac
    local bin
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    deps) deps ;;
    *) echo "usage: $0 start|stop [DIR]|deps" >&2; exit 64 ;;
esac
