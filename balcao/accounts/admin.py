"""Staff, roles and their change log in the admin: read-only, pointing to the console.

Staff, roles and teams are managed on the console's "Equipe" pages
(``/console/equipe/``), where each change is checked (``staff.manage``) and recorded
as a ``StaffChange``; the admin only shows them, so nothing changes unaudited.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from balcao.accounts.models import StaffChange, User


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these through the admin. (The same rule as
    ``balcao.admin_mixins.ReadOnlyAdminMixin``, which sits above accounts in the layers.)"""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _console_link(url: str):
    return format_html('<a href="{}">{}</a>', url, _("Gerenciar no console"))


@admin.register(User)
class UserAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: create and change staff on the console (audited)."""

    list_display = ("username", "full_name", "email", "roles", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "display_name", "email")
    fields = (
        "username",
        "first_name",
        "last_name",
        "display_name",
        "email",
        "roles",
        "is_active",
        "last_login",
        "date_joined",
        "console",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("nome"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.display_name

    @admin.display(description=_("papéis"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))

    @admin.display(description=_("console"))
    def console(self, obj: User):
        return _console_link(reverse("console:staff_detail", args=[obj.pk]))


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdminMixin, GroupAdmin):
    """Roles (groups) are fixed by ``accounts.roles``; who holds them changes on the
    console, never here."""

    list_display = ("name", "members", "console")

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(member_count=Count("user"))

    @admin.display(description=_("membros"))
    def members(self, obj) -> int:
        return obj.member_count

    @admin.display(description=_("console"))
    def console(self, obj):
        return _console_link(reverse("console:staff_list"))


@admin.register(StaffChange)
class StaffChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the history of who changed which member of staff."""

    list_display = ("at", "actor", "user", "action", "detail")
    list_filter = ("action",)
