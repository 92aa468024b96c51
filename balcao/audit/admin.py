from django.contrib import admin

from balcao.admin_mixins import ReadOnlyAdminMixin
from balcao.audit.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audit trail is viewable by admins, never editable."""

    list_display = ("at", "user", "token_name", "requester", "kind", "where", "ip")
    list_filter = ("kind",)
