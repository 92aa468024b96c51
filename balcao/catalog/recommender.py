"""Channel recommender for the triage "Encontre o atendimento certo" (pure: no Django import).

A person describes a need in free text and answers at most two questions (is it urgent? is it
about a decision already made?). :func:`recommend` scores the *active* channels it is given with
the rules kept as data in ``triage_rules.json`` and explains its choice with the catalogue's own
words: the chosen channel's "ideal para", a "desaconselhado para" of a channel it set aside, and
the chosen channel's hours or deadline (contract: ``shared/contracts/triage.md``).

Sources of the rules:

* the channel catalogue of the INPI page (seed ``000_e97a9f4c3e59bd1e.txt``): five levels, each
  channel's purpose, "ideal para", "desaconselhado para", hours and deadline;
* the statement on that page that "os canais de atendimento do INPI não realizam a apreciação ou
  discussão do mérito de decisões", and Portaria INPI art. 33 (seed ``001_…``): the
  (tele)presential service "não constitui foro adequado para a apreciação ou reapreciação do
  mérito de decisões". A need to have a decision reviewed gets the outcome
  ``merit-not-discussed`` and is pointed to the administrative appeal (recurso: Lei 9.279/1996,
  art. 212, 60 days save where the law says otherwise).

The caller (the Django side) builds :class:`ChannelInfo` objects from its database and passes
only the channels it wants recommended. Rules are keyed by slug (stable when an agency renames a
channel); a channel with no rules of its own can borrow a rule set (``rules_key``) or is scored
on the words of its own texts, and a slug absent from the list is never recommended.

Words of the explanation. The sentences of ``why`` and of the questions are gettext messages
like every other interface string: their pt-BR msgids are in :data:`MESSAGES` below, marked with
:func:`gettext_noop` so that ``balcao makemessages`` extracts them, and their pt-PT and English
texts live in ``balcao/locale`` with the rest of the interface (``docs/translators.md``). This
module still imports no Django: :func:`recommend` takes a ``translate(msgid, language)``
callable. The Django side (``catalog.services.translate``) passes one that renders through
``django.utils.translation`` in the need's language, so an agency's own ``LOCALE_PATHS`` apply;
without one, :func:`catalogue_translate` reads the same compiled catalogues with the standard
library's ``gettext``, so plain-Python callers (tests, ``triage_batch``) get the same words.
What the agency writes (channel names, "ideal para", hours and deadline texts, the appeal
sentence) is catalogue data and comes in the caller's :class:`ChannelInfo`, per language.
"""

from __future__ import annotations

import gettext
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from balcao import languages
from balcao.catalog import learned, roles
from balcao.textnorm import fold, language_family, stems, tokens

MERIT_NOT_DISCUSSED = "merit-not-discussed"
LANGUAGES = languages.LANGUAGES
DEFAULT_LANGUAGE = languages.DEFAULT
RULES_PATH = Path(__file__).with_name("triage_rules.json")
DEMO_CATALOG_PATH = Path(__file__).parent / "demo" / "inpi-catalog.json"
#: A ``rules_key`` that names no rule set: the channel is never scored on the rules' cues, even
#: when they have some for its slug, but on its own texts, its role and the labelled needs. An
#: agency's catalogue imported into the database (``balcao catalog import``) gets it on every
#: channel when the agency has no rules of its own: its "ouvidoria" or "sic" is not the INPI's
#: because it shares a slug (issue 20; :func:`general_rules` does the same for a file).
NO_RULES = "sem-regras"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

_NUMBER_WORDS = frozenset(
    {
        *("um", "uma", "dois", "duas", "tres", "quatro", "cinco", "seis", "sete", "oito"),
        *("nove", "dez", "onze", "doze", "quinze", "vinte", "trinta", "varios", "varias"),
        *("muitos", "muitas", "alguns", "algumas", "one", "two", "three", "four", "five"),
        *("six", "seven", "eight", "nine", "ten", "twelve", "fifteen", "twenty", "thirty"),
        *("several", "many", "few", "some"),
    }
)


class TriageInputError(ValueError):
    """A need that cannot be triaged; ``field`` names the bad member (``text``, ``language``…)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


Translate = Callable[[str, str], str]
"""``translate(msgid, language)``: a pt-BR msgid in ``language`` (pt-BR, pt-PT or en)."""


# --------------------------------------------------------------------------------------------
# Channels as the caller sees them


@dataclass(frozen=True)
class ChannelTexts:
    """A channel's texts in one language, already rendered (hours and deadline as sentences)."""

    name: str
    ideal_for: tuple[str, ...] = ()
    not_advised_for: tuple[str, ...] = ()
    hours_text: str = ""
    deadline_text: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class ChannelInfo:
    """One channel offered to the recommender.

    The top-level texts are those of the language the caller rendered (or the agency's default);
    ``texts`` may hold the same texts per language (``pt-BR``, ``pt-PT``, ``en``), used when the
    need is in that language. ``rules_key`` names the rule set to use when it is not the slug
    (an agency's own "ouvidoria-geral" can borrow the ``ouvidoria`` rules). Inactive channels are
    never recommended, even when passed.
    """

    slug: str
    name: str
    level: int = 1
    ideal_for: tuple[str, ...] = ()
    not_advised_for: tuple[str, ...] = ()
    hours_text: str = ""
    deadline_text: str = ""
    active: bool = True
    order: int = 0
    texts: Mapping[str, ChannelTexts] = field(default_factory=dict)
    rules_key: str | None = None
    kind: str = ""  # chatbot, form, email, phone, presential, ombudsman, lai… (roles.ROLE_OF_KIND)
    role: str = ""  # the role a manager set (roles.CHANNEL_ROLES); empty: from kind and texts

    def in_language(self, language: str) -> ChannelTexts:
        """The channel's texts in ``language``, falling back to the top-level ones."""
        own = self.texts.get(language)
        if own is not None:
            return own
        return ChannelTexts(
            self.name,
            tuple(self.ideal_for),
            tuple(self.not_advised_for),
            self.hours_text,
            self.deadline_text,
        )

    def all_texts(self) -> list[ChannelTexts]:
        return [self.in_language("")] + list(self.texts.values())


