#!/usr/bin/env bash
# Ensures the OS packages the platform and its tests need are installed:
# Postgres and Redis servers, poppler-utils (pdftotext) for the PDF tests, and
# the Noto fonts the PDF service falls back to for scripts DejaVu lacks, and
# Debian's chromium for the web app's end-to-end tests (playwright-core drives
# /usr/bin/chromium; no browser is ever downloaded).
# As root they are installed with apt-get; otherwise the exact command is printed.
# Usage: ensure-deps.sh [extra-debian-package:binary ...]
set -euo pipefail

missing=()
have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1; }
have_postgres || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# The PDF service's fallback fonts for Arabic, Hebrew, Indic, Thai, Georgian, Armenian and CJK.
[ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pair in "$@"; do
  pkg="${pair%%:*}"; bin="${pair##*:}"
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages start system-wide services; the platform runs its own.
  for svc in postgresql redis-server nginx; do
    (service "$svc" stop >/dev/null 2>&1 || true)
  done
else
  echo "missing OS packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
