"""The e-mail channel in the console: the quarantine of messages that could not be read
(issue 22: "visible to supervisors, never silently dropped"), each with its reason, its
original to download and a way to read it again; the advertising filed apart, with "Não é
publicidade" to open its case, and "É publicidade" on a case an e-mail opened."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.cases import services as case_services
from balcao.console.decorators import staff_view
from balcao.errors import Refused
from balcao.mail import services
from balcao.mail.models import InboundMail


@staff_view("queues.manage")
def quarantine(request):
    return render(
        request,
        "console/mail_quarantine.html",
        {"rows": list(services.quarantined().order_by("-received_at", "-pk")[:200])},
    )


def _original(rows, pk: int) -> FileResponse:
    """The ``.eml`` of the message ``pk`` among ``rows``, as it came from the server."""
    row = get_object_or_404(rows, pk=pk)
    return FileResponse(
        row.raw.open("rb"),
        as_attachment=True,
        filename=f"mensagem-{row.pk}.eml",
        content_type="message/rfc822",
    )


@staff_view("queues.manage")
def quarantine_download(request, pk: int):
    return _original(services.quarantined(), pk)


@require_POST
@staff_view("queues.manage")
def quarantine_reprocess(request, pk: int):
    row = get_object_or_404(InboundMail, pk=pk, outcome=InboundMail.Outcome.QUARANTINE)
    result = services.reprocess(row)
    if result.outcome == InboundMail.Outcome.QUARANTINE:
        messages.error(
            request, _("A mensagem continua ilegível: %(reason)s") % {"reason": result.reason}
        )
    else:
        messages.success(
            request, _("Mensagem lida: %(outcome)s.") % {"outcome": result.get_outcome_display()}
        )
    return redirect("console:mail_quarantine")


# --- advertising filed apart (supervisors, like the quarantine) ----------------------------


@staff_view("queues.manage")
def advertising(request):
    return render(
        request,
        "console/mail_advertising.html",
        {"rows": list(services.filed_advertising().order_by("-received_at", "-pk")[:200])},
    )


@staff_view("queues.manage")
def advertising_download(request, pk: int):
    return _original(services.filed_advertising(), pk)


@require_POST
@staff_view("queues.manage")
def advertising_not(request, pk: int):
    row = get_object_or_404(services.filed_advertising(), pk=pk)
    try:
        row = services.do_mark_inbound(row, InboundMail.Mark.NOT_ADVERTISING, actor=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Não é publicidade: aberto o atendimento %(protocol)s.")
            % {"protocol": row.case.protocol},
        )
    return redirect("console:mail_advertising")


@require_POST
@staff_view("cases.change_state")
def case_advertising(request, pk: int):
    """ "É publicidade" on the page of a case an e-mail opened."""
    case = get_object_or_404(case_services.visible_cases(request.user), pk=pk)
    row = services.case_opening_mail(case)
    if row is None:
        messages.error(request, _("Este atendimento não foi aberto por um e-mail."))
        return redirect("console:case_detail", pk=case.pk)
    try:
        services.do_mark_inbound(row, InboundMail.Mark.ADVERTISING, actor=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Atendimento encerrado como publicidade, sem resposta ao remetente."),
        )
    return redirect("console:case_detail", pk=case.pk)


# --- the mailboxes (managers and admins, like the channels they feed) ----------------------


@staff_view("catalog.edit")
def mailbox_list(request):
    from balcao.mail.models import Mailbox

    return render(
        request,
        "console/mailbox_list.html",
        {"mailboxes": list(Mailbox.objects.select_related("channel", "team").order_by("slug"))},
    )


@staff_view("catalog.edit")
def mailbox_edit(request, pk: int | None = None):
    from balcao.console import forms
    from balcao.mail.models import Mailbox

    mailbox = get_object_or_404(Mailbox, pk=pk) if pk else None
    form = forms.MailboxForm(request.POST or None, instance=mailbox)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = services.do_save_mailbox(form, secret=form.cleaned_data["secret"])
            messages.success(request, _("Caixa de e-mail salva."))
            return redirect("console:mailbox_edit", pk=saved.pk)
        status = 400
    return render(
        request,
        "console/mailbox_edit.html",
        {"form": form, "mailbox": mailbox, "has_secret": bool(mailbox and mailbox.imap_secret)},
        status=status,
    )


@require_POST
@staff_view("catalog.edit")
def mailbox_test(request, pk: int):
    from balcao.mail.models import Mailbox

    mailbox = get_object_or_404(Mailbox, pk=pk)
    problem = services.connection_problem(mailbox)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Conexão com a caixa de e-mail funcionando."))
    return redirect("console:mailbox_edit", pk=mailbox.pk)
