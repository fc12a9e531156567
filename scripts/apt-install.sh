#!/usr/bin/env bash
# Install the Debian packages named as arguments (none: nothing to do), as root or by sudo.
set -euo pipefail
[ $# -eq 0 ] && exit 0
echo "Installing Debian packages: $*"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@"
