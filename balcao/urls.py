from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from balcao.accounts.views import admin_login_view
from balcao.api.urls import api
from balcao.apikit.errors import not_found_view
from balcao.language import switch_language

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found_view),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("health", include("balcao.portal.health_urls")),
]
urlpatterns += i18n_patterns(
    path("conta/", include("balcao.accounts.urls")),
    path("console/", include("balcao.console.urls")),
    path("", include("balcao.bot.urls")),
    # The admin signs in through the staff login (same delays, one generic answer).
    path("admin/login/", admin_login_view, name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("balcao.ombudsman.urls")),
    path("", include("balcao.portal.urls")),
    prefix_default_language=False,
)

# With debug off: error pages in the portal's layout and the visitor's language.
handler404 = "balcao.errors_views.page_not_found"
handler500 = "balcao.errors_views.server_error"
