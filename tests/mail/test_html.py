"""An e-mail's HTML kept sanitised for display (issue 22: "keep text AND HTML (sanitised for
display), inline images and attachments"): the pure sanitiser (balcao.mail.html), the HTML
body read from the raw message (balcao.mail.parsing.html_body) without changing the
contract's JSON line, the message that keeps it on ingest, and the console's case page that
shows it behind "Ver formatado" in a sandboxed frame. The same page in a real browser:
tests/e2e/test_mail_html.py."""

from __future__ import annotations

import base64
import io
import re
from email.message import EmailMessage
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balcao.mail import html as mail_html
from balcao.mail import parsing
from tests.conftest import shared_data

# --- the pure sanitiser ---------------------------------------------------------------------


def test_scripts_styles_event_handlers_forms_and_frames_go():
    dirty = (
        "<html><head><title>Título</title><style>p { color: red }</style>"
        "<script>alert('head')</script></head>"
        '<body onload="alert(1)"><p onclick="alert(2)" style="color:red" class="x" id="y">Olá'
        '<img src="cid:a" onerror="alert(3)" alt="foto"></p>'
        '<form action="https://evil.example/"><input name="cpf" value="1"><textarea>t</textarea>'
        "<button>Enviar</button></form>"
        '<iframe src="https://evil.example/">quadro</iframe><object data="x.swf">obj</object>'
        "<svg><script>alert(4)</script><text>svg</text></svg><!-- comentário --></body></html>"
    )
    clean = mail_html.sanitise(dirty, images={"a": "data:image/png;base64,AAAA"})
    assert clean == '<p>Olá<img src="data:image/png;base64,AAAA" alt="foto"></p>'


def test_links_are_http_https_or_mailto_and_open_apart():
    clean = mail_html.sanitise(
        '<a href="javascript:alert(1)">a</a><a href="JaVa&#x09;script:alert(1)">b</a>'
        '<a href="data:text/html,<script>alert(1)</script>">c</a><a href="/console/">d</a>'
        '<a href="cid:x">e</a><a href="vbscript:x">f</a>'
        '<a href="https://www.gov.br/?a=1&amp;b=2" target="_top" rel="opener">g</a>'
        '<a href="mailto:ouvidoria@agencia.gov.br">h</a>'
    )
    assert "href" not in clean.split('<a href="https')[0]  # a–f lost their links
    assert ">a</a>" in clean and ">f</a>" in clean
    assert (
        '<a href="https://www.gov.br/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">g</a>'
    ) in clean
    assert '<a href="mailto:ouvidoria@agencia.gov.br" target="_blank"' in clean
    assert "javascript" not in clean.lower() and "data:" not in clean


def test_no_image_is_ever_fetched_from_elsewhere():
    clean = mail_html.sanitise(
        '<p><img src="https://track.example/open.gif?u=maria" width="1" height="1" alt="">'
        '<img src="http://bulk.example/logo.png" alt="Logo &lt;Loja&gt;">'
        '<img src="//cdn.example/x.png" alt="cdn"><img src="data:image/gif;base64,R0lGOD" alt="d">'
        '<img srcset="https://x.example/a.png 2x" alt="s"><img src="cid:desconhecida" alt="?">'
        '<table background="https://x.example/bg.png"><tr><td>t</td></tr></table></p>'
    )
    assert "<img" not in clean and "http" not in clean and "background" not in clean
    # each became its alt text, escaped as text (a tracking pixel, with none, vanished)
    assert clean.startswith("<p>Logo &lt;Loja&gt;cdnds?</p><table>")


def test_an_inline_image_shows_from_the_source_given_for_its_content_id():
    images = {"<Foto1@Example.org>": "data:image/png;base64,AAAA"}
    for reference in ("cid:Foto1@Example.org", "cid:foto1@example.org", "cid:Foto1%40Example.org"):
        clean = mail_html.sanitise(f'<img src="{reference}" alt="foto" width="40">', images=images)
        assert clean == '<img src="data:image/png;base64,AAAA" alt="foto" width="40">'
    assert mail_html.sanitise('<img src="cid:outra@example.org" alt="foto">', images=images) == (
        "foto"
    )


