"""Domain actions on cases. Views, the API, consumers, commands and tasks call these.

Naming follows ``do_<verb>`` for actions that change state and ``check_<thing>``
for validations that raise ``CaseError`` with a message a person understands.
Everything that leaves the process (webhooks, e-mail, websocket events) is sent
from ``transaction.on_commit`` (see ``cases.events``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM, check_can, is_system  # noqa: F401
from balcao.accounts.roles import (
    OMBUDSMAN,
    SEES_ALL_CASES,
    emails_of,
    has_capability,
    roles_of,
)
from balcao.cases import clock, events, followup, history, lookups, outbound, protocol
from balcao.cases.attachments import check_file
from balcao.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Message,
    Requester,
    State,
    Tag,
    Team,
    TeamMembership,
    TerminativeTerm,
    Transition,
    Workflow,
)
from balcao.cases.text import clean_line
from balcao.documents import normalise_cnpj, normalise_cpf, normalise_nif
from balcao.errors import PermissionDenied, Refused  # noqa: F401 — callers catch it here

# A refused action; ``str(exc)`` is the message shown to the person. PermissionDenied
# (the actor's role does not allow it) is one of them.
CaseError = Refused


DEFAULT_WORKFLOW = "helpdesk"


# --- protocol numbers -------------------------------------------------------------


def next_protocol(now=None) -> str:
    """Allocate the next protocol number: one statement that creates the scope's sequence
    or adds one to it and returns the value (``INSERT … ON CONFLICT DO UPDATE … RETURNING``,
    PostgreSQL and SQLite ≥ 3.35). The row stays locked until the transaction commits, so
    two processes never get the same number, and a transaction that rolls back gives its
    number back: no gaps."""
    pattern = settings.BALCAO_PROTOCOL_PATTERN
    now = timezone.localtime(now or timezone.now())
    scope = str(now.year) if protocol.uses_year(pattern) else "all"
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_IN_SEQUENCE, [scope])
        (value,) = cursor.fetchone()
    return protocol.format_protocol(
        pattern, year=now.year, seq=value, unit=settings.BALCAO_PROTOCOL_UNIT
    )


# ProtocolSequence's table (``cases_protocolsequence``; a test checks the name).
_NEXT_IN_SEQUENCE = (
    'INSERT INTO "cases_protocolsequence" ("scope", "last_value") VALUES (%s, 1) '
    'ON CONFLICT ("scope") DO UPDATE '
    'SET "last_value" = "cases_protocolsequence"."last_value" + 1 '
    'RETURNING "last_value"'
)


# --- requesters -------------------------------------------------------------------


def check_requester_documents(*, cpf="", cnpj="", nif="") -> dict[str, str | None]:
    """Validate and normalise identity documents (raises django ValidationError)."""
    return {
        "cpf": normalise_cpf(cpf) if cpf else None,
        "cnpj": normalise_cnpj(cnpj) if cnpj else None,
        "nif": normalise_nif(nif) if nif else None,
    }


def do_find_or_create_requester(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    cpf: str = "",
    cnpj: str = "",
    nif: str = "",
    preferred_language: str = "pt-br",
) -> Requester:
    """The requester with this document (stored once), or a new one — for staff and
    authenticated integrations only; public input goes through
    ``cases.intake.do_record_public_contact`` instead.

    A CPF/CNPJ/NIF already on file identifies the same person; name and e-mail
    given now do not overwrite what is on file (a CPF alone never proves identity).
    Unverified contacts (created from public input) are never matched by e-mail.
    """
    docs = check_requester_documents(cpf=cpf, cnpj=cnpj, nif=nif)
    for field, value in docs.items():
        if value:
            existing = Requester.objects.filter(**{field: value}).first()
            if existing:
                return existing
    email = email.strip().lower()
    if email and not any(docs.values()):
        # The same e-mail without any document is the same contact (as in e-mail
        # threading); a document given now never attaches to someone else's record.
        existing = Requester.objects.filter(email=email, unverified=False).order_by("pk").first()
        if existing:
            return existing
    return Requester.objects.create(
        name=clean_line(name, 200),
        email=email,
        phone=clean_line(phone, 32),
        preferred_language=preferred_language,
        **docs,
    )


# --- visibility -------------------------------------------------------------------


def visible_cases(user):
    """Cases ``user`` may see: all for supervisors and up; their teams' and their own
    (and unqueued ones) for agents; none for roles that do not work cases. The cases of a
    confidential channel (the ombudsman's) only the ombudsman role sees, whatever else
    the user is (Decreto 10.153/2019: the identity of whoever reports is protected)."""
    queryset = Case.objects.all()
    if not has_capability(user, "cases.view"):
        return queryset.none()
    if not sees_confidential(user):
        confidential = lookups.confidential_channel_ids()
        if confidential:
            queryset = queryset.exclude(channel_id__in=confidential)
    if user.is_superuser or roles_of(user) & SEES_ALL_CASES:
        return queryset
    team_ids = getattr(user, "_balcao_team_ids", None)  # read with the API token
    teams = team_ids if team_ids is not None else user.teams.all()
    return queryset.filter(Q(assignee=user) | Q(team_id__in=teams) | Q(team__isnull=True))


def sees_confidential(user) -> bool:
    """Whether ``user`` holds the ombudsman role (the only one that sees the cases of
    confidential channels and who filed them)."""
    return OMBUDSMAN in roles_of(user)


def is_confidential(case: Case) -> bool:
    return case.channel_id in lookups.confidential_channel_ids()


def remember_team_ids(user, team_ids) -> None:
    """Prime ``visible_cases(user)`` with the ids of its teams, read by the caller
    (the API reads them with the token: an agent's list then compiles a plain ``IN``
    instead of a subquery)."""
    user._balcao_team_ids = list(team_ids)


# --- opening ----------------------------------------------------------------------


def do_open_case(
    *,
    channel,
    subject: str,
    description: str = "",
    requester: Requester | None = None,
    service=None,
    team: Team | None = None,
    actor=None,
    priority: int = Case.Priority.NORMAL,
    tags: Iterable[str] = (),
    organisation=None,
    acknowledge: bool = False,
    deadline_policy: str = "",
    in_reply_to: str = "",
    opened_at=None,
) -> Case:
    """Open a case with a new protocol number, in its workflow's initial state.

    Its clock follows the channel's deadline policy, or ``deadline_policy`` when given (an
    ombudsman manifestation's type chooses its own: ombudsman.services).

    When the requester has a procurador on file, the case records them as
    representative so that official messages go to the procurador only (Portaria, art. 36,
    parágrafo único).
    With ``acknowledge`` the person gets, after commit, the acknowledgement with the
    protocol, the due date and the access code to the follow-up page (``cases.followup``);
    ``in_reply_to`` is the ``Message-ID`` of the person's e-mail it answers, if any.

    ``opened_at`` is when the request reached the agency, when that was earlier than now (an
    e-mail filed as advertising and found not to be: its 48-hour clock counts "from
    reception", seed 003); the case is dated and its clock counted from then.
    """
    check_can(actor, "cases.open")
    check_can_open_for_team(actor, team)
    subject = clean_line(subject, 250)
    if not subject:
        raise CaseError(_("Informe o assunto do atendimento."))
    # Within a caller's transaction no savepoint of its own (the caller's undoes it all);
    # the opening, due date, assignment and access-code entries go in one INSERT.
    with transaction.atomic(savepoint=False), history.collected():
        workflow = channel.workflow or Workflow.objects.get(slug=DEFAULT_WORKFLOW)
        case = Case(
            protocol=next_protocol(),
            channel=channel,
            service=service,
            subject=subject,
            description=description,
            requester=requester,
            representative=requester.active_representative if requester else None,
            organisation=organisation or (requester.organisation if requester else None),
            team=team,
            priority=priority,
            state=workflow.initial_state,
            deadline_policy=deadline_policy or channel.deadline_policy,
            created_at=opened_at or timezone.now(),
        )
        # recorded before the row exists: written with the others when the block ends
        history.record(case, CaseEvent.Action.OPENED, actor=actor, new=case.protocol)
        case.due_at = clock.initial_due(case, fresh=True)
        case.save()
        if tags:
            names = [t.strip()[:60] for t in tags if t.strip()]
            case.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
        if team is not None and team.strategy != Team.Strategy.MANUAL:
            do_auto_assign(case, actor=SYSTEM)
        if acknowledge:
            followup.do_issue_access_code(
                case, acknowledge=True, fresh=True, in_reply_to=in_reply_to
            )
        events.case_event_on_commit("case.opened", case)
    return case


# --- states -----------------------------------------------------------------------


def allowed_transitions(case: Case) -> list[Transition]:
    return list(
        Transition.objects.filter(source=case.state)
        .select_related("target")
        .order_by("target__order")
    )


@transaction.atomic
def do_change_state(
    case: Case, target: State, *, actor=None, reason: str = "", tell_requester: bool = True
) -> Case:
    """Move ``case`` to ``target`` along an allowed transition.

    Illegal moves are refused; transitions marked as needing a reason (reopening
    always) refuse an empty reason. The person is told of the change by e-mail unless
    ``tell_requester`` is False (a case that was never a person's request: advertising).
    """
    check_can(actor, "cases.change_state")
    case = Case.objects.select_for_update().select_related("state").get(pk=case.pk)
    transition = Transition.objects.filter(source=case.state, target=target).first()
    if transition is None:
        raise CaseError(
            _("Não é possível passar de “%(source)s” para “%(target)s”.")
            % {"source": case.state, "target": target}
        )
    reason = (reason or "").strip()
    if (transition.requires_reason or transition.is_reopen) and not reason:
        raise CaseError(
            _("Informe a justificativa para “%(action)s”.") % {"action": transition.name}
        )
    old = case.state
    case.state = target
    if target.is_terminal:
        case.closed_at = timezone.now()
    elif old.is_terminal:
        case.closed_at = None
    case.save(update_fields=["state", "closed_at", "updated_at"])
    history.record(
        case,
        CaseEvent.Action.REOPENED if transition.is_reopen else CaseEvent.Action.STATE_CHANGED,
        actor=actor,
        field="state",
        old=old.name,
        new=target.name,
        reason=reason,
    )
    clock.state_changed(case, old, target)
    if tell_requester:
        outbound.queue_state_change(case, old, target, reason if _tells_requester(target) else "")
    events.case_event_on_commit("case.state_changed", case)
    return case


def _tells_requester(target: State) -> bool:
    """The justification typed when asking the person for something is the request itself
    and goes to them; other justifications are the team's and stay internal."""
    return target.category == State.Category.WAITING_REQUESTER


# --- terminative answer ------------------------------------------------------------


@transaction.atomic
def do_terminate_case(case: Case, *, actor, ground: str, statement: str) -> Case:
    """End a contact with a terminative answer recorded in its own term (Portaria, art. 35
    §3 and art. 43 §5: "será encerrado mediante resposta terminativa registrada em termo
    próprio, nos casos de: I - lesão ou ameaça à integridade e honra pessoal do servidor
    atendente…; II - falta de lealdade, urbanidade e boa-fé…; III - oferta de favores,
    benesses ou vantagens…"). The person gets the terminative answer, the case goes to its
    workflow's closed state whatever its current one, and the ombudsman role is told at once
    (§4 / §6: "a Ouvidoria do INPI será prontamente informada")."""
    check_can(actor, "cases.change_state")
    case = Case.objects.select_for_update().select_related("state").get(pk=case.pk)
    if not case.is_open:
        raise CaseError(_("Este atendimento já está encerrado."))
    if ground not in TerminativeTerm.Ground.values:
        raise CaseError(_("Escolha uma das três hipóteses da resposta terminativa."))
    statement = (statement or "").strip()
    if not statement:
        raise CaseError(_("Relate o ocorrido: o termo registra o que motivou o encerramento."))
    target = (
        State.objects.filter(workflow_id=case.state.workflow_id, category=State.Category.CLOSED)
        .order_by("order", "pk")
        .first()
    )
    if target is None:
        raise CaseError(_("O fluxo deste atendimento não tem uma situação de encerramento."))
    term = TerminativeTerm.objects.create(
        case=case,
        ground=ground,
        statement=statement,
        by=actor if getattr(actor, "pk", None) else None,
    )
    label = TerminativeTerm.Ground(ground).label
    do_add_message(
        case,
        _(
            "Este atendimento foi encerrado com resposta terminativa, conforme a Portaria de "
            "atendimento do órgão, pela seguinte hipótese: %(ground)s. A Ouvidoria foi "
            "informada."
        )
        % {"ground": label},
        actor=actor,
    )
    old = case.state
    case.state, case.closed_at = target, timezone.now()
    case.save(update_fields=["state", "closed_at", "updated_at"])
    history.record(
        case,
        CaseEvent.Action.TERMINATED,
        actor=actor,
        field="state",
        old=old.name,
        new=target.name,
        reason=str(label),
    )
    clock.state_changed(case, old, target)
    transaction.on_commit(lambda: _tell_the_ombudsman(term.pk))
    events.case_event_on_commit("case.state_changed", case)
    return case


def _tell_the_ombudsman(term_pk: int) -> None:
    from django.core.mail import send_mail
    from django.urls import reverse

    term = TerminativeTerm.objects.select_related("case", "by").get(pk=term_pk)
    people = emails_of(OMBUDSMAN)
    if not people:
        return
    link = settings.BALCAO_BASE_URL.rstrip("/") + reverse("console:case_term", args=[term.case_id])
    send_mail(
        _("[%(protocol)s] Resposta terminativa registrada") % {"protocol": term.case.protocol},
        "\n".join(
            [
                _("Um atendimento foi encerrado com resposta terminativa."),
                "",
                _("Protocolo: %(protocol)s") % {"protocol": term.case.protocol},
                _("Hipótese: %(ground)s") % {"ground": term.get_ground_display()},
                _("Registrado por: %(who)s") % {"who": term.by or "—"},
                "",
                _("Termo: %(link)s") % {"link": link},
            ]
        ),
        None,
        people,
    )


# --- assignment -------------------------------------------------------------------


@transaction.atomic
def do_assign_case(case: Case, *, assignee=None, team: Team | None = None, actor=None) -> Case:
    """Assign ``case`` to a team and/or an agent (manual assignment)."""
    check_can(actor, "cases.assign")
    case = Case.objects.select_for_update().get(pk=case.pk)
    return _assign(case, assignee=assignee, team=team, actor=actor)


def take_refusal(user, case: Case) -> str | None:
    """Why ``user`` may not take ``case`` ("Atribuir a mim"), or None when they may.

    Any case worker takes an open case of their teams (or an unqueued one) that nobody
    holds; taking over a colleague's case is a reassignment, for those who assign."""
    if not has_capability(user, "cases.take"):
        return _("Seu perfil não permite assumir atendimentos.")
    if not case.is_open:
        return _("Este atendimento está encerrado.")
    if case.assignee_id == user.pk:
        return _("Este atendimento já está com você.")
    if case.assignee_id is not None and not has_capability(user, "cases.assign"):
        return _("Este atendimento já tem responsável; peça à supervisão para reatribuí-lo.")
    if (
        case.team_id is not None
        and not TeamMembership.objects.filter(team_id=case.team_id, user=user).exists()
    ):
        return _("Você não faz parte da equipe deste atendimento.")
    return None


@transaction.atomic
def do_take_case(case: Case, *, actor) -> Case:
    """``actor`` takes ``case`` as its responsible ("Atribuir a mim"), recorded in its
    history; refused (``CaseError``) for the reasons ``take_refusal`` gives."""
    check_can(actor, "cases.take")
    case = Case.objects.select_for_update().select_related("state").get(pk=case.pk)
    refusal = take_refusal(actor, case)
    if refusal:
        raise CaseError(refusal)
    return _assign(case, assignee=actor, team=None, actor=actor)


def _assign(case: Case, *, assignee, team: Team | None, actor) -> Case:
    if team is not None and team != case.team:
        history.record(
            case,
            CaseEvent.Action.TEAM_CHANGED,
            actor=actor,
            field="team",
            old=case.team or "",
            new=team,
        )
        case.team = team
    if assignee is not None and assignee != case.assignee:
        if is_confidential(case) and not sees_confidential(assignee):
            raise CaseError(
                _("%(user)s não pode receber este atendimento: só a ouvidoria o vê.")
                % {"user": assignee}
            )
        if case.team and not TeamMembership.objects.filter(team=case.team, user=assignee).exists():
            raise CaseError(
                _("%(user)s não faz parte da equipe %(team)s.")
                % {"user": assignee, "team": case.team}
            )
        history.record(
            case,
            CaseEvent.Action.ASSIGNED,
            actor=actor,
            field="assignee",
            old=case.assignee or "",
            new=assignee,
        )
        case.assignee = assignee
    case.save(update_fields=["team", "assignee", "updated_at"])
    events.case_event_on_commit("case.assigned", case)
    return case


def _eligible_members(team: Team):
    return team.members.filter(
        is_active=True, teammembership__accepts_assignments=True, teammembership__team=team
    ).order_by("pk")


@transaction.atomic
def do_auto_assign(case: Case, *, actor=None) -> Case:
    """Assign by the team's strategy: round-robin (next member after the last one
    assigned) or least-loaded (fewest open cases, ties by id)."""
    team = Team.objects.select_for_update().get(pk=case.team_id)
    members = list(_eligible_members(team))
    if not members:
        return case
    if team.strategy == Team.Strategy.LEAST_LOADED:
        loads = dict(
            Case.objects.filter(assignee__in=members, closed_at__isnull=True)
            .exclude(state__category__in=[State.Category.RESOLVED, State.Category.CLOSED])
            .values_list("assignee")
            .annotate(n=Count("pk"))
        )
        chosen = min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))
    else:
        last = team.last_assigned_id
        following = [m for m in members if last is None or m.pk > last]
        chosen = following[0] if following else members[0]
    team.last_assigned = chosen
    team.save(update_fields=["last_assigned"])
    case.assignee = chosen
    case.save(update_fields=["assignee", "updated_at"])
    history.record(
        case,
        CaseEvent.Action.ASSIGNED,
        actor=actor,
        field="assignee",
        new=chosen,
        reason=f"distribuição automática ({team.get_strategy_display()})",
    )
    return case


# --- messages and attachments -----------------------------------------------------


@transaction.atomic
def do_add_message(
    case: Case,
    body: str,
    *,
    author_kind: str = Message.Author.AGENT,
    actor=None,
    internal: bool = False,
    files: Iterable = (),
    email: bool = True,
) -> Message:
    """Add a public reply or an internal note, with attachments checked first.

    Every file is checked before anything is stored, so a refused file leaves the
    case exactly as it was (nothing half-saved). An agent's public reply is e-mailed to the
    person unless ``email`` is False (the live chat: the person reads it live or by the
    unread mark, and gets the whole record by e-mail at the end, seed 004).
    """
    if author_kind == Message.Author.AGENT:
        check_can(actor, "cases.note" if internal else "cases.reply")
    body = (body or "").strip()
    files = list(files)
    if not body and not files:
        raise CaseError(_("A mensagem está vazia."))
    channel = case.channel
    checked = [
        (
            f,
            check_file(
                f,
                getattr(f, "name", "arquivo"),
                max_bytes=channel.max_attachment_bytes,
                allowed_types=channel.allowed_attachment_types or None,
            ),
        )
        for f in files
    ]
    message = Message.objects.create(
        case=case,
        body=body,
        author_kind=author_kind,
        author_user=actor if getattr(actor, "pk", None) else None,
        internal=internal,
    )
    for fileobj, info in checked:
        attachment = Attachment(
            case=case,
            message=message,
            filename=info.filename,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        attachment.file.save(info.filename, File(fileobj), save=False)
        attachment.save()
    history.record(
        case,
        CaseEvent.Action.NOTE_ADDED if internal else "message_added",
        actor=actor,
        new=f"{len(body)} caracteres, {len(checked)} anexo(s)",
    )
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    if not internal:
        if author_kind == Message.Author.AGENT and email:
            outbound.queue_reply(case, message)
        events.case_event_on_commit("case.message_added", case, message=message)
    return message


_EDITABLE = ("subject", "description", "service", "priority")


@transaction.atomic
def do_update_case(case: Case, *, actor=None, tags: Iterable[str] | None = None, **changes) -> Case:
    """Change a case's descriptive fields; each change lands in the history."""
    check_can(actor, "cases.edit")
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise CaseError(
            _("Campos não editáveis: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    if "subject" in changes:
        changes["subject"] = clean_line(changes["subject"] or "", 250)
        if not changes["subject"]:
            raise CaseError(_("Informe o assunto do atendimento."))
    changed = []
    for field, value in changes.items():
        old = getattr(case, field)
        if old != value:
            setattr(case, field, value)
            changed.append(field)
            history.record(
                case, CaseEvent.Action.UPDATED, actor=actor, field=field, old=old, new=value
            )
    if changed:
        case.save(update_fields=[*changed, "updated_at"])
    if tags is not None:
        names = sorted({t.strip()[:60] for t in tags if t.strip()})
        old_names = sorted(case.tags.values_list("name", flat=True))
        if names != old_names:
            case.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
            history.record(
                case,
                CaseEvent.Action.UPDATED,
                actor=actor,
                field="tags",
                old=", ".join(old_names),
                new=", ".join(names),
            )
    if changed or tags is not None:
        events.case_event_on_commit("case.updated", case)
    return case


def check_can_open_for_team(user, team: Team | None) -> None:
    """Refuse, before anything is written, to open a case in ``team`` for an actor who
    could not see it afterwards (the rule of ``visible_cases``: an agent sees its teams'
    cases, its own and unqueued ones). Opening it and then answering 404 made clients
    retry and open the same case twice."""
    if is_system(user) or team is None or user.is_superuser or roles_of(user) & SEES_ALL_CASES:
        return
    team_ids = getattr(user, "_balcao_team_ids", None)
    if team_ids is None:
        team_ids = list(user.teams.values_list("pk", flat=True))
    if team.pk not in team_ids:
        raise PermissionDenied(
            _("Você não faz parte desta equipe: abra o atendimento sem equipe ou numa equipe sua.")
        )
