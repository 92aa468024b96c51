#!/usr/bin/env python3
"""Validate the IEQ (iefp-emprego-pt) held-out evaluation set and print its counts.

Run from anywhere: python3 eval/iefp-emprego-pt/check.py
Exits non-zero if any rule of the brief (eval/README.md) is broken.
"""
import collections
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
MERIT = "merit-not-discussed"
errors = []


def err(msg):
    errors.append(msg)


def load_jsonl(name):
    rows = []
    with open(HERE / name, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                err(f"{name}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                err(f"{name}:{n}: not JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                err(f"{name}:{n}: not an object")
                continue
            rows.append((n, obj))
    return rows


def norm(s):
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


# ---- knowledge base -------------------------------------------------------
kb = load_jsonl("kb.jsonl")
ids = {}
kb_phrasings = set()
for n, a in kb:
    for key in ("id", "question", "answer", "variants", "language", "tags"):
        if key not in a:
            err(f"kb.jsonl:{n}: missing {key}")
    aid = a.get("id", "")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", aid):
        err(f"kb.jsonl:{n}: id not slug-like: {aid!r}")
    if aid in ids:
        err(f"kb.jsonl:{n}: duplicate id {aid}")
    ids[aid] = a
    if a.get("language") not in LANGS:
        err(f"kb.jsonl:{n}: bad language {a.get('language')!r}")
    v = a.get("variants", [])
    if not isinstance(v, list) or not 2 <= len(v) <= 4:
        err(f"kb.jsonl:{n}: needs 2-4 variants")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", a.get("answer", "").strip()) if s]
    if not 2 <= len(sentences) <= 6:
        err(f"kb.jsonl:{n}: answer has {len(sentences)} sentences (want 2-6)")
    if not a.get("tags"):
        err(f"kb.jsonl:{n}: no tags")
    kb_phrasings.add(norm(a.get("question", "")))
    kb_phrasings.update(norm(x) for x in v)

if not 45 <= len(kb) <= 60:
    err(f"kb.jsonl: {len(kb)} articles (want 45-60)")
kb_lang = collections.Counter(a["language"] for _, a in kb)
en_share = kb_lang["en"] / max(len(kb), 1)
if not 0.07 <= en_share <= 0.14:
    err(f"kb.jsonl: English share {en_share:.0%} (want about 10%)")

# ---- questions ------------------------------------------------------------
qs = load_jsonl("questions.jsonl")
per_article = collections.Counter()
texts = set()
for n, q in qs:
    if set(q) != {"text", "language", "expect"}:
        err(f"questions.jsonl:{n}: members must be text, language, expect")
    t = q.get("text", "")
    if not isinstance(t, str) or not t.strip():
        err(f"questions.jsonl:{n}: empty text")
    if norm(t) in texts:
        err(f"questions.jsonl:{n}: duplicate question")
    texts.add(norm(t))
    if norm(t) in kb_phrasings:
        err(f"questions.jsonl:{n}: reuses an article's question/variant wording")
    if q.get("language") not in LANGS:
        err(f"questions.jsonl:{n}: bad language")
    e = q.get("expect")
    if e is not None:
        if e not in ids:
            err(f"questions.jsonl:{n}: unknown expect {e!r}")
        per_article[e] += 1
n_q = len(qs)
n_null = sum(1 for _, q in qs if q.get("expect") is None)
if n_q < 170:
    err(f"questions.jsonl: {n_q} questions (want >= 170)")
if n_null / max(n_q, 1) < 0.25:
    err(f"questions.jsonl: out-of-scope share {n_null / n_q:.0%} (want >= 25%)")
for aid in ids:
    if per_article[aid] < 2:
        err(f"questions.jsonl: article {aid} has {per_article[aid]} questions (want >= 2)")
q_lang = collections.Counter(q["language"] for _, q in qs)

# ---- catalogue ------------------------------------------------------------
cat = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
ag = cat.get("agency", {})
for key in ("name", "country", "language", "appeal"):
    if key not in ag:
        err(f"catalog.json: agency missing {key}")
if ag.get("country") not in {"BR", "PT"} or ag.get("language") not in {"pt-BR", "pt-PT"}:
    err("catalog.json: bad country/language")
for key in ("name", "deadline", "where", "rule"):
    if not ag.get("appeal", {}).get(key):
        err(f"catalog.json: appeal missing {key}")
chans = cat.get("channels", [])
if not 6 <= len(chans) <= 9:
    err(f"catalog.json: {len(chans)} channels (want 6-9)")
slugs = set()
for c in chans:
    for key in ("slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"):
        if key not in c or c[key] in ("", [], None):
            err(f"catalog.json: channel {c.get('slug')!r} missing {key}")
    s = c.get("slug", "")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) or s in slugs:
        err(f"catalog.json: bad or duplicate slug {s!r}")
    slugs.add(s)
    if c.get("level") not in {1, 2, 3, 4, 5}:
        err(f"catalog.json: {s}: bad level")
    if c.get("kind") not in KINDS:
        err(f"catalog.json: {s}: bad kind")
kinds = {c.get("kind") for c in chans}
for need in ("ombudsman", "lai", "presential"):
    if need not in kinds:
        err(f"catalog.json: no {need} channel")

# ---- triage needs ---------------------------------------------------------
tr = load_jsonl("triage.jsonl")
per_channel = collections.Counter()
for n, t in tr:
    if not isinstance(t.get("text"), str) or not t["text"].strip():
        err(f"triage.jsonl:{n}: empty text")
    if t.get("language") not in LANGS:
        err(f"triage.jsonl:{n}: bad language")
    ans = t.get("answers", {})
    if not isinstance(ans, dict) or set(ans) - {"urgent", "about_decision"}:
        err(f"triage.jsonl:{n}: bad answers")
    elif any(v not in (True, False, None) for v in ans.values()):
        err(f"triage.jsonl:{n}: answers must be true/false/null")
    e = t.get("expect")
    if e != MERIT and e not in slugs:
        err(f"triage.jsonl:{n}: unknown expect {e!r}")
    per_channel[e] += 1
if len(tr) < 70:
    err(f"triage.jsonl: {len(tr)} needs (want >= 70)")
for s in slugs:
    if per_channel[s] < 3:
        err(f"triage.jsonl: channel {s} has only {per_channel[s]} needs")
if not 6 <= per_channel[MERIT] <= 10:
    err(f"triage.jsonl: {per_channel[MERIT]} merit-not-discussed needs (want ~8)")
t_lang = collections.Counter(t["language"] for _, t in tr)

# ---- report ---------------------------------------------------------------
print(f"articles: {len(kb)}  by language: {dict(kb_lang)}")
print(f"questions: {n_q}  in scope: {n_q - n_null}  out of scope: {n_null} ({n_null / n_q:.0%})"
      f"  by language: {dict(q_lang)}")
print(f"questions per article: min {min(per_article[a] for a in ids)}, max {max(per_article.values())}")
print(f"channels: {len(chans)}  ({', '.join(c['slug'] + ' L' + str(c['level']) for c in chans)})")
print(f"triage needs: {len(tr)}  by language: {dict(t_lang)}")
for s in [c["slug"] for c in chans] + [MERIT]:
    print(f"  {s}: {per_channel[s]}")
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("\nOK")
