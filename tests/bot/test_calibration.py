"""The bot's answer line comes from the base in hand (issue 20): calibrated when the bot is
built, recomputed when the published base changes, and sane on an English-only base, a base
of one article and an empty base."""

from __future__ import annotations

import json

import pytest

from balcao.bot import calibration
from balcao.bot.engine import Bot
from balcao.bot.retrieval import Article

# A small public library's FAQ, written for these tests (no evaluation set is read here).
LIBRARY = [
    (
        "cartao",
        "Como faço o cartão da biblioteca?",
        ["quero me inscrever na biblioteca", "documentos para a carteirinha de leitor"],
    ),
    (
        "renovar",
        "Como renovo o empréstimo de um livro?",
        ["prorrogar a devolução do livro", "mais prazo para ficar com o livro"],
    ),
    (
        "multa",
        "Quanto é a multa por atraso na devolução?",
        ["devolvi o livro atrasado, pago quanto", "valor da penalidade por atraso"],
    ),
    (
        "horario",
        "Qual o horário de funcionamento da biblioteca?",
        ["a biblioteca abre sábado", "que horas fecha a sala de leitura"],
    ),
    (
        "wifi",
        "Como uso a internet sem fio da biblioteca?",
        ["senha do wifi da biblioteca", "conectar o notebook na rede"],
    ),
    (
        "perdido",
        "Perdi um livro emprestado, e agora?",
        ["o livro sumiu, como repor", "extraviei o exemplar que peguei"],
    ),
    (
        "reserva",
        "Como reservo um livro que está emprestado?",
        ["entrar na fila de espera de um livro", "segurar um título para mim"],
    ),
    (
        "doacao",
        "Posso doar livros para a biblioteca?",
        ["quero entregar meus livros usados", "aceitam doação de coleção"],
    ),
    (
        "sala",
        "Como agendo uma sala de estudo em grupo?",
        ["reservar sala para trabalho em equipe", "espaço para estudar com colegas"],
    ),
    (
        "impressao",
        "Quanto custa imprimir na biblioteca?",
        ["preço da cópia e impressão", "tem impressora para usar"],
    ),
    (
        "infantil",
        "Há atividades para crianças?",
        ["contação de histórias para meu filho", "programação infantil no fim de semana"],
    ),
    (
        "acessibilidade",
        "A biblioteca tem recursos de acessibilidade?",
        ["livros em braile", "leitor de tela para deficiente visual"],
    ),
]
ENGLISH = [
    ("card", "How do I get a library card?", ["sign up as a reader", "documents to join"]),
    ("renew", "How do I renew a loan?", ["extend the due date of a book", "keep my book longer"]),
    (
        "fine",
        "How much is the late return fine?",
        ["penalty for returning late", "I returned a book late, how much do I pay"],
    ),
    (
        "hours",
        "What are the opening hours?",
        ["is the library open on saturday", "what time does the reading room close"],
    ),
    ("wifi", "How do I use the wireless internet?", ["wifi password", "connect my laptop"]),
    (
        "lost",
        "I lost a borrowed book, what now?",
        ["the book is missing, how do I replace it", "misplaced the copy I borrowed"],
    ),
    (
        "hold",
        "How do I place a hold on a book?",
        ["join the waiting list for a title", "reserve a book someone else has"],
    ),
]


ANSWERS = {
    "cartao": "Leve documento com foto e comprovante de residência ao balcão de atendimento; "
    "o cartão de leitor sai na hora e vale por dois anos.",
    "renovar": "Renove pelo site com o número do cartão ou no balcão, até a data de devolução; "
    "cada empréstimo pode ser renovado duas vezes se não houver reserva.",
    "multa": "A multa é de R$ 1,00 por dia de atraso e por livro, paga no balcão; enquanto "
    "houver multa em aberto o cartão fica suspenso para novos empréstimos.",
    "horario": "A biblioteca abre de segunda a sexta das 9h às 20h e aos sábados das 9h às 13h; "
    "fecha aos domingos e feriados.",
    "wifi": "A rede sem fio é aberta: conecte-se à rede Biblioteca-Publica e aceite os termos "
    "na página que abrir; não há senha.",
    "perdido": "Avise o balcão: você pode repor um exemplar igual, novo, ou pagar o valor de "
    "tabela do livro; até lá o cartão fica suspenso.",
    "reserva": "Pelo site ou no balcão, peça a reserva do título: você entra na fila e recebe um "
    "e-mail quando o livro voltar, com três dias para retirá-lo.",
    "doacao": "Recebemos doações de livros em bom estado às terças e quintas; a equipe avalia e "
    "o que não entrar no acervo vai para a troca de livros.",
    "sala": "As salas de estudo em grupo são agendadas no site, por até duas horas por dia, "
    "para grupos de três a oito leitores com cartão.",
    "impressao": "A impressão custa R$ 0,50 por página em preto e branco; pague no balcão com o "
    "cartão de leitor.",
    "infantil": "A sala infantil tem contação de histórias aos sábados às 10h e oficinas nas "
    "férias escolares; a entrada é livre.",
    "acessibilidade": "Há livros em braile e em áudio, computadores com leitor de tela e "
    "lupas eletrônicas; a entrada e os banheiros são acessíveis.",
}


