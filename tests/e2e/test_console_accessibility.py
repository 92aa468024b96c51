"""axe-core on every page of the staff console (issue 19: "zero violations on every console
page (gap inbox included)"), as an administrator, who may open them all.

The list of pages is checked against the console's URL patterns: a page added later without
an entry here fails ``test_every_console_url_is_checked_or_is_not_a_page``.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from tests.e2e.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# URL name -> how to reach it ({case}, {article}, … filled from the data below).
PAGES = {
    "case_list": [
        "/console/",
        "/console/?view=todos&sort=recent",
        "/console/?view=vencidos&q=marca",
        "/console/?requester=silva",
    ],
    "case_new": ["/console/atendimentos/novo/"],
    # a case; a manifestation admitted and forwarded; one awaiting the ombudsman's triage
    "case_detail": [
        "/console/atendimentos/{case}/",
        "/console/atendimentos/{manifestation}/",
        "/console/atendimentos/{untriaged}/",
        "/console/atendimentos/{mediation}/",
        "/console/atendimentos/{complaint}/",
    ],
    "external_complaint_new": ["/console/reclame-aqui/nova/"],
    "mail_quarantine": ["/console/email/quarentena/"],
    "mail_advertising": ["/console/email/publicidade/"],
    # the report as first opened, with figures of its mailbox, and a period refused
    "mail_report": [
        "/console/email/relatorio/",
        "/console/email/relatorio/?de={today}&ate={today}&caixa=contato",
        "/console/email/relatorio/?de=2026-12-08&ate=2026-12-07",
    ],
    # the contact centre with today's calls (charts drawn), and the staffing planner
    "contact_centre_report": [
        "/console/telefonia/relatorio/",
        "/console/telefonia/relatorio/?de={today}&ate={today}",
    ],
    "contact_centre_monthly": [
        "/console/telefonia/relatorio/mensal/",
        "/console/telefonia/relatorio/mensal/?mes=fevereiro",
    ],
    "contact_centre_final": [
        "/console/telefonia/relatorio/final/",
        "/console/telefonia/relatorio/final/?de=2026-12-08&ate=2026-12-07",
    ],
    "staffing_planner": [
        "/console/telefonia/dimensionamento/",
        "/console/telefonia/dimensionamento/?de={today}&ate={today}&nivel=75&segundos=30",
    ],
    # the live board with the PBX's state in the cache; the agent's screen-pop and the
    # agents' phone interfaces (the admin has no phone: the page says how to get one)
    "telephony_wallboard": ["/console/telefonia/painel/"],
    "telephony_screenpop": ["/console/telefonia/minha-chamada/"],
    "telephony_agent_phones": ["/console/telefonia/ramais/"],
    # the live chat: the desk with the queue and a conversation held, the supervisors' view
    "chat_desk": ["/console/chat/", "/console/chat/?conversa={chat_held}"],
    "chat_supervision": ["/console/chat/supervisao/"],
    "chat_transfer": ["/console/chat/{chat}/transferir/"],
    "scheduling_sessions": ["/console/agendamento/"],
    "scheduling_session": ["/console/agendamento/{open_session}/"],
    "scheduling_report": [
        "/console/agendamento/relatorio/",
        "/console/agendamento/relatorio/?de={today}&ate={today}",
    ],
    "scheduling_requests": ["/console/agendamento/atendimentos/"],
    "scheduling_record": ["/console/agendamento/atendimento/{session_request}/registro/"],
    "direct_contacts": ["/console/contato-direto/"],
    "direct_contact": ["/console/contato-direto/{direct_contact}/"],
    "scheduling_request": ["/console/agendamento/atendimento/{session_request}/"],
    "telephony_lines": ["/console/telefonia/linhas/"],
    "telephony_line_new": ["/console/telefonia/linhas/nova/"],
    "telephony_line_edit": ["/console/telefonia/linhas/{line}/"],
    # the second shows the error state of a wrong month
    "telephony_recordings": [
        "/console/telefonia/gravacoes/",
        "/console/telefonia/gravacoes/?amostra=novembro",
    ],
    "telephony_callbacks": ["/console/telefonia/retornos/"],
    "telephony_occurrences": ["/console/telefonia/ocorrencias/"],
    "telephony_suggestions": ["/console/telefonia/sugestoes/"],
    "telephony_suggestion_new": ["/console/telefonia/sugestoes/nova/"],
    "mailbox_list": ["/console/email/caixas/"],
    "mailbox_new": ["/console/email/caixas/nova/"],
    "mailbox_edit": ["/console/email/caixas/{mailbox}/"],
    "unit_list": ["/console/email/unidades/"],
    "unit_new": ["/console/email/unidades/nova/"],
    "unit_edit": ["/console/email/unidades/{unit}/"],
    "case_agreement": ["/console/atendimentos/{agreed}/acordo/"],
    "forwarding_list": ["/console/encaminhamentos/"],
    "forwarding_detail": ["/console/encaminhamentos/{forwarding}/"],
    "case_term": ["/console/atendimentos/{terminated}/termo/"],
    "canned_list": ["/console/respostas-prontas/"],
    "canned_new": ["/console/respostas-prontas/nova/"],
    "canned_edit": ["/console/respostas-prontas/{canned}/"],
    "audit_log": ["/console/auditoria/"],
    "staff_list": ["/console/equipe/"],
    "staff_new": ["/console/equipe/novo/"],
    "staff_detail": ["/console/equipe/{staff}/"],
    "catalog_list": ["/console/catalogo/"],
    "catalog_edit": ["/console/catalogo/fale-conosco/"],
    "catalog_new": ["/console/catalogo/novo/"],
    "triage_examples": ["/console/catalogo/triagem/"],
    "classified_list": ["/console/sigilo/"],
    "classified_report": ["/console/sigilo/relatorio-anual/"],
    # a reassessment awaiting the authority; a refusal whose appeal awaits the President
    "classified_detail": ["/console/sigilo/{tci}/", "/console/sigilo/{tci_appeal}/"],
    "article_list": ["/console/conhecimento/"],
    "article_new": ["/console/conhecimento/novo/"],
    "article_edit": ["/console/conhecimento/{article}/", "/console/conhecimento/{pending}/"],
    "gap_inbox": ["/console/conhecimento/lacunas/"],
}
# Actions (POST only), downloads and exports: not pages.
NOT_PAGES = {
    "chat_desk_lists",  # fragments and actions of the chat desk and its supervision
    "chat_supervision_live",
    "chat_presence",
    "chat_accept",
    "chat_send",
    "chat_note",
    "chat_close",
    "chat_take_over",
    "telephony_wallboard_live",  # fragments polled by the two pages above
    "telephony_screenpop_live",
    "telephony_screenpop_open",
    "telephony_recording_audio",
    "telephony_recording_sample",
    "telephony_callback_cancel",
    "telephony_occurrence_close",
    "case_answer_picker",  # a fragment of the case page, checked open in test_case_page
    "case_triage",
    "case_forward",
    "case_reveal_identity",
    "case_mediation",
    "case_external_complaint",
    "mail_quarantine_download",
    "mail_quarantine_reprocess",
    "mail_advertising_download",
    "mail_advertising_not",
    "case_advertising",
    "mailbox_test",
    "case_unit_forward",
    "forwarding_file",
    "case_bulk",
    "case_reply",
    "case_note",
    "case_transition",
    "case_assign",
    "case_extend",
    "case_take",
    "case_terminate",
    "case_link_requester",
    "attachment_download",
    "canned_active",
    "audit_export",
    "staff_active",
    "staff_enrolment",
    "article_state",
    "article_review",
    "gap_resolve",
    "gap_dismiss",
    "triage_example_delete",
    "triage_suggestion",
    "case_lai_answer",
    "classified_declassify",
    "case_lai_appeal",
    "case_lai_appeal_decide",
    "classified_reassess",
    "classified_reassessment_decide",
    "classified_reassessment_opinion",
    "classified_appeal",
    "classified_appeal_decide",
    "classified_appeal_opinion",
}


def test_every_console_url_is_checked_or_is_not_a_page():
    def find(patterns):
        for pattern in patterns:
            if getattr(pattern, "namespace", None) == "console":
                return pattern
            found = find(getattr(pattern, "url_patterns", []))
            if found is not None:
                return found
        return None

    def names_in(patterns) -> set[str]:  # through the included groups (telephony)
        names = set()
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                names |= names_in(pattern.url_patterns)
            else:
                names.add(pattern.name)
        return names

    console = find(get_resolver().url_patterns)
    names = names_in(console.url_patterns)
    assert names - set(PAGES) - NOT_PAGES == set(), "add the new console page to PAGES"
    assert set(PAGES) | NOT_PAGES <= names


@pytest.fixture
def console_data(db):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.accounts.models import User
    from balcao.cases.models import Case
    from balcao.demo.services import load_demo
    from balcao.kb import canned
    from balcao.kb import services as kb
    from balcao.kb.models import Article, Gap

    cache.clear()
    load_demo(cases=25, seed=3)
    admin = User.objects.create_user(username="ada.admin", password="senha-de-teste-123")
    for role in ("admin", "supervisor", "ombudsman"):
        admin.groups.add(Group.objects.get(name=role))
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    from balcao.ombudsman.models import ClassificationAuthority

    # an authority, so that the classification form is on the page axe reads
    ClassificationAuthority.objects.create(user=admin, president=True)
    from balcao.catalog.models import TriageOutcome

    # a need shared on the portal, so that its accept / discard form is on the page too
    TriageOutcome.objects.create(
        language="pt-BR",
        recommended="fale-conosco",
        chosen="sic",
        text="quero ver o parecer técnico que negou meu pedido",
    )
    from datetime import timedelta

    from django.utils import timezone

    from balcao.ombudsman import services as ombudsman

    def tci(nup):
        return ombudsman.do_classify(
            actor=admin, nup=nup, degree="secreto", category="06",
            legal_ground="Lei 12.527/2011, art. 23, VIII", subject="Apuração",
            produced_on=timezone.localdate() - timedelta(days=9), years=15, reasons="Razões.",
        )  # fmt: skip

    def reassess(item):
        return ombudsman.do_request_reassessment(
            item, actor=admin, origin="request", requester_name="Maria", text="Peço."
        )

    tci_pending = tci("52400.000001/2026-11")
    reassess(tci_pending)
    tci_appeal = tci("52400.000002/2026-22")
    refused = ombudsman.do_decide_reassessment(
        reassess(tci_appeal), actor=admin, decision="keep", reasons="Permanecem."
    )
    ombudsman.do_file_classification_appeal(refused, text="Recorro.", actor=admin)
    case = (
        Case.objects.filter(requester__isnull=False, channel__confidential=False)
        .order_by("-pk")
        .first()
    )
    from balcao.cases import services as case_services

    terminated = (
        Case.objects.filter(closed_at__isnull=True, channel__confidential=False)
        .exclude(pk=case.pk)
        .first()
    )
    case_services.do_terminate_case(
        terminated, actor=admin, ground="integrity", statement="Ameaçou o atendente."
    )
    articles = list(Article.objects.filter(state="published").order_by("pk")[:2])
    kb.do_save_article(articles[1], actor=admin, answer="Texto proposto para revisão.")
    for text in ("qual o horario do balcao", "horario de atendimento presencial"):
        kb.record_gap(text, "pt-BR", Gap.Reason.NOT_KNOWN)
    answer = canned.do_save_canned_answer(
        None, actor=admin, title="Pedido de documento", body="Envie o documento.", team=None
    )

    def manifestation(subject):
        return ombudsman.do_file_manifestation(
            {
                "type": "denuncia",
                "identity": "preserved",
                "subject": subject,
                "description": "Relato de Joana Dias sobre a chefia da divisão.",
                "requester": {"name": "Joana Dias", "email": "joana@example.org"},
            }
        ).case

    forwarded = manifestation("Conduta na divisão")
    ombudsman.do_triage(forwarded, outcome="admissible", reason="Fatos descritos.", actor=admin)
    from balcao.cases.models import Team

    forwarding = ombudsman.do_forward(
        forwarded,
        team=Team.objects.order_by("pk").first(),
        subject="Conduta na divisão",
        text="Servidora relata conduta da chefia da divisão.",
        instructions="Apurar e informar.",
        due_on=timezone.localdate() + timedelta(days=5),
        actor=admin,
    )
    untriaged = manifestation("Atendimento no balcão")
    from balcao.catalog.models import Channel

    peaceful = Channel.objects.get(slug="resolucao-pacifica")
    mediation = case_services.do_open_case(
        channel=peaceful, subject="Conflito sobre um pedido", actor=admin
    )
    ombudsman.do_agree_deadline(
        mediation, due_on=timezone.localdate() + timedelta(days=20), how="Por e-mail.",
        actor=admin,
    )  # fmt: skip
    ombudsman.do_schedule_session(
        mediation, starts_at=timezone.now() + timedelta(days=2), mode="virtual",
        where="https://reuniao.example/1", actor=admin,
    )  # fmt: skip
    agreed = case_services.do_open_case(channel=peaceful, subject="Acordo", actor=admin)
    ombudsman.do_conclude_mediation(
        agreed, outcome="agreement", text="Reanálise em 15 dias.", actor=admin
    )
    complaint = ombudsman.do_register_external_complaint(
        site_id="RA-1", url="https://www.reclameaqui.com.br/inpi/x_RA1/",
        published_at=timezone.now() - timedelta(days=2), author="Carlos R.",
        title="Pedido parado", text="Meu pedido não anda.", actor=admin,
    )  # fmt: skip
    ombudsman.do_record_public_reply(complaint, text="Pedido priorizado.", actor=admin)
    from balcao.mail.models import Mailbox
    from balcao.mail.services import ingest

    inbox = Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=peaceful
    )
    ingest(inbox, b"\r\n\r\n", uidvalidity=1, uid=1)  # a row in the quarantine
    ingest(inbox, (  # a row in the advertising filed apart
        b"From: Loja <ofertas@loja.example>\r\nSubject: Promo\xc3\xa7\xc3\xa3o\r\n"
        b"Message-ID: <ad@loja>\r\nList-Unsubscribe: <mailto:sair@loja.example>\r\n"
        b"\r\nDesconto.\r\n"
    ), uidvalidity=1, uid=3)  # fmt: skip
    # a person's e-mail on a case forwarded to a unit: rows in every table of the e-mail report
    from balcao.mail.models import InboundMail, Unit, UnitForward

    InboundMail.objects.create(
        mailbox=inbox, uidvalidity=1, uid=2, raw="2.eml", size=10, outcome="new-case", case=case
    )
    UnitForward.objects.create(
        case=case, token="relatorio-1", sent_at=timezone.now() - timedelta(hours=2),
        answered_at=timezone.now(),
        unit=Unit.objects.create(name="Unidade de Marcas", address="relatorio@agencia.gov.br"),
    )  # fmt: skip
    from balcao.mail import forwarding as unit_forwarding

    unit = Unit.objects.create(name="Direção de Patentes", address="dirpa@inpi.example")
    # an open case's page: a pending forward to a unit and the form to forward again
    unit_forwarding.do_forward_to_unit(mediation, unit, "Confirmem o estado do pedido.", admin)
    # the contact centre: today's calls, answered and abandoned, with topics
    import io
    import tempfile
    from datetime import datetime, time
    from pathlib import Path

    from django.core.management import call_command

    from tests.telephony.weeks import Log

    def at(hour: int, minute: int = 0) -> datetime:
        zone = timezone.get_current_timezone()
        return datetime.combine(timezone.localdate(), time(hour, minute), tzinfo=zone)

    calls = Log(queue="sac")
    calls.call(at(9, 10), answer=8, talk=150, wrapup=30, topic="Marcas")
    calls.call(at(10, 20), answer=40, talk=200, topic="Patentes")
    calls.call(at(11, 5), abandon=12)
    with tempfile.TemporaryDirectory() as folder:
        call_command(
            "telephony", "import-queue-log", str(calls.write(Path(folder) / "queue_log")),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    from tests.telephony.test_wallboard import live_state, publish

    publish(live_state())  # the AMI feed's state, as `balcao telephony ami` leaves it
    from balcao.telephony.models import CallbackRequest, Line, Occurrence, Suggestion

    line = Line.objects.create(
        slug="sac", name="SAC", queue="sac", country="PT",
        messages={"after_hours": {"pt-pt": "Fechado.", "en": "Closed."}},
    )  # fmt: skip
    CallbackRequest.objects.create(number="+351912345678", source="web", line=line)
    Occurrence.objects.create(
        kind="unavailable", scope="phone", started_at=timezone.now(), description="PBX em baixo."
    )
    Suggestion.objects.create(source="agent", text="Explicar melhor a taxa de renovação.")
    # the live chat: one person waiting, one conversation the admin holds
    from balcao.cases.models import Requester, Workflow
    from balcao.catalog.models import Channel
    from balcao.livechat import services as chat

    chat_channel = Channel.objects.create(
        slug="chat-ao-vivo", name="Chat", kind="chat", hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
    )  # fmt: skip
    people = [
        Requester.objects.create(name=name, email=f"{name.lower()}@example.com", phone="4735311500")
        for name in ("Hauana", "Joana")
    ]
    waiting = chat.do_start_chat(people[0], chat_channel, reason="Como emito a GRU?")
    held = chat.do_start_chat(people[1], chat_channel, reason="Meu pedido está parado.")
    chat.do_set_presence(admin, "available")
    chat.do_accept(admin, held)
    chat.do_send(held, author_user=admin, text="Olá, vou verificar.")
    # a Conecta Todos session (issue 25)
    from balcao.scheduling.models import OpenSession

    open_session = OpenSession.objects.create(
        channel=chat_channel, starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1), capacity=10,
        video_url="https://meet.jit.si/balcao-teste",
    )  # fmt: skip
    # a (tele)presential request in triage (issue 25)
    from balcao.cases.services import do_open_case
    from balcao.scheduling.models import SessionRequest

    presential = Channel.objects.create(
        slug="presencial", name="Atendimento (tele)presencial", entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.APPOINTMENT,
    )  # fmt: skip
    session_request = SessionRequest.objects.create(
        case=do_open_case(
            channel=presential, subject="Vista do processo", requester=people[0], actor=admin
        ),
        requester_document="RG 12.345.678-9",
        justification="Preciso de vista.",
    )
    from balcao.cases.models import Team
    from balcao.scheduling.models import ContactUnit, DirectContact, Hypothesis

    contact_unit = ContactUnit.objects.create(
        team=Team.objects.create(slug="unidade-contato", name="Unidade"),
        email="unidade@inpi.example", channel=presential,
    )  # fmt: skip
    hypothesis = Hypothesis.objects.create(
        unit=contact_unit, title="Hipótese", requirements="R", preceito="P", premissa="P",
        conclusao="C",
    )  # fmt: skip
    direct_contact = DirectContact.objects.create(
        case=do_open_case(channel=presential, subject="Contato", requester=people[1], actor=admin),
        hypothesis=hypothesis, process="BR 1", preceito="P", premissa="P", conclusao="C",
    )  # fmt: skip
    return {
        "direct_contact": direct_contact.pk,
        "session_request": session_request.pk,
        "open_session": open_session.pk,
        "chat": waiting.pk,
        "chat_held": held.pk,
        "line": line.pk,
        "unit": unit.pk,
        "today": timezone.localdate().isoformat(),
        "mailbox": inbox.pk,
        "complaint": complaint.pk,
        "mediation": mediation.pk,
        "agreed": agreed.pk,
        "device": device,
        "case": case.pk,
        "manifestation": forwarded.pk,
        "untriaged": untriaged.pk,
        "forwarding": forwarding.pk,
        "terminated": terminated.pk,
        "article": articles[0].pk,
        "pending": articles[1].pk,
        "canned": answer.pk,
        "staff": User.objects.get(username="demo.agent1").pk,
        "tci": tci_pending.pk,
        "tci_appeal": tci_appeal.pk,
    }


def _login(page, base, device) -> None:
    from django_otp.oath import totp

    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    page.goto(f"{base}/conta/entrar/")
    page.get_by_label("Usuário").fill("ada.admin")
    page.get_by_label("Senha").fill("senha-de-teste-123")
    page.get_by_label("Código de verificação").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Atendimentos").wait_for()


def test_every_console_page_has_no_axe_violations(page, live_server, console_data, artifacts):
    base = live_server.url
    _login(page, base, console_data["device"])
    found = {}
    for name, paths in PAGES.items():
        for path in paths:
            url = base + path.format(**console_data)
            response = page.goto(url)
            assert response.status == 200, (name, url, response.status)
            violations = axe_violations(page)
            if violations:
                found[path] = violations
    # The case page with its answer picker open and a refused form (errors beside fields).
    page.goto(base + f"/console/atendimentos/{console_data['case']}/")
    picker = page.locator("details").first
    if picker.count():
        picker.locator("summary").click()
    violations = axe_violations(page)
    if violations:
        found["case page, picker open"] = violations
    assert found == {}, found
