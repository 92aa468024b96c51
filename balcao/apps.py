"""Application configs of the project itself (not of one of its apps)."""

from django.contrib.admin.apps import AdminConfig


class BalcaoAdminConfig(AdminConfig):
    """``django.contrib.admin`` with Balcão's two-factor site as ``admin.site``. Listed in
    ``INSTALLED_APPS`` in its place; the site is named by path because its module imports
    models, which cannot be imported while the app registry loads."""

    default_site = "balcao.admin_site.BalcaoAdminSite"
