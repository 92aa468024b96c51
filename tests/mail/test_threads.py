"""Which case an incoming e-mail continues (issue 22; balcao.mail.threads, pure)."""

from __future__ import annotations

import pytest

from balcao.cases.protocol import format_protocol
from balcao.mail import threads
from balcao.mail.parsing import ParsedMail
from balcao.mail.threads import Hints, hints, protocols_in, resolve

PATTERN = "{year:04d}.{seq:06d}-{dv}"
OURS = format_protocol(PATTERN, year=2026, seq=123)  # 2026.000123-?
OTHER = format_protocol(PATTERN, year=2026, seq=77)


def _wrong_digit(valid: str) -> str:
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def test_protocols_in_a_subject_need_their_check_digit():
    decoy = _wrong_digit(format_protocol(PATTERN, year=2026, seq=123456))  # a phone number
    subject = f"Re: RE: [Protocolo {OURS}] resposta · tel {decoy} · {_wrong_digit(OTHER)}"
    assert protocols_in(subject, PATTERN) == [OURS]
    assert protocols_in(f"{OURS} e de novo {OURS} e {OTHER}", PATTERN) == [OURS, OTHER]
    assert protocols_in(f"x1{OURS}", PATTERN) == []  # glued to other digits: not one
    nup = "{unit:05d}.{seq:06d}/{year:04d}-{nup_dv}"
    written = format_protocol(nup, year=2026, seq=5, unit=52400)
    assert protocols_in(f"Processo {written}", nup, unit=52400) == [written]


def test_ids_first_newest_reference_first_then_the_subject():
    message = ParsedMail(
        file="-",
        in_reply_to="<b@balcao>",
        references=["<a@balcao>", "<b@balcao>", "<c@elsewhere>"],
        subject=f"Re: [{OURS}]",
    )
    found = hints(message, pattern=PATTERN)
    assert found == Hints(("<b@balcao>", "<c@elsewhere>", "<a@balcao>"), (OURS,))
    by_id = {"<a@balcao>": 1, "<b@balcao>": 2}
    assert resolve(found, case_by_message_id=by_id, case_by_protocol={OURS: 9}) == 2
    # the mail program dropped the ids: the subject's protocol still finds the case
    bare = hints(ParsedMail(file="-", subject=f"Re: Protocolo {OURS}"), pattern=PATTERN)
    assert resolve(bare, case_by_message_id=by_id, case_by_protocol={OURS: 9}) == 9


def test_a_new_conversation_resolves_to_nothing():
    found = hints(ParsedMail(file="-", subject="Dúvida sobre marca"), pattern=PATTERN)
    assert found == Hints((), ())
    assert resolve(found, case_by_message_id={}, case_by_protocol={}) is None
    stranger = hints(
        ParsedMail(file="-", in_reply_to="<x@gmail>", subject=f"Fwd: {OTHER}"), pattern=PATTERN
    )
    assert resolve(stranger, case_by_message_id={"<y@balcao>": 1}, case_by_protocol={}) is None


@pytest.mark.parametrize(
    ("subject", "normalised"),
    [
        ("Re: RES: Pedido de patente", "pedido de patente"),
        ("ENC: Fwd:  Pedido   de patente", "pedido de patente"),
        ("AW: WG: Pedido de patente", "pedido de patente"),
        ("Re[2]: Pedido de patente", "pedido de patente"),
        ("Resposta ao pedido", "resposta ao pedido"),  # a word, not a prefix
        ("Ref: ", ""),
    ],
)
def test_a_subject_is_normalised_without_its_reply_prefixes(subject, normalised):
    assert threads.normalise_subject(subject) == normalised


def test_the_same_conversation_by_subject_but_never_by_a_generic_one():
    earlier = {"Pedido de patente parado": 7, "(sem assunto)": 9}
    assert threads.same_conversation("RE: pedido de patente  parado", earlier) == 7
    assert threads.same_conversation("Outro assunto", earlier) is None
    assert threads.same_conversation("", earlier) is None
    assert threads.same_conversation("Re: (sem assunto)", earlier) is None
