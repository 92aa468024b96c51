"""WSGI entry point (plain HTTP only; use ASGI for websockets)."""

import os

from django.core.wsgi import get_wsgi_application

from balcao import localstate  # noqa: E402
from balcao.ops.warm import FreezeWhenWarm

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
localstate.prepare()  # var/ on a fresh machine
application = FreezeWhenWarm(get_wsgi_application())  # balcao.ops.warm
