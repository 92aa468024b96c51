"""Retrieval: accents, typos, synonyms, stop words, fields and language preference."""

from __future__ import annotations

import pytest

from balcao.bot.retrieval import (
    BM25_ONLY,
    Article,
    Index,
)


def art(id: str, question: str, answer: str = "", language: str = "pt-BR", **kw) -> Article:
    return Article(id=id, question=question, answer=answer, language=language, **kw)


@pytest.fixture(scope="module")
def small_index() -> Index:
    return Index(
        [
            art("gru", "Como emitir a GRU?", "A guia é emitida no site do INPI."),
            art("marca", "Como registrar uma marca?", "Faça o pedido pelo e-Marcas."),
            art("patente", "Como depositar uma patente de invenção?", "Use o e-Patentes."),
            art("prazo-exame", "Qual o prazo para pedir o exame técnico?", "36 meses."),
            art("en-mark", "How do I register a trademark?", "File it online.", language="en"),
            art(
                "pt-pt-marca",
                "Como registar uma marca em Portugal?",
                "No INPI português.",
                language="pt-PT",
            ),
        ]
    )


def top(index: Index, text: str, language: str = "pt-BR") -> str | None:
    hits = index.search(text, language)
    return hits[0].article.id if hits else None


def test_accents_are_folded_both_ways(small_index: Index) -> None:
    assert top(small_index, "patente de invencao") == "patente"
    assert top(small_index, "PATENTE DE INVENÇÃO") == "patente"
    assert top(small_index, "prazo do exame tecnico") == "prazo-exame"


def test_stemming_meets_inflections(small_index: Index) -> None:
    assert top(small_index, "registro das marcas") == "marca"
    assert top(small_index, "depósitos de patentes") == "patente"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("emittir a gru", "gru"), ("pattente", "patente"), ("exsame tecnico", "prazo-exame")],
)
def test_typos_are_corrected_against_the_index(
    small_index: Index, typed: str, expected: str
) -> None:
    assert top(small_index, typed) == expected


def test_typo_correction_is_reported_and_counts_less(small_index: Index) -> None:
    terms = {t.word: t for t in small_index.analyse("pattente", "pt-BR")}
    assert terms["pattente"].corrected_to == "patente"
    exact = small_index.search("patente", "pt-BR")[0]
    typo = small_index.search("pattente", "pt-BR")[0]
    assert typo.score < exact.score
    assert typo.coverage < exact.coverage


def test_a_slip_of_a_stop_word_is_read_as_the_stop_word(small_index: Index) -> None:
    """'qaunto' and 'deptis' are 'quanto' and 'depois' typed in a hurry: no subject the base
    lacks, so they do not lower the question's coverage. A word the base lacks that is no
    slip of a stop word still counts ('telhado')."""
    words = [t.word for t in small_index.analyse("qaunto custa emitir a gru deptis", "pt-BR")]
    assert "qaunto" not in words and "deptis" not in words
    clean = small_index.search("quanto custa emitir a gru depois", "pt-BR")[0]
    slipped = small_index.search("qaunto custa emitir a gru deptis", "pt-BR")[0]
    assert slipped.coverage == clean.coverage
    unknown = [t.word for t in small_index.analyse("telhado da gru", "pt-BR") if not t.known]
    assert unknown == ["telhado"]
    plain = Index(small_index.articles, BM25_ONLY)  # no typo tolerance, no slips either
    assert "qaunto" in [t.word for t in plain.analyse("qaunto custa a gru", "pt-BR")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("quero patentear minha invenção", "patente"),  # the article's own variants
        ("quanto tempo para o exame", "prazo-exame"),
    ],
)
def test_an_articles_own_words_find_it(small_index: Index, typed: str, expected: str) -> None:
    assert top(small_index, typed) == expected


def test_the_lists_hold_no_agencys_vocabulary() -> None:
    """Issue 20: only general language; the INPI's own words ("boleto" → GRU, "logotipo" →
    marca) come from its articles' variants, never from the retriever's lists."""
    from balcao.bot import synonyms

    for family in ("pt", "en"):
        assert not synonyms.SYNONYMS[family]
        for word in ("boleto", "logotipo", "logomarca", "gru", "inpi", "marca", "patente"):
            assert word not in synonyms.REPLACEMENTS[family]
            assert word not in synonyms.REPLACEMENTS[family].values()


def test_shorthand_and_the_other_spelling_are_read_as_the_word() -> None:
    articles = [
        art("cel", "Como atualizo o número de celular no cadastro?"),
        art("msg", "Recebi uma mensagem pedindo meus dados, é golpe?"),
        art("x", "Outra coisa qualquer sobre o horário"),
    ]
    for typed, expected in (("mudei de telemovel", "cel"), ("recebi uma msg estranha", "msg")):
        hits = Index(articles).search(typed, "pt-BR")
        assert hits and hits[0].article.id == expected, typed
        plain = Index(articles, BM25_ONLY).search(typed, "pt-BR")
        assert not plain or plain[0].article.id != expected or plain[0].coverage < 1


