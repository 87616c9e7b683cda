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

echo "installing test dependencies: ${need[*]}" >&2
exec "$(dirname "$0")/apt-install.sh" "${need[@]}"
