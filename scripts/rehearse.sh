#!/usr/bin/env bash
# A production rehearsal on one machine (issue 22, docs/deployment.md "Two app servers"):
# PostgreSQL, Redis, nginx in front of two gunicorn app servers that share the media folder and
# keep sessions in the database (no sticky sessions), one task worker. It checks that
#   1. a login made through one server is valid on the other (both serve the same session),
#   2. the client's own address (not nginx's) reaches the access logs and the audit trail,
#   3. a file stored by one server is served by the other (shared MEDIA_ROOT),
#   4. a reload of both servers (gunicorn HUP, as scripts/upgrade.sh does) and a restart of the
#      task worker fail no request of a probe loop running through nginx,
# and prints what it measured. Needs nginx: `sudo bash scripts/setup-system.sh --rehearsal`.
# Usage: bash scripts/rehearse.sh   (PG_URL, REDIS_URL and REHEARSAL_DIR may be set)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
ROOT=${REHEARSAL_DIR:-/tmp/gongzhi-rehearsal}
PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=gongzhi_rehearsal
PORT=8100
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx missing: sudo bash scripts/setup-system.sh --rehearsal" >&2; exit 1; }

pids=()
cleanup() {
  [ -f "$ROOT/nginx/nginx.pid" ] && kill "$(cat "$ROOT/nginx/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

rm -rf "$ROOT" && mkdir -p "$ROOT"/{a,b,worker,media,nginx,logs}
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

# The production environment: keys given (never generated), the real SMS backend configured
# (it is never called here), secure cookies off only because this rehearsal has no TLS.
export DATABASE_URL=$PG/$DB
export SECRET_KEY=rehearsal-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export GONGZHI_FIELD_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
export MEDIA_ROOT=$ROOT/media
export TRUSTED_PROXIES=127.0.0.1
export SMS_BACKEND=gongzhi.core.sms_providers.AliyunBackend
export OTP_REQUIRED=false
unset GONGZHI_GENERATE_KEYS GONGZHI_DEMO

# One collection for the three processes (each app server would run its own collectstatic).
GONGZHI_VAR_DIR=$ROOT/a "$BIN/python" manage.py collectstatic --noinput -v0
ln -s "$ROOT/a/static" "$ROOT/b/static"
ln -s "$ROOT/a/static" "$ROOT/worker/static"
GONGZHI_VAR_DIR=$ROOT/a "$BIN/python" manage.py migrate --noinput -v0
PASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
GONGZHI_VAR_DIR=$ROOT/a REHEARSAL_PASSWORD=$PASS "$BIN/python" manage.py shell -v0 -c "
import os
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from gongzhi.core.models import User
User.objects.create_user(username='rehearsal', name='演练账号', password=os.environ['REHEARSAL_PASSWORD'])
default_storage.save('rehearsal/from-a.txt', ContentFile(b'stored by server a'))
"

cat > "$ROOT/gunicorn.conf.py" <<EOF
workers = 2
accesslog = "-"
# The client's address as nginx saw it (X-Real-IP); %(h)s would be nginx's own for every line.
access_log_format = '%({x-real-ip}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
graceful_timeout = 30
EOF
for side in a b; do
  port=$([ $side = a ] && echo 8101 || echo 8102)
  GONGZHI_VAR_DIR=$ROOT/$side "$BIN/gunicorn" gongzhi.wsgi -c "$ROOT/gunicorn.conf.py" \
    --bind 127.0.0.1:$port --pid "$ROOT/$side/gunicorn.pid" \
    >"$ROOT/logs/access-$side.log" 2>"$ROOT/logs/error-$side.log" &
  pids+=($!)
done
GONGZHI_VAR_DIR=$ROOT/worker "$BIN/python" manage.py run_huey --quiet >"$ROOT/logs/worker.log" 2>&1 &
worker=$!

cat > "$ROOT/nginx/nginx.conf" <<EOF
daemon on;
pid $ROOT/nginx/nginx.pid;
error_log $ROOT/logs/nginx-error.log;
events {}
http {
    client_body_temp_path $ROOT/nginx/body;
    proxy_temp_path $ROOT/nginx/proxy;
    fastcgi_temp_path $ROOT/nginx/fastcgi;
    uwsgi_temp_path $ROOT/nginx/uwsgi;
    scgi_temp_path $ROOT/nginx/scgi;
    log_format gongzhi '\$remote_addr [\$time_local] "\$request_method \$uri \$server_protocol" '
                       '\$status \$body_bytes_sent \$request_time \$upstream_addr';
    access_log $ROOT/logs/nginx-access.log gongzhi;
    upstream gongzhi {
        server 127.0.0.1:8101;
        server 127.0.0.1:8102;
    }
    server {
        listen 127.0.0.1:$PORT;
        client_max_body_size 20m;
        location / {
            proxy_pass http://gongzhi;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Real-IP \$remote_addr;
        }
    }
}
EOF
"$NGINX" -c "$ROOT/nginx/nginx.conf" -e "$ROOT/logs/nginx-error.log"

for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done

# 1–3: a session across both servers, from a client address of its own (127.0.0.2).
REHEARSAL_PASSWORD=$PASS "$BIN/python" - "$PORT" <<'EOF'
import http.client, os, re, sys
port = int(sys.argv[1])
cookies: dict[str, str] = {}

def ask(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0))
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}/login/"
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return answer.status, answer.read().decode("utf-8", "replace")