@dataclass(frozen=True)
class Answers:
    """The two questions; ``None`` means skipped ("não sei")."""

    urgent: bool | None = None
    about_decision: bool | None = None


@dataclass
class Recommendation:
    channel: str
    alternative: str | None
    why: str
    scores: dict[str, float] = field(default_factory=dict)
    questions_to_ask: list[dict[str, str]] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE

    def to_json(self) -> dict[str, Any]:
        """The contract's object: ``channel``, ``alternative``, ``why`` first, then extras."""
        return {
            "channel": self.channel,
            "alternative": self.alternative,
            "why": self.why,
            "questions": self.questions_to_ask,
            "scores": self.scores,
        }


# --------------------------------------------------------------------------------------------
# Input checks


def normalise_language(value: object, default: str = DEFAULT_LANGUAGE) -> str:
    """Canonical language tag (:func:`balcao.languages.normalise`), or
    :class:`TriageInputError` on ``language``.

    Absent (``None``) means the agency's default. Case and ``_`` are tolerated; ``pt`` means
    pt-BR and ``en-GB``/``en-US`` mean ``en``. Anything else (``es``, ``xx``, blank) is an error.
    """
    try:
        return languages.normalise(value, default)
    except languages.UnknownLanguage as exc:
        raise TriageInputError("language", str(exc)) from None


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TriageInputError("text", "text must be a string describing the need")
    if not text.strip():
        raise TriageInputError("text", "text is empty: describe the need")
    return text


def coerce_answers(value: object) -> Answers:
    """Answers from a mapping; absent members are skipped. Strict on types (bool or null)."""
    if value is None:
        return Answers()
    if isinstance(value, Answers):
        return value
    if not isinstance(value, Mapping):
        raise TriageInputError("answers", "answers must be an object")
    found: dict[str, bool | None] = {}
    for key in ("urgent", "about_decision"):
        item = value.get(key)
        if item is not None and not isinstance(item, bool):
            raise TriageInputError(f"answers.{key}", f"answers.{key} must be true, false or null")
        found[key] = item
    return Answers(**found)


# --------------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class _Alt:
    kind: str  # stem | prefix | exact | num | any
    value: str = ""
    stem: str = ""


_GAP = None
_Part = tuple["tuple[_Alt, ...] | None", ...]


@dataclass(frozen=True)
class _Pattern:
    source: str
    parts: tuple[_Part, ...]
    weight: float


@dataclass
class _Need:
    folded: list[str]
    stemmed: list[str]
    family: str


def _compile_alt(word: str, family: str) -> _Alt:
    if word == "#":
        return _Alt("num")
    if word == "*":
        return _Alt("any")
    if word.startswith("="):
        return _Alt("exact", fold(word[1:]))
    if word.endswith("~"):
        return _Alt("prefix", fold(word[:-1]))
    folded = fold(word)
    stem = stems(folded, "en" if family == "en" else "pt")
    return _Alt("stem", folded, stem[0] if stem else folded)


def compile_pattern(source: str, weight: float, family: str) -> _Pattern:
    """Compile one cue of the rules (syntax in ``triage_rules.json`` "about")."""
    parts: list[_Part] = []
    for chunk in source.split("&"):
        elements: list[tuple[_Alt, ...] | None] = []
        for word in chunk.split():
            if word == "...":
                elements.append(_GAP)
                continue
            elements.append(tuple(_compile_alt(alt, family) for alt in word.split("|") if alt))
        if elements:
            parts.append(tuple(elements))
    return _Pattern(source, tuple(parts), float(weight))


def _alt_matches(alt: _Alt, folded: str, stemmed: str) -> bool:
    if alt.kind == "stem":
        return stemmed == alt.stem or folded == alt.value
    if alt.kind == "prefix":
        return folded.startswith(alt.value)
    if alt.kind == "exact":
        return folded == alt.value
    if alt.kind == "num":
        return folded.isdigit() or folded in _NUMBER_WORDS
    return True


def _match_part(
    part: _Part, need: _Need, gap: int, skippable: frozenset[str] = frozenset()
) -> int | None:
    """Index where ``part`` first matches in the need, or None.

    Between two words of a phrase, articles (``skippable``) may stand in the need: "quais os
    documentos" matches the cue "quais documentos".
    """
    words = [element for element in part if element is not _GAP]
    if not words:
        return None

    def match_from(element_index: int, position: int) -> bool:
        if element_index == len(part):
            return True
        element = part[element_index]
        if element is _GAP:
            return any(match_from(element_index + 1, position + skip) for skip in range(gap + 1))
        if element_index > 0:
            while (
                position < len(need.folded)
                and need.folded[position] in skippable
                and not any(
                    _alt_matches(a, need.folded[position], need.stemmed[position]) for a in element
                )
            ):
                position += 1
        if position >= len(need.folded):
            return False
        if any(_alt_matches(a, need.folded[position], need.stemmed[position]) for a in element):
            return match_from(element_index + 1, position + 1)
        return False

    for start in range(len(need.folded)):
        if match_from(0, start):
            return start
    return None


# --------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True)
class TriageRules:
    """Compiled rules (see ``triage_rules.json``)."""

    raw: Mapping[str, Any]
    channel_cues: Mapping[str, Mapping[str, tuple[_Pattern, ...]]]
    merit_cues: Mapping[str, tuple[_Pattern, ...]]
    condition_cues: Mapping[str, Mapping[str, tuple[_Pattern, ...]]]

    @property
    def gap(self) -> int:
        return int(self.raw.get("gap", 3))

    def weight(self, name: str, default: float = 0.0) -> float:
        return float(self.raw.get("weights", {}).get(name, default))


def _compile_groups(groups: Mapping[str, Any]) -> dict[str, tuple[_Pattern, ...]]:
    """Cues by family: 'pt' and 'en' cues, each family also getting the 'any' cues."""
    compiled: dict[str, tuple[_Pattern, ...]] = {}
    for family in ("pt", "en"):
        patterns: list[_Pattern] = []
        for group in (family, "any"):
            cues = groups.get(group, {})
            items = cues.items() if isinstance(cues, Mapping) else ((cue, 1.0) for cue in cues)
            patterns.extend(compile_pattern(src, w, family) for src, w in items)
        compiled[family] = tuple(patterns)
    return compiled


