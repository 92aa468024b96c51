"""The translation catalogues are complete, compiled, and the language switch reaches the pages.

The source strings (msgids) are pt-BR; ``balcao/locale`` holds one catalogue per other language
in ``settings.LANGUAGES``. The .mo files are committed so that a machine without GNU gettext
still serves translations, hence the check that they say what the .po files say.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LOCALES = sorted(
    translation.to_locale(code)
    for code, _name in settings.LANGUAGES
    if code != settings.LANGUAGE_CODE
)
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")

# %(name)s, %s, %d and {name} / {0} / {}: what Python fills in at run time.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The live (non-obsolete) entries of a .po file, header first (msgid "")."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        word, _space, value = line.partition(" ")
        if entry.msgstr and (line.startswith("#") or word in {"msgctxt", "msgid"}):
            entries.append(entry)
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            plural = re.fullmatch(r"msgstr\[(\d+)\]", word)
            key = ("msgstr", int(plural.group(1))) if plural else (word, 0)
            entry.line = entry.line or number
            value = ast.literal_eval(value)
            if key[0] == "msgstr":
                entry.msgstr.setdefault(key[1], "")
            else:
                setattr(entry, word, "")
        if not line.startswith("#"):
            name, index = key
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
    if entry.msgstr:
        entries.append(entry)
    return entries


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def mo_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.mo"


def expected_catalogue(locale: str) -> dict[object, str]:
    """What gettext should find in the .mo: the .po as Python's ``gettext`` keys it."""
    catalogue: dict[object, str] = {}
    for entry in read_po(po_path(locale)):
        if entry.msgid and ("fuzzy" in entry.flags or not all(entry.msgstr.values())):
            continue  # msgfmt leaves fuzzy and untranslated entries out
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            catalogue[msgid] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                catalogue[(msgid, index)] = text
    return without_creation_date(catalogue)


def without_creation_date(catalogue: dict[object, str]) -> dict[object, str]:
    """msgfmt drops POT-Creation-Date from the header, so it is no sign of a stale .mo."""
    header = re.sub(r"^POT-Creation-Date:.*\n", "", catalogue.get("", ""), flags=re.MULTILINE)
    return {**catalogue, "": header}


def mo_catalogue(path: Path) -> dict[object, str]:
    with path.open("rb") as handle:
        return without_creation_date(gettext.GNUTranslations(handle)._catalog)


def test_every_language_has_a_catalogue():
    assert LOCALES, "settings.LANGUAGES names no language besides the default"
    for locale in LOCALES:
        assert po_path(locale).is_file(), f"{po_path(locale)} is missing: run makemessages"
        assert mo_path(locale).is_file(), f"{mo_path(locale)} is missing: run compilemessages"


@pytest.mark.parametrize("locale", LOCALES)
def test_header_is_usable(locale):
    header = read_po(po_path(locale))[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags, "a fuzzy header makes msgfmt drop the charset"
    assert "charset=UTF-8" in header.msgstr[0]
    assert f"Language: {locale}\n" in header.msgstr[0]
    assert "Plural-Forms:" in header.msgstr[0]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(locale):
    entries = read_po(po_path(locale))[1:]
    assert len(entries) > 100, "suspiciously few strings: was makemessages run from the root?"
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {locale}: {untranslated}"
    assert not fuzzy, f"fuzzy in {locale} (check and drop the flag): {fuzzy}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_kept(locale):
    for entry in read_po(po_path(locale))[1:]:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (
                f"{locale} line {entry.line}: {entry.msgid!r} -> {text!r}"
            )


@needs_msgfmt
@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_finds_nothing_to_do(locale):
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(po_path(locale))],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_mo_says_what_the_po_says(locale):
    """Runs without gettext: the committed .mo, read by Python's gettext, matches the .po."""
    assert mo_catalogue(mo_path(locale)) == expected_catalogue(locale), (
        f"{mo_path(locale)} is stale: run `balcao compilemessages --ignore=.venv`"
    )


@needs_msgfmt
@pytest.mark.parametrize("locale", LOCALES)
def test_committed_mo_is_what_msgfmt_builds(locale, tmp_path):
    """Compiles the .po as compilemessages does and compares the catalogues.

    The catalogues, not the bytes: two gettext releases may lay out the same .mo differently.
    """
    fresh = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(fresh), str(po_path(locale))], check=True)
    assert mo_catalogue(mo_path(locale)) == mo_catalogue(fresh), (
        f"{mo_path(locale)} is stale: run `balcao compilemessages --ignore=.venv`"
    )


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """LocaleMiddleware activates a request's language and leaves it active in this thread;
    without this, a test after these would run in English or pt-PT."""
    language = translation.get_language()
    yield
    translation.activate(language)


def switch_language(client, language: str, next_url: str):
    """Choose a language as the header's selector does, and follow to the page."""
    return client.post("/i18n/setlang/", {"language": language, "next": next_url}, follow=True)


@pytest.mark.django_db
def test_login_page_is_pt_br_by_default(client):
    html = client.get("/conta/entrar/").content.decode()
    assert '<html lang="pt-br">' in html
    assert "Usuário" in html
    assert "Senha" in html
    assert "Acesso da equipe" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words", "not_words"),
    [
        ("en", ["Username", "Password", "Staff sign-in", "Continue"], ["Senha", "Usuário"]),
        (
            "pt-pt",
            ["Nome de utilizador", "Palavra-passe", "Acesso da equipa", "Iniciar sessão"],
            ["Senha", "Usuário", "equipe"],
        ),
    ],
)
def test_setlang_switches_the_login_page(client, language, words, not_words):
    response = switch_language(client, language, "/conta/entrar/")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/{language}/conta/entrar/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html
    for word in not_words:
        assert word not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "word"), [("/en", "Password"), ("/pt-pt", "Palavra-passe")])
def test_language_prefix_wins_over_cookie_and_browser(client, prefix, word):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    html = client.get(f"{prefix}/conta/entrar/", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert word in html
    assert "Senha" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "language", "landing", "word"),
    [
        ("en", "pt-br", "/conta/entrar/", "Senha"),
        ("en", "pt-pt", "/pt-pt/conta/entrar/", "Palavra-passe"),
        ("pt-pt", "en", "/en/conta/entrar/", "Password"),
    ],
)
def test_switching_from_a_translated_page(client, start, language, landing, word):
    switch_language(client, start, "/conta/entrar/")
    response = switch_language(client, language, f"/{start}/conta/entrar/")
    assert response.redirect_chain[-1][0] == landing
    assert word in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Service console", "My cases", "New case", "Sign out", "No cases found."]),
        ("pt-pt", ["Consola de atendimento", "Os meus atendimentos", "Equipa", "Terminar sessão"]),
    ],
)
def test_console_follows_the_language(staff, verified_client, language, words):
    client = verified_client(staff["agent"])
    response = switch_language(client, language, "/console/")
    assert response.status_code == 200
    html = response.content.decode()
    for word in words:
        assert word in html
