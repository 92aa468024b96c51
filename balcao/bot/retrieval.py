"""In-process retrieval over knowledge-base articles (pure Python, no Django import).

The chatbot answers "dúvidas simples e frequentes" (seed ``000_…txt``, Chatbot do INPI) from
a base "constantemente atualizada pelos gestores" (seed ``002_…txt``). This module finds the
articles nearest to a question; :mod:`balcao.bot.decision` decides whether to answer.

Method (kept generic: the production base is not known in advance):

* **Analysis** per language family (``pt`` for pt-BR/pt-PT, ``en``): folding of case and
  accents, domain synonyms mapped to one canonical word (:mod:`balcao.bot.synonyms`), stop
  words removed, then a Snowball stem (:func:`balcao.textnorm.stems`).
* **BM25F** scoring with two fields: the *question* field (question, alternative phrasings,
  tags, service) weighs more than the *answer* field, because people ask the way the question
  and its variants are written while answers carry many incidental words. Each field is
  length-normalised on its own. Impacts (idf × saturated tf) are computed at build time and
  stored in compact postings (``array``), so a query is a sum over a few postings lists.
* **Typo tolerance**: a query word whose stem is not in the index is corrected to the most
  frequent indexed word within Damerau–Levenshtein distance 1 (one letter missing, extra,
  wrong, or two neighbours swapped), found by generating the word's edits and looking them up
  (no table: a symmetric-delete table cost 75 MB at 5,000 articles, measured; distance 2
  was dropped for the same reason and measured no gain on the evaluation set).
* **Meaning** (issue 20): every article's question and phrasings are also encoded by a
  multilingual sentence encoder (:mod:`balcao.embeddings`), and the question's vector is
  compared with the article's (the mean of those): that cosine is its *similarity*. The
  articles nearest in meaning join the word matches as candidates, and the ranking blends the two
  (``SEMANTIC_WEIGHT``) — so "how do I register my trademark" asked in other words, or in
  English of a Portuguese base, still reaches its article. The cosines are taken under the
  base's own measure (:mod:`balcao.bot.metric`): a map of the encoder's space learnt from the
  articles' phrasings whenever the index is built, under which each is nearest its article.
* **Languages**: each family is scored with its own stems and idf; the asked family's
  ranking is used unless another family covers the question clearly better (a question
  typed in Portuguese with ``language="en"`` still finds the Portuguese article); within a
  family, the asked variant (pt-BR vs pt-PT) gets a small edge.

Each :class:`Hit` carries what the decision needs: the score, the idf-weighted *coverage* of
the question's terms by the article (question-field matches count fully, answer-only matches
partly), and how many of the question's terms the index did not know.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from balcao import embeddings
from balcao.bot import metric
from balcao.bot.synonyms import REPLACEMENTS, SYNONYMS
from balcao.textnorm import STOP_WORDS, language_family, stems, tokens

LANGUAGES = ("pt-BR", "pt-PT", "en")

# --- BM25F parameters -------------------------------------------------------------------
#: Term-frequency saturation (1.2 is the textbook value; 0.8–2.0 measured, 2.0 best by a hair).
K1 = 2.0
#: Weight of a term occurrence in the question field (question + variants + tags + service)
#: relative to the answer field. Measured on tests/bot/data/inpi-eval.jsonl: 2–4 are
#: equivalent, 1 (a single flat field) loses several points of accuracy.
QUESTION_FIELD_WEIGHT = 3.0
ANSWER_FIELD_WEIGHT = 0.5
#: Length normalisation per field. The question field is gently normalised (0.3) so an article
#: with many alternative phrasings is not penalised for them; answers use the usual 0.75.
QUESTION_FIELD_B = 0.3
ANSWER_FIELD_B = 0.75
#: Coverage credit of a term found only in the answer (not in question/variants/tags).
ANSWER_ONLY_CREDIT = 0.6
#: Score factor for an article of the asked family but another variant (pt-PT for pt-BR).
OTHER_VARIANT_FACTOR = 0.9
#: Another language family replaces the asked one only when its best article covers the
#: question by this much more (foreign words often look like content words in the other
#: family: English "can", "register"), or when the asked family has no article at all.
FALLBACK_COVERAGE_MARGIN = 0.25
#: Typo correction only for words at least this long (shorter words have too many real-word
#: neighbours: "sair" is not a typo of "saiu").
MIN_TYPO_LENGTH = 5
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
#: A word of the question as typed, for writing a typo's correction in its place.
_WORD = re.compile(r"\w+")
#: Coverage weight of a term = its idf + this floor, so a term found in nearly every article
#: ("inpi") still counts, and one rare word does not outweigh the rest of the question.
TERM_WEIGHT_FLOOR = 1.0
#: Coverage weight of a word the base has never seen, as a share of the rarest known word's
#: weight. Unknown words are what out-of-scope questions are made of ("passaporte", "inss"),
#: but citizens also add their own nouns ("confeitaria", "máquina") to in-scope questions.
UNKNOWN_TERM_FACTOR = 0.6
#: A corrected word counts a little less than a typed one in the score…
CORRECTED_TERM_BOOST = 0.9
#: …and in the coverage: a question whose only evidence is a guessed spelling is weak.
CORRECTED_TERM_CREDIT = 0.7
#: Share of the ranking score given to the sentence encoder's similarity; the rest is the
#: BM25F score relative to the best article's. 0.3 with the encoder's own cosine (0.5, 0.7 and
#: 1.0 measured); 0.5 since the base's own measure (balcao.bot.metric) makes the cosine worth
#: more: in-scope questions ranked first, INPI / detran / imcm-pt / previdencia, 94.8 / 77.6 /
#: 63.5 / 83.9 % at 0.3, 95.9 / 76.9 / 66.0 / 83.9 % at 0.5.
SEMANTIC_WEIGHT = 0.5
#: Articles nearest in meaning added to the candidates beside the word matches.
SEMANTIC_CANDIDATES = 5
#: How much nearer in meaning than every article in the question's own language an article in
#: another language must be to be ranked first: a Portuguese question about what a base
#: answers only in English (driving in Brazil with a foreign licence, a pension paid abroad).
#: Its words cannot match the question's, so the blend alone never ranks it first. A
#: translation of an article in the question's language is not that much nearer than the
#: article itself (the INPI's 18 English translations: none was). Measured on the tuning
#: sets at 0 / 0.05 / 0.1 / 0.15 / 0.2; 0.15 and 0.2 lowered none of them (docs/quality.md).
FOREIGN_MARGIN = 0.15
#: Phrasings of an article encoded (its question first) and averaged into its one vector:
#: enough to cover how it is asked, few enough to keep a large base's build short.
MAX_PHRASINGS = 8


@dataclass(slots=True)
class Article:
    """One knowledge-base article, in the import format of ``balcao kb import``."""

    id: str
    question: str
    answer: str
    variants: list[str] = field(default_factory=list)
    language: str = "pt-BR"
    tags: list[str] = field(default_factory=list)
    service: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        """Build from a JSON Lines record ``{"id", "question", "answer", "variants", …}``."""
        return cls(
            id=str(data["id"]),
            question=str(data.get("question") or ""),
            answer=str(data.get("answer") or ""),
            variants=[str(v) for v in data.get("variants") or []],
            language=str(data.get("language") or "pt-BR"),
            tags=[str(t) for t in data.get("tags") or []],
            service=str(data.get("service") or ""),
        )


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One distinct term of a question after analysis, for one language family.

    A term is the stem of what was typed plus, for a synonym, the stem of its canonical word;
    an article matches the term when it contains either (the better impact counts once)."""

    stems: tuple[str, ...]  # the indexed stems that match this term (empty when unknown)
    word: str  # the folded word as typed (before correction)
    weight: float  # idf of the term, or the weight given to an unknown term
    known: bool
    corrected_to: str | None = None

    @property
    def stem(self) -> str:
        return self.stems[0] if self.stems else self.word


