#!/usr/bin/env bash
# Upgrade a production install in place without a failed request (docs/deployment.md "Upgrades").
#
#   sudo -u gongzhi scripts/upgrade.sh [--ref TAG]      (run from /srv/gongzhi)
#
# 1. backup (database + media, verified manifest) — stop here if it fails;
# 2. fetch the new code (git), install its dependencies and assets;
# 3. migrate while the old code still serves (migrations are written to be safe for that:
#    columns are added nullable or with a default, removed only a release after the code
#    stopped using them);
# 4. collect static files (hashed names: old pages keep their old files);
# 5. reload gunicorn with HUP: new workers start on the new code, old ones finish their
#    requests — no dropped connection (a stop-and-start drops the requests in flight);
# 6. restart the task worker after the web, so tasks queued by new code meet new code.
# Environment: GONGZHI_ENV (default /etc/gongzhi/env), BACKUP_DIR (default /srv/backups),
# WEB_SERVICE (default gongzhi), WORKER_SERVICE (default gongzhi-tasks), GUNICORN_PID (a pid file
# instead of systemd, e.g. for scripts/rehearse.sh), DEPENDENCIES=skip (the release's packages
# were installed by other means, e.g. from an offline wheel folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=""
[ "${1:-}" = "--ref" ] && ref="${2:?--ref needs a tag or branch}"
env_file="${GONGZHI_ENV:-/etc/gongzhi/env}"
if [ -f "$env_file" ]; then set -a; . "$env_file"; set +a; fi
py=.venv/bin/python
step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

step "backup"
$py manage.py backup --output "${BACKUP_DIR:-/srv/backups}" --keep "${BACKUP_KEEP:-14}"

if [ -n "$ref" ]; then
  step "code $ref"
  git fetch --tags --quiet
  git checkout --quiet "$ref"
fi

if [ "${DEPENDENCIES:-}" != skip ]; then
  step "dependencies"
  .venv/bin/pip install --quiet -e '.[prod]'
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
fi

step "migrate (the old code still serves)"
$py manage.py migrate --noinput

step "static files and translations"
$py manage.py collectstatic --noinput -v0
(cd gongzhi && ../$py ../manage.py compilemessages -l zh_Hans -v0)
$py manage.py check --deploy --fail-level ERROR

step "reload the web (HUP: no request dropped)"
if [ -n "${GUNICORN_PID:-}" ]; then
  kill -HUP "$(cat "$GUNICORN_PID")"
else
  systemctl reload "${WEB_SERVICE:-gongzhi}"
fi

step "restart the task worker"
if [ -z "${GUNICORN_PID:-}" ]; then systemctl restart "${WORKER_SERVICE:-gongzhi-tasks}"; fi

step "done"
