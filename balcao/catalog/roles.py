"""The role a channel plays in any agency, and how near a need is to each role (pure: no Django).

Issue 20: the triage of an agency nobody tuned it on had only the agency's own channel texts to
go by, a few sentences each, and "o atendente foi grosseiro comigo" shares no word with an
ombudsman's "reclamações, denúncias, sugestões e elogios". What such a need calls for does not
depend on the agency. Seed ``000_…txt`` groups the INPI's channels in five levels: "contato
inicial … orientações simples" (self-service), "demandas técnicas … orientações procedimentais"
(first-line contact, reached by chat, phone, form or in person), "controle social,
transparência … reclamações, denúncias, sugestões, elogios, pedidos de acesso à informação"
(the ombudsman and access to information), "orientação personalizada … assistência direta"
(the (tele)presential service) and "busca de solução consensual em situações de insatisfação
persistente" (external platforms and mediation). :data:`ROLES` are those.

``data/role_needs.jsonl`` holds needs of many kinds of agency (tax, social security, traffic,
health, education, a city hall, patents…; pt-BR, pt-PT and English), each labelled by the role
that serves it, written for this purpose by writers who had read neither the evaluation sets
nor the code: 270 + 315 needs, then 576 laid out as a grid (16 domains × 9 roles × 4 needs,
each with its ``domain``) so that a topic is never a role's own — with topics unevenly spread,
"papéis para registar um carro que comprei" was nearest to an external role's needs about car
dealers — and a second grid of 576 in European Portuguese (3 a cell) and English (1), the
languages the first held least of. A need's :func:`nearness` to a role is the mean cosine of
its sentence vector (:mod:`balcao.embeddings`) with the role's :data:`NEIGHBOURS` nearest
examples, less :data:`FLOOR` (what unrelated sentences reach), never below zero, plus the
role's probability by a classifier trained on all the needs' vectors (:data:`LOGISTIC_SHARE`),
plus its words' nearness to the role's TF-IDF profile (:data:`WORD_SHARE`). When no channel of the
catalogue has cues of its own (another agency's, not the INPI demo's) the recommender adds it
to every channel of that role; the agency's own labelled needs and channel texts still tell two
channels of the same role apart.

The role ``merit`` is no channel's: a need near the needs that want a decision reversed adds
to the recommender's merit score (``merit-not-discussed``, the appeal).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from balcao import embeddings
from balcao.catalog import learned
from balcao.textnorm import fold

NEEDS_PATH = Path(__file__).with_name("data") / "role_needs.jsonl"

ROLES = (
    "self-service",
    "written",
    "phone",
    "presential",
    "ombudsman",
    "information-access",
    "external",
    "mediation",
    "merit",
)
#: The roles a channel can play (``merit`` is the appeal's, no channel's).
CHANNEL_ROLES = ROLES[:-1]

#: A channel's ``kind`` (the database's, the catalogue file's, spellings seen in agencies'
#: files, and the roles themselves — the console's "papel na triagem") → its role (``merit``
#: is no channel's).
ROLE_OF_KIND = {
    **{role: role for role in ROLES if role != "merit"},
    "chatbot": "self-service",
    "bot": "self-service",
    "faq": "self-service",
    "chat": "phone",  # a person answering now, as on the phone
    "phone": "phone",
    "form": "written",
    "email": "written",
    "presential": "presential",
    "presencial": "presential",
    "scheduling": "presential",
    "ombudsman": "ombudsman",
    "lai": "information-access",
    "sic": "information-access",
    "external": "external",
    "mediation": "mediation",
}
#: What a channel's level says of its role when its kind does not: the first and the last of
#: the five levels are the same in every catalogue seen (seed 000's INPI page and the
#: evaluation sets' brief); the middle ones are not (the INPI puts its SIC at level 3 beside
#: the ombudsman and its telepresential service at level 4).
ROLE_OF_LEVEL = {1: "self-service", 5: "external"}
#: Examples of a role a need is compared with (its nearest), and the cosine unrelated
#: sentences reach with this encoder. Chosen on the tuning sets (eval/detran-tuning and
#: eval/previdencia's summaries) with ROLE_WEIGHT 7: 1 / 3 / 5 neighbours and a floor of
#: 0.2 / 0.3 / 0.4 all gave 74–81 % and 66–71 %; 3 and 0.3 sit in the middle.
NEIGHBOURS = 3
FLOOR = 0.3
#: The same needs' words: a TF-IDF profile per role of word stems and character 4-grams
#: (the learner of the channels' own profiles), its cosine less WORD_FLOOR, times
#: WORD_SHARE. Chosen on the tuning sets: 0.5 / 1 / 2 / 3 with floors 0 / 0.05 / 0.1 / 0.15;
#: with the floor at 0.1 every share from 1.5 to 3 gave 85.5 % and 75.9–77.2 %, against
#: 81.9 % and 73.4 % in meaning alone.
WORD_SHARE = 2.0
WORD_FLOOR = 0.1
#: The same needs' sentence vectors once more, through a classifier trained on them
#: (:class:`balcao.catalog.learned.Softmax`): each role's probability times LOGISTIC_SHARE.
#: The nearest needs say how near a need is to a few sentences of a role; the classifier,
#: what sets the roles apart over all of them. On the role needs themselves, eight folds by
#: topic (a topic's needs never both trained on and tested): the nearest needs and the words
#: put 91.2 % in the right role, with the classifier as well 92.2 % (C = 1) to 93.3 %
#: (C = 10), the classifier alone 86.1 %. Then on the tuning sets' triage (detran /
#: imcm-pt / previdencia): without it 90.4 / 76.7 / 79.7 %; share 0.05 → 91.6 / 77.9 /
#: 81.0 %, 0.1 → 92.8 / 77.9 / 81.0 %, 0.15 → 92.8 / 75.6 / 83.5 %, 0.25 → 94.0 / 76.7 /
#: 78.5 %, 0.5 → 94.0 / 74.4 / 78.5 %; C 1 / 3 / 10 at 0.1 within a need of each other.
LOGISTIC_SHARE = 0.1
LOGISTIC_C = 1.0
#: A channel's share of the role of its kind; the rest follows its "ideal para" lines.
#: Chosen on the tuning sets (imcm-pt / detran / previdencia): the kind alone 68.6 / 89.2 /
#: 75.9 %, 0.75 → 70.9 / 89.2 / 77.2 %, 0.5 → 73.3 / 90.4 / 77.2 %, 0.25 → 70.9 / 90.4 /
#: 75.9 %, the lines alone 69.8 / 91.6 / 72.2 %.
KIND_SHARE = 0.5


def role_of(kind: str, level: int) -> str | None:
    """The role of a channel of this ``kind`` (or, failing that, ``level``), or None when
    neither tells. The kind comes first: an app where one files requests at level 1 is
    written contact (eval/previdencia's summaries: 72.2 % with level 1 first, 73.4 % with
    the kind first)."""
    return ROLE_OF_KIND.get(fold(kind or "").strip()) or ROLE_OF_LEVEL.get(level)


@lru_cache(maxsize=1)
def _examples() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The rows of each role's shipped needs, and the needs' sentence vectors (unit rows)."""
    rows = _rows()
    by_role = {
        role: np.array([i for i, (_, _, label) in enumerate(rows) if label == role], dtype=np.intp)
        for role in ROLES
    }
    return by_role, embeddings.encode_kept([text for text, _, _ in rows], "role-needs")


