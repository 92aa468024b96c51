"""Admins record who is a classifying authority (INPI Portaria art. 46); the TCIs themselves
are written only through the console (ombudsman.services.do_classify) and read-only here."""

from django.contrib import admin

from balcao.admin_mixins import ReadOnlyAdminMixin
from balcao.ombudsman.models import ClassificationAuthority, ClassifiedInformation


@admin.register(ClassificationAuthority)
class ClassificationAuthorityAdmin(admin.ModelAdmin):
    list_display = ("user", "president", "level")
    raw_id_fields = ("user",)


@admin.register(ClassifiedInformation)
class ClassifiedInformationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("nup", "degree", "classified_on", "years", "declassified_on")
    exclude = ("reasons",)  # kept at the information's degree (Decreto 7.724 art. 31 § 2º)