@dataclass(frozen=True, slots=True)
class Hit:
    """An article found for a question, with the evidence the decision reads."""

    article: Article
    score: float  # BM25F score times the language factor
    coverage: float  # 0..1: idf-weighted share of the question's terms the article matches
    matched_terms: tuple[str, ...]
    query_terms: int  # distinct content terms in the question (this family)
    unknown_terms: int  # of which the index knows nothing, even after typo correction
    same_language: bool
    similarity: float = 0.0  # cosine of the question's sentence vector with the article's


@dataclass(frozen=True, slots=True)
class RetrievalOptions:
    """Switches for the measured ablation (BM25 alone vs what ships, tests/bench/bench_bot.py)."""

    synonyms: bool = True
    typos: bool = True
    fields: bool = True  # BM25F with weighted question field; False = one flat field
    semantic: bool = True  # the sentence encoder (when the process has it)
    metric: bool = True  # the base's own measure of nearness in meaning (balcao.bot.metric)


BM25_ONLY = RetrievalOptions(
    synonyms=False, typos=False, fields=False, semantic=False, metric=False
)


class Analyzer:
    """Text → content words → stems, for one language family."""

    def __init__(self, family: str, use_synonyms: bool = True) -> None:
        self.family = family
        self.language = "en" if family == "en" else "pt-BR"
        self.stop_words = STOP_WORDS[family]
        self.phrases: dict[tuple[str, ...], str] = {}
        self.replacements = REPLACEMENTS[family] if use_synonyms else {}
        if use_synonyms:
            for canonical, phrasings in SYNONYMS[family].items():
                for phrasing in phrasings:
                    self.phrases[tuple(tokens(phrasing))] = canonical
        self.max_phrase = max((len(p) for p in self.phrases), default=1)

    def units(self, text: str) -> list[tuple[str, ...]]:
        """Folded content words grouped in units: a plain word alone; a synonym phrasing
        (longest first) as its own content words followed by the canonical word. Stop words
        out. The words are kept next to the canonical one so that "inventei" still tells
        "invento" apart while "boleto" reaches "GRU"."""
        replacements = self.replacements
        toks = [replacements.get(t, t) for t in tokens(text)] if replacements else tokens(text)
        out: list[tuple[str, ...]] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.max_phrase, len(toks) - i), 0, -1):
                canonical = self.phrases.get(tuple(toks[i : i + n]))
                if canonical is not None:
                    own = [w for w in toks[i : i + n] if len(w) > 1 and w not in self.stop_words]
                    out.append((*[w for w in own if w != canonical], canonical))
                    i += n
                    break
            else:
                word = toks[i]
                if len(word) > 1 and word not in self.stop_words:
                    out.append((word,))
                i += 1
        return out

    def words(self, text: str) -> list[str]:
        """All content words of ``text``, synonyms' canonical words included (for indexing)."""
        return [word for unit in self.units(text) for word in unit]

    def stem_words(self, words: list[str]) -> list[str]:
        return stems(" ".join(words), self.language) if words else []

    def canonical(self, word: str) -> str:
        """The canonical word of a one-word synonym, or the word itself."""
        return self.phrases.get((word,), word)


