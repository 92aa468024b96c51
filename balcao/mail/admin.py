"""Admins set up the mailboxes whose mail opens cases; what came in is read-only here (the
record that nothing was lost or taken twice)."""

from django.contrib import admin

from balcao.admin_mixins import ReadOnlyAdminMixin
from balcao.mail.models import InboundMail, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("address", "slug", "channel", "team", "active")


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "mailbox", "sender", "subject", "outcome", "case")
    list_filter = ("outcome", "mailbox")
    search_fields = ("message_id", "subject")
