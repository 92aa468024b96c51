"""Classified information: degrees, terms, who may classify, and the CIDIC (pure: no Django).

Issue 21, "Classified information" — the INPI Portaria (seed ``001_…txt``), Chapter III:

* **Who classifies** (art. 46): "I - o Presidente, para classificação no grau de sigilo
  secreto; e II - as autoridades no exercício de funções de direção, comando ou chefia dos
  Cargos Comissionados Executivos - CCE e das Funções Comissionadas Executivas - FCE, nível 15
  ou superior, e seus equivalentes, para classificação no grau de sigilo reservado". Nobody at
  the INPI classifies *ultrassecreto* (Lei 12.527/2011 art. 27 I reserves it to the President
  of the Republic, the Vice-President, ministers, the commanders of the armed forces and heads
  of permanent diplomatic missions abroad).
* **Terms** (Lei 12.527/2011 art. 24 § 1º): at most 25 years for ultrassecreto, 15 for secreto
  and 5 for reservado, counted "a partir da data de sua produção"; an event may end it sooner
  (art. 24 § 3º). The classification uses "o critério menos restritivo possível" (Portaria
  art. 46 § 2º): the term asked may be shorter, never longer.
* **The TCI** records the reasons (art. 46 § 1º), which are hidden from the requester when a
  request is denied with the TCI attached (art. 46 § 3º): :func:`public_view`.
* **Reassessment** (art. 47): "Compete à Autoridade Classificadora, mediante provocação ou de
  ofício, a reavaliação dos dados ou informações classificadas em qualquer grau de sigilo, para
  a sua desclassificação ou redução do prazo de sigilo, observado o disposto nos arts. 35, 36 e
  38 do Decreto nº 7.724, de 2012": :func:`reduce_term` and :func:`downgrade` (a
  reclassification at a lower degree, art. 49 II); a declassification ends the term.
* **The CIDIC** (art. 51): its first part is the NUP of the SEI process; the second part, per
  Decreto 7.845/2012, is the degree (U, S or R), the two-digit category of the first level of
  the Vocabulário Controlado do Governo Eletrônico (VCGE), the dates of production and of
  potential declassification (DD/MM/AAAA), whether it was reclassified (S/N) and, only for
  ultrassecreto, the date of the extension; elements separated by dots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

NUP = re.compile(r"^\d{5}\.\d{6}/\d{4}-\d{2}$")
CATEGORY = re.compile(r"^\d{2}$")


class Degree(StrEnum):
    RESERVADO = "reservado"
    SECRETO = "secreto"
    ULTRASSECRETO = "ultrassecreto"

    @property
    def letter(self) -> str:
        return {"reservado": "R", "secreto": "S", "ultrassecreto": "U"}[self.value]

    @property
    def max_years(self) -> int:
        """Lei 12.527/2011 art. 24 § 1º."""
        return {"reservado": 5, "secreto": 15, "ultrassecreto": 25}[self.value]

    @property
    def rank(self) -> int:
        """How restrictive the degree is: reservado < secreto < ultrassecreto."""
        return {"reservado": 1, "secreto": 2, "ultrassecreto": 3}[self.value]


class ClassificationError(ValueError):
    """A classification the rules refuse; ``field`` names what is wrong, ``message`` says it
    in the interface's first language (pt-BR), for the staff who classify."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Authority:
    """Who signs the TCI: the agency's President, or a head holding a CCE/FCE of ``level``."""

    president: bool = False
    level: int | None = None


def authority_refusal(degree: Degree, authority: Authority) -> str | None:
    """Why ``authority`` may not classify at ``degree`` (None when it may): Portaria art. 46."""
    if degree is Degree.ULTRASSECRETO:
        return (
            "Nenhuma autoridade do INPI classifica no grau ultrassecreto (Lei 12.527/2011, "
            "art. 27, I: Presidente e Vice-Presidente da República, Ministros de Estado e "
            "Comandantes)."
        )
    if degree is Degree.SECRETO and not authority.president:
        return "Só o Presidente classifica no grau secreto (Portaria, art. 46, I)."
    if degree is Degree.RESERVADO and not (
        authority.president or (authority.level is not None and authority.level >= 15)
    ):
        return (
            "O grau reservado é classificado pelo Presidente ou por chefia com CCE/FCE de "
            "nível 15 ou superior (Portaria, art. 46, II)."
        )
    return None


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Classification:
    """A TCI's content (Decreto 7.724/2012 art. 31) as the rules read it."""

    nup: str
    degree: Degree
    category: str  # two digits, first level of the VCGE
    legal_ground: str
    produced_on: date
    classified_on: date
    years: int
    reasons: str
    subject: str = ""
    end_event: str = ""
    reclassified: bool = False
    extended_on: date | None = None
    authority: Authority = field(default_factory=Authority)

    @property
    def declassified_on(self) -> date:
        """The potential end of the term, counted from the production (art. 24 § 1º)."""
        return add_years(self.produced_on, self.years)

    @property
    def cidic(self) -> str:
        """NUP, then degree.category.production.declassification.reclassified[.extension]."""
        parts = [
            self.nup,
            self.degree.letter,
            self.category,
            f"{self.produced_on:%d/%m/%Y}",
            f"{self.declassified_on:%d/%m/%Y}",
            "S" if self.reclassified else "N",
        ]
        if self.degree is Degree.ULTRASSECRETO and self.extended_on is not None:
            parts.append(f"{self.extended_on:%d/%m/%Y}")
        return ".".join(parts)