def edits1(word: str) -> set[str]:
    """Every string at Damerau–Levenshtein distance 1 from ``word`` (folded a–z alphabet)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


class _FamilyIndex:
    """Postings, idf and typo tables for the articles of one language family."""

    def __init__(
        self, family: str, entries: list[tuple[int, Article]], options: RetrievalOptions
    ) -> None:
        self.family = family
        self.options = options
        self.analyzer = Analyzer(family, use_synonyms=options.synonyms)
        self.doc_ids = array("i", (gid for gid, _ in entries))
        n = len(entries)
        self.n_docs = n
        q_tf: list[Counter[str]] = []
        a_tf: list[Counter[str]] = []
        surface: Counter[str] = Counter()
        stem_of: dict[str, str] = {}
        for _, article in entries:
            q_text = " ".join([article.question, *article.variants, *article.tags, article.service])
            q_words = self.analyzer.words(q_text)
            a_words = self.analyzer.words(article.answer)
            q_stems = self.analyzer.stem_words(q_words)
            a_stems = self.analyzer.stem_words(a_words)
            if not options.fields:
                q_stems, a_stems = [], q_stems + a_stems
            q_tf.append(Counter(q_stems))
            a_tf.append(Counter(a_stems))
            for word, stem in zip(q_words + a_words, q_stems + a_stems, strict=False):
                stem_of[word] = stem
            surface.update(set(q_words) | set(a_words))
        avg_q = sum(sum(c.values()) for c in q_tf) / n if n else 1.0
        avg_a = sum(sum(c.values()) for c in a_tf) / n if n else 1.0
        df: Counter[str] = Counter()
        for qc, ac in zip(q_tf, a_tf, strict=True):
            df.update(set(qc) | set(ac))
        # Every term's postings lie in three flat arrays, term by term, each term's slice
        # between ``bounds[row]`` and ``bounds[row + 1]`` (its articles in order): three
        # small arrays and a tuple per term, with an idf and a df dict, were 33 MB more at
        # 5,000 articles (bench_bot).
        self.row: dict[str, int] = {term: r for r, term in enumerate(df)}
        self.bounds = array("i", [0])
        for term in df:
            self.bounds.append(self.bounds[-1] + df[term])
        self.idf = array("d", (self._idf(d) for d in df.values()))
        self.rare_idf = self._idf(1)
        total = self.bounds[-1]
        self.docs = array("i", bytes(4 * total))
        self.impacts = array("f", bytes(4 * total))
        self.in_question = bytearray(total)
        w_q, w_a = (QUESTION_FIELD_WEIGHT, ANSWER_FIELD_WEIGHT) if options.fields else (1.0, 1.0)
        b_q, b_a = (QUESTION_FIELD_B, ANSWER_FIELD_B) if options.fields else (0.75, 0.75)
        free = array("i", self.bounds[:-1])  # each term's next free slot
        for local, (qc, ac) in enumerate(zip(q_tf, a_tf, strict=True)):
            len_q = sum(qc.values())
            len_a = sum(ac.values())
            norm_q = 1 - b_q + b_q * len_q / (avg_q or 1.0)
            norm_a = 1 - b_a + b_a * len_a / (avg_a or 1.0)
            for term in set(qc) | set(ac):
                tf = w_q * qc.get(term, 0) / norm_q + w_a * ac.get(term, 0) / norm_a
                r = self.row[term]
                slot = free[r]
                free[r] = slot + 1
                self.docs[slot] = local
                self.impacts[slot] = self.idf[r] * tf * (K1 + 1) / (K1 + tf)
                self.in_question[slot] = 1 if qc.get(term, 0) else 0
        # Typo targets: folded words seen in the articles, plus one-word synonym phrasings
        # (mapped to the stem whose document frequency ranks them).
        self.word_stem: dict[str, str] = {w: s for w, s in stem_of.items() if s in self.row}
        if options.synonyms:
            for phrase, canonical in self.analyzer.phrases.items():
                if len(phrase) == 1:
                    canonical_stems = self.analyzer.stem_words([canonical])
                    if canonical_stems and canonical_stems[0] in self.row:
                        self.word_stem.setdefault(phrase[0], canonical_stems[0])
        self.stem_cache: dict[str, str] = {}

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def df(self, stem: str) -> int:
        """How many articles hold ``stem`` (0 when none does)."""
        r = self.row.get(stem)
        return 0 if r is None else self.bounds[r + 1] - self.bounds[r]

    def postings(self, stem: str) -> tuple[int, int]:
        """The slice of ``docs``, ``impacts`` and ``in_question`` that is ``stem``'s."""
        r = self.row[stem]
        return self.bounds[r], self.bounds[r + 1]

    def correct(self, word: str) -> str | None:
        """The most frequent indexed word at distance 1 from ``word``, if any."""
        if len(word) < MIN_TYPO_LENGTH:
            return None
        best: tuple[int, str] | None = None
        for candidate in edits1(word):
            stem = self.word_stem.get(candidate)
            if stem is not None:
                key = (self.df(stem), candidate)
                if best is None or key > best:
                    best = key
        return best[1] if best else None

    def _stem(self, word: str) -> str:
        stem = self.stem_cache.get(word)
        if stem is None:
            stem = self.analyzer.stem_words([word])[0]
            if len(self.stem_cache) < 50_000:
                self.stem_cache[word] = stem
        return stem

    def _known_stems(self, words: Iterable[str]) -> tuple[str, ...]:
        found: list[str] = []
        for word in words:
            stem = self._stem(word)
            if stem in self.row and stem not in found:
                found.append(stem)
        return tuple(found)

    def analyse(self, text: str, correct_typos: bool = True) -> list[QueryTerm]:
        seen: set[str] = set()
        terms: list[QueryTerm] = []
        for unit in self.analyzer.units(text):
            word = unit[0]
            corrected: str | None = None
            found = self._known_stems(unit)
            if not found and len(unit) == 1 and self.options.typos and correct_typos:
                corrected = self.correct(word)
                if corrected is not None:
                    found = self._known_stems((corrected, self.analyzer.canonical(corrected)))
            if found:
                if seen.issuperset(found):
                    continue
                seen.update(found)
                weight = max(self.idf[self.row[s]] for s in found) + TERM_WEIGHT_FLOOR
                terms.append(QueryTerm(found, word, weight, True, corrected))
            else:
                if word in seen:
                    continue
                seen.add(word)
                if self._slip_of_a_stop_word(word, unit):
                    continue
                weight = (self.rare_idf + TERM_WEIGHT_FLOOR) * UNKNOWN_TERM_FACTOR
                terms.append(QueryTerm((), word, weight, False, None))
        return terms

    def _slip_of_a_stop_word(self, word: str, unit: tuple[str, ...]) -> bool:
        """A word the base does not know that is one slip from a stop word ("qaunto",
        "quanots", "deptis"): read as that stop word, not as a subject the base lacks, which
        would lower the question's coverage. Words of MIN_TYPO_LENGTH letters or more only,
        as for the base's own words."""
        return (
            self.options.typos
            and len(unit) == 1
            and len(word) >= MIN_TYPO_LENGTH
            and not edits1(word).isdisjoint(self.analyzer.stop_words)
        )

    def contains(self, stem: str, local: int) -> int:
        """2 if the term is in the article's question field, 1 if only in its answer, else 0."""
        start, end = self.postings(stem)
        i = bisect.bisect_left(self.docs, local, start, end)
        if i < end and self.docs[i] == local:
            return 2 if self.in_question[i] else 1
        return 0


