#!/usr/bin/env bash
# `balcao serve` puts Debian's nginx in front of gunicorn and uvicorn when it is installed
# (balcao/ops/nginx.py: a child process with a throw-away configuration in a private folder;
# without it the Python front, balcao/ops/front.py, does the job, a little slower). Install
# it when it is missing and we may (root with apt-get); the system service is not needed and
# not started.
set -u
if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's nginx for the front of balcao serve…"
  # policy-rc.d answering 101: the package's postinst must not start the system service.
  policy=/usr/sbin/policy-rc.d
  created=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) \
    >/dev/null 2>&1 || echo "warning: could not install nginx; balcao serve uses its Python front"
  [ -n "$created" ] && rm -f "$policy"
else
  echo "warning: nginx is not installed (apt-get install nginx); balcao serve uses its Python front"
fi
exit 0
