from django import forms
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from balcao.accounts.models import User
from balcao.cases.models import Team
from balcao.catalog.models import Channel, Level, Service
from balcao.mail.models import Mailbox


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class StateSelect(forms.Select):
    """The allowed next states; an option whose move needs a justification carries
    ``data-requires-reason`` (the case page's script then marks the justification required)."""

    def __init__(self, *args, requires_reason=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_reason = requires_reason

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.requires_reason:
            option["attrs"]["data-requires-reason"] = "1"
        return option


class _StateChange:
    """A choice among the case's allowed transitions and its justification, checked as
    ``services.do_change_state`` will check them (the error then shows beside the field).

    ``self.transitions`` maps a target state's id (str) to its Transition; the chosen
    State is ``cleaned_data["target"]`` (None when optional and left empty)."""

    reason_hint = _("Obrigatório ao passar para: %(names)s.")

    def _setup_state_fields(self, case, *, optional: bool, transitions=None) -> None:
        from balcao.cases import services

        if transitions is None:
            transitions = services.allowed_transitions(case) if case is not None else []
        self.transitions = {str(t.target_id): t for t in transitions}
        needing = {key for key, t in self.transitions.items() if t.requires_reason or t.is_reopen}
        choices = [(key, t.target.name) for key, t in self.transitions.items()]
        target = self.fields["target"]
        target.widget = StateSelect(requires_reason=frozenset(needing))
        target.widget.is_required = target.required
        target.widget.attrs["data-reason-field"] = self.auto_id % "reason"
        target.choices = [("", _("(não mudar)")), *choices] if optional else choices
        reason = self.fields["reason"]
        if needing and needing == set(self.transitions) and not optional:
            reason.required = True
        elif needing:
            reason.help_text = self.reason_hint % {
                "names": ", ".join(
                    t.target.name for k, t in self.transitions.items() if k in needing
                )
            }
        self.reason_needed_for = needing

    def _clean_state_change(self, cleaned):
        key = cleaned.get("target") or ""
        transition = self.transitions.get(key)
        cleaned["target"] = transition.target if transition else None
        if transition and key in self.reason_needed_for and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                _("Informe a justificativa para “%(action)s”.") % {"action": transition.name},
            )
        return cleaned


