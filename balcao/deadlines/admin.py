"""Admins edit calendars and policies; every change of a special day is audited."""

from django.contrib import admin

from balcao.admin_mixins import ReadOnlyAdminMixin
from balcao.deadlines.models import Calendar, CalendarChange, CalendarDay, CustomPolicy


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "country", "subdivision", "is_default")
    inlines = [CalendarDayInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            CalendarChange.objects.create(
                calendar=form.instance,
                user=request.user,
                action="remove",
                date=obj.date,
                detail="admin",
            )
            obj.delete()
        for obj in instances:
            obj.save()
            CalendarChange.objects.create(
                calendar=form.instance,
                user=request.user,
                action="set",
                date=obj.date,
                detail=f"{obj.kind}: {obj.description} (admin)"[:300],
            )
        formset.save_m2m()
        Calendar.objects.filter(pk=form.instance.pk).update(updated_at=form.instance.updated_at)
        form.instance.save()  # bumps updated_at: cached calendars are rebuilt


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the history of a calendar's special days is written by the admin above."""

    list_display = ("at", "calendar", "user", "action", "date", "detail")


@admin.register(CustomPolicy)
class CustomPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "updated_at")
