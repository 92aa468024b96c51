"""Django side of the deadline engine: agency calendars and custom policies.

The arithmetic lives in the pure modules (calendar.py, policies.py); these models store
what an agency configures. What happens to each case's clock (pauses, extensions,
alerts) belongs to the case core: ``cases.models`` and ``cases.clock``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Calendar(models.Model):
    """An agency's business calendar: national holidays from the ``holidays`` library
    (per country and subdivision), its own closures and optional days, opening hours."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    country = models.CharField(_("país"), max_length=2, default="BR")
    subdivision = models.CharField(_("estado/distrito"), max_length=10, blank=True)
    time_zone = models.CharField(_("fuso horário"), max_length=64, blank=True)
    close_on_optional_days = models.BooleanField(_("fecha nos pontos facultativos"), default=False)
    opening_hours = models.JSONField(
        _("horário de funcionamento"),
        default=dict,
        blank=True,
        help_text=_('Por dia da semana (0 = segunda): {"0": ["09:00-12:30", "14:00-17:00"]}.'),
    )
    is_default = models.BooleanField(
        _("padrão do país"),
        default=False,
        help_text=_("Usado pelas políticas de prazo deste país."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendário")
        verbose_name_plural = _("calendários")
        constraints = [
            models.UniqueConstraint(
                fields=["country"],
                condition=models.Q(is_default=True),
                name="one_default_calendar_per_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from balcao.deadlines.services import build_calendar

        try:
            build_calendar(self, days=())
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class CalendarDay(models.Model):
    """A date the agency sets apart: a closure, an optional day (ponto facultativo) or an
    extra working day (e.g. a Saturday task force)."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", _("Fechamento do órgão")
        OPTIONAL = "optional", _("Ponto facultativo")
        EXTRA_WORKING = "extra_working", _("Dia útil extra")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("data"))
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("descrição"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("dia especial")
        verbose_name_plural = _("dias especiais")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarChange(models.Model):
    """Audit trail of calendar edits (who added or removed which day, from where)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=20)
    date = models.DateField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]


class CustomPolicy(models.Model):
    """An admin-defined policy of one of the engine's kinds (stored as the pure
    ``Policy.from_dict`` input). Built-in names cannot be redefined."""

    name = models.SlugField(unique=True)
    definition = models.JSONField(_("definição"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("política de prazo")
        verbose_name_plural = _("políticas de prazo")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from balcao.deadlines.policies import BUILTIN_POLICIES, Policy, PolicyError

        if self.name in BUILTIN_POLICIES:
            raise ValidationError({"name": _("Este nome é de uma política embutida.")})
        try:
            Policy.from_dict({**(self.definition or {}), "name": self.name})
        except (PolicyError, ValueError, TypeError) as exc:
            raise ValidationError({"definition": str(exc)}) from exc