def classify(
    *,
    nup: str,
    degree: str,
    category: str,
    legal_ground: str,
    produced_on: date,
    classified_on: date,
    years: int,
    reasons: str,
    authority: Authority,
    subject: str = "",
    end_event: str = "",
) -> Classification:
    """A checked classification; raises :class:`ClassificationError` naming the field."""
    try:
        level = Degree(degree)
    except ValueError as exc:
        raise ClassificationError(
            "degree", "O grau é reservado, secreto ou ultrassecreto."
        ) from exc
    refusal = authority_refusal(level, authority)
    if refusal:
        raise ClassificationError("authority", refusal)
    if not NUP.match(nup or ""):
        raise ClassificationError("nup", "O NUP tem a forma 00000.000000/0000-00.")
    if not CATEGORY.match(category or ""):
        raise ClassificationError("category", "A categoria são os dois dígitos do VCGE.")
    if not (legal_ground or "").strip():
        raise ClassificationError("legal_ground", "Indique o fundamento legal da classificação.")
    if not (reasons or "").strip():
        raise ClassificationError(
            "reasons", "As razões são obrigatórias (Portaria, art. 46, § 1º)."
        )
    if produced_on > classified_on:
        raise ClassificationError(
            "produced_on", "A produção não pode ser posterior à classificação."
        )
    if not 1 <= years <= level.max_years:
        raise ClassificationError(
            "years",
            f"O prazo do grau {level.value} é de 1 a {level.max_years} anos "
            "(Lei 12.527/2011, art. 24, § 1º).",
        )
    if add_years(produced_on, years) <= classified_on:
        raise ClassificationError("years", "Esse prazo terminou antes da classificação.")
    return Classification(
        nup=nup,
        degree=level,
        category=category,
        legal_ground=legal_ground.strip(),
        produced_on=produced_on,
        classified_on=classified_on,
        years=years,
        reasons=reasons.strip(),
        subject=subject.strip(),
        end_event=end_event.strip(),
        authority=authority,
    )


def _still_running(classification: Classification, years: int, on: date | None) -> None:
    """A term that would have ended by ``on`` is no term: the information is declassified
    instead (Lei 12.527/2011 art. 24 § 4º: at the end of the term it becomes public)."""
    if on is not None and add_years(classification.produced_on, years) <= on:
        raise ClassificationError(
            "years", "Com esse prazo o sigilo já teria terminado: desclassifique a informação."
        )


def reduce_term(
    classification: Classification, years: int, *, on: date | None = None
) -> Classification:
    """Reassessment that shortens the term (Portaria art. 47: "a reavaliação dos dados ou
    informações classificadas em qualquer grau de sigilo, para a sua desclassificação ou
    redução do prazo de sigilo"): never longer, never past the degree's maximum (Decreto
    7.724/2012 art. 35 § único I, "o prazo máximo de restrição de acesso"), still counted from
    the production (Lei 12.527/2011 art. 24 § 1º); a term that would already have ended by
    ``on`` (the day of the decision) is a declassification instead."""
    if not 1 <= years < classification.years or years > classification.degree.max_years:
        raise ClassificationError("years", "A reavaliação só pode reduzir o prazo.")
    _still_running(classification, years, on)
    return replace(classification, years=years, reclassified=True)


def downgrade(
    classification: Classification, degree: str, years: int, *, on: date | None = None
) -> Classification:
    """Reclassification at a lower degree (Portaria art. 49 II names the "reclassificação";
    art. 46 § 2º, "o critério menos restritivo possível"): the degree goes down, and the term
    must fit the new degree's maximum (Lei 12.527/2011 art. 24 § 1º: reservado 5 years,
    secreto 15) and never be longer than the one in force; it still counts from the
    production and must not have ended by ``on``."""
    try:
        level = Degree(degree)
    except ValueError as exc:
        raise ClassificationError(
            "degree", "O grau é reservado, secreto ou ultrassecreto."
        ) from exc
    if level.rank >= classification.degree.rank:
        raise ClassificationError(
            "degree", "A reclassificação só leva a um grau menos restritivo que o atual."
        )
    longest = min(level.max_years, classification.years)
    if not 1 <= years <= longest:
        raise ClassificationError(
            "years",
            f"No grau {level.value} o prazo é de 1 a {longest} anos (o máximo do grau, "
            "Lei 12.527/2011, art. 24, § 1º, sem passar do prazo em vigor).",
        )
    _still_running(classification, years, on)
    return replace(classification, degree=level, years=years, reclassified=True)


def public_view(classification: Classification) -> dict[str, str]:
    """The TCI as the requester receives it with a denial: everything but the reasons
    (Portaria art. 46 § 3º)."""
    return {
        "cidic": classification.cidic,
        "degree": classification.degree.value,
        "category": classification.category,
        "legal_ground": classification.legal_ground,
        "produced_on": classification.produced_on.isoformat(),
        "classified_on": classification.classified_on.isoformat(),
        "declassified_on": classification.declassified_on.isoformat(),
        "end_event": classification.end_event,
    }
