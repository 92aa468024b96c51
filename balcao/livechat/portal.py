"""The person's side of the live chat on the portal (issue 24; seed 004, IPM Atende.Net
figs. 02–13): which channel the portal's chat uses, who the person of a proven e-mail is,
and "Meus Dados" — their data, edited only after proving control of the e-mail, and a new
e-mail saved only once the new address is proven too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from balcao.cases import followup
from balcao.cases.models import Requester
from balcao.cases.services import check_requester_documents
from balcao.cases.text import clean_line
from balcao.catalog.models import Channel
from balcao.errors import Refused
from balcao.livechat.models import ChatSession

EMAIL_CHANGE_SALT = "balcao.livechat.email-change"
EMAIL_CHANGE_MAX_AGE = followup.PROOF_MAX_AGE


class ContactRefused(Refused):
    """A change to "Meus Dados" refused; ``field`` names the field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def chat_channel() -> Channel | None:
    """The channel the portal's chat opens cases on: active, of kind "chat", on the chat
    workflow (seed 004's states) and answered by people, not by the bot."""
    return (
        Channel.objects.filter(active=True, kind="chat", workflow__slug="chat", automated=False)
        .order_by("order", "pk")
        .first()
    )


def person_of_email(address: str) -> Requester:
    """The record of the person who proved control of ``address``: the verified requester
    with that e-mail (the oldest, should there be several), else a new verified record named
    as in their latest contact — the proof of the e-mail is what identifies them (the
    security issue's rule: a CPF alone never does)."""
    address = (address or "").strip().lower()
    person = Requester.objects.filter(email=address, unverified=False).order_by("pk").first()
    if person is not None:
        return person
    contact = Requester.objects.filter(email=address).order_by("-pk").first()
    return Requester.objects.create(
        name=clean_line(contact.name if contact else address.split("@")[0], 200),
        email=address,
    )


def session_of(address: str, token: str) -> ChatSession | None:
    """The conversation with ``token`` when it belongs to the proven ``address`` (nobody
    reads a conversation that is not theirs), else None."""
    address = (address or "").strip().lower()
    if not address:
        return None
    chat = (
        ChatSession.objects.select_related("requester", "case__state", "channel", "agent")
        .filter(token=token)
        .first()
    )
    if chat is None or (chat.requester.email or "").strip().lower() != address:
        return None
    return chat


def sessions_of_email(address: str):
    """The chat conversations of the cases of a proven e-mail, by case."""
    return ChatSession.objects.filter(requester__email=address)


def document_fields(typed: str) -> dict[str, str | None]:
    """A typed CPF (11 digits) or CNPJ, validated and normalised (ValidationError)."""
    typed = (typed or "").strip()
    if not typed:
        return {"cpf": None, "cnpj": None}
    digits = "".join(ch for ch in typed if ch.isalnum())
    if len(digits) == 11 and digits.isdigit():
        return {"cpf": check_requester_documents(cpf=typed)["cpf"], "cnpj": None}
    return {"cpf": None, "cnpj": check_requester_documents(cnpj=typed)["cnpj"]}


@transaction.atomic
def do_update_contact(person: Requester, *, name: str, document: str, phone: str) -> Requester:
    """ "Meus Dados" (seed 004, fig. 02: "Caso seu cadastro de pessoa não possuir pelo menos
    um endereço de e-mail e um telefone de contato informados [...] acesse 'Meus Dados'"):
    name, CPF/CNPJ and phone of the person who proved their e-mail. A document already on
    another record is refused without saying whose it is."""
    name = clean_line(name or "", 200).strip()
    if not name:
        raise ContactRefused(_("Informe o seu nome."), "name")
    try:
        docs = document_fields(document)
    except ValidationError as exc:
        raise ContactRefused(_("CPF ou CNPJ inválido: confira os números."), "document") from exc
    for field, value in docs.items():
        if value and Requester.objects.filter(**{field: value}).exclude(pk=person.pk).exists():
            raise ContactRefused(
                _("Este CPF/CNPJ não pode ser usado neste cadastro. Fale com o atendimento."),
                "document",
            )
    person.name = name
    person.phone = clean_line(phone or "", 32).strip()
    person.cpf, person.cnpj = docs["cpf"], docs["cnpj"]
    person.save(update_fields=["name", "phone", "cpf", "cnpj"])
    return person


def do_request_email_change(person: Requester, new_email: str, *, ip: str, link_base: str):
    """A new e-mail is not saved until its owner proves it: a one-time link (30 minutes) goes
    to the new address, as the follow-up's e-mail proof does (limited per address and per
    client, with its counters)."""
    new_email = (new_email or "").strip().lower()
    if followup._over("ip", ip, followup.FAILURES_PER_ADDRESS) or followup._over(
        "proof", new_email, followup.PROOFS_PER_ADDRESS
    ):
        raise ContactRefused(_("Muitas tentativas. Aguarde alguns minutos e tente de novo."))
    followup._count("ip", ip, followup.FAILURES_PER_ADDRESS)
    followup._count("proof", new_email, followup.PROOFS_PER_ADDRESS)
    token = followup.one_time_token(
        {"person": person.pk, "email": new_email}, salt=EMAIL_CHANGE_SALT
    )
    link = f"{link_base}{token}/"
    body = "\n".join(
        [
            _("Para confirmar este endereço como o seu e-mail de contato, abra o link abaixo."),
            _("Ele vale por 30 minutos e uma única vez."),
            "",
            link,
            "",
            _("Se não foi você quem pediu, ignore esta mensagem."),
            "",
            "-- ",
            settings.BALCAO_AGENCY_NAME,
        ]
    )
    subject = _("Confirme o seu novo e-mail")
    transaction.on_commit(
        lambda: send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [new_email], fail_silently=True
        )
    )


@transaction.atomic
def do_confirm_email_change(token: str) -> Requester:
    """The new e-mail, proven by its link, becomes the person's (once; an old, forged or
    reused link is refused). Returns the person."""
    refused = ContactRefused(
        _("Este link não vale mais (ele vale por 30 minutos e uma única vez). Peça outro.")
    )
    data = followup.open_one_time_token(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    if data is None:
        raise refused
    person = Requester.objects.select_for_update().filter(pk=data.get("person")).first()
    if person is None:
        raise refused
    person.email = data["email"]
    person.save(update_fields=["email"])
    return person