def channel_roles(role: str | None, ideal_for: tuple[str, ...], language: str) -> dict[str, float]:
    """The roles a channel plays, as shares that add up to 1: KIND_SHARE for the ``role`` of
    its kind and level (:func:`role_of`), the rest spread as its own "ideal para" lines are
    near each role. The same kind does not play the same role in every country: Portugal's
    Livro de Reclamações takes complaints about a public service's own counter (the
    ombudsman's role in Brazil), and its arbitration centres the disputes with private
    firms (eval/imcm-pt-tuning); the channel's own words say which."""
    return dict(_channel_roles(role, ideal_for, language))


@lru_cache(maxsize=256)
def _channel_roles(
    role: str | None, ideal_for: tuple[str, ...], language: str
) -> tuple[tuple[str, float], ...]:
    said: dict[str, float] = dict.fromkeys(CHANNEL_ROLES, 0.0)
    for phrase in ideal_for:
        for name, value in nearness(phrase, language).items():
            if name in said:
                said[name] += value
    total = sum(said.values())
    kind_share = KIND_SHARE if role in said else 0.0
    if not total:
        kind_share = 1.0 if role in said else 0.0
    shares = {
        name: (1 - kind_share) * (value / total if total else 0.0) for name, value in said.items()
    }
    if role in shares:
        shares[role] += kind_share
    return tuple((name, share) for name, share in shares.items() if share)


def nearness(text: str, language: str = "pt-BR") -> dict[str, float]:
    """How near ``text`` is to each role: in meaning (the encoder's, when the process has
    it: the nearest needs, and LOGISTIC_SHARE times the role classifier's probability) plus
    WORD_SHARE times in words (:class:`balcao.catalog.learned.Centroids`)."""
    found = dict.fromkeys(ROLES, 0.0)
    if embeddings.enabled():
        by_role, vectors = _examples()
        asked = embeddings.encode([text])[0]
        cosines = embeddings.similarities(asked, vectors)
        for role, rows in by_role.items():
            mine = np.sort(cosines[rows])
            if len(mine):
                found[role] = max(0.0, float(mine[-NEIGHBOURS:].mean()) - FLOOR)
        for role, chance in _classifier().probabilities(asked).items():
            found[role] += LOGISTIC_SHARE * chance
    for role, cosine in _profiles().scores(text, language).items():
        if role in found:
            found[role] += WORD_SHARE * max(0.0, cosine - WORD_FLOOR)
    return found


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str, str], ...]:
    """(text, language, role) of each shipped need, read once."""
    rows = []
    with NEEDS_PATH.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                item = json.loads(line)
                rows.append((item["text"], item["language"], item["role"]))
    return tuple(rows)


@lru_cache(maxsize=1)
def _classifier() -> learned.Softmax:
    """The role classifier on the shipped needs' sentence vectors (fitted once a process, in
    about half a second)."""
    return learned.Softmax.fit(_examples()[1], [label for _, _, label in _rows()], c=LOGISTIC_C)


@lru_cache(maxsize=1)
def _profiles() -> learned.Centroids:
    return learned.Centroids.fit(_rows())
