"""Admin building blocks shared by Balcão's apps."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """For records only the application writes (audit trails, change logs): admins list and
    open them, nobody adds, changes or deletes them through the admin, because a trail that
    can be edited proves nothing (for personal data, LGPD art. 37 asks for a record of every
    processing).

    Put it before ``admin.ModelAdmin``: ``class XAdmin(ReadOnlyAdminMixin, admin.ModelAdmin)``.
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
