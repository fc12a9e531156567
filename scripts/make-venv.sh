#!/usr/bin/env bash
# Create the virtual environment; on a bare Debian, python3 -m venv needs python3-venv.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  echo "python3 -m venv failed; installing Debian's python3-venv" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
