#!/usr/bin/env bash
# Installs the Debian packages given as arguments without starting their services (the install scripts' one way to apt).
set -euo pipefail

[ $# -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Packages only for their tools: keep their services (kamailio on 5060, the prometheus server on :9090, redis on
# :6379) from starting at install (invoke-rc.d(8) asks /usr/sbin/policy-rc.d; 101 = action forbidden). An existing
# policy is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && own_policy=1
fi
status=0
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
[ -n "$own_policy" ] && $SUDO rm -f "$policy"
exit "$status"
