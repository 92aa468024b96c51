"""Advertising filed apart (issue 22: "a classifier that learns from agents' 'this is
advertising' / 'not advertising' marks …, plus header rules (List-Unsubscribe, bulk senders),
optional SpamAssassin (spamc) when installed; advertising is filed apart, does not start the
48-hour clock"): the pure filter (balcao.mail.advertising), the ingest, the marks and the
console pages."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import timezone

from balcao.accounts.permissions import PermissionDenied
from balcao.cases import clock
from balcao.cases.models import Case, Message, OutboundMail, Requester, State
from balcao.errors import Refused
from balcao.mail import advertising
from balcao.mail.models import AdvertisingFilter, InboundMail, Mailbox
from balcao.mail.parsing import parse_bytes
from balcao.mail.services import do_mark_inbound, ingest
from tests.conftest import shared_data

AD_MARK, NOT_AD = InboundMail.Mark.ADVERTISING, InboundMail.Mark.NOT_ADVERTISING

OFFERS = [
    ("Promoção imperdível: 50% de desconto", "Aproveite a oferta exclusiva, compre já."),
    ("Só hoje: frete grátis", "Oferta relâmpago com desconto em toda a loja. Compre agora."),
    ("Black Friday antecipada", "Descontos exclusivos, oferta limitada. Aproveite!"),
    ("Cupom de desconto para você", "Use o cupom e ganhe desconto na sua compra. Oferta."),
    ("Última chance: oferta acaba hoje", "Promoção com preços imperdíveis, compre já."),
]
REQUESTS = [
    ("Dúvida sobre GRU", "Paguei a GRU do pedido de registro de marca e não foi compensada."),
    ("Pedido de patente", "Gostaria de saber o andamento do meu pedido de patente."),
    ("Certidão de marca", "Preciso de uma certidão do registro da minha marca, como faço?"),
    ("Prazo de recurso", "Qual o prazo para recorrer do indeferimento do meu pedido?"),
    ("Alteração de endereço", "Quero atualizar o endereço do titular no processo de marca."),
]


def raw_mail(subject="Dúvida sobre GRU", body="Paguei a GRU e nada.", *,
             sender="maria@example.org", msgid="<m1@example.org>", **headers) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = f"Remetente <{sender}>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = subject
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def judge(raw: bytes, state=None, **kwargs) -> advertising.Verdict:
    parsed = parse_bytes(raw)
    return advertising.verdict(
        raw,
        sender=parsed.from_addr or "",
        subject=parsed.subject,
        text=parsed.text,
        state=state,
        use_spamc=kwargs.pop("use_spamc", False),
        **kwargs,
    )


def sample(raw: bytes) -> advertising.Sample:
    parsed = parse_bytes(raw)
    return advertising.read(
        raw, sender=parsed.from_addr or "", subject=parsed.subject, text=parsed.text
    )


def trained_state() -> dict:
    state = advertising.empty_state()
    for n, (subject, body) in enumerate(OFFERS):
        state = advertising.learn(state, sample(raw_mail(subject, body, sender=f"loja{n}@x.com")),
                                  advertising.AD)  # fmt: skip
    for n, (subject, body) in enumerate(REQUESTS):
        state = advertising.learn(state, sample(raw_mail(subject, body, sender=f"p{n}@y.org")),
                                  advertising.HAM)  # fmt: skip
    return state


# --- the pure filter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"List_Unsubscribe": "<mailto:sair@loja.example>"}, "List-Unsubscribe"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"X_Campaign": "mailchimp3f2.199bb"}, "X-Campaign"),
        ({"X_MC_User": "3f21937f0f636c8cec1db30bf"}, "X-MC-User"),
        ({"X_Mailer": "MailChimp Mailer - **CID199bb**"}, "X-Mailer: MailChimp Mailer"),
    ],
)
def test_header_rules_file_bulk_mail(headers, reason):
    verdict = judge(raw_mail("Novidades da semana", **headers))
    assert verdict.is_advertising and verdict.source == "rule" and verdict.score == 1.0
    assert verdict.reason.startswith(reason)


def test_a_discussion_list_post_is_not_filed_by_the_list_headers():
    """Mailman and ezmlm put List-Unsubscribe and Precedence: bulk on every person's post;
    a list people write to carries List-Post (RFC 2369)."""
    raw = raw_mail(
        "[Templates] ttree problems", "I get an error running ttree.",
        List_Post="<mailto:templates@example.org>", List_Unsubscribe="<mailto:u@example.org>",
        List_Id="<templates.example.org>", Precedence="bulk",
    )  # fmt: skip
    assert judge(raw) == advertising.Verdict(False, None, "", "")


def test_a_sending_service_header_files_only_with_unsubscribe_text():
    """Feedback-ID and X-SES-* come with transactional mail too: alone they decide nothing."""
    plain = raw_mail("Seu pedido", "O seu boleto vence amanhã.", Feedback_ID="1:2:ses")
    assert not judge(plain).is_advertising
    offer = raw_mail("Ofertas", "Preços baixos. Para se descadastrar, clique aqui.",
                     X_SES_Outgoing="2026.01.01-1.2.3.4")  # fmt: skip
    verdict = judge(offer)
    assert verdict.is_advertising and verdict.reason == "X-SES-Outgoing + unsubscribe"
    # a person asking to leave a list writes the words but has no such header
    assert not judge(raw_mail("Boletim", "Quero me descadastrar do boletim.")).is_advertising


def test_the_public_set_newsletter_is_advertising_and_its_lists_are_not():
    folder = shared_data("mail")
    newsletter = (folder / "list-spamscope-newsletter-list-id.eml").read_bytes()
    assert judge(newsletter).is_advertising
    for name in (
        "list-mailmsg-debian-devel.eml",
        "list-mailmsg-ezmlm-perl5-porters.eml",
        "list-mailmsg-mailman-templates.eml",
        "list-mime4j-squeak-vm-dev.eml",
        "plain-flanker-text-only.eml",
        "pt-glpi-latin1-qp.eml",
        "reply-mikel-raw-email-reply.eml",
    ):
        assert not judge((folder / name).read_bytes()).is_advertising, name


def test_learning_from_marks_changes_the_verdict():
    offer = raw_mail("Oferta exclusiva: desconto só hoje", "Aproveite, compre já com desconto.",
                     sender="ofertas@outra-loja.example")  # fmt: skip
    request = raw_mail("Andamento do pedido de marca", "Gostaria de saber o andamento do pedido.",
                       sender="joana@example.org")  # fmt: skip
    untrained = judge(offer)
    assert not untrained.is_advertising and untrained.score is None  # nothing learnt yet
    state = trained_state()
    learnt = judge(offer, state)
    assert learnt.is_advertising and learnt.source == "bayes" and learnt.score >= 0.9
    assert "desconto" in learnt.reason or "oferta" in learnt.reason
    person = judge(request, state)
    assert not person.is_advertising and person.score < 0.5
    # the state is plain JSON (it lives in a JSONField)
    assert json.loads(json.dumps(state)) == state


def test_the_classifier_waits_for_enough_marks_of_each_kind():
    state = advertising.empty_state()
    for subject, body in OFFERS:
        state = advertising.learn(state, sample(raw_mail(subject, body)), advertising.AD)
    assert advertising.probability(sample(raw_mail(*OFFERS[0])), state) is None


def test_a_changed_mark_is_counted_once():
    one = sample(raw_mail(*OFFERS[0], sender="a@x.com"))
    direct = advertising.learn(trained_state(), one, advertising.HAM)
    changed = advertising.learn(trained_state(), one, advertising.AD)
    changed = advertising.learn(changed, one, advertising.HAM, forget=advertising.AD)
    assert changed == direct


def test_a_sender_marked_not_advertising_is_not_filed_by_a_rule():
    newsletter = raw_mail("Boletim do parceiro", "Notícias.", sender="boletim@parceiro.example",
                          List_Unsubscribe="<mailto:sair@parceiro.example>")  # fmt: skip
    assert judge(newsletter).is_advertising
    state = advertising.learn(None, sample(newsletter), advertising.HAM)
    verdict = judge(newsletter, state)
    assert not verdict.is_advertising and verdict.source == "sender"


def _fake_spamc(tmp_path, monkeypatch, script: str) -> None:
    spamc = tmp_path / "spamc"
    spamc.write_text("#!/bin/sh\n" + script + "\n")
    spamc.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")


def test_spamassassin_files_spam_when_spamc_is_installed(tmp_path, monkeypatch):
    _fake_spamc(tmp_path, monkeypatch, 'cat >/dev/null; echo "8.1/5.0"; exit 1')
    verdict = judge(raw_mail("Olá", "Texto qualquer."), use_spamc=True)
    assert verdict == advertising.Verdict(True, 1.0, "8.1/5", "spamassassin")
    assert not judge(raw_mail("Olá", "Texto qualquer."), use_spamc=False).is_advertising


def test_spamc_not_installed_failing_or_slow_decides_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no spamc here
    assert advertising.spamassassin(raw_mail()) is None
    _fake_spamc(tmp_path, monkeypatch, 'cat >/dev/null; echo "0/0"; exit 69')
    assert advertising.spamassassin(raw_mail()) is None
    _fake_spamc(tmp_path, monkeypatch, "exec sleep 5")
    assert advertising.spamassassin(raw_mail(), timeout=0.3) is None
    assert not judge(raw_mail(), use_spamc=True).is_advertising


# --- ingest ------------------------------------------------------------------------------------


@pytest.fixture
def mailbox(helpdesk_channel, settings):
    settings.BALCAO_MAIL_SPAMC = False
    return Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )


def _in(mailbox, raw: bytes, uid: int) -> InboundMail:
    return ingest(mailbox, raw, uidvalidity=1, uid=uid)


NEWSLETTER = {"List_Unsubscribe": "<https://loja.example/sair?u=1>"}


@pytest.mark.django_db
def test_an_advertisement_is_filed_apart_with_no_case_no_mail_and_no_clock(
    mailbox, django_capture_on_commit_callbacks
):
    raw = raw_mail("Promoção de verão", "Tudo com 30% de desconto.",
                   sender="ofertas@loja.example", msgid="<ad1@loja>", **NEWSLETTER)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        row = _in(mailbox, raw, 1)
    assert row.outcome == InboundMail.Outcome.ADVERTISING and row.case is None
    assert row.advertising_score == 1.0 and "List-Unsubscribe" in row.advertising_reason
    assert not row.acknowledged and row.raw.open("rb").read() == raw
    assert Case.objects.count() == 0 and OutboundMail.objects.count() == 0
    assert not Requester.objects.filter(email="ofertas@loja.example").exists()
    assert mail.outbox == []
    # the same message again (another folder): one record, still no case
    assert _in(mailbox, raw, 2).outcome == InboundMail.Outcome.DUPLICATE


@pytest.mark.django_db
def test_a_reply_to_a_case_is_never_filed_as_advertising(mailbox):
    case = _in(mailbox, raw_mail(), 1).case
    ours = OutboundMail.objects.filter(case=case).first()
    by_id = raw_mail("Re: Dúvida", "Segue o comprovante.", msgid="<r1@example.org>",
                     In_Reply_To=ours.message_id, **NEWSLETTER)  # fmt: skip
    by_protocol = raw_mail(f"[Protocolo {case.protocol}] oferta", "Desconto!", msgid="<r2@x>",
                           X_Campaign="c1", **NEWSLETTER)  # fmt: skip
    rows = [_in(mailbox, by_id, 2), _in(mailbox, by_protocol, 3)]
    assert [r.outcome for r in rows] == [InboundMail.Outcome.REPLY] * 2
    assert all(r.case == case for r in rows) and Case.objects.count() == 1


@pytest.mark.django_db
def test_an_out_of_office_is_not_judged_and_a_person_is_not_filed(mailbox):
    away = _in(mailbox, raw_mail("Resposta automática: ausente", "Estou de férias.",
                                 msgid="<oo@x>", Auto_Submitted="auto-replied",
                                 Precedence="bulk"), 1)  # fmt: skip
    person = _in(mailbox, raw_mail(msgid="<p@x>", sender="joana@example.org"), 2)
    assert away.outcome == person.outcome == InboundMail.Outcome.NEW_CASE
    assert away.advertising_score is None and person.advertising_reason == ""


@pytest.mark.django_db
def test_a_failing_filter_never_loses_the_message(mailbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(advertising, "verdict", broken)
    row = _in(mailbox, raw_mail(msgid="<f@x>", **NEWSLETTER), 1)
    assert row.outcome == InboundMail.Outcome.NEW_CASE and row.case is not None


# --- marks ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_advertising_opens_the_case_now_with_the_usual_acknowledgement(
    mailbox, staff, django_capture_on_commit_callbacks
):
    # a bulk mailer's header, but not a list: once it is a case, it is acknowledged
    raw = raw_mail("Convite: seminário de propriedade industrial", "Inscreva-se no seminário.",
                   sender="eventos@associacao.example", msgid="<conv@x>",
                   X_Mailer="RD Station")  # fmt: skip
    row = _in(mailbox, raw, 1)
    assert row.outcome == InboundMail.Outcome.ADVERTISING
    # marked three days later: the case is dated, and its clock counted, from reception
    received = timezone.now() - timedelta(days=3)
    InboundMail.objects.filter(pk=row.pk).update(received_at=received)
    row.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        row = do_mark_inbound(row, NOT_AD, actor=staff["supervisor"])
    row.refresh_from_db()
    assert row.case.created_at == received
    assert row.case.due_at == clock.compute_case_due(row.case)  # from created_at
    assert row.outcome == InboundMail.Outcome.NEW_CASE and row.mark == NOT_AD
    assert row.marked_by == staff["supervisor"] and row.marked_at is not None
    case = row.case
    assert case.subject.startswith("Convite") and case.due_at is not None and row.acknowledged
    assert Message.objects.filter(case=case, internal=True, body__contains="publicidade").exists()
    [ack] = mail.outbox
    assert ack.to == ["eventos@associacao.example"] and case.protocol in ack.subject
    state = AdvertisingFilter.objects.get(name="default").state
    assert state["docs"] == {"ad": 0, "ham": 1}
    # the sender is now known: its next message opens a case although the rule would file it
    second = raw_mail("Convite 2", "Outro seminário.", sender="eventos@associacao.example",
                      msgid="<conv2@x>", X_Mailer="RD Station")  # fmt: skip
    again = _in(mailbox, second, 2)
    assert again.outcome == InboundMail.Outcome.NEW_CASE
    # marking again changes nothing
    assert do_mark_inbound(row, NOT_AD, actor=staff["supervisor"]).case == case
    assert AdvertisingFilter.objects.get().state["docs"] == {"ad": 0, "ham": 1}


@pytest.mark.django_db
def test_advertising_on_a_mail_case_closes_it_without_answer_and_files_the_message(
    mailbox, staff, django_capture_on_commit_callbacks
):
    raw = raw_mail("Conheça nosso software", "Temos a melhor solução para o seu órgão.",
                   sender="vendas@software.example", msgid="<v@x>")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        row = _in(mailbox, raw, 1)
    case = row.case
    assert row.outcome == InboundMail.Outcome.NEW_CASE and len(mail.outbox) == 1  # the ack
    with django_capture_on_commit_callbacks(execute=True):
        do_mark_inbound(row, AD_MARK, actor=staff["agent"])
    row.refresh_from_db()
    case.refresh_from_db()
    assert row.outcome == InboundMail.Outcome.ADVERTISING and row.mark == AD_MARK
    assert case.state.category == State.Category.CLOSED and case.state.slug == "cancelado"
    assert case.closed_at is not None
    assert len(mail.outbox) == 1  # no closing notice to the advertiser
    assert not OutboundMail.objects.filter(case=case, kind=OutboundMail.Kind.ANSWER).exists()
    assert AdvertisingFilter.objects.get().state["docs"] == {"ad": 1, "ham": 0}
    # taken back from the advertising page: a new case that names the closed one
    row = do_mark_inbound(row, NOT_AD, actor=staff["supervisor"])
    assert row.outcome == InboundMail.Outcome.NEW_CASE and row.case != case
    assert case.protocol in row.case.description
    assert AdvertisingFilter.objects.get().state["docs"] == {"ad": 0, "ham": 1}


@pytest.mark.django_db
def test_marks_that_do_not_apply_are_refused(mailbox, staff):
    case = _in(mailbox, raw_mail(), 1).case
    reply = _in(mailbox, raw_mail(f"Re: [Protocolo {case.protocol}]", msgid="<x2@x>"), 2)
    with pytest.raises(Refused):
        do_mark_inbound(reply, AD_MARK, actor=staff["agent"])
    filed = _in(mailbox, raw_mail("Oferta", msgid="<x3@x>", **NEWSLETTER), 3)
    with pytest.raises(PermissionDenied):  # taking advertising back is the supervisors'
        do_mark_inbound(filed, NOT_AD, actor=staff["agent"])
    with pytest.raises(PermissionDenied):
        do_mark_inbound(filed, AD_MARK, actor=staff["knowledge_manager"])
    assert InboundMail.objects.get(pk=filed.pk).mark == ""


@pytest.mark.django_db
def test_the_agents_marks_teach_the_ingest(mailbox, staff):
    uid = 0
    for n, (subject, body) in enumerate(OFFERS):
        uid += 1
        row = _in(mailbox, raw_mail(subject, body, sender=f"loja{n}@x.com", msgid=f"<o{n}@x>"),
                  uid)  # fmt: skip
        assert row.outcome == InboundMail.Outcome.NEW_CASE  # nothing in the headers
        do_mark_inbound(row, AD_MARK, actor=staff["agent"])
    for n, (subject, body) in enumerate(REQUESTS):
        uid += 1
        row = _in(mailbox, raw_mail(subject, body, sender=f"p{n}@y.org", msgid=f"<q{n}@x>"), uid)
        do_mark_inbound(row, NOT_AD, actor=staff["supervisor"])
    offer = _in(mailbox, raw_mail("Oferta: desconto exclusivo", "Aproveite a promoção, compre já.",
                                  sender="nova@loja.example", msgid="<new@x>"), 99)  # fmt: skip
    assert offer.outcome == InboundMail.Outcome.ADVERTISING and offer.case is None
    assert offer.advertising_reason.startswith("classificador") and offer.advertising_score >= 0.9
    request = _in(mailbox, raw_mail("Pedido de certidão", "Preciso da certidão do meu pedido.",
                                    sender="ana@example.org", msgid="<ana@x>"), 100)  # fmt: skip
    assert request.outcome == InboundMail.Outcome.NEW_CASE


# --- console -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisors_list_download_and_take_back_advertising(mailbox, staff, verified_client):
    raw = raw_mail("Promoção de verão", "Desconto.", sender="ofertas@loja.example",
                   msgid="<ad@x>", **NEWSLETTER)  # fmt: skip
    row = _in(mailbox, raw, 1)
    web = verified_client(staff["supervisor"])
    page = web.get("/console/email/publicidade/").content.decode()
    assert "ofertas@loja.example" in page and "Promoção de verão" in page
    assert "List-Unsubscribe" in page and "Não é publicidade" in page
    original = web.get(f"/console/email/publicidade/{row.pk}/original/")
    assert original.status_code == 200 and b"".join(original.streaming_content) == raw
    done = web.post(f"/console/email/publicidade/{row.pk}/nao-e-publicidade/", follow=True)
    row.refresh_from_db()
    html = done.content.decode()
    assert row.outcome == InboundMail.Outcome.NEW_CASE and row.case.protocol in html
    assert "Nenhum e-mail arquivado como publicidade." in html
    # only filed advertising is offered there
    assert web.get(f"/console/email/publicidade/{row.pk}/original/").status_code == 404


@pytest.mark.django_db
def test_agents_do_not_see_the_advertising_page(mailbox, staff, verified_client):
    row = _in(mailbox, raw_mail("Oferta", msgid="<a@x>", **NEWSLETTER), 1)
    web = verified_client(staff["agent"])
    assert web.get("/console/email/publicidade/").status_code == 403
    assert web.post(f"/console/email/publicidade/{row.pk}/nao-e-publicidade/").status_code == 403
    assert InboundMail.objects.get(pk=row.pk).outcome == InboundMail.Outcome.ADVERTISING


@pytest.mark.django_db
def test_the_case_page_of_a_mail_case_offers_its_advertising_is(
    mailbox, staff, verified_client, open_case
):
    case = _in(mailbox, raw_mail("Conheça nosso software", "Oferta.", msgid="<s@x>"), 1).case
    web = verified_client(staff["agent"])
    page = web.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "É publicidade" in page and f"/console/atendimentos/{case.pk}/publicidade/" in page
    other = open_case()  # not opened by e-mail: no form, and a POST is refused with a message
    assert "É publicidade" not in web.get(f"/console/atendimentos/{other.pk}/").content.decode()
    refused = web.post(f"/console/atendimentos/{other.pk}/publicidade/", follow=True)
    assert "não foi aberto por um e-mail" in refused.content.decode()
    assert Case.objects.get(pk=other.pk).is_open
    done = web.post(f"/console/atendimentos/{case.pk}/publicidade/", follow=True).content.decode()
    assert "encerrado como publicidade" in done and "É publicidade</button>" not in done
    assert 'id="case-advertising"' in done and "t.agent" in done  # who filed it, on the page
    case.refresh_from_db()
    assert not case.is_open
    assert InboundMail.objects.get(case=case).outcome == InboundMail.Outcome.ADVERTISING
    # who may not change a case's state may not mark it
    viewer = verified_client(staff["quality_manager"])
    assert viewer.post(f"/console/atendimentos/{case.pk}/publicidade/").status_code == 403