status, page = ask("GET", "/login/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
from urllib.parse import urlencode
status, _ = ask("POST", "/login/", urlencode(
    {"csrfmiddlewaretoken": token, "identifier": "rehearsal",
     "password": os.environ["REHEARSAL_PASSWORD"]}))
assert status == 302, f"login answered {status}"
statuses = [ask("GET", "/")[0] for _ in range(20)]
print(f"session across servers: 20 logged-in requests, answers {sorted(set(statuses))}")
assert set(statuses) == {200}, statuses
EOF
a=$(grep -c "GET / " "$ROOT/logs/access-a.log" || true)
b=$(grep -c "GET / " "$ROOT/logs/access-b.log" || true)
echo "served by server a: $a, by server b: $b (no sticky sessions)"
[ "$a" -gt 0 ] && [ "$b" -gt 0 ]
echo "client address in the app servers' access logs: $(grep "GET / " "$ROOT/logs/access-a.log" | head -1 | cut -d' ' -f1)"
grep -q "^127.0.0.2 " "$ROOT/logs/access-a.log"
GONGZHI_VAR_DIR=$ROOT/b "$BIN/python" manage.py shell -v0 -c "
from django.core.files.storage import default_storage
from gongzhi.core.models import AuditRecord
print('file stored by server a, read by server b:', default_storage.open('rehearsal/from-a.txt').read().decode())
print('address of the login in the audit trail:', AuditRecord.objects.filter(action='auth.login').latest('pk').client_ip)
"

# 4: the upgrade script on server a (backup, migrate, static files, checks, HUP), then a reload
# of server b and a restart of the worker, all under a probe loop through nginx.
"$BIN/python" scripts/probe.py "http://127.0.0.1:$PORT/healthz" 0 25 >"$ROOT/logs/probe.txt" &
probe=$!
sleep 2
GONGZHI_ENV=/dev/null BACKUP_DIR=$ROOT/backups GUNICORN_PID=$ROOT/a/gunicorn.pid \
  GONGZHI_VAR_DIR=$ROOT/a DEPENDENCIES=skip bash scripts/upgrade.sh >"$ROOT/logs/upgrade.log" 2>&1
echo "upgrade script on server a: $(grep -c '^== ' "$ROOT/logs/upgrade.log") steps, $(grep '^== done' "$ROOT/logs/upgrade.log" || echo 'NOT DONE')"
sleep 3
kill -HUP "$(cat "$ROOT/b/gunicorn.pid")"
sleep 3
kill "$worker"; wait "$worker" 2>/dev/null || true
GONGZHI_VAR_DIR=$ROOT/worker "$BIN/python" manage.py run_huey --quiet >>"$ROOT/logs/worker.log" 2>&1 &
pids+=($!)
sleep 3
kill -TERM "$probe"
wait "$probe" && ok=0 || ok=$?
echo "under the upgrade (server a), the reload of server b and the worker's restart: $(cat "$ROOT/logs/probe.txt")"
echo "gunicorn reloads (HUP) seen: server a $(grep -c "Handling signal: hup" "$ROOT/logs/error-a.log"), server b $(grep -c "Handling signal: hup" "$ROOT/logs/error-b.log")"
curl -fs "http://127.0.0.1:$PORT/readyz" | "$BIN/python" -c "import json,sys; d=json.load(sys.stdin); print('readyz:', d['status'], {k: v['status'] for k, v in d['parts'].items()})" || true
exit "$ok"
