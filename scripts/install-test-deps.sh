#!/usr/bin/env bash
# Installs the system packages the tests need (SIPp as a real SIP peer, sipsak, headless chromium for page tests, stunnel4 as
# SIPp's TLS tunnel, openssl for test certificates, promtool from prometheus to lint /metrics and the alert rules,
# redis-server for the state several core nodes share) from Debian when they are missing.
set -euo pipefail

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v sipsak >/dev/null 2>&1 || need+=(sipsak)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v stunnel >/dev/null 2>&1 || need+=(stunnel4)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing test dependencies: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Packages only for their tools: keep their services (the prometheus server on :9090, redis on :6379) from starting at install
# (invoke-rc.d(8) asks /usr/sbin/policy-rc.d; 101 = action forbidden). An existing policy is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && own_policy=1
fi
status=0
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || status=$?
[ -n "$own_policy" ] && $SUDO rm -f "$policy"
exit "$status"