def compile_rules(raw: Mapping[str, Any]) -> TriageRules:
    return TriageRules(
        raw=raw,
        channel_cues={slug: _compile_groups(g) for slug, g in raw["channels"].items()},
        merit_cues=_compile_groups(raw["merit"]),
        condition_cues={name: _compile_groups(g) for name, g in raw["conditions"].items()},
    )


def default_rules() -> TriageRules:
    """The rules shipped with Balcão (INPI demo)."""
    return load_rules(RULES_PATH)


def general_rules(rules: TriageRules | None = None) -> TriageRules:
    """``rules`` (by default the shipped ones) without their channel cues: what they say of
    any agency (conditions such as urgency, the merit cues, the weights), not their phrases
    for the INPI demo's channels. Another agency's catalogue is triaged with these unless it
    brings rules of its own: its "ouvidoria" or "sic" is not the INPI's because it shares a
    slug (issue 20: the cues were fitted to the INPI's nine channels)."""
    rules = rules or default_rules()
    return replace(rules, raw={**rules.raw, "channels": {}}, channel_cues={})


@lru_cache(maxsize=4)
def load_rules(path: str | Path) -> TriageRules:
    """The rules of a ``triage_rules.json``-shaped file (an agency's own, or the shipped one);
    raises ``ValueError`` naming the file when it cannot be read."""
    try:
        return compile_rules(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a triage rules file ({exc})") from exc


# --------------------------------------------------------------------------------------------
# Scoring


def _prepare(text: str, language: str) -> _Need:
    family = language_family(language)
    folded = tokens(text)
    return _Need(folded, stems(text, language), family)


def _negated(start: int, need: _Need, rules: TriageRules) -> bool:
    """Seed-independent rule: "não quero reclamar" does not ask to complain."""
    config = rules.raw.get("negation", {})
    negators = set(config.get("negators", {}).get(need.family, ()))
    fillers = set(config.get("fillers", {}).get(need.family, ()))
    window = int(config.get("window", 3))
    if need.folded[start] in negators:
        return False
    for index in range(start - 1, max(-1, start - 1 - window), -1):
        word = need.folded[index]
        if word in negators:
            return True
        if word not in fillers:
            return False
    return False


#: Rule scores of the needs triaged last, by patterns and need (:func:`_score`): checking an
#: agency's labelled needs triages each of them once per weight tried, and matching the rules'
#: patterns is most of a triage's time (tests/bench/bench_triage.py).
_SCORE_MEMO_SIZE = 4096
_memo_lock = threading.Lock()
_scores: OrderedDict[tuple, tuple[Sequence[_Pattern], TriageRules, float, list[str]]] = (
    OrderedDict()
)


def _score(
    patterns: Sequence[_Pattern], need: _Need, rules: TriageRules
) -> tuple[float, list[str]]:
    """The summed weights and sources of ``patterns`` found in ``need`` (not negated)."""
    key = (id(patterns), id(rules), need.family, tuple(need.folded), tuple(need.stemmed))
    with _memo_lock:
        found = _scores.get(key)
        if found is not None:
            _scores.move_to_end(key)
            return found[2], list(found[3])
    total, matched = _score_now(patterns, need, rules)
    with _memo_lock:
        # Kept with their result, the patterns and rules live on: their ids stay theirs.
        _scores[key] = (patterns, rules, total, matched)
        while len(_scores) > _SCORE_MEMO_SIZE:
            _scores.popitem(last=False)
    return total, list(matched)


def _score_now(
    patterns: Iterable[_Pattern], need: _Need, rules: TriageRules
) -> tuple[float, list[str]]:
    total = 0.0
    matched: list[str] = []
    skippable = frozenset(rules.raw.get("skippable", {}).get(need.family, ()))
    for pattern in patterns:
        starts = [_match_part(part, need, rules.gap, skippable) for part in pattern.parts]
        if not starts or any(s is None for s in starts):
            continue
        first = starts[0]
        assert first is not None
        if _negated(first, need, rules):
            continue
        total += pattern.weight
        matched.append(pattern.source)
    return total, matched


def _tags(text: str, rules: TriageRules) -> set[str]:
    """Tags of a catalogue phrase ("casos técnicos de baixa complexidade" → technical, low…)."""
    advice = tuple((tag, tuple(needles)) for tag, needles in rules.raw.get("advice_tags", []))
    return set(_phrase_tags(text, advice))


@lru_cache(maxsize=1024)
def _phrase_tags(text: str, advice_tags: tuple) -> frozenset[str]:
    rest = fold(text)
    found: set[str] = set()
    for tag, needles in advice_tags:
        for needle in needles:
            if needle in rest:
                found.add(tag)
                rest = rest.replace(needle, " ")
    return frozenset(found)


def _phrase_in(phrase_tokens: Sequence[str], need: _Need) -> bool:
    size = len(phrase_tokens)
    if not size:
        return False
    return any(
        need.folded[i : i + size] == list(phrase_tokens) for i in range(len(need.folded) - size + 1)
    )


_PAREN = re.compile(r"\(([^)]*)\)")


def _rules_key(channel: ChannelInfo) -> str:
    """The key the rules know the channel by (its aliases, alternatives, tie-break and
    cues): its ``rules_key``, else its slug."""
    return channel.rules_key if channel.rules_key not in (None, "", NO_RULES) else channel.slug


def has_cues(channel: ChannelInfo, rules: TriageRules) -> bool:
    """Whether ``rules`` score the channel on cues of their own (else: on its texts, role and
    the labelled needs)."""
    return _cues(channel, rules) is not None


def _cues(channel: ChannelInfo, rules: TriageRules) -> Mapping[str, Any] | None:
    """The rules' cues for the channel, or None when it has none (or names :data:`NO_RULES`)."""
    if channel.rules_key == NO_RULES:
        return None
    return rules.channel_cues.get(_rules_key(channel))


def _name_variants(channel: ChannelInfo, rules: TriageRules | None = None) -> list[list[str]]:
    variants: list[list[str]] = [tokens(channel.slug.replace("-", " "))]
    if rules is not None:
        key = _rules_key(channel)
        variants.extend(tokens(alias) for alias in rules.raw.get("aliases", {}).get(key, ()))
    for texts in channel.all_texts():
        for inner in _PAREN.findall(texts.name):
            variants.append(tokens(inner))
        variants.append(tokens(_PAREN.sub(" ", texts.name)))
    return [v for v in variants if v]


@dataclass
class _Candidate:
    channel: ChannelInfo
    raw: float = 0.0
    score: float = 0.0
    matched: list[str] = field(default_factory=list)
    penalties: list[tuple[str, str]] = field(default_factory=list)  # (tag, phrase)
    ideal_hits: list[str] = field(default_factory=list)


#: A need's cosine with a channel's profile (0..1, typically 0.05–0.4) times this is the
#: channel's score, on the scale of the rules' scores (and of the merit line, 2.0). Set on
#: the social-security set eval/previdencia (summaries only): 2 → 53 %, 5 → 61 %, 10 → 66 %,
#: 20 → 59 % of its needs to the right channel; the report set is another agency's.
CENTROID_WEIGHT = 10.0


Example = tuple[str, str, str]
"""A labelled need: (text, language, channel slug or ``merit-not-discussed``)."""


def _learned_scores(
    unruled: Sequence[ChannelInfo],
    examples: Sequence[Example],
    labels: Iterable[str],
    text: str,
    language: str,
    example_weight: float,
) -> dict[str, float]:
    """The need's cosine with the profiles learned from what the agency gave
    (balcao.catalog.learned): CENTROID_WEIGHT times that with each channel with no rules, on
    its own texts (name, purpose, each "ideal para"), and ``example_weight`` times that with
    the needs it labelled for each of ``labels`` (a profile apart: folded into the channels'
    own, a few dozen needs of many topics drowned the texts; see :func:`calibrate_examples`)."""
    wanted = set(labels)
    kept = tuple(e for e in examples if e[2] in wanted)
    found: dict[str, float] = {}
    if unruled:
        own = _centroids(tuple(_texts_key(c) for c in unruled), ())
        found = {label: CENTROID_WEIGHT * v for label, v in own.scores(text, language).items()}
    if kept and example_weight:
        for label, v in _centroids((), kept).scores(text, language).items():
            found[label] = found.get(label, 0.0) + example_weight * v
    return found


#: Weights tried for the agency's labelled needs (:func:`calibrate_examples`), on the scale of
#: CENTROID_WEIGHT; 0 leaves them out.
EXAMPLE_WEIGHTS = (0.0, 2.0, 5.0, 10.0)
#: Folds of the labelled needs' own cross-validation.
EXAMPLE_FOLDS = 4
#: Fewer labelled needs than this cannot be checked against each other: they weigh
#: DEFAULT_EXAMPLE_WEIGHT (a manager who labels one need sees the triage follow it).
MIN_CHECKED_EXAMPLES = 8
DEFAULT_EXAMPLE_WEIGHT = 5.0
#: A weight above 0 must send at least this many more of the labelled needs (or this share of
#: them, if more) to their own label than 0 does.
MIN_EXAMPLE_GAIN = 2
EXAMPLE_GAIN_SHARE = 0.05
_example_weights: OrderedDict[tuple, tuple[float, TriageRules]] = OrderedDict()


def channels_key(channels: Sequence[ChannelInfo]) -> tuple:
    """What of the channels the triage reads, as a hashable value (for memos and caches)."""
    return tuple(
        (c.slug, c.role, c.kind, c.level, c.active, c.rules_key, _texts_key(c)) for c in channels
    )


def calibrate_examples(
    examples: Sequence[Example],
    channels: Sequence[ChannelInfo],
    rules: TriageRules,
    default_language: str = DEFAULT_LANGUAGE,
) -> float:
    """How much the agency's labelled needs weigh, chosen on those needs themselves (issue
    20: "derived from the base in hand … not constants fitted on the demo base"): each of
    EXAMPLE_FOLDS folds is triaged with the other folds as labelled needs, at every weight of
    EXAMPLE_WEIGHTS, and the weight that sends most of them to their own label is kept (ties
    to the lighter one).

    Why not one constant: the same labelled needs help one agency and cost another. The
    INPI's needs, written beside its catalogue, raise its triage without cues from 97 to 129
    of 150 fresh needs; on the tuning sets, four fifths of each set's own needs given as
    labelled needs and the fifth triaged lowered the triage by 5–7 needs a set when they
    weighed a fixed share (docs/quality.md, "The agency's labelled needs")."""
    examples = tuple(examples)
    if len(examples) < MIN_CHECKED_EXAMPLES:
        return DEFAULT_EXAMPLE_WEIGHT if examples else 0.0
    key = (examples, channels_key(channels), id(rules), default_language)
    with _memo_lock:
        if key in _example_weights:
            _example_weights.move_to_end(key)
            return _example_weights[key][0]
    right = dict.fromkeys(EXAMPLE_WEIGHTS, 0)
    for part in range(EXAMPLE_FOLDS):
        held = examples[part::EXAMPLE_FOLDS]
        given = tuple(e for i, e in enumerate(examples) if i % EXAMPLE_FOLDS != part)
        for weight in EXAMPLE_WEIGHTS:
            for text, language, expect in held:
                found = recommend(
                    text,
                    language,
                    None,
                    channels,
                    rules=rules,
                    default_language=default_language,
                    examples=given,
                    example_weight=weight,
                )
                right[weight] += found.channel == expect
    # A weight is kept only if it sends clearly more needs to their label than none: a need
    # or two either way is what chance gives needs labelled at random.
    needed = right[0.0] + max(MIN_EXAMPLE_GAIN, EXAMPLE_GAIN_SHARE * len(examples))
    chosen = max(
        (w for w in EXAMPLE_WEIGHTS if w == 0.0 or right[w] >= needed),
        key=lambda w: (right[w], -w),
    )
    with _memo_lock:
        _example_weights[key] = (chosen, rules)  # the rules kept alive: their id stays theirs
        while len(_example_weights) > 8:
            _example_weights.popitem(last=False)
    return chosen


#: Weight of a need's nearness to the needs of its channel's role (:mod:`balcao.catalog.roles`:
#: needs of many kinds of agency labelled by the role a channel plays, not by one agency's
#: channel), on the scale of CENTROID_WEIGHT. Chosen on the tuning sets (eval/detran-tuning
#: and eval/previdencia's summaries), with meaning alone first: 3 → 78.3 / 68.4 %, 5 → 78.3 /
#: 69.6 %, 7 → 80.7 / 70.9 %, 8 → 80.7 / 70.9 %, 10 → 78.3 / 68.4 %, against 68.7 / 65.8 %
#: without; then with the words' profiles and 585 needs, 5 / 7 / 10 all gave 86.7–89.2 % and
#: 74.7–77.2 % (docs/quality.md, "The triage: the role a channel plays").
ROLE_WEIGHT = 7.0


def _role_scores(channels: Sequence[ChannelInfo], text: str, language: str) -> dict[str, float]:
    """ROLE_WEIGHT times the need's nearness to the roles each channel plays
    (:func:`roles.channel_roles`), and to the needs that want a decision reversed under
    MERIT_NOT_DISCUSSED."""
    if not channels:
        return {}
    nearness = roles.nearness(text, language)
    found = {}
    for channel in channels:
        texts = channel.in_language(language)
        plays = (
            {channel.role: 1.0}
            if channel.role
            else roles.channel_roles(
                roles.role_of(channel.kind, channel.level),
                tuple(p for p in texts.ideal_for if p) or (texts.name,),
                language,
            )
        )
        found[channel.slug] = ROLE_WEIGHT * sum(
            nearness.get(role, 0.0) * share for role, share in plays.items()
        )
    found[MERIT_NOT_DISCUSSED] = ROLE_WEIGHT * nearness.get("merit", 0.0)
    return found


def _texts_key(channel: ChannelInfo) -> tuple:
    return (
        channel.slug,
        tuple((t.name, t.purpose, tuple(t.ideal_for)) for t in channel.all_texts()),
    )


@lru_cache(maxsize=8)
def _centroids(channel_texts: tuple, labelled: tuple[Example, ...]) -> learned.Centroids:
    examples = list(labelled)
    for slug, texts in channel_texts:
        for name, purpose, ideal_for in texts:
            for phrase in (name, purpose, *ideal_for):
                if phrase:
                    examples.append((phrase, DEFAULT_LANGUAGE, slug))
    return learned.Centroids.fit(examples)


def _name_cue_weight(
    cand: _Candidate, patterns: Sequence[_Pattern], need: _Need, rules: TriageRules
) -> float:
    """Weight of the matched cues of ``cand`` that only spell one of the channel's names."""
    names = [v for v in _name_variants(cand.channel, rules) if _phrase_in(v, need)]

    def spells_name(source: str) -> bool:
        words = tokens(source.replace("~", ""))
        return any(words == name[i : i + len(words)] for name in names for i in range(len(name)))

    return sum(p.weight for p in patterns if p.source in cand.matched and spells_name(p.source))


def _mention_preceded_by(
    cand: _Candidate, need: _Need, rules: TriageRules, words: Iterable[str], reach: int
) -> bool:
    """True when a name of the channel has one of ``words`` within ``reach`` words before it
    (articles not counted)."""
    wanted = set(words)
    skippable = set(rules.raw.get("skippable", {}).get(need.family, ()))
    for name in _name_variants(cand.channel, rules):
        size = len(name)
        for i in range(len(need.folded) - size + 1):
            if need.folded[i : i + size] != name:
                continue
            before = [w for w in need.folded[max(0, i - reach - 2) : i] if w not in skippable]
            if wanted.intersection(before[-reach:]):
                return True
    return False


def _complained_about(cand: _Candidate, need: _Need, rules: TriageRules) -> bool:
    """True when a name of the channel follows a word that makes it the object of the need
    ("reclamar do Comex Responde", "unhappy with the chatbot"), not where it should go."""
    words = rules.raw.get("mention_object", {}).get(need.family, ())
    return _mention_preceded_by(cand, need, rules, words, 1)


def _rejected(cand: _Candidate, need: _Need, rules: TriageRules) -> bool:
    """True when the need sets the channel aside for want of time ("no time for the
    ombudsman process", "sem tempo pra ouvidoria")."""
    words = rules.raw.get("mention_rejected", {}).get(need.family, ())
    return _mention_preceded_by(cand, need, rules, words, 4)


def recommend(
    text: str,
    language: str | None,
    answers: Answers | Mapping[str, bool | None] | None,
    channels: Sequence[ChannelInfo],
    *,
    rules: TriageRules | None = None,
    default_language: str = DEFAULT_LANGUAGE,
    appeal_text: str | None = None,
    translate: Translate | None = None,
    examples: Sequence[Example] = (),
    example_weight: float | None = None,
) -> Recommendation:
    """Recommend one channel (or ``merit-not-discussed``) and an alternative for a need.

    ``channels`` are the agency's channels; inactive ones are dropped. ``appeal_text`` is the
    agency's sentence on the recurso in ``language`` (the catalogue's ``appeal``); without it a
    general one that names no law nor deadline is used. ``translate(msgid, language)`` gives
    the explanation's sentences (:data:`MESSAGES`) in the need's language; by default
    :func:`catalogue_translate`. ``examples`` are the agency's labelled needs (text,
    language, slug or ``merit-not-discussed``): each label's profile learned from them adds to
    that channel's score, ``example_weight`` times its cosine (None:
    :func:`calibrate_examples` chooses it on the examples themselves). Raises
    :class:`TriageInputError` on an empty text, an unknown language or ill-typed answers, and
    when no channel is active.
    """
    text = check_text(text)
    lang = normalise_language(language, default_language)
    given = coerce_answers(answers)
    rules = rules or default_rules()
    active = [c for c in channels if c.active]
    if not active:
        raise TriageInputError("channels", "no active channel in the catalogue")
    need = _prepare(text, lang)
    family = need.family

    conditions = {
        name: _score(groups.get(family, ()), need, rules)[0] > 0
        for name, groups in rules.condition_cues.items()
    }
    if given.urgent is not None:
        conditions["urgent"] = given.urgent
    needs_tags = {name for name, on in conditions.items() if on}

    penalty_weights = rules.raw.get("weights", {}).get("penalty", {})
    ideal_bonus = rules.weight("ideal_bonus", 0.75)
    candidates: list[_Candidate] = []
    unruled = [c for c in active if _cues(c, rules) is None]
    if example_weight is None:
        example_weight = calibrate_examples(examples, channels, rules, default_language)
    learned_scores = _learned_scores(
        unruled,
        examples,
        [*(c.slug for c in active), MERIT_NOT_DISCUSSED],
        text,
        lang,
        example_weight,
    )
    # The roles stand in for the cues an agency has not written: with a channel scored on
    # cues in the same ranking (the demo's, and one added in the console), a prior for the
    # others alone would outweigh them.
    for label, value in (
        _role_scores(active, text, lang) if len(unruled) == len(active) else {}
    ).items():
        learned_scores[label] = learned_scores.get(label, 0.0) + value
    for channel in active:
        cand = _Candidate(channel)
        cues = _cues(channel, rules)
        if cues is not None:
            cand.raw, cand.matched = _score(cues.get(family, ()), need, rules)
        cand.raw += learned_scores.get(channel.slug, 0.0)
        candidates.append(cand)

    # Named channels: a mention counts for the channel named, unless the need says that channel
    # left it unanswered or unresolved, or complains about it ("reclamar do Comex Responde");
    # then the channels "ideal para" cases the other channels did not solve gain instead (seed
    # 000: Ouvidoria, "reclamações sobre a ineficiência dos demais canais").
    escalation = rules.weight("escalation_bonus", 1.5)
    mention = rules.weight("name_mention", 1.5)
    mentioned = [
        c for c in candidates if any(_phrase_in(v, need) for v in _name_variants(c.channel, rules))
    ]
    failed = mentioned if conditions.get("unresolved") else []
    if conditions.get("complaint") or conditions.get("dissatisfaction"):
        failed = failed or [c for c in mentioned if _complained_about(c, need, rules)]
    if conditions.get("time_poor"):
        failed = failed or [c for c in mentioned if _rejected(c, need, rules)]

    def key_cues(cand: _Candidate) -> Sequence[_Pattern]:
        cues = _cues(cand.channel, rules)
        return cues.get(family, ()) if cues is not None else ()

    for cand in candidates:
        texts = cand.channel.in_language(lang)
        ideal_tags = (
            set().union(*(_tags(p, rules) for p in texts.ideal_for)) if texts.ideal_for else set()
        )
        if cand in failed:
            # "já reclamei no Reclame Aqui e nada": the channel's name is history, not a wish;
            # cues that only spell the channel's name do not count for it.
            cand.raw -= _name_cue_weight(cand, key_cues(cand), need, rules)
        elif cand in mentioned:
            cand.raw += mention
        if failed and "escalation" in ideal_tags and cand not in failed:
            cand.raw += escalation

    any_raw = any(c.raw > 0 for c in candidates)
    standalone = set(rules.raw.get("standalone_tags", ()))
    for cand in candidates:
        texts = cand.channel.in_language(lang)
        cand.score = cand.raw
        for phrase in texts.ideal_for:
            hit = _tags(phrase, rules) & needs_tags
            # A general tag (technical, simple…) only sharpens a channel the need already
            # points to; a distinctive one (dissatisfaction with the service, little time)
            # is enough on its own: it is what the channel is "ideal para".
            if hit and (cand.raw > 0 or not any_raw or hit & standalone):
                cand.score += ideal_bonus * len(hit)
                cand.ideal_hits.append(phrase)
        for phrase in texts.not_advised_for:
            for tag in sorted(_tags(phrase, rules) & needs_tags):
                cand.score -= float(penalty_weights.get(tag, 1.0))
                cand.penalties.append((tag, phrase))

    merit_score = _merit_score(need, rules, given) + learned_scores.get(MERIT_NOT_DISCUSSED, 0.0)
    tie = list(rules.raw.get("tie_break", []))

    def order_key(cand: _Candidate) -> tuple[float, int, int, int]:
        slug = _rules_key(cand.channel)
        rank = tie.index(slug) if slug in tie else len(tie)
        return (-round(cand.score, 6), rank, cand.channel.level, cand.channel.order)

    ranked = sorted(candidates, key=order_key)
    best = ranked[0]
    threshold = float(rules.raw["merit"].get("threshold", 2.0))
    scores = {c.channel.slug: round(c.score, 2) for c in ranked}
    scores[MERIT_NOT_DISCUSSED] = round(merit_score, 2)
    scores = dict(sorted(scores.items(), key=lambda kv: -kv[1]))
    words = _Words(lang, translate or catalogue_translate)
    questions = _questions(given, words)

    margin = float(rules.raw["merit"].get("margin", 1.0))
    if merit_score >= threshold and merit_score >= best.score * margin:
        alternative = _merit_alternative(ranked, rules)
        why = _why_merit(words, alternative, conditions.get("urgent", False), appeal_text)
        return Recommendation(
            MERIT_NOT_DISCUSSED,
            alternative.channel.slug if alternative else None,
            why,
            scores,
            questions,
            lang,
        )

    fallback = best.score <= 0
    if fallback:
        ranked = sorted(candidates, key=lambda c: (c.channel.level, c.channel.order, order_key(c)))
        best = ranked[0]
    alternative = _alternative(best, ranked, rules)
    why = _why_channel(words, rules, best, alternative, ranked, conditions, fallback)
    return Recommendation(
        best.channel.slug,
        alternative.channel.slug if alternative else None,
        why,
        scores,
        questions,
        lang,
    )


def _merit_score(need: _Need, rules: TriageRules, given: Answers) -> float:
    merit = rules.raw["merit"]
    score, _ = _score(rules.merit_cues.get(need.family, ()), need, rules)
    if given.about_decision is True and score > 0:
        score += float(merit.get("about_decision_bonus", 1.0))
    elif given.about_decision is False:
        score *= float(merit.get("not_about_decision_factor", 0.5))
    return score


def _by_slug(ranked: Sequence[_Candidate]) -> dict[str, _Candidate]:
    found: dict[str, _Candidate] = {}
    for cand in ranked:
        found.setdefault(cand.channel.slug, cand)
        if _rules_key(cand.channel) != cand.channel.slug:
            found.setdefault(_rules_key(cand.channel), cand)
    return found


def _advised_against(cand: _Candidate) -> bool:
    """True when a "desaconselhado para" of the channel (other than urgency) fits the need."""
    return any(tag != "urgent" for tag, _ in cand.penalties)


def _alternative(
    best: _Candidate, ranked: Sequence[_Candidate], rules: TriageRules
) -> _Candidate | None:
    """The second best channel not advised against for this need; else the rules' list."""
    others = [c for c in ranked if c.channel.slug != best.channel.slug]
    for cand in others:
        if cand.score > 0 and not _advised_against(cand):
            return cand
    table = _by_slug(others)
    key = _rules_key(best.channel)
    listed = [table[s] for s in rules.raw.get("alternatives", {}).get(key, []) if s in table]
    for cand in listed:
        if not _advised_against(cand):
            return cand
    if listed:
        return listed[0]
    return others[0] if others else None


def _merit_alternative(ranked: Sequence[_Candidate], rules: TriageRules) -> _Candidate | None:
    """After merit-not-discussed: the channel that can still help explain the decision."""
    table = _by_slug(ranked)
    for slug in rules.raw.get("alternatives", {}).get(MERIT_NOT_DISCUSSED, []):
        if slug in table:
            return table[slug]
    return ranked[0] if ranked else None


# --------------------------------------------------------------------------------------------
# Explanations


def gettext_noop(message: str) -> str:
    """Marks a msgid for ``makemessages`` (its xgettext keyword) and returns it untranslated."""
    return message


# The sentences of ``why`` and the questions: pt-BR msgids, translated in balcao/locale.
MESSAGES: Mapping[str, str] = {
    "recommend": gettext_noop("Recomendamos %(name)s, ideal para %(ideal)s."),
    "fallback": gettext_noop(
        "Não identificamos um canal específico para a sua necessidade; %(name)s faz o "
        "pré-atendimento: orienta e direciona ao canal mais adequado."
    ),
    "set_aside": gettext_noop("%(name)s ficou de lado por ser desaconselhado para %(item)s."),
    "hours": gettext_noop("Funcionamento: %(hours)s."),
    "deadline": gettext_noop("Prazo: %(deadline)s."),
    "no_terms": gettext_noop("O catálogo não informa horário nem prazo de %(name)s."),
    "urgent_none": gettext_noop("Nenhum canal é ideal para casos urgentes."),
    "urgent_not_advised": gettext_noop("%(name)s é desaconselhado para %(item)s."),
    "alternative": gettext_noop("Alternativa: %(name)s, ideal para %(ideal)s."),
    "merit": gettext_noop("Nenhum canal de atendimento aprecia ou discute o mérito de decisões."),
    "merit_alternative": gettext_noop(
        "Para entender a decisão ou saber como recorrer: %(name)s, ideal para %(ideal)s."
    ),
    "merit_urgent": gettext_noop(
        "Se há pressa, atenção ao prazo do recurso: confira a data da publicação da decisão."
    ),
    # Used only when the agency's catalogue has no "appeal" of its own: no law or deadline is
    # named, since they are the agency's (issue 20: the INPI's art. 212 was cited to everyone).
    "appeal": gettext_noop(
        "Para pedir que uma decisão seja revista, o caminho é o recurso administrativo, no "
        "prazo indicado na própria decisão ou na norma que a rege; confira-o na publicação "
        "da decisão."
    ),
    "and": gettext_noop("%(items)s e %(last)s"),
    "question_urgent": gettext_noop("É urgente?"),
    "question_about_decision": gettext_noop(
        "É sobre uma decisão já tomada (por exemplo, um indeferimento)?"
    ),
}


@lru_cache(maxsize=len(LANGUAGES))
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "django", LOCALE_DIR, languages=[languages.locale_name(language)], fallback=True
    )


