from django.contrib import admin

from balcao.audit.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is viewable by admins, never editable."""

    list_display = ("at", "user", "token_name", "requester", "kind", "where", "ip")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
