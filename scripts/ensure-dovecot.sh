#!/usr/bin/env bash
# The e-mail tests read a real IMAP server: Debian's dovecot, started by the test fixtures
# with a throw-away configuration (tests/mail/conftest.py). Install it when it is missing and
# we may (root with apt-get); the system service is not needed and not started.
set -u
if [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's dovecot-imapd for the e-mail tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd) \
    >/dev/null 2>&1 || echo "warning: could not install dovecot-imapd; IMAP tests will be skipped"
else
  echo "warning: dovecot is not installed (apt-get install dovecot-imapd); IMAP tests will be skipped"
fi
exit 0
