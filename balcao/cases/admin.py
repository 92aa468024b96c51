from django.contrib import admin

from balcao.cases.models import State, Team, TeamMembership, Transition, Workflow


class StateInline(admin.TabularInline):
    model = State
    extra = 0


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    fk_name = "workflow"


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    """Admins configure states and allowed transitions per channel type."""

    inlines = [StateInline, TransitionInline]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "strategy")
    inlines = [MembershipInline]
