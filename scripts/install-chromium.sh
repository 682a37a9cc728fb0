#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (needs root and the Debian archive); a no-op when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-chromium: /usr/bin/chromium is missing; run as root (or: sudo apt-get install chromium)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