def catalogue_translate(msgid: str, language: str) -> str:
    """``msgid`` in ``language`` from the compiled catalogues of ``balcao/locale`` (standard
    library ``gettext``); pt-BR, the language of the msgids, has no catalogue."""
    return _catalogue(language).gettext(msgid)


@dataclass(frozen=True)
class _Words:
    """The explanation's sentences in one language."""

    language: str
    translate: Translate

    def __call__(self, key: str, **params: str) -> str:
        text = self.translate(MESSAGES[key], self.language)
        return text % params if params else text


def _join(items: Sequence[str], words: _Words) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return words("and", items=", ".join(items[:-1]), last=items[-1])


def _terms(texts: ChannelTexts, words: _Words) -> str:
    parts = []
    if texts.hours_text:
        parts.append(words("hours", hours=texts.hours_text))
    if texts.deadline_text:
        parts.append(words("deadline", deadline=texts.deadline_text))
    if not parts:
        parts.append(words("no_terms", name=texts.name))
    return " ".join(parts)


def _ideal(cand: _Candidate, texts: ChannelTexts, words: _Words) -> str:
    chosen = [p for p in texts.ideal_for if p in cand.ideal_hits] or list(texts.ideal_for)
    return _join(chosen, words) or "—"


def _why_channel(
    words: _Words,
    rules: TriageRules,
    best: _Candidate,
    alternative: _Candidate | None,
    ranked: Sequence[_Candidate],
    conditions: Mapping[str, bool],
    fallback: bool,
) -> str:
    lang = words.language
    texts = best.channel.in_language(lang)
    ideal = _ideal(best, texts, words)
    sentences = [words("recommend", name=texts.name, ideal=ideal)]
    if fallback:
        sentences.append(words("fallback", name=texts.name))
    min_raw = rules.weight("set_aside_min_raw", 1.0)
    set_aside = [
        c
        for c in ranked
        if c is not best
        and c is not alternative
        and c.raw >= min_raw
        and any(tag != "urgent" for tag, _ in c.penalties)
    ]
    if set_aside:
        other = max(set_aside, key=lambda c: c.raw)
        item = next(phrase for tag, phrase in other.penalties if tag != "urgent")
        sentences.append(words("set_aside", name=other.channel.in_language(lang).name, item=item))
    if conditions.get("urgent"):
        sentences.append(words("urgent_none"))
        urgent_items = [phrase for tag, phrase in best.penalties if tag == "urgent"]
        if urgent_items:
            sentences.append(words("urgent_not_advised", name=texts.name, item=urgent_items[0]))
    sentences.append(_terms(texts, words))
    if alternative is not None:
        alt = alternative.channel.in_language(lang)
        sentences.append(words("alternative", name=alt.name, ideal=_ideal(alternative, alt, words)))
    return " ".join(sentences)


