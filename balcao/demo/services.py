"""The INPI demo: agency catalogue, teams, staff of every role, a few hundred cases.

Idempotent: running it twice changes nothing the second time (every object is
looked up by a natural key first).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from balcao.accounts import services as account_services
from balcao.accounts.models import EnrolmentLink, User
from balcao.accounts.roles import ROLES
from balcao.cases import services as case_services
from balcao.cases.models import Case, Message, State, Team, TeamMembership, Transition
from balcao.catalog import services as catalog_services
from balcao.catalog.models import Channel, Service
from balcao.deadlines.models import Calendar
from balcao.documents import generate_cpf
from balcao.kb import services as kb_services
from balcao.kb.models import Article

DEMO_PASSWORD = "balcao-demo-2026"  # noqa: S105 — documented demo login

TEAMS = [
    ("atendimento-n1", "Atendimento nível 1", Team.Strategy.ROUND_ROBIN),
    ("marcas", "Equipe de Marcas", Team.Strategy.LEAST_LOADED),
    ("patentes", "Equipe de Patentes", Team.Strategy.LEAST_LOADED),
    ("ouvidoria", "Ouvidoria", Team.Strategy.MANUAL),
]

SUBJECTS = [
    "Dúvida sobre o pagamento da GRU",
    "Prazo para resposta à exigência",
    "Como acompanhar meu pedido de marca",
    "Erro ao acessar o e-INPI",
    "Cópia de processo administrativo",
    "Reclamação sobre demora na análise",
    "Dúvida sobre busca de anterioridade",
    "Registro de programa de computador",
    "Solicitação de certidão",
    "Alteração de endereço do titular",
]

FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elisa",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Iara",
    "João",
    "Karina",
    "Luís",
    "Marina",
    "Nelson",
    "Olívia",
    "Paulo",
]
LAST_NAMES = ["Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Carvalho", "Ferreira"]


def demo_logins() -> list[tuple[str, str]]:
    return [(f"demo.{role}", label) for role, label in ROLES.items()]


def demo_enrolment_links(base_url: str | None = None) -> dict[str, str]:
    """A fresh one-time enrolment link for each demo login that has no authenticator yet
    (a password alone never enrols one; finding #5). Printed by ``balcao demo --logins``."""
    links = {}
    for username, _label in demo_logins():
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or account_services.confirmed_device(user) is not None:
            continue
        _link, raw = account_services.do_issue_enrolment_link(user, via=EnrolmentLink.Via.DEMO)
        links[username] = account_services.enrolment_url(raw, user.preferred_language, base_url)
    return links


@transaction.atomic
def load_demo(*, cases: int = 300, seed: int = 2026) -> dict[str, int]:
    """Load the demo agency; returns what was created."""
    created = {"channels": 0, "users": 0, "cases": 0, "articles": 0}
    Calendar.objects.get_or_create(
        slug="inpi",
        defaults={
            "name": "INPI — Rio de Janeiro",
            "country": "BR",
            "subdivision": "RJ",
            "is_default": True,
            "opening_hours": {str(d): ["09:00-17:00"] for d in range(5)},
        },
    )
    Calendar.objects.get_or_create(
        slug="atendimento-humano",
        defaults={
            "name": "Atendimento humano (seg–sex 8h–18h)",
            "country": "BR",
            "opening_hours": {str(d): ["08:00-18:00"] for d in range(5)},
        },
    )
    created["channels"] = catalog_services.load_demo_catalog()["channels"]
    # Staffed hours of the demo (MGI default): the bot offers a person only then.
    Channel.objects.filter(slug="telepresencial", calendar__isnull=True).update(
        calendar=Calendar.objects.get(slug="inpi")
    )

    users = {}
    for role in ROLES:
        user, was_created = User.objects.get_or_create(
            username=f"demo.{role}",
            defaults={
                "display_name": f"Demo {ROLES[role]}",
                "email": f"{role}@demo.invalid",
                "is_staff": role == "admin",
                "is_superuser": role == "admin",
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    for i in range(1, 4):
        agent, was_created = User.objects.get_or_create(
            username=f"demo.agent{i}", defaults={"display_name": f"Atendente {i}"}
        )
        if was_created:
            agent.set_password(DEMO_PASSWORD)
            agent.save()
        agent.groups.add(Group.objects.get(name="agent"))
        users[f"agent{i}"] = agent

    teams = {}
    for slug, name, strategy in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "strategy": strategy}
        )
    for key in ("agent", "agent1", "agent2", "agent3", "supervisor"):
        for team in teams.values():
            TeamMembership.objects.get_or_create(team=team, user=users[key])
    TeamMembership.objects.get_or_create(team=teams["ouvidoria"], user=users["ombudsman"])

    if not Article.objects.exists():
        kb_path = Path(__file__).resolve().parents[1] / "kb" / "demo" / "inpi-kb.jsonl"
        with open(kb_path, encoding="utf-8") as handle:
            created["articles"] = kb_services.do_import(handle).created
    _demo_telephony(users)
    _demo_live_chat()
    _demo_sessions(users)
    _demo_direct_contact(teams)
    if Case.objects.exists():
        return created
    rng = random.Random(seed)
    # CPFs come from a stream of their own, so the demo's other choices do not depend on them.
    cpf_rng = random.Random(f"{seed}-cpf")
    channels = list(Channel.objects.exclude(slug__in=["chatbot", LIVE_CHAT_SLUG]))
    services = list(Service.objects.all())
    supervisor = users["supervisor"]
    now = timezone.now()
    for i in range(cases):
        requester = None
        if rng.random() > 0.1:  # about one in ten is anonymous
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            requester = case_services.do_find_or_create_requester(
                name=name,
                email=f"requerente{i}@exemplo.invalid",
                cpf=generate_cpf(cpf_rng),
            )
        # Each case's story happens at the times it claims: opened in the past, its due
        # date computed from that moment, each later step some hours after the last and
        # never after now (the history is append-only: it is written right the first time).
        moment = now - timedelta(hours=rng.randint(1, 2000))
        with _clock_at(moment):
            case = case_services.do_open_case(
                channel=rng.choice(channels),
                subject=rng.choice(SUBJECTS),
                description="Atendimento de demonstração.",
                requester=requester,
                service=rng.choice(services),
                team=rng.choice(list(teams.values())),
                actor=supervisor,
            )
        moment += timedelta(minutes=rng.randint(1, 30))
        with _clock_at(min(moment, now)):
            case_services.do_add_message(
                case,
                "Olá, preciso de ajuda com meu processo.",
                author_kind=Message.Author.REQUESTER,
            )
        # Walk a few allowed transitions so the demo has cases in every state.
        for _ in range(rng.randint(0, 3)):
            moment += timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
            if moment >= now:
                break
            transition = rng.choice(
                list(Transition.objects.filter(source_id=case.state_id)) or [None]
            )
            if transition is None:
                break
            with _clock_at(moment):
                case_services.do_change_state(
                    case, transition.target, actor=supervisor, reason="Demonstração"
                )
            case.refresh_from_db()
        created["cases"] += 1
    if cases:  # `--cases 0`: no case at all (the benchmarks load their own)
        _demo_presential()
    return created


LIVE_CHAT_SLUG = "atendimento-online"


def _demo_live_chat() -> None:
    """A live chat with people in staffed hours (issue 24: "the chat must work from make run
    with no flag"), with the IPM's limits (seed 004: files up to 2 MB). Not one of the INPI
    catalogue's channels (../shared/contracts/triage.md), so the triage never sends anyone
    there (balcao.catalog.services.active_channel_infos): it is the button on every page.
    An agency that already has its live chat keeps it as the only one."""
    from balcao.cases.models import Workflow

    if catalog_services.the_live_chat(lock=True) is not None:
        return  # the agency's own (there is one live chat: its button is on every page)
    Channel.objects.get_or_create(
        slug=LIVE_CHAT_SLUG,
        defaults={
            "name": "Atendimento online",
            "kind": Channel.Kind.CHAT,
            "media": ["electronic"],
            "purpose": "Conversa ao vivo com um atendente, em dias úteis das 8h às 18h.",
            "hours": Channel.Hours.WEEKLY,
            "calendar": Calendar.objects.get(slug="atendimento-humano"),
            "workflow": Workflow.objects.get(slug="chat"),
            "max_attachment_bytes": 2 * 1024 * 1024,
            "order": 99,
        },
    )


def _demo_sessions(users: dict) -> None:
    """The next two weeks of INPI Conecta Todos sessions (seed 000: "às 10 e 14 horas, em
    sessões abertas de uma hora"), hosted by the first agent; publishing is idempotent."""
    from balcao.accounts.permissions import SYSTEM
    from balcao.scheduling.services import do_publish_sessions

    channel = Channel.objects.filter(slug="conecta-todos").first()
    if channel is None:
        return
    today = timezone.localdate()
    do_publish_sessions(
        channel,
        today,
        today + timedelta(days=13),
        capacity=30,
        hosts=[users["agent"]],
        actor=SYSTEM,
    )


def _demo_presential() -> None:
    """Two requests for the (tele)presential service waiting for triage (Portaria, art. 34),
    so the console's queue is not empty on a first run."""
    from balcao.scheduling import presential, rules
    from balcao.scheduling.models import SessionRequest

    channel = Channel.objects.filter(slug="telepresencial").first()
    if channel is None or SessionRequest.objects.exists():
        return
    presential.do_request_session(
        channel,
        rules.SessionRequest(
            requester_name="Helena Prado",
            requester_document="RG 23.456.789-0 SSP/RJ",
            subject="Vista do processo e explicação da exigência técnica",
            reference="BR 10 2024 000123-4",
            justification="A exigência cita um documento que não localizo nos autos.",
            companions=(rules.Companion("Otávio Prado", "Inventor do pedido"),),
        ),
        email="helena.prado@example.com",
    )
    presential.do_request_session(
        channel,
        rules.SessionRequest(
            requester_name="Sérgio Antunes",
            requester_document="CNH 01234567890",
            subject="Audiência com a gestão sobre o uso estratégico de marcas",
            no_reference=True,
            justification="Queremos planejar o depósito de uma família de marcas.",
            companions=(),
        ),
        email="sergio.antunes@example.com",
        mode="presential",
    )


def _demo_direct_contact(teams: dict) -> None:
    """The Patents team as a unit of the Serviço de Contato Direto (Portaria, arts. 36-45):
    its institutional address and two published hypotheses (art. 38) with the templates of
    the three parts of the official message (art. 40)."""
    from balcao.scheduling.models import ContactUnit, Hypothesis

    channel = Channel.objects.filter(slug="telepresencial").first()
    if channel is None or ContactUnit.objects.exists():
        return
    unit = ContactUnit.objects.create(
        team=teams["patentes"],
        email="patentes@inpi.example",
        channel=channel,
        signature="Diretoria de Patentes, Programas de Computador e Topografias de Circuitos",
    )
    Hypothesis.objects.create(
        unit=unit,
        order=1,
        title="Exigência técnica não cumprida por documento ilegível",
        requirements="Pedido de patente em exame com exigência técnica publicada; documento "
        "apresentado em resposta ilegível ou incompleto; prazo da exigência em curso.",
        preceito="No exame do processo {processo}, de titularidade de {titular}, verificamos "
        "que o documento apresentado em resposta à exigência técnica está ilegível.",
        premissa="Esclarecer a exigência pode simplificar o procedimento, reduzir "
        "formalidades e regularizar o processo antes do fim do prazo.",
        conclusao="Oferecemos um atendimento (tele)presencial para explicar o que é "
        "necessário. Melhores dias e horários: {horarios}.",
    )
    Hypothesis.objects.create(
        unit=unit,
        order=2,
        title="Serviços pouco utilizados que aceleram o exame",
        requirements="Pedido elegível a um trâmite prioritário ainda não requerido pelo titular.",
        preceito="O processo {processo} atende aos requisitos de um trâmite prioritário que "
        "ainda não foi requerido.",
        premissa="Ativar serviços disponibilizados e pouco utilizados pode abreviar o exame "
        "e melhorar o relacionamento com o INPI.",
        conclusao="Se tiver interesse, podemos explicar o procedimento em um atendimento "
        "(tele)presencial. Melhores dias e horários: {horarios}.",
    )


def _demo_telephony(users: dict) -> None:
    """The contact centre's line (seed 003: Monday–Friday 09:00–17:00 except Portuguese
    national holidays; messages in Portuguese and English) and the first agent's phone."""
    from balcao.telephony.models import AgentPhone, Line

    Line.objects.get_or_create(
        slug="central",
        defaults={
            "name": "Central de atendimento",
            "queue": "atendimento",
            "country": "PT",
            # cases opened from calls are handled like the written requests (seed 003, 11.12)
            "channel": Channel.objects.filter(slug="fale-conosco").first(),
            "messages": {
                "after_hours": {
                    "pt-pt": "O atendimento telefónico funciona nos dias úteis, das 9h às 17h. "
                    "Visite o nosso sítio na Internet.",
                    "pt-br": "O atendimento telefônico funciona nos dias úteis, das 9h às 17h. "
                    "Visite o nosso site.",
                    "en": "Our lines are open on working days from 9 am to 5 pm. "
                    "Please visit our website.",
                },
                "on_hold": {
                    "pt-pt": "Aguarde, por favor: será atendido pelo próximo operador livre.",
                    "en": "Please hold: the next available agent will answer your call.",
                },
            },
        },
    )
    AgentPhone.objects.get_or_create(user=users["agent1"], defaults={"interface": "PJSIP/201"})


@contextmanager
def _clock_at(moment):
    """Run the services as if it were ``moment`` (the demo's back-dated stories only):
    ``django.utils.timezone.now`` is what the services, the deadline clock and
    ``auto_now_add`` fields read."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def is_loaded() -> bool:
    return State.objects.exists() and User.objects.filter(username="demo.admin").exists()
