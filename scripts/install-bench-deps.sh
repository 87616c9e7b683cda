#!/usr/bin/env bash
# Installs what `npm run bench -- calls` compares against: Kamailio from Debian (its system service kept from starting
# on 5060; the bench starts its own on a free port and stops it by PID).
set -euo pipefail

command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing the bench's reference peer: kamailio" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# invoke-rc.d(8) asks /usr/sbin/policy-rc.d; 101 = action forbidden. An existing policy is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && own_policy=1
fi
status=0
$SUDO apt-get install -y -qq --no-install-recommends kamailio >/dev/null || status=$?
[ -n "$own_policy" ] && $SUDO rm -f "$policy"
exit "$status"