def test_tables_lists_quotes_code_and_headings_stay():
    dirty = (
        "<h1>Pedido</h1><h6>ref</h6><p>Texto <b>negrito</b> <strong>forte</strong> <i>i</i> "
        '<em>e</em> <u>u</u><br>linha</p><ul><li>um</li></ul><ol start="3"><li>três</li></ol>'
        '<table><thead><tr><th scope="col">Valor</th></tr></thead><tbody><tr>'
        '<td colspan="2" bgcolor="red" style="x">R$ 10,00</td></tr></tbody></table>'
        "<blockquote>citado</blockquote><pre><code>x &lt; y</code></pre>"
    )
    assert mail_html.sanitise(dirty) == dirty.replace(' bgcolor="red" style="x"', "")


def test_empty_or_blank_markup_gives_nothing():
    assert mail_html.sanitise("") == "" and mail_html.sanitise("  \n ") == ""
    assert mail_html.sanitise("<html><body><script>x()</script></body></html>") == ""


DANGEROUS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:x()">',
    "<svg onload=alert(1)>", "<iframe src=//evil>", "<style>*{}</style>", '<p style="x">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<!--", "-->", "<",
    ">", '"', "'", "<img src=https://t.example/p.gif>", "<object data=x>", "<base href=//e/>",
    "<meta http-equiv=refresh content=0;url=//e/>", "<link rel=stylesheet href=//e/>",
    "<form><input formaction=//e/>", "olá", "<b>", "</b>", "<td>", "<table>",
]  # fmt: skip


@given(st.lists(st.sampled_from(DANGEROUS), max_size=12))
def test_whatever_comes_in_nothing_active_or_remote_comes_out(pieces):
    clean = mail_html.sanitise("".join(pieces)).lower()
    for bad in ("<script", "<style", "<svg", "<iframe", "<object", "<base", "<meta", "<link"):
        assert bad not in clean
    assert not re.search(r"<[^>]*\son[a-z]+=", clean)
    assert "javascript:" not in clean and "src=" not in clean and "formaction" not in clean


def _png(width: int = 4, height: int = 3) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (19, 81, 180)).save(out, format="PNG")
    return out.getvalue()


def test_inline_sources_are_raster_images_within_a_budget():
    png = _png()
    sources = mail_html.inline_sources(
        [
            ("a", "image/png", png),
            ("svg", "image/svg+xml", b"<svg onload='alert(1)'/>"),
            ("pdf", "application/pdf", b"%PDF-1.4"),
            ("empty", "image/gif", b""),
            ("big", "image/jpeg", b"x" * 100),
            ("small", "image/gif; name=x.gif", b"GIF89a"),
        ],
        budget=len(png) + 50,
    )
    assert list(sources) == ["a", "small"]  # "big" would overflow what is left
    assert sources["a"] == "data:image/png;base64," + base64.b64encode(png).decode()
    assert sources["small"] == "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode()


# --- the HTML body of a raw message -----------------------------------------------------------

HTML = (
    "<html><head><script>alert('x')</script></head><body>"
    '<p onclick="alert(1)">Paguei a <b>GRU</b> e nada.</p>'
    '<img src="https://track.example/p.gif" alt="">'
    "<table><tr><td>Valor</td><td>R$ 10,00</td></tr></table></body></html>"
)