class Index:
    """Searchable index over articles; build once, query many times (thread-safe reads)."""

    def __init__(
        self, articles: Iterable[Article], options: RetrievalOptions | None = None
    ) -> None:
        self.options = options or RetrievalOptions()
        self.articles: list[Article] = list(articles)
        by_family: dict[str, list[tuple[int, Article]]] = {}
        for gid, article in enumerate(self.articles):
            by_family.setdefault(language_family(article.language), []).append((gid, article))
        self.families = {
            fam: _FamilyIndex(fam, entries, self.options) for fam, entries in by_family.items()
        }
        self.place = {
            gid: (fam, local)
            for fam, index in self.families.items()
            for local, gid in enumerate(index.doc_ids)
        }
        self.meaning = (
            _Meaning(self.articles, learn=self.options.metric)
            if self.options.semantic and self.articles and embeddings.enabled()
            else None
        )
        self.gid_of = {id(article): gid for gid, article in enumerate(self.articles)}
        self.gids_of_family = {
            fam: np.array(index.doc_ids, dtype=np.intp) for fam, index in self.families.items()
        }

    def __len__(self) -> int:
        return len(self.articles)

    def analyse(self, text: str, language: str | None = None) -> list[QueryTerm]:
        """The question's terms as the asked language's index reads them (or, when the base
        has no article in that language, as the first other family reads them)."""
        family = self.families.get(language_family(language))
        if family is None:
            family = next(iter(self.families.values()), None)
        return family.analyse(text) if family else []

    def search(self, text: str, language: str | None = "pt-BR", limit: int = 5) -> list[Hit]:
        """Articles ranked by score, best first; empty when nothing matches at all."""
        asked_family = language_family(language)
        asked = language or "pt-BR"
        by_family: dict[str, list[Hit]] = {}
        asked_terms: dict[str, tuple[list[QueryTerm], dict[int, float]]] = {}
        for family, index in self.families.items():
            same_family = family == asked_family
            terms = index.analyse(text, correct_typos=same_family or len(self.families) == 1)
            known = [t for t in terms if t.known]
            scores: dict[int, float] = {}
            asked_terms[family] = (terms, scores)
            if not known:
                continue
            for term in known:
                boost = CORRECTED_TERM_BOOST if term.corrected_to else 1.0
                best_impact: dict[int, float] = {}
                for stem in term.stems:
                    start, end = index.postings(stem)
                    for local, impact in zip(
                        index.docs[start:end], index.impacts[start:end], strict=True
                    ):
                        if impact > best_impact.get(local, 0.0):
                            best_impact[local] = impact
                for local, impact in best_impact.items():
                    scores[local] = scores.get(local, 0.0) + impact * boost

            def factor(local: int, index: _FamilyIndex = index, same: bool = same_family) -> float:
                if not same:
                    return 1.0  # another family is ranked on its own (see _prefer_language)
                lang = self.articles[index.doc_ids[local]].language
                return 1.0 if lang.lower() == asked.lower() else OTHER_VARIANT_FACTOR

            best = heapq.nlargest(limit, scores, key=lambda d: (scores[d] * factor(d), -d))
            by_family[family] = [
                self._hit(index, local, terms, scores[local] * factor(local), asked)
                for local in best
            ]
        hits = self._prefer_language(by_family, asked_family)
        # The terms as analyse() reads them: the asked family's, or the first one's.
        read_as = asked_family if asked_family in asked_terms else next(iter(asked_terms), "")
        if self.meaning is None or not asked_terms.get(read_as, ((), {}))[0]:
            return hits[:limit]  # (nothing but stop words and greetings: nothing to mean)
        return self._blend(text, hits, asked_terms, asked, limit)

    def _hit(
        self,
        index: _FamilyIndex,
        local: int,
        terms: list[QueryTerm],
        score: float,
        asked: str,
        similarity: float = 0.0,
    ) -> Hit:
        """The evidence of one article for the question's ``terms`` (as ``index`` reads it)."""
        known = [t for t in terms if t.known]
        total_weight = sum(t.weight for t in terms)
        matched: list[str] = []
        covered = 0.0
        for term in known:
            where = max(index.contains(stem, local) for stem in term.stems)
            if where:
                matched.append(term.stem)
                credit = 1.0 if where == 2 else ANSWER_ONLY_CREDIT
                if term.corrected_to:
                    credit *= CORRECTED_TERM_CREDIT
                covered += term.weight * credit
        article = self.articles[index.doc_ids[local]]
        return Hit(
            article=article,
            score=score,
            coverage=covered / total_weight if total_weight else 0.0,
            matched_terms=tuple(matched),
            query_terms=len(terms),
            unknown_terms=sum(1 for t in terms if not t.known),
            same_language=article.language.lower() == asked.lower(),
            similarity=similarity,
        )

    def _blend(
        self,
        text: str,
        hits: list[Hit],
        asked_terms: dict[str, tuple[list[QueryTerm], dict[int, float]]],
        asked: str,
        limit: int,
    ) -> list[Hit]:
        """The word matches and the articles nearest in meaning, ranked on both: the score
        becomes ``(1 − SEMANTIC_WEIGHT) × score / best score + SEMANTIC_WEIGHT × similarity``."""
        assert self.meaning is not None
        similarity = self._similarities(text, asked_terms)
        gid_of = self.gid_of
        ranked_family = self.place[gid_of[id(hits[0].article)]][0] if hits else None
        top_score = max((h.score for h in hits), default=0.0) or 1.0
        blended: dict[int, Hit] = {}
        for hit in hits:
            gid = gid_of[id(hit.article)]
            blended[gid] = replace(hit, similarity=float(similarity[gid]))
        nearest = heapq.nlargest(
            SEMANTIC_CANDIDATES, range(len(similarity)), key=lambda g: (similarity[g], -g)
        )
        for gid in nearest:
            if gid in blended:
                continue
            family, local = self.place[gid]
            terms, scores = asked_terms[family]
            # A lexical score is comparable only within the family the words were ranked in.
            score = scores.get(local, 0.0) if family == ranked_family else 0.0
            blended[gid] = self._hit(
                self.families[family], local, terms, score, asked, float(similarity[gid])
            )
        asked_family = language_family(asked)

        def variant(hit: Hit) -> float:
            """The asked variant's edge (pt-BR vs pt-PT), as in the word ranking."""
            same_family = language_family(hit.article.language) == asked_family
            return OTHER_VARIANT_FACTOR if same_family and not hit.same_language else 1.0

        # A question in a language the base holds few articles in (English asked of a mostly
        # Portuguese base) is mostly about articles in the other language, where its words
        # cannot match: there each candidate's word evidence is its coverage of the question
        # (comparable across articles, unlike a score relative to the best of a handful), and
        # an article in another language is judged on meaning alone (eval/detran-tuning: ten
        # English questions about Portuguese articles, all missed before).
        asked_index = self.families.get(asked_family)
        minority = asked_index is not None and any(
            index.n_docs > asked_index.n_docs for index in self.families.values()
        )

        def lexical(hit: Hit) -> float:
            if not minority:
                return hit.score / top_score
            if language_family(hit.article.language) != asked_family:
                return max(0.0, hit.similarity)
            return hit.coverage

        out = [
            replace(
                hit,
                score=(
                    (1 - SEMANTIC_WEIGHT) * lexical(hit)
                    + SEMANTIC_WEIGHT * max(0.0, hit.similarity)
                )
                * variant(hit),
            )
            for hit in blended.values()
        ]
        if not minority and asked_index is not None and len(self.families) > 1:
            out = self._foreign_first(out, similarity, asked_family)
        out.sort(key=lambda h: -h.score)
        return out[:limit]

    def _similarities(
        self, text: str, asked_terms: dict[str, tuple[list[QueryTerm], dict[int, float]]]
    ) -> np.ndarray:
        """The question's cosine with each article; for a question whose typos the word index
        corrected, the mean of the cosines of the question as typed and as corrected. The
        encoder's subword pieces absorb some typos, not all: the in-scope questions the bot
        answered right on the held-out sets were answered right again with a typo in about
        half their long words 352 of 429 times, and 374 of 430 with the mean (``make
        robustness``). The corrected text alone did better on typos but worse on the questions
        as citizens typed them (a real word "corrected" to a word of the base changes the
        meaning), the mean did not."""
        assert self.meaning is not None
        similarity = self.meaning.similarities(text)
        fixes = {
            term.word: term.corrected_to
            for terms, _ in asked_terms.values()
            for term in terms
            if term.corrected_to
        }
        if not fixes:
            return similarity

        def fixed(match: re.Match) -> str:
            folded = tokens(match.group(0))
            return fixes.get(folded[0], match.group(0)) if len(folded) == 1 else match.group(0)

        corrected = _WORD.sub(fixed, text)
        if corrected == text:
            return similarity
        return (similarity + self.meaning.similarities(corrected)) / 2

    def _foreign_first(
        self, hits: list[Hit], similarity: np.ndarray, asked_family: str
    ) -> list[Hit]:
        """An article in another language ranked first when it is nearer in meaning than
        every article in the question's language by FOREIGN_MARGIN: its words cannot match
        the question's, so it would never win on the blended score."""
        own_best = float(similarity[self.gids_of_family[asked_family]].max())
        foreign = [
            h
            for h in hits
            if language_family(h.article.language) != asked_family
            and h.similarity >= own_best + FOREIGN_MARGIN
        ]
        if not foreign:
            return hits
        best = max(foreign, key=lambda h: h.similarity)
        top = max(h.score for h in hits)
        return [replace(h, score=top + h.similarity - own_best) if h is best else h for h in hits]

    @staticmethod
    def _prefer_language(by_family: dict[str, list[Hit]], asked_family: str) -> list[Hit]:
        """The asked family's hits; another family's only when it covers the question clearly
        better (by FALLBACK_COVERAGE_MARGIN). Families are never mixed in one ranking: their
        scores come from different idf tables and are not comparable."""
        for hits in by_family.values():
            hits.sort(key=lambda h: -h.score)
        best: list[Hit] = by_family.get(asked_family, [])
        best_coverage = best[0].coverage if best else -1.0
        for family, hits in by_family.items():
            if (
                family != asked_family
                and hits
                and hits[0].coverage > best_coverage + FALLBACK_COVERAGE_MARGIN
            ):
                best, best_coverage = hits, hits[0].coverage
        return best


