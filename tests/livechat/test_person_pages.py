"""The person's chat pages on the portal (issue 24; seed 004, IPM Atende.Net figs. 02–13):
proof of the e-mail, "Meus Dados", "Novo Atendimento", the conversation and its JSON
endpoints, "Concluir Atendimento", "Meus Atendimentos"."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from balcao.cases.followup import EMAIL_SESSION_KEY
from balcao.cases.models import Attachment, Case, Message, Requester
from balcao.livechat import services
from balcao.livechat.models import ChatSession
from tests.livechat.conftest import EXE, PDF, agent_says, in_browser

pytestmark = pytest.mark.django_db

NEW = reverse("portal:chat_new")
MY_DATA = reverse("portal:chat_my_data")
VALID_CPF = "529.982.247-25"


def prove(client, email: str) -> None:
    session = client.session
    session[EMAIL_SESSION_KEY] = {"email": email, "at": int(time.time())}
    session.save()


@pytest.fixture
def proven(client, person):
    prove(client, person.email)
    return client


def conversation_url(chat: ChatSession, name: str = "chat_conversation") -> str:
    return reverse(f"portal:{name}", args=[chat.token])


def test_every_page_asks_for_the_proof_with_a_way_back(client, chat_channel):
    for url in (NEW, MY_DATA):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:my_cases_request"))
        assert "next=" in response["Location"]
    # the proof page remembers where to go back; the link then returns there
    client.get(reverse("portal:my_cases_request"), {"next": NEW})
    from django.core import signing

    from balcao.cases.followup import PROOF_SALT

    token = signing.dumps({"email": "x@example.com", "nonce": "n1"}, salt=PROOF_SALT)
    response = client.get(reverse("portal:my_cases_proof", args=[token]))
    assert response["Location"] == NEW


def test_unread_count_is_zero_without_a_proof(client):
    response = client.get(reverse("portal:chat_unread"))
    assert response.json() == {"unread": 0}


def test_missing_phone_is_told_and_linked_to_my_data(proven, person, chat_channel):
    person.phone = ""
    person.save()
    response = proven.get(NEW)
    body = response.content.decode()
    assert "um telefone" in body
    assert "Falta: um telefone para contato." in body
    assert f"{MY_DATA}?next={NEW.replace('/', '%2F')}" in body
    assert "<textarea" not in body
    # adding the phone in "Meus Dados" goes back to the new chat
    response = proven.post(
        MY_DATA,
        {
            "name": person.name,
            "document": "",
            "email": person.email,
            "phone": "47 3531-1500",
            "next": NEW,
        },
    )
    assert response.status_code == 302 and response["Location"] == NEW
    person.refresh_from_db()
    assert person.phone == "47 3531-1500"
    assert "<textarea" in proven.get(NEW).content.decode()


def test_no_chat_channel_says_unavailable(proven, person):
    response = proven.get(NEW)
    assert response.status_code == 503
    assert "Chat indisponível" in response.content.decode()


def test_an_automated_chat_channel_is_not_used(proven, chat_channel):
    chat_channel.automated = True
    chat_channel.save()
    assert proven.get(NEW).status_code == 503


def test_start_chat_redirects_to_the_conversation_with_its_protocol(proven, person, chat_channel):
    upload = SimpleUploadedFile("guia.pdf", PDF, content_type="application/pdf")
    response = proven.post(NEW, {"reason": "Como emito a GRU?", "files": [upload]})
    chat = ChatSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation_url(chat)
    assert chat.requester == person
    page = proven.get(response["Location"]).content.decode()
    assert chat.case.protocol in page
    assert "Como emito a GRU?" in page
    assert "1.º da fila" in page
    attachment = Attachment.objects.get()
    assert reverse("portal:chat_file", args=[chat.token, attachment.pk]) in page
    download = proven.get(reverse("portal:chat_file", args=[chat.token, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_a_refused_file_is_said_beside_the_field(proven, chat_channel):
    fake = SimpleUploadedFile("nota.pdf", EXE, content_type="application/pdf")
    response = proven.post(NEW, {"reason": "Segue a nota", "files": [fake]})
    assert response.status_code == 400
    errors = re.findall(
        r'<p class="field-error" id="id_files_error">([^<]+)</p>', response.content.decode()
    )
    assert errors and "nota.pdf" in errors[0]
    assert not Case.objects.exists()


def test_outside_staffed_hours_the_message_is_registered(proven, chat_channel, monkeypatch):
    from balcao.bot import services as bot_services

    chat_channel.hours = "weekly"
    chat_channel.save()
    monkeypatch.setattr(bot_services, "staffed_now", lambda now=None: False)
    assert "O chat está fechado agora" in proven.get(NEW).content.decode()
    response = proven.post(NEW, {"reason": "Fora do horário"})
    chat = ChatSession.objects.get()
    assert chat.state == ChatSession.State.OFFLINE
    page = proven.get(response["Location"]).content.decode()
    assert "O chat está fechado agora e abre em" in page
    assert chat.case.protocol in page


def test_send_read_and_messages_json(proven, person, chat_channel, agent):
    chat = services.do_start_chat(person, chat_channel, reason="Olá")
    ana = agent("ana")
    services.do_accept(ana, chat)
    services.do_send(chat, author_user=ana, text="Bom dia!")
    assert proven.get(reverse("portal:chat_unread")).json() == {"unread": 1}

    data = proven.get(conversation_url(chat, "chat_messages")).json()
    assert data["protocol"] == chat.case.protocol
    assert [m["text"] for m in data["messages"]][-1] == "Bom dia!"
    assert data["unread"] >= 1

    assert proven.post(conversation_url(chat, "chat_read")).json() == {"ok": True}
    assert proven.get(reverse("portal:chat_unread")).json() == {"unread": 0}

    upload = SimpleUploadedFile("extrato.txt", b"linha 1\nlinha 2\n", content_type="text/plain")
    response = proven.post(
        conversation_url(chat, "chat_send"),
        {"text": "Segue", "files": [upload]},
        HTTP_ACCEPT="application/json",
    )
    sent = response.json()
    assert sent["ok"] is True
    assert sent["message"]["author"] == Message.Author.REQUESTER
    assert sent["message"]["files"][0]["name"] == "extrato.txt"
    assert sent["message"]["files"][0]["url"].startswith(conversation_url(chat) + "arquivos/")

    fake = SimpleUploadedFile("nota.pdf", EXE, content_type="application/pdf")
    refused = proven.post(
        conversation_url(chat, "chat_send"), {"files": [fake]}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["ok"] is False and "nota.pdf" in refused.json()["error"]


def test_conclude_shows_the_state_and_emails_the_record(
    proven, person, chat_channel, django_capture_on_commit_callbacks
):
    chat = services.do_start_chat(person, chat_channel, reason="Preciso de ajuda")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = proven.post(conversation_url(chat, "chat_conclude"))
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.CONCLUDED
    page = proven.get(conversation_url(chat)).content.decode()
    assert "Chat Concluído pelo Usuário" in page
    assert "Concluir Atendimento" not in page
    sent = [m for m in mail.outbox if chat.case.protocol in m.subject]
    assert sent and "Preciso de ajuda" in sent[0].body
    assert sent[0].to == [person.email]


def test_someone_elses_conversation_is_404(client, person, chat_channel):
    chat = services.do_start_chat(person, chat_channel, reason="Minha dúvida")
    attachment_url = reverse("portal:chat_file", args=[chat.token, 1])
    prove(client, "outra@example.com")
    for name in ("chat_conversation", "chat_messages"):
        assert client.get(conversation_url(chat, name)).status_code == 404
    assert client.post(conversation_url(chat, "chat_send"), {"text": "x"}).status_code == 404
    assert client.post(conversation_url(chat, "chat_conclude")).status_code == 404
    assert client.get(attachment_url).status_code == 404
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.WAITING


def test_my_data_edits_and_validates_the_document(proven, person):
    page = proven.get(MY_DATA).content.decode()
    assert person.name in page and person.email in page
    bad = proven.post(
        MY_DATA,
        {"name": "Hauana", "document": "111.111.111-12", "email": person.email, "phone": "1"},
    )
    assert bad.status_code == 400
    assert "CPF ou CNPJ inválido" in bad.content.decode()
    ok = proven.post(
        MY_DATA,
        {"name": "Hauana A.", "document": VALID_CPF, "email": person.email, "phone": "4799"},
    )
    assert ok.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.cpf, person.phone) == ("Hauana A.", "52998224725", "4799")


def test_a_cpf_of_someone_else_is_refused(proven, person):
    Requester.objects.create(name="Outro", cpf="52998224725")
    response = proven.post(
        MY_DATA, {"name": "Hauana", "document": VALID_CPF, "email": person.email, "phone": "1"}
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.cpf is None


def test_a_changed_email_waits_for_its_proof(proven, person, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = proven.post(
            MY_DATA,
            {"name": person.name, "document": "", "email": "nova@example.com", "phone": "4799"},
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "hauana@example.com"
    assert [m.to for m in mail.outbox] == [["nova@example.com"]]
    link = re.search(r"https?://\S+/atendimento/meus-dados/email/\S+/", mail.outbox[0].body)
    path = link.group(0).split("testserver", 1)[1]
    response = proven.get(path)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "nova@example.com"
    # the new address is the proven one now; the link works once
    assert proven.get(MY_DATA).status_code == 200
    assert proven.get(path).status_code == 403


def test_my_cases_marks_unread_chats_and_links_them(proven, person, chat_channel, agent):
    chat = services.do_start_chat(person, chat_channel, reason="Olá")
    ana = agent("ana")
    services.do_accept(ana, chat)
    services.do_send(chat, author_user=ana, text="Resposta")
    page = proven.get(reverse("portal:my_cases")).content.decode()
    assert conversation_url(chat) in page
    assert 'class="chat-unread-row"' in page
    services.do_mark_read(chat, by_person=True)
    page = proven.get(reverse("portal:my_cases")).content.decode()
    assert 'class="chat-unread-row"' not in page
    assert conversation_url(chat) in page


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_conversation_page_is_live(asgi_server, person, chat_channel, agent):
    """chat.js in Debian's chromium against the real ASGI app: the agent's typing and
    message arrive live and are marked read, a file goes by the picker, a refused file is
    said beside the field, and "Concluir Atendimento" shows the concluded state."""
    from django.conf import settings

    from tests.livechat.test_consumers import person_cookie, staff_cookie

    ana = agent("ana")
    chat = services.do_start_chat(person, chat_channel, reason="Como emito a GRU?")
    services.do_accept(ana, chat)
    agent_key, person_key = staff_cookie(ana), person_cookie(person.email)
    origin = f"http://{asgi_server}"

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": person_key, "url": origin}]
        )
        page.goto(origin + conversation_url(chat))
        page.locator('#chat[data-connected="1"]').wait_for()
        agent_says(
            asgi_server,
            agent_key,
            {"type": "typing", "session": chat.pk},
            {"type": "message", "session": chat.pk, "text": "Bom dia! Posso ajudar."},
        )
        page.locator(".chat-messages li", has_text="Bom dia! Posso ajudar.").wait_for()

        page.fill("#chat-text", "Segue o boleto")
        page.set_input_files(
            "#chat-files",
            files=[{"name": "boleto.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click("[data-chat-form] button[type=submit]")
        sent = page.locator(".chat-messages li", has_text="Segue o boleto")
        sent.wait_for()
        page.wait_for_timeout(500)  # the socket's echo arrives too: shown once
        assert sent.count() == 1
        assert sent.locator("a", has_text="boleto.pdf").count() == 1

        page.fill("#chat-text", "Outro")
        page.set_input_files(
            "#chat-files",
            files=[{"name": "virus.pdf", "mimeType": "application/pdf", "buffer": EXE}],
        )
        page.click("[data-chat-form] button[type=submit]")
        page.locator("#chat-files-error").filter(has_text="virus.pdf").wait_for()

        page.click(".chat-conclude button")
        page.locator("[data-chat-state]").filter(has_text="Chat Concluído pelo Usuário").wait_for()

    in_browser(steps)
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.CONCLUDED
    assert chat.person_read_at is not None
    bodies = set(Message.objects.filter(case=chat.case).values_list("body", flat=True))
    assert {"Bom dia! Posso ajudar.", "Segue o boleto"} <= bodies
    assert "Outro" not in bodies


def test_the_widget_opens_the_chat_and_reads_the_badge_endpoint():
    """chat-widget.js hard-codes the portal's paths: they must be the routed ones."""
    from pathlib import Path

    script = (
        Path(__file__).resolve().parents[2] / "balcao/static/balcao/chat-widget.js"
    ).read_text()
    assert f'"{NEW}"' in script
    assert f'"{reverse("portal:chat_unread")}"' in script


