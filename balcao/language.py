"""Language switching that works from any page, prefixed or not.

Django's ``set_language`` translates the ``next`` URL by resolving it in the
request's language; with ``i18n_patterns`` (``/en/…``, ``/pt-pt/…``) that language
is the one of the page being left, so activate it first.
"""

from __future__ import annotations

from django.utils import translation
from django.views.i18n import set_language


def switch_language(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    current = translation.get_language_from_path(next_url.split("?")[0])
    if current:
        with translation.override(current):
            return set_language(request)
    return set_language(request)