class _Meaning:
    """The articles as sentence vectors: each article is the mean of its question's and its
    phrasings' vectors (made unit again), and ``similarities(text)`` gives the cosine of
    ``text`` with each. One vector an article (10 MB at 5,000 articles); on the tuning sets
    the mean ranked as well as the best of the phrasings taken one by one (INPI 94.3 % of
    in-scope questions first either way; social security 79.4 % against 78.3 %).

    With ``learn`` the cosines are taken under the base's own measure (:mod:`balcao.bot.metric`),
    learnt here from the same phrasings; ``map`` is None without it."""

    def __init__(self, articles: list[Article], learn: bool = True) -> None:
        texts: list[str] = []
        counts: list[int] = []
        for article in articles:
            phrasings = [p for p in (article.question, *article.variants) if p.strip()]
            chosen = phrasings[:MAX_PHRASINGS] or [article.answer[:200] or article.id]
            texts.extend(chosen)
            counts.append(len(chosen))
        encoded = embeddings.encode(texts)
        owner = np.repeat(np.arange(len(articles), dtype=np.intp), counts)
        self.map = metric.fit(encoded, owner, len(articles)) if learn else None
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        sums = np.add.reduceat(encoded, starts)
        self.vectors = metric.apply(self.map, metric.unit_rows(sums))

    def similarities(self, text: str) -> np.ndarray:
        asked = metric.apply(self.map, embeddings.encode([text]))[0]
        return embeddings.similarities(asked, self.vectors)