def _why_merit(
    words: _Words,
    alternative: _Candidate | None,
    urgent: bool,
    appeal_text: str | None,
) -> str:
    sentences = [words("merit"), appeal_text or words("appeal")]
    if urgent:
        sentences.append(words("merit_urgent"))
    if alternative is not None:
        alt = alternative.channel.in_language(words.language)
        ideal = _ideal(alternative, alt, words)
        sentences.append(words("merit_alternative", name=alt.name, ideal=ideal))
        sentences.append(_terms(alt, words))
    return " ".join(sentences)


def _questions(given: Answers, words: _Words) -> list[dict[str, str]]:
    """The two questions the triage would still ask (those skipped)."""
    asked = []
    if given.urgent is None:
        asked.append({"id": "urgent", "text": words("question_urgent")})
    if given.about_decision is None:
        asked.append({"id": "about_decision", "text": words("question_about_decision")})
    return asked


# --------------------------------------------------------------------------------------------
# Catalogue files (the demo JSON and any agency file of the same shape)


def load_catalog(path: Path | str = DEMO_CATALOG_PATH) -> dict[str, Any]:
    """A catalogue file of the demo's shape (``demo/inpi-catalog.json``)."""
    catalog: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return catalog


def channels_from_catalog(
    catalog: Mapping[str, Any], language: str = DEFAULT_LANGUAGE
) -> list[ChannelInfo]:
    """:class:`ChannelInfo` for each channel of a catalogue file (active and inactive)."""
    result = []
    for item in catalog["channels"]:
        texts = {}
        for lang in LANGUAGES:
            if lang not in item["name"]:
                continue
            texts[lang] = ChannelTexts(
                name=item["name"][lang],
                ideal_for=tuple(item.get("ideal_for", {}).get(lang, ())),
                not_advised_for=tuple(item.get("not_advised_for", {}).get(lang, ())),
                hours_text=item.get("hours_text", {}).get(lang, ""),
                deadline_text=item.get("deadline_text", {}).get(lang, ""),
                purpose=item.get("purpose", {}).get(lang, ""),
            )
        top = texts.get(language) or next(iter(texts.values()))
        result.append(
            ChannelInfo(
                slug=item["slug"],
                name=top.name,
                level=int(item.get("level", 1)),
                ideal_for=top.ideal_for,
                not_advised_for=top.not_advised_for,
                hours_text=top.hours_text,
                deadline_text=top.deadline_text,
                active=bool(item.get("active", True)),
                order=int(item.get("order", 0)),
                texts=texts,
                rules_key=item.get("rules_key"),
                kind=str(item.get("kind") or ""),
                role=str(item.get("role") or ""),
            )
        )
    return result


