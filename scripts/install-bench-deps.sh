#!/usr/bin/env bash
# Installs what `npm run bench -- calls` compares against: Kamailio from Debian (its system service kept from starting
# on 5060; the bench starts its own on a free port and stops it by PID).
set -euo pipefail

command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ] && exit 0
echo "installing the bench's reference peer: kamailio" >&2
exec "$(dirname "$0")/apt-install.sh" kamailio
