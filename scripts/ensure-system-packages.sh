#!/usr/bin/env bash
# The tests need Debian's chromium (browser tests), gettext (translation checks) and
# yaz (yaz-client, the third-party SRU client of tests/protocols), and libmagic (python-magic
# detects the type of files deposited in the repository; needed at run time too); install
# whichever is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
command -v yaz-client >/dev/null 2>&1 || missing+=(yaz)
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages for the tests: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing ${missing[*]} and this user cannot install them: run 'apt-get install ${missing[*]}' as root." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null && command -v xgettext >/dev/null && command -v yaz-client >/dev/null
