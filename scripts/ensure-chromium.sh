#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright (`playwright install` cannot
# download here). Install it when it is missing and we may (root with apt-get).
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >/dev/null 2>&1 || echo "warning: could not install chromium; browser tests will be skipped"
else
  echo "warning: chromium is not installed (apt-get install chromium); browser tests will be skipped"
fi
exit 0
