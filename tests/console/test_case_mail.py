"""The case page shows the e-mails sent to the person and a failed one plainly."""

import pytest

from balcao.cases import outbound
from balcao.cases.models import OutboundMail, Requester

pytestmark = pytest.mark.django_db


def test_a_failed_email_is_visible_on_the_case(
    open_case, staff, verified_client, settings, django_capture_on_commit_callbacks
):
    person = Requester.objects.create(name="Maria", email="maria@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    settings.EMAIL_BACKEND = "tests.cases.failing_mail.RefusingBackend"
    mail = OutboundMail.objects.get(case=case)
    mail.status, mail.attempts = OutboundMail.Status.QUEUED, outbound.MAX_ATTEMPTS - 1
    mail.save()
    outbound.send_queued(mail.pk)
    page = verified_client(staff["agent"]).get(f"/console/atendimentos/{case.pk}/")
    html = page.content.decode()
    assert "E-mails ao requerente" in html
    assert "Falhou após 6 tentativas" in html and "SMTPRecipientsRefused" in html
    assert "não chegou ao requerente" in html


def test_a_sent_email_shows_when(
    open_case, staff, verified_client, django_capture_on_commit_callbacks
):
    person = Requester.objects.create(name="Maria", email="maria@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    html = verified_client(staff["agent"]).get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Confirmação de recebimento" in html and "Enviado em" in html
    assert "maria@example.com" not in html.split("E-mails ao requerente")[1]


def test_the_persons_rating_shows_on_the_case(open_case, staff, verified_client):
    from balcao.cases import followup, services
    from balcao.cases.models import State

    case = open_case()
    resolved = State.objects.get(workflow__slug="helpdesk", slug="resolvido")
    services.do_change_state(case, resolved, actor=staff["supervisor"])
    case.refresh_from_db()
    followup.do_rate_case(case, score=2, resolved="no", comment="Demorou demais.")
    html = verified_client(staff["agent"]).get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Nota 2 de 5" in html and "Demorou demais." in html