def appeal_text_from_catalog(catalog: Mapping[str, Any], language: str) -> str | None:
    """The catalogue's sentence on the recurso in ``language`` (None when it has none)."""
    text = catalog.get("appeal", {}).get("text", {}).get(language)
    return text if isinstance(text, str) else None


def in_demo_shape(data: Mapping[str, Any]) -> bool:
    """Whether a catalogue file has every text per language, like the demo's."""
    channels = data.get("channels")
    return (
        isinstance(channels, list)
        and bool(channels)
        and all(isinstance(c, Mapping) and isinstance(c.get("name"), Mapping) for c in channels)
    )


def catalog_from_file(data: Mapping[str, Any]) -> dict[str, Any]:
    """A catalogue file in either shape, as :func:`channels_from_catalog` reads it.

    The demo's shape has every text per language (``{"pt-BR": …, "en": …}``). The plain shape
    an agency writes by hand has one language, given once in ``agency.language``:
    ``{"agency": {"name", "language", "appeal": {"name", "deadline", "where", "rule"}},
    "channels": [{"slug", "name", "level", "purpose", "ideal_for", "not_advised_for", "hours",
    "deadline"}]}``; its texts are put under that language and its appeal becomes the
    sentence on the recurso."""
    channels = data.get("channels")
    if not isinstance(channels, list) or not channels:
        raise ValueError("the catalogue has no list of channels")
    if in_demo_shape(data):
        return dict(data)
    agency = data.get("agency") or {}
    lang = languages.normalise(str(agency.get("language") or DEFAULT_LANGUAGE))

    def one(value: Any) -> dict[str, Any]:
        return {lang: value} if value not in (None, "", []) else {}

    result: dict[str, Any] = {
        "agency": agency,
        "channels": [
            {
                "slug": str(item["slug"]),
                "kind": str(item.get("kind") or ""),
                "role": str(item.get("role") or ""),
                "level": int(item.get("level") or 1),
                "order": int(item.get("order") or number),
                "active": bool(item.get("active", True)),
                "name": {lang: str(item["name"])},
                "purpose": one(item.get("purpose")),
                "ideal_for": one(list(item.get("ideal_for") or [])),
                "not_advised_for": one(list(item.get("not_advised_for") or [])),
                "hours_text": one(item.get("hours")),
                "deadline_text": one(item.get("deadline")),
            }
            for number, item in enumerate(channels)
        ],
    }
    appeal = agency.get("appeal")
    if isinstance(appeal, Mapping) and appeal.get("name"):
        parts = [str(appeal["name"])]
        if appeal.get("deadline"):
            parts.append(str(appeal["deadline"]))
        sentence = ": ".join(parts)
        if appeal.get("rule"):
            sentence += f" ({appeal['rule']})"
        if appeal.get("where"):
            sentence += f"; {appeal['where']}"
        # A sentence of its own in the merit answer: "… mérito de decisões. Recurso à JARI: …"
        sentence = sentence[:1].upper() + sentence[1:]
        result["appeal"] = {"text": {lang: sentence.rstrip(".") + "."}}
    return result