class MessageForm(_StateChange, forms.Form):
    """A reply (or an internal note) and, for who may change the state, the move the
    reply completes ("e mudar a situação para…"), done in one step."""

    body = forms.CharField(
        label=_("Mensagem"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=50_000,
    )
    files = MultipleFileField(label=_("Anexos"))
    target = forms.ChoiceField(label=_("E mudar a situação para…"), required=False)
    reason = forms.CharField(
        label=_("Motivo da mudança"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case=None, change_state=False, transitions=None, **kwargs):
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)
        if change_state and case is not None:
            self._setup_state_fields(case, optional=True, transitions=transitions)
        else:
            del self.fields["target"], self.fields["reason"]
            self.transitions, self.reason_needed_for = {}, set()

    def clean(self):
        cleaned = super().clean()
        if "target" in self.fields:
            cleaned = self._clean_state_change(cleaned)
        else:
            cleaned["target"] = None
        if not (cleaned.get("body") or "").strip() and not cleaned.get("files"):
            self.add_error("body", _("A mensagem está vazia."))
        return cleaned


class TransitionForm(_StateChange, forms.Form):
    target = forms.ChoiceField(label=_("Nova situação"))
    reason = forms.CharField(
        label=_("Justificativa"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case=None, transitions=None, **kwargs):
        kwargs.setdefault("auto_id", "transition-%s")
        super().__init__(*args, **kwargs)
        self._setup_state_fields(case, optional=False, transitions=transitions)

    def clean(self):
        return self._clean_state_change(super().clean())


class ExtendForm(forms.Form):
    justification = forms.CharField(
        label=_("Justificativa"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "extend-%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Equipe"), queryset=Team.objects.all(), required=False)
    assignee = forms.ModelChoiceField(
        label=_("Responsável"),
        required=False,
        queryset=User.objects.filter(
            is_active=True, groups__name__in=["agent", "supervisor", "ombudsman"]
        )
        .distinct()
        .only("username", "display_name", "first_name", "last_name")  # what __str__ shows
        .order_by("username"),
    )

    def __init__(self, *args, menus: tuple[list, list] | None = None, **kwargs):
        """``menus``: the (team, assignee) choices to show, from :func:`assign_menus`; the
        form still checks a submitted choice against the database."""
        super().__init__(*args, **kwargs)
        if menus is not None:
            for name, choices in zip(("team", "assignee"), menus, strict=True):
                field = self.fields[name]
                field.choices = [("", field.empty_label), *choices]


ASSIGN_MENUS_KEY = "console:assign-menus"
ASSIGN_MENUS_TTL = 30  # seconds the case page's menus may lag behind team and staff changes


def add_service_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form: each message on its field, or on the
    whole form when the form has no such field."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def assign_menus() -> tuple[list, list]:
    """The case page's "Equipe" and "Responsável" menus as (pk, label) lists, from a
    per-process snapshot at most ``ASSIGN_MENUS_TTL`` seconds old — as the work queue's bulk
    menu (console.queue_views): reading and writing both on every case page was a tenth of
    its CPU (tests/bench/bench_cases.py). The POST checks the choice against the database
    and refuses one no longer valid."""
    local = caches["local"]
    menus = local.get(ASSIGN_MENUS_KEY)
    if menus is None:
        fields = AssignForm.base_fields
        menus = tuple(
            [(obj.pk, fields[name].label_from_instance(obj)) for obj in fields[name].queryset.all()]
            for name in ("team", "assignee")
        )
        local.set(ASSIGN_MENUS_KEY, menus, ASSIGN_MENUS_TTL)
    return menus


class NewCaseForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Canal"), queryset=Channel.objects.filter(active=True))
    service = forms.ModelChoiceField(
        label=_("Serviço"), queryset=Service.objects.filter(active=True), required=False
    )
    subject = forms.CharField(label=_("Assunto"), max_length=250)
    description = forms.CharField(
        label=_("Descrição"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    requester_name = forms.CharField(label=_("Nome do requerente"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("E-mail do requerente"), required=False)
    requester_cpf = forms.CharField(label=_("CPF do requerente"), max_length=20, required=False)
    team = forms.ModelChoiceField(label=_("Equipe"), queryset=Team.objects.all(), required=False)
    acknowledge = forms.BooleanField(
        label=_("Enviar confirmação ao requerente"),
        required=False,
        initial=True,
        help_text=_(
            "Protocolo, prazo e o código de acesso à página de acompanhamento, "
            "por e-mail (só quando o requerente tem e-mail)."
        ),
        # ticked while an e-mail is typed, until the person ticks or unticks it (script)
        widget=forms.CheckboxInput(attrs={"data-checked-when-filled": "id_requester_email"}),
    )


class ChannelForm(forms.Form):
    """A manager edits a channel; lists are one item per line; translations per language."""

    field_order = ["name", "kind", "automated", "level"]

    name = forms.CharField(label=_("Nome"), max_length=120)
    kind = forms.ChoiceField(label=_("Tipo"), choices=Channel.Kind.choices)
    automated = forms.BooleanField(label=_("Automatizado (chatbot)"), required=False)
    level = forms.ModelChoiceField(
        label=_("Nível"),
        queryset=Level.objects.order_by("number", "order"),
        required=False,
        help_text=_(
            "Com o tipo, diz à triagem o papel do canal quando o papel não é escolhido abaixo."
        ),
    )
    purpose = forms.CharField(
        label=_("Finalidade"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    ideal_for = forms.CharField(
        label=_("Ideal para (um por linha)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    not_advised_for = forms.CharField(
        label=_("Desaconselhado para (um por linha)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(label=_("Ativo"), required=False)
    confidential = forms.BooleanField(
        label=_("Sigiloso: só a ouvidoria vê os atendimentos e quem os abriu"), required=False
    )
    order = forms.IntegerField(label=_("Ordem"), min_value=0)
    hours = forms.ChoiceField(label=_("Funcionamento"), choices=Channel.Hours.choices)
    session_times = forms.CharField(
        label=_("Horários das sessões (ex.: 10:00, 14:00)"), required=False
    )
    deadline_policy = forms.CharField(label=_("Política de prazo"), required=False, max_length=64)
    entry = forms.ChoiceField(label=_("Ponto de entrada"), choices=Channel.Entry.choices)
    triage_role = forms.ChoiceField(
        label=_("Papel na triagem"),
        choices=[("", _("Deduzido do tipo e do nível")), *Channel.TriageRole.choices],
        required=False,
        help_text=_(
            "O que o canal faz para o cidadão: a triagem o recomenda para as necessidades "
            "desse papel quando a agência não tem regras próprias."
        ),
    )
    entry_url = forms.URLField(label=_("Endereço externo"), required=False, assume_scheme="https")
    name_en = forms.CharField(label=_("Nome (inglês)"), required=False, max_length=120)
    purpose_en = forms.CharField(
        label=_("Finalidade (inglês)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    name_pt_pt = forms.CharField(
        label=_("Nome (português europeu)"), required=False, max_length=120
    )
    purpose_pt_pt = forms.CharField(
        label=_("Finalidade (português europeu)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_deadline_policy(self):
        from balcao.deadlines.services import policy_named

        name = self.cleaned_data["deadline_policy"].strip()
        if name and policy_named(name) is None:
            raise forms.ValidationError(_("Política de prazo desconhecida."))
        return name

    def clean_session_times(self):
        import re

        times = [t.strip() for t in self.cleaned_data["session_times"].split(",") if t.strip()]
        for value in times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
                raise forms.ValidationError(_("Use horários como 10:00, 14:00."))
        return times

    @staticmethod
    def lines(value: str) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def channel_fields(self, texts: dict | None = None) -> dict:
        """The channel's fields from the cleaned form, its ``texts`` (those it had, if any)
        updated with the pt-BR texts and the translations given."""
        data = self.cleaned_data
        pt_br = {
            "name": data["name"],
            "purpose": data["purpose"],
            "ideal_for": self.lines(data["ideal_for"]),
            "not_advised_for": self.lines(data["not_advised_for"]),
        }
        new_texts = {lang: dict(values) for lang, values in (texts or {}).items()}
        new_texts.setdefault("pt-BR", {}).update(pt_br)
        for lang, suffix in (("en", "en"), ("pt-PT", "pt_pt")):
            for key in ("name", "purpose"):
                if data[f"{key}_{suffix}"]:
                    new_texts.setdefault(lang, {})[key] = data[f"{key}_{suffix}"]
        plain = (
            "kind", "automated", "level", "active", "confidential", "order", "hours",
            "session_times", "deadline_policy", "entry", "entry_url", "triage_role",
        )  # fmt: skip
        fields = {**pt_br, **{key: data[key] for key in plain}, "texts": new_texts}
        if "kind" in self.changed_data and "confidential" not in self.changed_data:
            # a new kind, the box left alone: the service says whether the channel is
            # confidential (an ombudsman's is, Decreto 10.153/2019)
            del fields["confidential"]
        return fields


class NewChannelForm(ChannelForm):
    """A manager adds a channel: its identifier, kind and level first, then what every
    channel has."""

    slug = forms.SlugField(
        label=_("Identificador"),
        max_length=50,
        help_text=_("Minúsculas, números e hífens (ex.: ouvidoria-geral); não muda depois."),
    )
    field_order = ["slug", *ChannelForm.field_order]


class CannedAnswerForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=120)
    body = forms.CharField(
        label=_("Texto"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    team = forms.ModelChoiceField(
        label=_("Equipe"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("Todas as equipes"),
        help_text=_("Quem atende casos desta equipe vê a resposta; sem equipe, todos veem."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "canned-%s")
        super().__init__(*args, **kwargs)


class _IdListField(forms.Field):
    """Database ids ticked in the list (``name="cases"`` checkboxes outside the form, tied
    to it by their ``form`` attribute); anything that is not an id is dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        from balcao.apikit.bounds import parse_db_id

        ids = [parse_db_id(str(item)) for item in (value or [])]
        return sorted({pk for pk in ids if pk is not None})

    def validate(self, value):
        if not value:
            raise forms.ValidationError(_("Marque ao menos um atendimento na lista."))


def bulk_offer(user) -> tuple[list[tuple[str, str]], bool, bool]:
    """The bulk actions ``user``'s role may take, as (choices, may assign to others, may
    change the state): the form checks a POST with them, the work queue writes its menus
    from them without building the form."""
    from balcao.accounts.roles import has_capability

    actions = [(BulkForm.TAKE, _("Atribuir a mim"))]
    assigns = has_capability(user, "cases.assign")
    if assigns:
        actions.append((BulkForm.ASSIGN, _("Atribuir a…")))
    changes_state = has_capability(user, "cases.change_state")
    if changes_state:
        actions.append((BulkForm.STATE, _("Mudar situação para…")))
    return actions, assigns, changes_state


def state_choices() -> list[tuple[str, str]]:
    """The states a bulk change may set, by name (one per slug across workflows)."""
    from balcao.cases import lookups

    names = {slug: name for slug, name, _category in lookups.states.rows().values()}
    return [("", "—"), *sorted(names.items(), key=lambda item: item[1])]


class BulkForm(forms.Form):
    """One action on the ticked cases of the work queue (issue 19: "bulk assign and bulk
    state change"); the actions offered are those the user's role may take."""

    TAKE, ASSIGN, STATE = "take", "assign", "state"

    cases = _IdListField()
    action = forms.ChoiceField(label=_("Ação"))
    assignee = forms.ModelChoiceField(
        label=_("Atribuir a"), queryset=User.objects.none(), required=False
    )
    state = forms.ChoiceField(label=_("Nova situação"), required=False)
    reason = forms.CharField(
        label=_("Justificativa (quando a mudança exige)"),
        max_length=2000,
        required=False,
        widget=forms.TextInput,
    )

    def __init__(self, *args, user, **kwargs):
        from balcao.console.queue_views import assignable_users

        super().__init__(*args, **kwargs)
        actions, assigns, changes_state = bulk_offer(user)
        if assigns:
            self.fields["assignee"].queryset = assignable_users()
        else:
            del self.fields["assignee"]
        if changes_state:
            self.fields["state"].choices = state_choices()
        else:
            del self.fields["state"], self.fields["reason"]
        self.fields["action"].choices = actions

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.ASSIGN and not cleaned.get("assignee"):
            self.add_error("assignee", _("Escolha a quem atribuir."))
        if action == self.STATE and not cleaned.get("state"):
            self.add_error("state", _("Escolha a nova situação."))
        return cleaned


class TriageExampleForm(forms.Form):
    """A need, in the words citizens use, and the channel it should go to."""

    text = forms.CharField(
        label=_("Necessidade, como o cidadão escreveria"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=_("Idioma"),
        choices=[
            ("pt-BR", "Português (Brasil)"),
            ("pt-PT", "Português (Portugal)"),
            ("en", "English"),
        ],
    )
    expect = forms.ChoiceField(label=_("Canal certo"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "example-%s")
        super().__init__(*args, **kwargs)
        channels = Channel.objects.filter(active=True).order_by("level__number", "order")
        self.fields["expect"].choices = [
            *((c.slug, f"{c.name} ({c.slug})") for c in channels),
            (
                "merit-not-discussed",
                _("Revisão de decisão: recurso (nenhum canal discute o mérito)"),
            ),
        ]


class LaiAnswerForm(forms.Form):
    """The conclusive answer to an access-to-information request (ombudsman.LaiAnswer)."""

    kind = forms.ChoiceField(label=_("Resposta"))
    ground = forms.ChoiceField(
        label=_("Fundamento da negativa"),
        required=False,
        help_text=_(
            "Obrigatório quando o acesso é negado; na concessão parcial, o da parte negada."
        ),
    )
    competent_body = forms.CharField(
        label=_("Órgão competente"),
        max_length=200,
        required=False,
        help_text=_("Quando o pedido não é deste órgão."),
    )
    classification_id = forms.TypedChoiceField(
        label=_("TCI da informação classificada"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Quando a negativa é por informação classificada: vai ao requerente sem as razões."
        ),
    )
    text = forms.CharField(
        label=_("Texto da resposta"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        from balcao.ombudsman.models import ClassifiedInformation, LaiAnswer

        kwargs.setdefault("auto_id", "lai-%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *LaiAnswer.Kind.choices]
        self.fields["ground"].choices = [("", "—"), *LaiAnswer.Ground.choices]
        in_force = ClassifiedInformation.objects.filter(declassified_on__isnull=True)
        self.fields["classification_id"].choices = [
            ("", "—"),
            *((item.pk, f"{item.nup} · {item.degree} · {item.subject}") for item in in_force[:200]),
        ]


class ClassificationForm(forms.Form):
    """A Termo de Classificação de Informação (Decreto 7.724/2012 art. 31)."""

    nup = forms.CharField(
        label=_("NUP do processo (SEI)"), max_length=25, help_text=_("00000.000000/0000-00")
    )
    degree = forms.ChoiceField(
        label=_("Grau de sigilo"),
        choices=[
            ("", "—"),
            ("reservado", _("Reservado (até 5 anos)")),
            ("secreto", _("Secreto (até 15 anos)")),
            ("ultrassecreto", _("Ultrassecreto (até 25 anos)")),
        ],
    )
    category = forms.CharField(label=_("Categoria (dois dígitos do VCGE)"), max_length=2)
    legal_ground = forms.CharField(label=_("Fundamento legal"), max_length=300)
    subject = forms.CharField(label=_("Assunto"), max_length=300, required=False)
    produced_on = forms.DateField(
        label=_("Data de produção"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    years = forms.IntegerField(label=_("Prazo de sigilo (anos)"), min_value=1, max_value=25)
    end_event = forms.CharField(
        label=_("Evento que encerra o sigilo antes do prazo"), max_length=300, required=False
    )
    reasons = forms.CharField(
        label=_("Razões da classificação"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ficam no mesmo grau de sigilo e nunca chegam ao requerente."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "tci-%s")
        super().__init__(*args, **kwargs)


# --- reassessment, appeal and opinion on classified information (Portaria arts. 47–49) -------

_LOWER_DEGREES = [
    ("", "—"),
    ("reservado", _("Reservado (até 5 anos)")),
    ("secreto", _("Secreto (até 15 anos)")),
]
_REASONS_HELP = _(
    "Ficam no mesmo grau de sigilo da informação (Lei 12.527/2011, art. 29, parágrafo único): "
    "quem pediu recebe só a decisão."
)
_SUMMARY_HELP = _(
    "Só para a desclassificação: o breve resumo publicado no relatório anual (art. 50, I, c)."
)
_YEARS_HELP = _("Para a redução do prazo ou a reclassificação: o novo prazo, contado da produção.")


class ReassessmentRequestForm(forms.Form):
    """A reassessment on request (by anyone, Decreto 7.724/2012 art. 36) or ex officio
    (Portaria art. 47)."""

    origin = forms.ChoiceField(
        label=_("Origem"),
        choices=[("request", _("A pedido")), ("ex-officio", _("De ofício"))],
    )
    asked = forms.ChoiceField(
        label=_("O que se pede"),
        choices=[
            ("declassify", _("Desclassificação")),
            ("reduce", _("Redução do prazo de sigilo")),
        ],
    )
    requester_name = forms.CharField(
        label=_("Quem pediu"),
        max_length=200,
        required=False,
        help_text=_("Obrigatório quando a reavaliação é a pedido."),
    )
    requester_email = forms.EmailField(
        label=_("E-mail de quem pediu"),
        required=False,
        help_text=_("Para avisar da decisão e do prazo de recurso."),
    )
    text = forms.CharField(
        label=_("Texto do pedido ou motivo da reavaliação"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reav-%s")
        super().__init__(*args, **kwargs)


class _ClassificationEffectForm(forms.Form):
    """What a decision that lifts or eases a classification sets: the new term, the new
    degree, the summary the annual report publishes of a declassified document."""

    years = forms.IntegerField(
        label=_("Novo prazo (anos)"),
        min_value=1,
        max_value=25,
        required=False,
        help_text=_YEARS_HELP,
    )
    degree = forms.ChoiceField(
        label=_("Novo grau"),
        choices=_LOWER_DEGREES,
        required=False,
        help_text=_("Só para a reclassificação."),
    )
    summary = forms.CharField(
        label=_("Resumo para o rol de desclassificadas"),
        max_length=2000,
        required=False,
        help_text=_SUMMARY_HELP,
    )


class ReassessmentDecisionForm(_ClassificationEffectForm):
    """The classifying authority's decision (Portaria art. 47; Decreto 7.724/2012 art. 35)."""

    decision = forms.ChoiceField(
        label=_("Decisão"),
        choices=[
            ("", "—"),
            ("keep", _("Manter a classificação")),
            ("reduce", _("Reduzir o prazo de sigilo")),
            ("downgrade", _("Reclassificar em grau menos restritivo")),
            ("declassify", _("Desclassificar")),
        ],
    )
    decision_text = forms.CharField(
        label=_("Razões da decisão"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_REASONS_HELP,
    )

    field_order = ["decision", "years", "degree", "summary", "decision_text"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dec-%s")
        super().__init__(*args, **kwargs)


class ClassificationAppealForm(forms.Form):
    """The person's appeal to the President against a refusal (Portaria art. 48)."""

    text = forms.CharField(label=_("Razões do recurso"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rec-%s")
        super().__init__(*args, **kwargs)


class ClassificationAppealDecisionForm(_ClassificationEffectForm):
    """The President's decision on the appeal (Portaria art. 48)."""

    outcome = forms.ChoiceField(
        label=_("Decisão"),
        choices=[("", "—"), ("granted", _("Provido")), ("denied", _("Não provido"))],
    )
    effect = forms.ChoiceField(
        label=_("Efeito do provimento"),
        choices=[
            ("", "—"),
            ("declassify", _("Desclassificar")),
            ("reduce", _("Reduzir o prazo de sigilo")),
            ("downgrade", _("Reclassificar em grau menos restritivo")),
        ],
        required=False,
    )
    decision_text = forms.CharField(
        label=_("Fundamentação da decisão"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_REASONS_HELP,
    )

    field_order = ["outcome", "effect", "years", "degree", "summary", "decision_text"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rdec-%s")
        super().__init__(*args, **kwargs)


class ClassificationOpinionForm(forms.Form):
    """The ombudsman's advisory opinion (Portaria art. 49)."""

    text = forms.CharField(
        label=_("Parecer da Ouvidoria"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "par-%s")
        super().__init__(*args, **kwargs)


class OmbudsmanTriageForm(forms.Form):
    """The ombudsman's triage of a manifestation (ombudsman.services.do_triage)."""

    outcome = forms.ChoiceField(
        label=_("Resultado da triagem"),
        choices=[
            ("admissible", _("Admitida")),
            ("inadmissible", _("Não admitida")),
            ("other-channel", _("De outro canal")),
            ("duplicate", _("Duplicada")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motivo"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fica registrado; se a manifestação não for admitida, vai à pessoa."),
    )
    duplicate_of = forms.CharField(
        label=_("Protocolo da manifestação original"),
        required=False,
        max_length=40,
        help_text=_("Só se for duplicada."),
    )
    channel = forms.CharField(
        label=_("Canal indicado à pessoa"),
        required=False,
        max_length=200,
        help_text=_("Só se for de outro canal."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "tri-%s")
        super().__init__(*args, **kwargs)


class ForwardForm(forms.Form):
    """A manifestation forwarded to a unit as a pseudonymised copy
    (ombudsman.services.do_forward)."""

    team = forms.ModelChoiceField(
        label=_("Unidade"), queryset=Team.objects.order_by("name"), empty_label=None
    )
    subject = forms.CharField(label=_("Assunto da cópia"), max_length=300)
    text = forms.CharField(
        label=_("Relato (cópia pseudonimizada)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "A unidade lê só este texto. Ele já vem sem nome, e-mail, telefone e documentos "
            "encontrados; leia-o inteiro e retire o que mais possa identificar a pessoa."
        ),
    )
    instructions = forms.CharField(
        label=_("O que se pede à unidade"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    due_on = forms.DateField(
        label=_("Prazo interno"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    attachments = forms.MultipleChoiceField(
        label=_("Anexos a enviar (sem metadados)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, attachments=(), **kwargs):
        kwargs.setdefault("auto_id", "fwd-%s")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].choices = [(str(a.pk), a.filename) for a in attachments]


class ForwardingAnswerForm(forms.Form):
    """The unit's answer to the ombudsman."""

    answer = forms.CharField(
        label=_("Resposta da unidade"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Vai à Ouvidoria, que revisa e responde à pessoa."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "fans-%s")
        super().__init__(*args, **kwargs)


class RevealIdentityForm(forms.Form):
    """Why the ombudsman needs to see who filed a manifestation with identity preserved."""

    reason = forms.CharField(label=_("Motivo da consulta à identidade"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rev-%s")
        super().__init__(*args, **kwargs)


class MediationDeadlineForm(forms.Form):
    """The deadline the parties agreed (Resolução Pacífica de Conflitos)."""

    due_on = forms.DateField(
        label=_("Prazo acordado"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    how = forms.CharField(
        label=_("Como e quando foi acordado"),
        max_length=1000,
        help_text=_("Por exemplo: por e-mail em 02/12, na primeira sessão, por telefone."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "med-%s")
        super().__init__(*args, **kwargs)


class MediationSessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Data e hora da sessão"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    mode = forms.ChoiceField(
        label=_("Modalidade"),
        choices=[("virtual", _("Virtual")), ("in-person", _("Presencial"))],
    )
    where = forms.CharField(label=_("Local ou link"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ses-%s")
        super().__init__(*args, **kwargs)


class MediationConclusionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Como a mediação terminou"),
        choices=[
            ("agreement", _("Acordo")),
            ("no-agreement", _("Sem acordo")),
            ("withdrawn", _("Desistência")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Termo de acordo ou motivo do encerramento"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Vai à pessoa; o termo de acordo fica registrado como documento próprio."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "con-%s")
        super().__init__(*args, **kwargs)


class ExternalComplaintForm(forms.Form):
    """A complaint published on Reclame Aqui, registered by staff."""

    site_id = forms.CharField(label=_("Identificador da reclamação no site"), max_length=60)
    url = forms.URLField(label=_("Endereço da reclamação"), max_length=500, assume_scheme="https")
    published_at = forms.DateTimeField(
        label=_("Publicada em"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    author = forms.CharField(label=_("Nome exibido no site"), max_length=200, required=False)
    title = forms.CharField(label=_("Título da reclamação"), max_length=250)
    text = forms.CharField(label=_("Texto da reclamação"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ra-%s")
        super().__init__(*args, **kwargs)


class PublicReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Resposta publicada no site"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("É pública: não escreva dados pessoais da pessoa."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rap-%s")
        super().__init__(*args, **kwargs)


class SiteEvaluationForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("A pessoa considerou a reclamação resolvida?"),
        choices=[("yes", _("Resolvida")), ("no", _("Não resolvida"))],
        widget=forms.RadioSelect,
    )
    score = forms.IntegerField(label=_("Nota (0 a 10)"), min_value=0, max_value=10, required=False)
    would_return = forms.NullBooleanField(
        label=_("Voltaria a fazer negócio?"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Não informado")), ("true", _("Sim")), ("false", _("Não"))]
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rae-%s")
        super().__init__(*args, **kwargs)


class MailboxForm(forms.ModelForm):
    """A mailbox whose mail opens cases (issue 22). The IMAP secret is typed, stored
    encrypted (balcao.mail.secrets) and never shown back: left blank, the stored one stays."""

    secret = forms.CharField(
        label=_("Senha IMAP"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Guardada cifrada e nunca exibida. Deixe em branco para manter a atual."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "slug",
            "address",
            "channel",
            "team",
            "active",
            "imap_host",
            "imap_port",
            "imap_tls",
            "imap_user",
            "folder",
        ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "mbx-%s")
        super().__init__(*args, **kwargs)


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """A report's period, ``de``–``ate`` (inclusive), at most ``max_days`` days (a year by
    default: the tender's reports run weekly, monthly and over the contract, seed 003 13)."""

    max_days = 366
    de = forms.DateField(label=_("De"), widget=date_widget())
    ate = forms.DateField(label=_("Até"), widget=date_widget())

    def clean(self):
        data = super().clean()
        start, end = data.get("de"), data.get("ate")
        if start and end:
            if end < start:
                self.add_error("ate", _("A data final deve ser igual ou posterior à inicial."))
            elif (end - start).days >= self.max_days:
                self.add_error(
                    "ate", _("Escolha um período de até %(days)s dias.") % {"days": self.max_days}
                )
        return data