def _mail(*, html: str | None = HTML, text: str = "Paguei a GRU e nada.", inline=(),
          files=(), msgid="<m1@example.org>", subject="Dúvida sobre GRU",
          charset: str = "utf-8") -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = "Maria Souza <maria@example.org>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html", charset=charset)
        for cid, name, data in inline:
            msg.get_payload()[1].add_related(
                data, maintype="image", subtype="png", cid=f"<{cid}>", filename=name
            )
    for name, data, mime in files:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_the_html_body_of_an_alternative_and_its_inline_parts_by_position():
    raw = _mail(
        html='<p>Olá, ação</p><img src="cid:i1@x"><img src="cid:i2@x">',
        inline=[("i1@x", "image.png", _png()), ("i2@x", "image.png", _png(5, 5))],
        files=[("laudo.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
        charset="iso-8859-1",
    )
    body = parsing.html_body(raw)
    assert "<p>Olá, ação</p>" in body.html
    names = [name for name, _data in parsing.attachment_files(raw)]
    assert names == ["image.png", "image.png", "laudo.pdf"]  # two pasted images, one name
    assert body.inline == {"i1@x": 0, "i2@x": 1}


def test_a_text_only_message_has_no_html_body_and_broken_input_never_raises():
    assert parsing.html_body(_mail(html=None)) == parsing.HtmlBody()
    assert parsing.html_body(b"") == parsing.HtmlBody()
    assert parsing.html_body(b"\xff\xfe not a message at all \x00") == parsing.HtmlBody()


def test_the_contract_line_is_unchanged_by_the_html():
    parsed = parsing.parse_bytes(_mail(inline=[("i1@x", "foto.png", _png())]))
    assert list(parsed.as_dict()) == [
        "file", "message_id", "in_reply_to", "references", "from_addr", "from_name", "subject",
        "date", "auto_reply", "bounce", "list", "attachments", "text", "error",
    ]  # fmt: skip
    assert parsed.text == "Paguei a GRU e nada." and parsed.attachments == ["foto.png"]


def test_the_public_set_html_bodies_read_and_sanitise():
    folder = shared_data("mail")
    seen = {}
    for path in sorted(folder.glob("*.eml")):
        raw = path.read_bytes()
        body = parsing.html_body(raw)
        clean = mail_html.sanitise(body.html, images=dict.fromkeys(body.inline, "data:,x"))
        assert "<script" not in clean.lower() and "http://roundcube.net/images" not in clean
        seen[path.name] = (bool(clean), body.inline)
    # the Roundcube message: an inline image by cid beside a remote one
    assert seen["related-roundcube-local-remote-image.eml"] == (
        True,
        {"15787674815e1a1479c8db2452476888@alec.pl": 0},
    )
    assert seen["alt-mikel-two-from.eml"][0] and not seen["att-mikel-pdf.eml"][0]


# --- ingest: the message keeps the sanitised HTML ----------------------------------------------


@pytest.fixture
def mailbox(helpdesk_channel):
    from balcao.mail.models import Mailbox

    return Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )


@pytest.mark.django_db
def test_a_new_case_keeps_the_text_as_description_and_the_html_on_the_persons_message(mailbox):
    from balcao.cases.models import Message
    from balcao.mail.services import ingest

    row = ingest(mailbox, _mail(), uidvalidity=7, uid=1)
    case = row.case
    assert case.description == "Paguei a GRU e nada."
    [message] = case.messages.filter(author_kind=Message.Author.REQUESTER)
    assert row.case_message == message and message.external_id == "<m1@example.org>"
    assert message.body == "" and not message.attachments.exists()  # the text is above
    assert message.html == (
        "<p>Paguei a <b>GRU</b> e nada.</p>"
        "<table><tbody><tr><td>Valor</td><td>R$ 10,00</td></tr></tbody></table>"
    )
    # the person's follow-up page shows the description, not an empty message of theirs
    from balcao.cases import followup

    assert message not in list(followup.public_thread(case))


@pytest.mark.django_db
def test_a_reply_keeps_its_text_as_body_and_its_html_beside_it(mailbox):
    from balcao.mail.services import ingest

    case = ingest(mailbox, _mail(), uidvalidity=7, uid=1).case
    reply = _mail(
        msgid="<m2@example.org>",
        subject=f"Re: [Protocolo {case.protocol}] Dúvida sobre GRU",
        text="Ainda nada.",
        html="<div>Ainda <i>nada</i>.<script>steal()</script></div>",
    )
    row = ingest(mailbox, reply, uidvalidity=7, uid=2)
    assert row.outcome == "reply" and row.case == case
    assert row.case_message.body == "Ainda nada."
    assert row.case_message.html == "<div>Ainda <i>nada</i>.</div>"


@pytest.mark.django_db
def test_plain_text_mail_is_as_before(mailbox):
    from balcao.mail.services import ingest

    row = ingest(mailbox, _mail(html=None), uidvalidity=7, uid=1)
    assert row.case_message is None and not row.case.messages.filter(author_kind="requester")
    reply = _mail(
        html=None, msgid="<m2@example.org>", subject=f"Re: [Protocolo {row.case.protocol}] x"
    )
    assert ingest(mailbox, reply, uidvalidity=7, uid=2).case_message.html == ""


@pytest.mark.django_db
def test_an_inline_image_shows_from_its_stored_attachment_and_a_remote_one_never(mailbox):
    from balcao.mail.services import ingest

    png = _png(40, 30)
    raw = _mail(
        html='<p>Foto:</p><img src="cid:foto1@example.org" alt="boleto">'
        '<img src="https://track.example/p.gif" alt="[logo]">',
        inline=[("foto1@example.org", "foto.png", png)],
    )
    message = ingest(mailbox, raw, uidvalidity=7, uid=1).case_message
    [stored] = message.attachments.all()
    assert stored.filename == "foto.png" and stored.content_type == "image/png"
    [source] = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="boleto">', message.html)
    with stored.file.open("rb") as handle:
        assert base64.b64decode(source) == handle.read() == png
    assert message.html.endswith("[logo]") and "track.example" not in message.html


@pytest.mark.django_db
def test_an_inline_image_refused_as_a_file_is_not_shown_either(mailbox, helpdesk_channel):
    from balcao.mail.services import ingest

    helpdesk_channel.allowed_attachment_types = ["application/pdf"]
    helpdesk_channel.save()
    raw = _mail(
        html='<p>Foto:</p><img src="cid:foto1@example.org" alt="boleto">',
        inline=[("foto1@example.org", "foto.png", _png())],
    )
    row = ingest(mailbox, raw, uidvalidity=7, uid=1)
    assert "foto.png" in row.reason and not row.case_message.attachments.exists()
    assert row.case_message.html == "<p>Foto:</p>boleto"


# --- the console's case page ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_page_offers_the_formatted_mail_sandboxed_and_runs_nothing_of_it(
    mailbox, staff, verified_client
):
    from balcao.mail.services import ingest

    hostile = (
        '<p>Olá <b>equipe</b></p><script>alert("xss")</script>'
        '<img src="x" onerror="alert(\'img\')"><a href="javascript:alert(\'a\')">clique</a>'
        '<p>" onmouseover="alert(\'q\')" <x-y>&lt;/iframe&gt;</p>'
    )
    case = ingest(mailbox, _mail(html=hostile), uidvalidity=7, uid=1).case
    page = verified_client(staff["supervisor"]).get(f"/console/atendimentos/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Paguei a GRU e nada." in html  # the text, shown first
    [frame] = re.findall(r'<details class="formatted"><summary>Ver formatado</summary>'
                         r'(<iframe [^>]*></iframe>)</details>', html)  # fmt: skip
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame
    assert "allow-scripts" not in html and "allow-same-origin" not in html
    assert 'title="E-mail formatado"' in frame
    [srcdoc] = re.findall(r'srcdoc="([^"]*)"', frame)
    assert "&lt;p&gt;Olá &lt;b&gt;equipe&lt;/b&gt;&lt;/p&gt;" in srcdoc
    for gone in ('alert("xss")', "alert('img')", "alert('a')", "onerror", "javascript:"):
        assert gone not in html and gone not in unescape(srcdoc)
    # what tried to break out of the attribute or the frame is text in the e-mail's document
    document = unescape(srcdoc)
    assert '<p>" onmouseover="alert(\'q\')" &lt;/iframe&gt;</p>' in document
    assert not re.search(r"<[^>]*\son[a-z]+=", document) and "<script" not in document
    # the page's own scripts only, all from our static files
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(re.search(r'\ssrc="/static/', tag) for tag in scripts)
