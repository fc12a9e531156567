#!/usr/bin/env bash
# Debian packages the test suite needs: a PostgreSQL server, Chromium for the browser
# tests and npm for axe-core. Installed only when missing.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)  # installs axe-core for the a11y checks
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)  # the PDF's pages as images
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package starts a cluster of its own; the tests start their own server.
if command -v pg_lsclusters >/dev/null 2>&1; then
  $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
fi
