#!/usr/bin/env bash
# Installs the system packages the tests need (SIPp as a real SIP peer, sipsak, headless chromium for page tests, stunnel4 as SIPp's TLS tunnel, openssl for test certificates) from Debian when they are missing.
set -euo pipefail

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v sipsak >/dev/null 2>&1 || need+=(sipsak)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v stunnel >/dev/null 2>&1 || need+=(stunnel4)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing test dependencies: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