def test_typo_in_a_synonym_still_reaches_the_canonical_word(small_index: Index) -> None:
    assert top(small_index, "registrar meu logotpo") == "marca"


def test_stop_words_and_greetings_leave_no_terms(small_index: Index) -> None:
    assert small_index.analyse("Olá, bom dia! Tudo bem?", "pt-BR") == []
    assert small_index.analyse("hello, good morning", "en") == []
    assert small_index.search("oi, boa tarde", "pt-BR") == []


def test_language_preference_and_fallback(small_index: Index) -> None:
    assert top(small_index, "register a trademark", "en") == "en-mark"
    # The same words asked in Portuguese with language pt-BR: the Portuguese article.
    assert top(small_index, "registrar marca", "pt-BR") == "marca"
    # pt-PT asks for the pt-PT article first, pt-BR for the pt-BR one.
    assert top(small_index, "registar marca", "pt-PT") == "pt-pt-marca"
    # Asked in English but typed in Portuguese: the Portuguese article is the fallback.
    assert top(small_index, "emitir a GRU", "en") == "gru"


def test_only_other_language_available_is_still_found() -> None:
    index = Index([art("only-pt", "Como emitir a GRU?")])
    hits = index.search("emitir gru", "en")
    assert hits and hits[0].article.id == "only-pt"
    assert not hits[0].same_language


def test_question_field_outweighs_answer_field() -> None:
    index = Index(
        [
            art("in-answer", "Outro assunto", "Aqui se fala de anuidade de passagem."),
            art("in-question", "Como pagar a anuidade?", "Veja a tabela."),
        ]
    )
    hits = index.search("anuidade", "pt-BR")
    assert [h.article.id for h in hits[:2]] == ["in-question", "in-answer"]
    assert hits[0].coverage == 1.0
    assert hits[1].coverage < 1.0  # an answer-only match is weaker evidence


def test_variants_are_searched() -> None:
    index = Index(
        [
            art("a", "Pergunta oficial", variants=["como faço a restituição do valor"]),
            art("b", "Outra pergunta oficial"),
        ]
    )
    assert top(index, "restituicao") == "a"


def test_hit_reports_unknown_terms(small_index: Index) -> None:
    hit = small_index.search("patente do meu foguete", "pt-BR")[0]
    assert hit.unknown_terms == 1
    assert 0 < hit.coverage < 1


def test_empty_index_and_empty_question() -> None:
    assert Index([]).search("marca", "pt-BR") == []
    assert Index([art("a", "marca")]).search("", "pt-BR") == []


def test_article_from_import_record() -> None:
    record = {
        "id": "x",
        "question": "Q?",
        "answer": "A.",
        "variants": ["V"],
        "language": "en",
        "tags": ["t"],
    }
    article = Article.from_dict(record)
    assert (article.id, article.variants, article.language, article.tags) == (
        "x",
        ["V"],
        "en",
        ["t"],
    )
    assert Article.from_dict({"id": 7, "question": "Q"}).language == "pt-BR"


def test_demo_base_finds_its_own_questions_and_variants(demo_articles: list[Article]) -> None:
    index = Index(demo_articles)
    asked = right = 0
    for article in demo_articles:
        for text in [article.question, *article.variants]:
            asked += 1
            hits = index.search(text, article.language)
            right += bool(hits) and hits[0].article.id == article.id
    assert right / asked >= 0.9


def test_postings_are_one_slice_per_term_in_article_order() -> None:
    """The packed postings (``_FamilyIndex.docs/impacts/in_question`` sliced by ``bounds``):
    each term's slice names each article holding it once, in order, and ``contains`` says
    where in the article it is."""
    from balcao.bot.retrieval import Article, Index

    articles = [
        Article(id="a", question="Como emitir a guia?", answer="A guia sai no portal."),
        Article(id="b", question="Qual o prazo do recurso?", answer="Sessenta dias; emitir."),
        Article(id="c", question="Emitir certidão", answer="Pelo portal."),
    ]
    family = Index(articles).families["pt"]
    assert family.bounds[-1] == len(family.docs) == len(family.impacts)
    for stem in family.row:
        start, end = family.postings(stem)
        docs = list(family.docs[start:end])
        assert docs == sorted(set(docs)) and family.df(stem) == len(docs), stem
        assert all(impact > 0 for impact in family.impacts[start:end])
    emit = family.analyzer.stem_words(["emitir"])[0]
    portal = family.analyzer.stem_words(["portal"])[0]
    assert family.df(emit) == 3 and family.df("nenhum") == 0
    assert [family.contains(emit, local) for local in range(3)] == [2, 1, 2]
    assert [family.contains(portal, local) for local in range(3)] == [1, 0, 1]
