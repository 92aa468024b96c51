"""The follow-up page: protocol + access code, the same refusal for a wrong code and an
unknown protocol, limits, the thread, replying with a file (the clock resumes), rating."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.cases import followup, services
from balcao.cases.models import CaseRating, Message, Requester, State

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case_and_code(open_case, django_capture_on_commit_callbacks):
    person = Requester.objects.create(name="Maria", email="maria@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    code = re.search(r"Código de acesso: (\S+)", mail.outbox[0].body).group(1)
    mail.outbox.clear()
    return case, code


def open_page(client, protocol, code):
    return client.post("/acompanhar/", {"protocol": protocol, "code": code})


def test_protocol_and_code_open_the_case(client, case_and_code):
    case, code = case_and_code
    response = open_page(client, case.protocol, code)
    assert response.status_code == 302 and response["Location"] == f"/acompanhar/{case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert case.protocol in page and case.subject in page


@pytest.mark.parametrize(
    "typed",
    [
        lambda p: p,
        lambda p: re.sub(r"\D", "", p),
        lambda p: re.sub(r"\D", "/", p).strip("/"),
    ],
)
def test_the_protocol_may_be_typed_with_any_punctuation_and_the_code_in_any_case(
    client, case_and_code, typed
):
    case, code = case_and_code
    response = open_page(client, typed(case.protocol), code.lower().replace("-", " "))
    assert response.status_code == 302


def test_wrong_code_and_unknown_protocol_look_the_same(client, case_and_code):
    case, code = case_and_code
    wrong = client.post("/acompanhar/", {"protocol": case.protocol, "code": "AAAA-AAAA"})
    unknown = client.post("/acompanhar/", {"protocol": "1999.999999-9", "code": code})
    assert wrong.status_code == unknown.status_code == 403

    def strip(response):
        return re.sub(r'(value|nonce)="[^"]*"', "", response.content.decode())

    assert strip(wrong) == strip(unknown)


def test_the_cpf_alone_never_opens_a_case(client, open_case):
    person = Requester.objects.create(name="Ana", email="ana@example.com", cpf="52998224725")
    case = open_case(requester=person, acknowledge=True)
    assert open_page(client, case.protocol, "52998224725").status_code == 403


def test_wrong_codes_are_limited_per_address(client, case_and_code):
    case, code = case_and_code
    for _ in range(followup.FAILURES_PER_ADDRESS[0]):
        open_page(client, case.protocol, "AAAA-AAAA")
    response = open_page(client, case.protocol, code)  # even the right code now waits
    assert response.status_code == 403
    assert "Muitas tentativas" in response.content.decode()


def test_wrong_codes_are_limited_per_protocol_from_any_address(case_and_code):
    case, code = case_and_code
    for n in range(followup.FAILURES_PER_PROTOCOL[0]):
        with pytest.raises(followup.AccessRefused):
            followup.check_access(case.protocol, "AAAA-AAAA", ip=f"10.0.{n}.1")
    with pytest.raises(followup.AccessRefused, match="Muitas tentativas"):
        followup.check_access(case.protocol, code, ip="10.9.9.9")


def test_the_page_needs_the_code_first(client, case_and_code):
    case, _code = case_and_code
    assert client.get(f"/acompanhar/{case.pk}/")["Location"] == "/acompanhar/"


def test_the_person_reads_public_messages_only(client, case_and_code, staff):
    case, code = case_and_code
    services.do_add_message(case, "Resposta pública.", actor=staff["agent"])
    services.do_add_message(case, "Nota secreta da equipe.", actor=staff["agent"], internal=True)
    open_page(client, case.protocol, code)
    page = client.get(f"/acompanhar/{case.pk}/").content.decode()
    assert "Resposta pública." in page and "Nota secreta" not in page


def test_reply_with_a_file_resumes_the_clock(
    client, case_and_code, staff, django_capture_on_commit_callbacks
):
    case, code = case_and_code
    waiting = State.objects.filter(
        workflow__slug="helpdesk", category=State.Category.WAITING_REQUESTER
    ).first()
    services.do_change_state(case, waiting, actor=staff["agent"], reason="Envie o comprovante.")
    case.refresh_from_db()
    assert case.deadline_paused_at is not None
    open_page(client, case.protocol, code)
    waiting_page = client.get(f"/acompanhar/{case.pk}/").content.decode()
    assert "Envie o comprovante." in waiting_page  # what the team asked for
    upload = SimpleUploadedFile("comprovante.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/acompanhar/{case.pk}/responder/", {"body": "Segue o comprovante.", "attachment": upload}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state.category == State.Category.OPEN
    assert case.deadline_paused_at is None
    message = case.messages.get(author_kind=Message.Author.REQUESTER)
    assert message.body == "Segue o comprovante."
    assert message.attachments.get().filename == "comprovante.pdf"
    page = client.get(f"/acompanhar/{case.pk}/").content.decode()
    assert "comprovante.pdf" in page
    file_url = f"/acompanhar/{case.pk}/anexos/{message.attachments.get().pk}/"
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_refused_file_keeps_the_message_and_explains(client, case_and_code):
    case, code = case_and_code
    open_page(client, case.protocol, code)
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 100, content_type="application/pdf")
    response = client.post(
        f"/acompanhar/{case.pk}/responder/", {"body": "meu texto", "attachment": upload}
    )
    assert response.status_code == 400
    assert "meu texto" in response.content.decode()
    assert not case.messages.filter(author_kind=Message.Author.REQUESTER).exists()


def test_rating_after_the_answer(client, case_and_code, staff):
    case, code = case_and_code
    closed = State.objects.filter(workflow__slug="helpdesk", category="resolved").first()
    for transition in services.allowed_transitions(case):
        if transition.target.is_terminal:
            closed = transition.target
            break
    open_page(client, case.protocol, code)
    early = client.post(f"/acompanhar/{case.pk}/avaliar/", {"score": "5", "resolved": "yes"})
    assert early.status_code == 400 and not CaseRating.objects.exists()
    services.do_change_state(case, closed, actor=staff["supervisor"], reason="respondido")
    page = client.get(f"/acompanhar/{case.pk}/").content.decode()
    assert "Avalie o atendimento" in page
    response = client.post(
        f"/acompanhar/{case.pk}/avaliar/", {"score": "4", "resolved": "partly", "comment": "ok"}
    )
    assert response.status_code == 302
    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.resolved) == (4, "partly")
    again = client.post(f"/acompanhar/{case.pk}/avaliar/", {"score": "1", "resolved": "no"})
    assert again.status_code == 400 and CaseRating.objects.get(case=case).score == 4


def test_a_new_code_goes_to_the_email_on_file_only(
    client, case_and_code, django_capture_on_commit_callbacks
):
    case, old_code = case_and_code
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(
            "/acompanhar/novo-codigo/", {"protocol": case.protocol, "email": "x@evil.example"}
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        mine = client.post(
            "/acompanhar/novo-codigo/", {"protocol": case.protocol, "email": "MARIA@example.com"}
        )
    assert other.content == mine.content or other.status_code == mine.status_code == 200
    [sent] = mail.outbox
    new_code = re.search(r"Código de acesso: (\S+)", sent.body).group(1)
    assert open_page(client, case.protocol, old_code).status_code == 403
    assert open_page(client, case.protocol, new_code).status_code == 302


def test_a_chatbot_case_gets_its_acknowledgement_due_date_and_follow_up_link(
    client, helpdesk_channel, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from balcao.bot import services as bot

    settings.BALCAO_BOT_CASE_CHANNEL = helpdesk_channel.slug
    monkeypatch.setattr(bot, "staffed_now", lambda now=None: False)
    client.get("/chatbot/")
    client.post("/chatbot/mensagem/", {"text": "qual a previsão do tempo?"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/chatbot/chamado/", {"name": "Ana", "email": "ana@example.com"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    from balcao.cases.models import Case

    case = Case.objects.get()
    assert case.due_at is not None
    assert f"/acompanhar/?protocolo={case.protocol}" in page
    [sent] = mail.outbox
    assert sent.to == ["ana@example.com"] and case.protocol in sent.subject
    assert "Prazo de resposta" in sent.body
    code = re.search(r"Código de acesso: (\S+)", sent.body).group(1)
    assert open_page(client, case.protocol, code).status_code == 302


# --- "Meus atendimentos": proof of control of the e-mail ----------------------------------


def _proof_link(body: str) -> str:
    return re.search(r"https?://\S+/acompanhar/meus/(\S+)/", body).group(0)


def test_proving_the_email_lists_every_case_and_links_unverified_contacts(
    client, open_case, django_capture_on_commit_callbacks
):
    from balcao.cases import intake

    person = Requester.objects.create(name="Maria", email="maria@example.com", cpf="52998224725")
    mine = open_case(requester=person)
    contact = intake.do_record_public_contact(name="Maria S.", email="MARIA@example.com")
    from_portal = open_case(requester=contact)
    someone_else = open_case(requester=Requester.objects.create(name="Z", email="z@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acompanhar/meus/", {"email": "maria@example.com"})
    assert response.status_code == 200
    [sent] = mail.outbox
    assert sent.to == ["maria@example.com"]
    link = _proof_link(sent.body)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path)["Location"] == "/acompanhar/meus/lista/"
    page = client.get("/acompanhar/meus/lista/").content.decode()
    assert mine.protocol in page and from_portal.protocol in page
    assert someone_else.protocol not in page
    assert client.get(f"/acompanhar/{from_portal.pk}/").status_code == 200
    assert client.get(f"/acompanhar/{someone_else.pk}/").status_code == 302
    assert "Sim, estes atendimentos são meus" in page
    client.post("/acompanhar/meus/lista/")
    from_portal.refresh_from_db()
    contact.refresh_from_db()
    assert from_portal.requester == person and contact.linked_via == "email-proof"
    # the link works once
    assert client.get("/" + path).status_code == 403


def test_an_email_without_cases_gets_the_same_answer_and_no_mail(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acompanhar/meus/", {"email": "ninguem@example.com"})
    assert response.status_code == 200 and "enviamos para ele um link" in response.content.decode()
    assert mail.outbox == []


def test_a_forged_proof_link_is_refused(client):
    response = client.get("/acompanhar/meus/eyJlbWFpbCI6Im1hcmlhQGV4YW1wbGUuY29tIn0:x:y/")
    assert response.status_code == 403
    assert client.get("/acompanhar/meus/lista/")["Location"] == "/acompanhar/meus/"


def test_replies_per_case_are_limited(case_and_code, monkeypatch):
    case, _code = case_and_code
    monkeypatch.setattr(followup, "REPLIES_PER_CASE", (2, 3600))
    followup.do_requester_reply(case, "um")
    followup.do_requester_reply(case, "dois")
    with pytest.raises(followup.Refused, match="Muitas mensagens"):
        followup.do_requester_reply(case, "três")
    assert case.messages.filter(author_kind=Message.Author.REQUESTER).count() == 2
