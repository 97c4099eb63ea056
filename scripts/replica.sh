#!/usr/bin/env bash
# A hot standby of the local PostgreSQL on this machine: the first step past one database
# server (issue 20, docs/scaling.md "Read replicas"). PostgreSQL's own streaming replication:
# pg_basebackup copies the primary, the copy starts in recovery on another port and replays
# the primary's WAL as it is written.
#
#   scripts/replica.sh start    make it if missing, start it, wait until it streams
#   scripts/replica.sh stop     stop it (the copy is kept; `start` catches up or remakes it)
#   scripts/replica.sh status   in recovery?, bytes and seconds behind
#   scripts/replica.sh remove   stop it and delete the copy
#
# Settings (environment): PRIMARY_PORT (5432), REPLICA_PORT (5433), REPLICA_DIR (as root:
# /var/lib/postgresql/gongzhi-replica-<port>, else var/replica-<port>). Point the platform
# at it with DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<database>.
# As root the server runs as the postgres user (PostgreSQL refuses to run as root); the
# primary must allow replication connections from 127.0.0.1: this script adds the two
# pg_hba.conf lines (trust, as the rest of this machine's local access) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ "$(id -u)" = 0 ]; then
  RUN=(runuser -u postgres --)
  REPLICA_DIR="${REPLICA_DIR:-/var/lib/postgresql/gongzhi-replica-$REPLICA_PORT}"
else
  RUN=()
  REPLICA_DIR="${REPLICA_DIR:-$PWD/var/replica-$REPLICA_PORT}"
fi
LOG="$REPLICA_DIR.log"

pg() { "${RUN[@]}" "$PG_BIN/$1" "${@:2}"; }
as_owner() { "${RUN[@]}" "$@"; }
on_replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "$1"; }
on_primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"; }

allow_replication() {
  local hba
  hba=$(on_primary "show hba_file")
  if ! on_primary "select 1 from pg_hba_file_rules where 'replication' = any(database)" | grep -q 1; then
    echo "pg_hba.conf: allowing replication connections from this machine ($hba)"
    printf '%s\n' "# Gongzhi scripts/replica.sh: the local hot standby" \
      "local replication all trust" "host replication all 127.0.0.1/32 trust" >>"$hba"
    on_primary "select pg_reload_conf()" >/dev/null
  fi
}

make_copy() {
  echo "pg_basebackup from port $PRIMARY_PORT into $REPLICA_DIR"
  rm -rf "$REPLICA_DIR"
  mkdir -p "$(dirname "$REPLICA_DIR")"
  pg pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" \
    --write-recovery-conf --wal-method=stream --checkpoint=fast
  # A Debian cluster keeps its configuration in /etc, outside the data directory the
  # backup copied: the standby gets a small one of its own.
  as_owner tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
logging_collector = off
EOF
  as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner touch "$REPLICA_DIR/pg_ident.conf"
}

running() { pg pg_ctl -D "$REPLICA_DIR" status >/dev/null 2>&1; }

start_server() {
  pg pg_ctl -D "$REPLICA_DIR" -l "$LOG" -w -t 60 start >/dev/null
}

streaming() {
  [ "$(on_replica "select pg_is_in_recovery() and pg_last_wal_receive_lsn() is not null" 2>/dev/null)" = t ]
}

wait_streaming() {
  for _ in $(seq 1 30); do
    streaming && return 0
    sleep 1
  done
  return 1
}

case "${1:-status}" in
start)
  pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" || { echo "no primary on port $PRIMARY_PORT" >&2; exit 1; }
  allow_replication
  if running && streaming; then
    echo "replica already streaming on port $REPLICA_PORT"
    exit 0
  fi
  if [ ! -f "$REPLICA_DIR/standby.signal" ]; then
    make_copy
  fi
  running || start_server || true
  if ! wait_streaming; then
    # The primary recycled WAL the copy still needed (it was stopped long): copy afresh.
    echo "the copy did not catch up: making a new one"
    pg pg_ctl -D "$REPLICA_DIR" -m fast stop >/dev/null 2>&1 || true
    make_copy
    start_server
    wait_streaming || { echo "replica on port $REPLICA_PORT is not streaming; see $LOG" >&2; exit 1; }
  fi
  echo "replica streaming on 127.0.0.1:$REPLICA_PORT (data $REPLICA_DIR)"
  ;;
stop)
  if running; then pg pg_ctl -D "$REPLICA_DIR" -m fast stop >/dev/null; fi
  echo "replica stopped"
  ;;
remove)
  if [ -d "$REPLICA_DIR" ] && running; then pg pg_ctl -D "$REPLICA_DIR" -m fast stop >/dev/null; fi
  rm -rf "$REPLICA_DIR" "$LOG"
  echo "replica removed"
  ;;
status)
  if ! running; then echo "replica not running"; exit 3; fi
  on_replica "select 'in recovery: ' || pg_is_in_recovery()
    || ', bytes behind the received WAL: ' || greatest(coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0), 0)
    || ', last replayed transaction: ' || coalesce(to_char(pg_last_xact_replay_timestamp(), 'YYYY-MM-DD HH24:MI:SS'), '-')"
  ;;
*)
  echo "usage: $0 start|stop|status|remove" >&2
  exit 2
  ;;
esac
