"""The e-mail channel's part of the contact centre's reports (seed 003, 13.1 "Tratamento de
mensagens de correio eletrónico" a')–e', 12.2 ii, 13.2 e), given to
``balcao.telephony.services`` when the app is ready (``MailConfig.ready``): the contact
centre's reports read it there, so telephony, which sits below mail, never imports it."""

from __future__ import annotations

from datetime import date

#: Seed 003, item 13.1, "Tratamento de mensagens de correio eletrónico" (a'–e').
LABELS = {
    "a'": "Número de mensagens de correio eletrónico recebidas e respondidas diariamente",
    "b'": "Número de mensagens de correio eletrónico recebidas dentro do horário definido",
    "c'": "Número de mensagens de correio eletrónico recebidas fora do horário definido",
    "d'": "Identificação da temática das mensagens de correio eletrónico rececionadas",
    "e'": "Número de mensagens de correio eletrónico reencaminhadas, pelo seu teor, às unidades",
}


class MailFigures:
    """``balcao.telephony.services.EmailFigures`` from the e-mail report
    (``balcao.mail.reports``, which holds every reading)."""

    def active(self) -> bool:
        from balcao.mail.models import Mailbox

        return Mailbox.objects.exists()

    def indicators(self, start: date, end: date) -> dict:
        """a') per local day ``{"YYYY-MM-DD": {"received": n, "answered": m}}``, b')/c')
        counts, d') messages by theme, e') the messages whose case was forwarded to a unit."""
        from balcao.mail import reports

        data = reports.report(start, end)
        per_day = {
            day: {"received": count, "answered": data["a_answered_per_day"][day]}
            for day, count in data["a_received_per_day"].items()
        }
        values = {
            "a'": per_day,
            "b'": data["b_inside_hours"],
            "c'": data["c_outside_hours"],
            "d'": data["d_by_theme"],
            "e'": data["e_forwarded"]["messages"],
        }
        return {key: {"label": LABELS[key], "value": values[key]} for key in LABELS}

    def deadline(self, start: date, end: date) -> dict:
        from balcao.mail import reports

        return reports.report(start, end)["deadline"]

    def channel_ids(self):
        from balcao.mail.models import Mailbox

        return Mailbox.objects.values("channel_id")

    def default_channel(self):
        from balcao.mail.models import Mailbox

        mailbox = (
            Mailbox.objects.filter(active=True).select_related("channel").order_by("pk").first()
        )
        return mailbox.channel if mailbox is not None else None