ANSWERS.update(
    card="Bring a photo ID and proof of address to the front desk; the reader's card is "
    "issued on the spot and is valid for two years.",
    renew="Renew online with your card number or at the desk before the due date; a loan can "
    "be renewed twice unless another reader has placed a hold.",
    fine="The late fee is one real per day and per book, paid at the desk; while a fee is "
    "unpaid the card cannot borrow.",
    hours="The library opens Monday to Friday from 9 am to 8 pm and on Saturdays from 9 am to "
    "1 pm; it is closed on Sundays and public holidays.",
    wifi="The wireless network is open: join Biblioteca-Publica and accept the terms on the "
    "page that opens; there is no password.",
    lost="Tell the desk: replace the book with a new identical copy or pay its list price; "
    "until then the card is suspended.",
    hold="Ask for a hold online or at the desk: you join the waiting list and get an e-mail "
    "when the book is back, with three days to pick it up.",
)


def _articles(rows, language="pt-BR"):
    return [
        Article(
            id=slug,
            question=q,
            answer=ANSWERS.get(slug, f"About {q.lower()}"),
            variants=v,
            language=language,
        )
        for slug, q, v in rows
    ]


def test_a_base_is_calibrated_on_its_own_phrasings_and_the_shipped_negatives():
    result = calibration.calibrate(_articles(LIBRARY))
    assert result.source == "calibrated"
    assert result.positives == 3 * sum(len(v) for _s, _q, v in LIBRARY)  # each typed 3 ways
    assert result.negatives == len(calibration.shipped_negatives()) >= 100
    t = result.thresholds
    assert calibration.COVERAGE_GRID[0] <= t.min_coverage <= calibration.COVERAGE_GRID[-1]
    assert t.min_coverage <= t.min_coverage_single_term
    # paraphrases with few shared words: a third found is what word matching gives here
    assert 0.2 < result.expected_in_scope <= 1 and 0.8 < result.expected_refusal <= 1
    assert "calibration:" in result.describe() and "%" in result.describe()


def test_the_lines_follow_the_negatives_given():
    """The same base with negatives that share its words must be stricter than with none."""
    articles = _articles(LIBRARY)
    loose = calibration.calibrate(articles, negatives=[])
    near = [
        ("biblioteca do bairro tem estacionamento", "pt-BR"),
        ("o livro da escola do meu filho", "pt-BR"),
        ("horario do onibus para a biblioteca", "pt-BR"),
        ("sala de cinema perto da biblioteca", "pt-BR"),
    ] * 5
    strict = calibration.calibrate(articles, negatives=near)
    assert loose.thresholds.min_coverage == calibration.COVERAGE_GRID[0]  # nothing to refuse
    assert strict.thresholds.min_coverage > loose.thresholds.min_coverage


def test_an_english_only_base_answers_and_refuses():
    bot = Bot(_articles(ENGLISH, language="en"))
    assert bot.calibration.source == "calibrated"
    assert bot.ask("how can i extend my loan", "en").article_id == "renew"
    assert bot.ask("lost the book i borrowed", "en").article_id == "lost"
    assert bot.ask("who won the football match", "en").action == "refuse"
    # a question in Portuguese still finds the English article when it is the only one
    assert bot.ask("qual a senha do wifi", "pt-BR").article_id in {"wifi", None}


def test_a_base_of_one_article_keeps_the_default_lines():
    bot = Bot(_articles(LIBRARY[:1]))
    assert bot.calibration.source == "default" and bot.calibration.positives == 2
    assert bot.ask("como faço o cartão da biblioteca").article_id == "cartao"
    reply = bot.ask("receita de bolo de chocolate")
    assert reply.action == "refuse" and reply.needs_human


def test_an_empty_base_refuses_everything_and_offers_a_person():
    bot = Bot([])
    for text in ("como faço o cartão", "quero registrar uma marca", "how do I renew"):
        reply = bot.ask(text, "pt-BR")
        assert reply.article_id is None and reply.action == "refuse"
        assert reply.needs_human


def _import_lines(rows) -> list[str]:
    """``rows`` in ``balcao kb import``'s format."""
    return [
        json.dumps(
            {
                "id": slug,
                "question": q,
                "answer": ANSWERS[slug],
                "variants": v,
                "language": "pt-BR",
            },
            ensure_ascii=False,
        )
        for slug, q, v in rows
    ]


@pytest.mark.django_db
def test_the_calibration_is_recomputed_when_the_published_base_changes():
    from balcao.bot import services
    from balcao.kb import services as kb

    kb.do_import(_import_lines(LIBRARY[:1]))
    assert services.get_bot().calibration.source == "default"
    kb.do_import(_import_lines(LIBRARY[1:]))
    calibrated = services.get_bot().calibration
    assert calibrated.source == "calibrated"
    assert calibrated.positives == 3 * sum(len(v) for _s, _q, v in LIBRARY)


@pytest.mark.django_db
def test_another_process_reuses_the_calibration_kept_in_the_shared_cache(monkeypatch):
    from balcao.bot import services
    from balcao.kb import services as kb

    kb.do_import(_import_lines(LIBRARY))
    first = services.get_bot().calibration
    assert first.source == "calibrated"
    services._cache.update(key=None, bot=None)  # as a new web process
    monkeypatch.setattr(
        calibration, "calibrate", lambda *a, **k: pytest.fail("calibrated a second time")
    )
    assert services.get_bot().calibration == first
