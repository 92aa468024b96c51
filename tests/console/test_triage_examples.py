"""Labelled needs in the console (issue 20): managers add them, the triage learns from them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from balcao.catalog import services
from balcao.catalog.models import TriageExample
from balcao.errors import PermissionDenied

pytestmark = pytest.mark.django_db

NEED = "o vazamento de tinta da impressora do balcao manchou meu documento"


@pytest.fixture
def demo_catalog():
    from balcao.catalog.models import Channel

    if not Channel.objects.filter(slug="ouvidoria").exists():
        services.load_demo_catalog()


@pytest.fixture
def manager_client(staff, verified_client):
    return verified_client(staff["manager"])


def test_a_manager_labels_a_need_and_the_triage_learns_it(manager_client, staff, demo_catalog):
    before = services.triage(NEED, "pt-BR")["channel"]
    target = "ouvidoria" if before != "ouvidoria" else "sic"
    page = manager_client.get("/console/catalogo/triagem/")
    assert page.status_code == 200 and "Nenhum exemplo ainda." in page.content.decode()
    for _ in range(3):
        response = manager_client.post(
            "/console/catalogo/triagem/", {"text": NEED, "language": "pt-BR", "expect": target}
        )
        assert response.status_code == 302
    example = TriageExample.objects.first()
    assert example.created_by == staff["manager"] and example.expect == target
    assert services.triage(NEED, "pt-BR")["channel"] == target
    html = manager_client.get("/console/catalogo/triagem/").content.decode()
    assert NEED in html and "3 exemplos" in html
    delete = manager_client.post(f"/console/catalogo/triagem/{example.pk}/apagar/")
    assert delete.status_code == 302 and TriageExample.objects.count() == 2


def test_a_label_must_be_an_active_channel_and_the_text_not_empty(
    manager_client, staff, demo_catalog
):
    response = manager_client.post(
        "/console/catalogo/triagem/", {"text": "x", "language": "pt-BR", "expect": "nao-existe"}
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()
    with pytest.raises(ValidationError):
        services.do_add_triage_example(
            text="   ", language="pt-BR", expect="sic", actor=staff["manager"]
        )
    assert not TriageExample.objects.exists()


def test_only_who_edits_the_catalogue_labels_needs(staff, verified_client, demo_catalog):
    agent = verified_client(staff["agent"])
    assert agent.get("/console/catalogo/triagem/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.do_add_triage_example(
            text="quero reclamar", language="pt-BR", expect="ouvidoria", actor=staff["agent"]
        )


def test_a_channel_added_in_the_catalogue_is_recommended_for_its_own_needs(demo_catalog):
    """Issue 20: a new channel, with no rules written for it, on its own texts."""
    from balcao.catalog.models import Channel, Level

    need = "preciso de um intérprete de libras para ser atendido"
    assert services.triage(need, "pt-BR")["channel"] != "acessibilidade"
    Channel.objects.create(
        slug="acessibilidade",
        name="Atendimento em Libras e acessibilidade",
        level=Level.objects.get(number=2),
        purpose="Atendimento com intérprete de Libras e recursos de acessibilidade.",
        ideal_for=["intérprete de Libras", "pessoas com deficiência auditiva ou visual"],
        active=True,
    )
    assert services.triage(need, "pt-BR")["channel"] == "acessibilidade"
    assert services.triage("quero registrar minha marca", "pt-BR")["channel"] != "acessibilidade"


def _own_catalogue():
    """An agency that replaced the demo's channels with its own (no slug of the demo's, so no
    shipped cue applies): a written contact and a transparency desk that says little."""
    from balcao.catalog.models import Channel, Level

    Channel.objects.update(active=False)
    level = Level.objects.get(number=2)
    Channel.objects.create(
        slug="protocolo-geral",
        name="Protocolo Geral",
        level=level,
        kind=Channel.Kind.FORM,
        purpose="Pedidos, requerimentos e documentos enviados à prefeitura.",
        ideal_for=["requerimentos", "envio de documentos"],
        active=True,
    )
    return Channel.objects.create(
        slug="transparencia",
        name="Portal da Transparência",
        level=level,
        kind=Channel.Kind.FORM,
        purpose="Atendimento do portal.",
        active=True,
    )


def test_a_manager_sets_a_channels_role_and_the_triage_follows_it(
    manager_client, staff, demo_catalog
):
    """Issue 20: a channel an agency adds is recommended for its role's needs once the
    manager says what it does — no rule written, no code changed."""
    from balcao.catalog.models import CatalogChange

    channel = _own_catalogue()
    need = "quantos servidores a prefeitura contratou em 2024, por secretaria?"
    assert services.triage(need, "pt-BR")["channel"] != "transparencia"
    page = manager_client.get("/console/catalogo/transparencia/")
    assert page.status_code == 200 and "Papel na triagem" in page.content.decode()
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, bool)
    }
    data.update(active="on", triage_role="information-access")
    response = manager_client.post("/console/catalogo/transparencia/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.triage_role == "information-access"
    assert services.channel_info(channel).role == "information-access"
    change = CatalogChange.objects.filter(object_key="transparencia").latest("pk")
    assert change.changes["triage_role"] == {"old": "", "new": "information-access"}
    assert services.triage(need, "pt-BR")["channel"] == "transparencia"


# --- needs shared on the portal (issue 20: "every recorded choice on the portal is one") ----

SHARED = (
    "quero uma copia do parecer que negou meu pedido, CPF 529.982.247-25, "
    "escreva para maria.silva@example.org ou ligue (21) 99876-5432"
)


def _share_and_choose(client, text: str, chosen: str, share: bool = True):
    import re

    from balcao.catalog.models import TriageOutcome

    data = {"text": text, **({"share": "on"} if share else {})}
    html = client.post("/encontre-o-atendimento/", data).content.decode()
    token = re.search(r'name="outcome" value="([^"]+)"', html).group(1)
    client.post("/encontre-o-atendimento/ir/", {"outcome": token, "channel": chosen})
    return TriageOutcome.objects.latest("pk")


def test_a_need_shared_on_the_portal_becomes_an_example_once_staff_accept_it(
    client, manager_client, staff, demo_catalog
):
    outcome = _share_and_choose(client, SHARED, "fale-conosco")
    assert outcome.chosen == "fale-conosco"
    assert "copia do parecer" in outcome.text
    for personal in ("529", "maria.silva", "99876"):
        assert personal not in outcome.text
    assert "[CPF]" in outcome.text and "[e-mail]" in outcome.text

    page = manager_client.get("/console/catalogo/triagem/").content.decode()
    assert "copia do parecer" in page and "1 sugestão" in page
    response = manager_client.post(
        f"/console/catalogo/triagem/sugestoes/{outcome.pk}/", {"action": "accept", "expect": "sic"}
    )
    assert response.status_code == 302
    example = TriageExample.objects.get()
    assert (example.expect, example.created_by, example.language) == (
        "sic",
        staff["manager"],
        "pt-BR",
    )
    assert example.text == outcome.text
    outcome.refresh_from_db()
    assert outcome.text == "" and outcome.chosen == "fale-conosco"
    assert (
        "Nenhuma sugestão pendente."
        in manager_client.get("/console/catalogo/triagem/").content.decode()
    )
    again = manager_client.post(
        f"/console/catalogo/triagem/sugestoes/{outcome.pk}/", {"action": "accept"}
    )
    assert again.status_code == 302 and TriageExample.objects.count() == 1


def test_without_consent_the_portal_keeps_no_text_and_suggests_nothing(
    client, manager_client, demo_catalog
):
    outcome = _share_and_choose(client, SHARED, "sic", share=False)
    assert outcome.chosen == "sic" and outcome.text == ""
    assert not services.suggestions().exists()
    page = manager_client.get("/console/catalogo/triagem/").content.decode()
    assert "Nenhuma sugestão pendente." in page


def test_a_shared_need_without_a_choice_is_no_suggestion_and_is_erased_after_a_day(
    client, demo_catalog
):
    from datetime import timedelta

    from django.utils import timezone

    from balcao.catalog.models import TriageOutcome

    client.post(
        "/encontre-o-atendimento/", {"text": "quero reclamar do atendimento", "share": "on"}
    )
    waiting = TriageOutcome.objects.get()
    assert waiting.text and not services.suggestions().exists()
    chosen = _share_and_choose(client, "quanto custa registrar uma marca", "chatbot")
    assert list(services.suggestions()) == [chosen]
    now = timezone.now()
    assert services.purge_shared_texts(now + timedelta(hours=1)) == 0
    assert services.purge_shared_texts(now + timedelta(days=2)) == 1
    assert TriageOutcome.objects.get(pk=waiting.pk).text == ""
    assert TriageOutcome.objects.get(pk=chosen.pk).text
    assert services.purge_shared_texts(now + timedelta(days=services.SUGGESTION_DAYS + 1)) == 1
    assert not TriageOutcome.objects.exclude(text="").exists()
    assert TriageOutcome.objects.count() == 2  # the anonymous outcomes stay


def test_staff_discard_a_suggestion_and_only_catalogue_editors_see_them(
    client, staff, verified_client, demo_catalog
):
    outcome = _share_and_choose(client, "meu vizinho copiou minha marca", "ouvidoria")
    agent = verified_client(staff["agent"])
    assert (
        agent.post(
            f"/console/catalogo/triagem/sugestoes/{outcome.pk}/", {"action": "discard"}
        ).status_code
        == 403
    )
    outcome.refresh_from_db()
    assert outcome.text
    manager = verified_client(staff["manager"])  # (one test client: the agent logged in last)
    response = manager.post(
        f"/console/catalogo/triagem/sugestoes/{outcome.pk}/", {"action": "discard"}
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.text == "" and not TriageExample.objects.exists()


def test_what_is_kept_of_a_shared_need():
    kept = services.shareable_text(
        "processo 912345678, NIF PT 501 964 843,  senha: abc123  joao@x.pt +351 912 345 678"
    )
    assert kept.startswith("processo [número], NIF")
    for personal in ("912345678", "501 964 843", "abc123", "joao@x.pt", "912 345 678"):
        assert personal not in kept
    assert len(services.shareable_text("a" * 5000)) == 1000


LABELLED = [
    ("quero saber quanto custa registrar minha marca", "chatbot"),
    ("qual o prazo para pagar a taxa do pedido de patente", "chatbot"),
    ("fui mal atendido no balcão e quero registrar uma reclamação", "ouvidoria"),
    ("quero denunciar um servidor que pediu dinheiro", "ouvidoria"),
    ("preciso de cópia do processo administrativo do meu pedido", "sic"),
    ("quantos pedidos de patente foram negados em 2024", "sic"),
    ("meu pedido de marca está parado há dois anos sem resposta", "ouvidoria"),
    ("como faço para emitir a guia de pagamento", "chatbot"),
]


def _label(staff, pairs):
    for text, expect in pairs:
        services.do_add_triage_example(
            text=text, language="pt-BR", expect=expect, actor=staff["manager"]
        )


def test_the_weight_of_labelled_needs_is_shared_between_processes(staff, demo_catalog, monkeypatch):
    """Checking the labelled needs against each other takes seconds: the first process that
    meets them keeps the weight in the shared cache, and another one (its own memo empty)
    reads it there instead of checking them again."""
    from django.core.cache import caches

    from balcao.catalog import recommender

    caches["default"].clear()
    _label(staff, LABELLED)
    first = services.triage(NEED, "pt-BR")
    recommender._example_weights.clear()  # another process
    calls = []
    real = recommender.calibrate_examples
    monkeypatch.setattr(
        recommender, "calibrate_examples", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    assert services.triage(NEED, "pt-BR") == first
    assert not calls


def test_a_change_of_labelled_needs_is_checked_in_the_task_queue(
    staff, demo_catalog, django_capture_on_commit_callbacks
):
    """Right after a manager labels a need, the task queue checks the labelled needs into the
    shared cache, before a citizen's triage needs the weight."""
    from django.core.cache import caches

    caches["default"].clear()
    _label(staff, LABELLED[:-1])
    channels, rules = services.active_channel_infos(), services.rules()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _label(staff, LABELLED[-1:])
    assert callbacks  # the task was enqueued on commit (run at once: tasks are immediate here)
    examples = services.learned_examples()
    key = services._example_weight_key(examples, channels, rules)
    assert caches["default"].get(key) is not None


def test_the_catalogue_says_which_channels_the_triage_scores_on_rules(
    manager_client, demo_catalog, tmp_path
):
    """The demo's channels are scored on its rules; an agency's imported ones on their own
    texts, role and examples (balcao catalog import marks them ``sem-regras``)."""
    import io
    import json

    from django.core.management import call_command

    from tests.catalog.test_catalog_file import WATER

    assert "ouvidoria" in services.cued_slugs()
    plain = dict(WATER, channels=[dict(WATER["channels"][0], slug="ouvidoria")])
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
    call_command("catalog", "import", str(path), stdout=io.StringIO())
    assert "ouvidoria" not in services.cued_slugs() and "sic" in services.cued_slugs()
    html = manager_client.get("/console/catalogo/").content.decode()
    assert "regras de triagem" in html and "textos, papel e exemplos" in html