def test_a_person_without_any_case_proves_the_email_to_start_a_chat(
    client, chat_channel, django_capture_on_commit_callbacks
):
    """The first chat of someone the agency never served: asked for on the way to the chat,
    the proof link goes even to an address with no case (the page reads the same either way),
    and opening it leads back to the chat, with a record of their own."""
    response = client.get(NEW)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Para conversar com um atendente" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:my_cases_request"), {"email": "nova@example.com"})
    [sent] = mail.outbox
    assert sent.to == ["nova@example.com"]
    path = re.search(r"https?://[^/\s]+(/acompanhar/meus/\S+/)", sent.body).group(1)
    assert client.get(path)["Location"] == NEW
    page = client.get(NEW).content.decode()
    assert "Completar Meus Dados" in page  # no phone yet: told what to add
    assert Requester.objects.filter(email="nova@example.com", unverified=False).count() == 1


def test_my_cases_lists_the_last_twenty_with_agent_and_module(proven, person, staff, open_case):
    """Seed 004, fig. 11: "o histórico dos últimos 20 (vinte) registros de atendimento", with
    number, state, opening date, agent and module; "Mais Informações" opens the record."""
    from balcao.catalog.models import Service

    module = Service.objects.create(slug="nota-fiscal", name="Nota Fiscal Eletrônica Web")
    cases = [open_case(requester=person) for _ in range(21)]
    newest = cases[-1]
    newest.service, newest.assignee = module, staff["agent"]
    newest.save()
    page = proven.get(reverse("portal:my_cases")).content.decode()
    assert newest.protocol in page and cases[0].protocol not in page
    assert "Nota Fiscal Eletrônica Web" in page
    assert staff["agent"].get_username() in page or staff["agent"].get_full_name() in page
    assert reverse("portal:followup_case", args=[newest.pk]) in page
    assert "Mais Informações" in page
    older = proven.get(reverse("portal:my_cases") + "?pagina=2").content.decode()
    assert cases[0].protocol in older and newest.protocol not in older
