#!/usr/bin/env bash
# Debian packages the test suite needs: a PostgreSQL server, Chromium for the browser
# tests, npm for axe-core, gettext (msgfmt --check on the catalogs) and CJK fonts (the
# zh_CN pages in Chromium). Installed only when missing.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)  # installs axe-core for the a11y checks
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)  # the PDF's pages as images
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)  # msgfmt --check on each .po (I1)
# The CJK font the zh_CN layout checks need comes with install-run-deps.sh, run first.
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "${missing[@]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# The Debian package starts a cluster of its own; the tests start their own server.
if command -v pg_lsclusters >/dev/null 2>&1; then
  $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
fi
