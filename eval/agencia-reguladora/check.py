#!/usr/bin/env python3
"""Validate the ARSEP held-out evaluation set (kb, questions, catalogue, triage needs).

Run: python3 eval/agencia-reguladora/check.py   (exits 1 on any problem)
"""
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
MERIT = "merit-not-discussed"
problems = []


def fail(msg):
    problems.append(msg)


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def read_jsonl(name):
    rows = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            fail(f"{name}:{n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{name}:{n}: not JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            fail(f"{name}:{n}: not an object")
            continue
        rows.append((n, obj))
    return rows


# --- knowledge base -------------------------------------------------------------------------
kb = read_jsonl("kb.jsonl")
ids = Counter()
articles = {}
for n, a in kb:
    for key, typ in (("id", str), ("question", str), ("answer", str), ("variants", list),
                     ("language", str), ("tags", list)):
        if not isinstance(a.get(key), typ):
            fail(f"kb.jsonl:{n}: '{key}' missing or not {typ.__name__}")
    aid = a.get("id", "")
    ids[aid] += 1
    articles[aid] = a
    if aid != aid.lower() or " " in aid:
        fail(f"kb.jsonl:{n}: id not slug-like: {aid!r}")
    if a.get("language") not in LANGS:
        fail(f"kb.jsonl:{n}: bad language {a.get('language')!r}")
    if not 2 <= len(a.get("variants", [])) <= 4:
        fail(f"kb.jsonl:{n}: {aid} has {len(a.get('variants', []))} variants (want 2-4)")
    sentences = [s for s in a.get("answer", "").replace("?", ".").replace("!", ".").split(". ") if s.strip()]
    if not 2 <= len(sentences) <= 7:
        fail(f"kb.jsonl:{n}: {aid} answer has ~{len(sentences)} sentences (want 2-6)")
for aid, c in ids.items():
    if c > 1:
        fail(f"kb.jsonl: duplicate id {aid}")
if not 45 <= len(articles) <= 60:
    fail(f"kb.jsonl: {len(articles)} articles (want 45-60)")
kb_langs = Counter(a["language"] for a in articles.values())
en_share = kb_langs["en"] / max(1, len(articles))
if not 0.07 <= en_share <= 0.15:
    fail(f"kb.jsonl: English share {en_share:.0%} (want about 10%)")

# wording of each article (question + variants), to make sure questions do not reuse it
article_wording = {}
for aid, a in articles.items():
    for w in [a["question"], *a["variants"]]:
        article_wording[norm(w)] = aid

# --- questions ------------------------------------------------------------------------------
questions = read_jsonl("questions.jsonl")
per_article = Counter()
texts = Counter()
q_langs = Counter()
nulls = 0
for n, q in questions:
    if not isinstance(q.get("text"), str) or not q["text"].strip():
        fail(f"questions.jsonl:{n}: empty text")
        continue
    if q.get("language") not in LANGS:
        fail(f"questions.jsonl:{n}: bad language {q.get('language')!r}")
    if "expect" not in q:
        fail(f"questions.jsonl:{n}: no 'expect'")
        continue
    texts[norm(q["text"])] += 1
    q_langs[q.get("language")] += 1
    if q["expect"] is None:
        nulls += 1
    elif q["expect"] not in articles:
        fail(f"questions.jsonl:{n}: expect {q['expect']!r} is not an article id")
    else:
        per_article[q["expect"]] += 1
    if norm(q["text"]) in article_wording:
        fail(f"questions.jsonl:{n}: reuses the wording of article {article_wording[norm(q['text'])]}")
for t, c in texts.items():
    if c > 1:
        fail(f"questions.jsonl: duplicate question {t!r}")
total_q = len(questions)
if total_q < 170:
    fail(f"questions.jsonl: {total_q} questions (want >= 170)")
if nulls / max(1, total_q) < 0.25:
    fail(f"questions.jsonl: out of scope {nulls}/{total_q} < 25%")
for aid in articles:
    if per_article[aid] < 2:
        fail(f"questions.jsonl: article {aid} has {per_article[aid]} questions (want >= 2)")
q_en = q_langs["en"] / max(1, total_q)
if not 0.07 <= q_en <= 0.16:
    fail(f"questions.jsonl: English share {q_en:.0%} (want about 10%)")

# --- catalogue ------------------------------------------------------------------------------
catalog = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
agency = catalog.get("agency", {})
for key in ("name", "country", "language", "appeal"):
    if key not in agency:
        fail(f"catalog.json: agency.{key} missing")
if agency.get("country") not in {"BR", "PT"} or agency.get("language") not in {"pt-BR", "pt-PT"}:
    fail("catalog.json: bad agency country/language")
for key in ("name", "deadline", "where", "rule"):
    if not agency.get("appeal", {}).get(key):
        fail(f"catalog.json: agency.appeal.{key} missing")
channels = catalog.get("channels", [])
slugs = Counter(c.get("slug") for c in channels)
if not 6 <= len(channels) <= 9:
    fail(f"catalog.json: {len(channels)} channels (want 6-9)")
for slug, c in slugs.items():
    if c > 1:
        fail(f"catalog.json: duplicate slug {slug}")
for c in channels:
    s = c.get("slug", "?")
    if s != s.lower() or " " in s or s == MERIT:
        fail(f"catalog.json: bad slug {s!r}")
    if c.get("level") not in {1, 2, 3, 4, 5}:
        fail(f"catalog.json: {s}: bad level {c.get('level')!r}")
    if c.get("kind") not in KINDS:
        fail(f"catalog.json: {s}: bad kind {c.get('kind')!r}")
    for key in ("name", "purpose", "hours", "deadline"):
        if not isinstance(c.get(key), str) or not c[key].strip():
            fail(f"catalog.json: {s}: '{key}' missing")
    for key in ("ideal_for", "not_advised_for"):
        if not isinstance(c.get(key), list) or not c[key]:
            fail(f"catalog.json: {s}: '{key}' missing or empty")
kinds = {c.get("kind") for c in channels}
for needed in ("ombudsman", "lai", "presential"):
    if needed not in kinds:
        fail(f"catalog.json: no channel of kind {needed}")

# --- triage needs ---------------------------------------------------------------------------
needs = read_jsonl("triage.jsonl")
per_channel = Counter()
t_langs = Counter()
t_texts = Counter()
for n, t in needs:
    if not isinstance(t.get("text"), str) or not t["text"].strip():
        fail(f"triage.jsonl:{n}: empty text")
        continue
    if t.get("language") not in LANGS:
        fail(f"triage.jsonl:{n}: bad language {t.get('language')!r}")
    t_langs[t.get("language")] += 1
    t_texts[norm(t["text"])] += 1
    answers = t.get("answers", {})
    if not isinstance(answers, dict):
        fail(f"triage.jsonl:{n}: answers not an object")
    else:
        for key, val in answers.items():
            if key not in {"urgent", "about_decision"} or val not in (True, False, None):
                fail(f"triage.jsonl:{n}: bad answer {key}={val!r}")
    exp = t.get("expect")
    if exp != MERIT and exp not in slugs:
        fail(f"triage.jsonl:{n}: expect {exp!r} is not a channel slug nor {MERIT}")
    per_channel[exp] += 1
for tx, c in t_texts.items():
    if c > 1:
        fail(f"triage.jsonl: duplicate need {tx!r}")
if len(needs) < 70:
    fail(f"triage.jsonl: {len(needs)} needs (want >= 70)")
for s in slugs:
    if per_channel[s] < 3:
        fail(f"triage.jsonl: channel {s} has only {per_channel[s]} needs")
if not 6 <= per_channel[MERIT] <= 12:
    fail(f"triage.jsonl: {per_channel[MERIT]} needs expect {MERIT} (want about 8)")

# --- report ---------------------------------------------------------------------------------
print(f"articles: {len(articles)} ({dict(kb_langs)})")
print(f"questions: {total_q} = {total_q - nulls} in scope + {nulls} out of scope "
      f"({nulls / max(1, total_q):.1%}); languages {dict(q_langs)}")
print(f"questions per article: min {min(per_article[a] for a in articles)}, "
      f"max {max(per_article[a] for a in articles)}")
print(f"channels: {len(channels)}")
print(f"triage needs: {len(needs)}; languages {dict(t_langs)}")
for s in [c["slug"] for c in channels] + [MERIT]:
    print(f"  {s}: {per_channel[s]}")
if problems:
    print(f"\n{len(problems)} problem(s):")
    for p in problems:
        print("  -", p)
    sys.exit(1)
print("OK")
