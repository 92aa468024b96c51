"""The admin site Balcão runs: django-otp's, so the admin demands a verified second factor.

Django builds ``django.contrib.admin.site`` (the site every ``admin.register`` fills) from
the ``default_site`` of the admin's AppConfig, here ``balcao.apps.BalcaoAdminConfig``
(Django's "Overriding the default admin site"). Signing in is the staff login's:
``/admin/login/`` forwards there (balcao/urls.py).
"""

from __future__ import annotations

from django_otp.admin import OTPAdminSite


class BalcaoAdminSite(OTPAdminSite):
    """django-otp's site (a user without a verified device is treated as not staff),
    named ``admin`` like Django's default site so that the ``admin:…`` URL names keep
    working (OTPAdminSite would name itself ``otpadmin``)."""

    def __init__(self, name: str = "admin"):
        super().__init__(name)
