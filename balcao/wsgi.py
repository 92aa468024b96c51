"""WSGI entry point (plain HTTP only; use ASGI for websockets)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
application = get_wsgi_application()
