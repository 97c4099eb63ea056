#!/usr/bin/env bash
# Installs the Debian packages the test suite and screenshots need:
# Chromium for the Playwright browser tests, CJK fonts so Chinese renders in
# screenshots, gettext for makemessages/compilemessages, Redis for the cache tests.
# Safe to run repeatedly; does nothing when everything is present.
# `--rehearsal` also installs nginx for scripts/rehearse.sh (two app servers behind nginx).
set -euo pipefail
need=()
if [ "${1:-}" = "--rehearsal" ]; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
fi
[ -x /usr/bin/chromium ] || need+=(chromium)
# (grep without -q: under pipefail, -q can stop reading early and fail the pipe with 141)
fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
command -v msgfmt >/dev/null || need+=(gettext)
# WeasyPrint (the yearly report PDFs, gongzhi/evaluation/reports_pdf.py): Pango and HarfBuzz.
dpkg -s libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
# Redis: the production cache and broker; tests/core/test_operations.py uses a real one.
command -v redis-server >/dev/null || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${need[*]} (run this script as root: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
echo "installed: ${need[*]}"
