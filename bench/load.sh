#!/usr/bin/env bash
# Load run of ticket submit + lists at ~100 requests/s, loopback only, bounded (see
# bench/README.md). Usage: bench/load.sh [run time, default 60s] [users, default 50]
# Env: LOAD_DB (default postgres://postgres@127.0.0.1:5432/gongzhi_load), LOAD_PORT (8199),
#      LOAD_WORKERS (gunicorn workers, default 3), LOAD_RPS_PER_USER (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_TIME=${1:-60s}
USERS=${2:-50}
DB=${LOAD_DB:-postgres://postgres@127.0.0.1:5432/gongzhi_load}
PORT=${LOAD_PORT:-8199}
WORKERS=${LOAD_WORKERS:-3}
OUT=var/bench/load
mkdir -p "$OUT"
if [[ $DB == postgres://* ]]; then
  name=${DB##*/}
  psql "${DB%/*}/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$name"
fi
.venv/bin/python bench/load_prepare.py "$DB"
export DATABASE_URL=$DB GONGZHI_VAR_DIR=$PWD/var/bench DEBUG=0 LOG_LEVEL=WARNING GONGZHI_GENERATE_KEYS=true
.venv/bin/gunicorn gongzhi.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" --log-level warning \
  > "$OUT/gunicorn.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT INT TERM
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "gunicorn ($WORKERS workers) on 127.0.0.1:$PORT, $USERS users for $RUN_TIME"
.venv/bin/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$USERS" -r "$USERS" --run-time "$RUN_TIME" --stop-timeout 5 --only-summary \
  --csv "$OUT/locust" 2>&1 | tail -n 40
.venv/bin/python - "$OUT/locust_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"\n{'request':<22}{'count':>8}{'fail':>6}{'rps':>8}{'p50 ms':>8}{'p99 ms':>8}")
for r in rows:
    print(f"{r['Name']:<22}{r['Request Count']:>8}{r['Failure Count']:>6}"
          f"{float(r['Requests/s']):>8.1f}{r['50%']:>8}{r['99%']:>8}")
PY
