#!/usr/bin/env python3
"""Sanity check of the saude-estadual evaluation set (structure and counts only)."""
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
MERIT = "merit-not-discussed"
errors = []


def err(msg):
    errors.append(msg)


def norm(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def read_jsonl(name):
    rows = []
    with open(HERE / name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{name}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{n}: not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                err(f"{name}:{n}: not an object")
                continue
            rows.append((n, obj))
    return rows


# ---- kb.jsonl ----
kb = read_jsonl("kb.jsonl")
ids = {}
wordings = {}
for n, a in kb:
    for k in ("id", "question", "answer", "variants", "language", "tags"):
        if k not in a:
            err(f"kb.jsonl:{n}: missing {k}")
    aid = a.get("id", "")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", aid or ""):
        err(f"kb.jsonl:{n}: id not slug-like: {aid!r}")
    if aid in ids:
        err(f"kb.jsonl:{n}: duplicate id {aid}")
    ids[aid] = a
    if a.get("language") not in LANGS:
        err(f"kb.jsonl:{n}: bad language {a.get('language')!r}")
    v = a.get("variants", [])
    if not isinstance(v, list) or not 2 <= len(v) <= 4:
        err(f"kb.jsonl:{n}: needs 2-4 variants")
    if not isinstance(a.get("tags"), list) or not a.get("tags"):
        err(f"kb.jsonl:{n}: tags must be a non-empty list")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", a.get("answer", "").strip()) if s]
    if not 2 <= len(sentences) <= 6:
        err(f"kb.jsonl:{n}: answer has {len(sentences)} sentences (want 2-6)")
    for w in [a.get("question", "")] + list(v):
        wordings[norm(w)] = aid
if not 45 <= len(kb) <= 60:
    err(f"kb.jsonl: {len(kb)} articles (want 45-60)")
kb_langs = collections.Counter(a["language"] for _, a in kb)
en_share = kb_langs.get("en", 0) / max(len(kb), 1)
if not 0.07 <= en_share <= 0.15:
    err(f"kb.jsonl: English share {en_share:.0%} (want about 10%)")

# ---- questions.jsonl ----
qs = read_jsonl("questions.jsonl")
per_article = collections.Counter()
seen_q = set()
for n, q in qs:
    if not isinstance(q.get("text"), str) or not q["text"].strip():
        err(f"questions.jsonl:{n}: empty text")
        continue
    if q.get("language") not in LANGS:
        err(f"questions.jsonl:{n}: bad language {q.get('language')!r}")
    if "expect" not in q:
        err(f"questions.jsonl:{n}: missing expect")
    exp = q.get("expect")
    if exp is not None:
        if exp not in ids:
            err(f"questions.jsonl:{n}: unknown expect {exp!r}")
        per_article[exp] += 1
    t = norm(q["text"])
    if t in seen_q:
        err(f"questions.jsonl:{n}: duplicate question")
    seen_q.add(t)
    if t in wordings:
        err(f"questions.jsonl:{n}: reuses the wording of article {wordings[t]}")
null_count = sum(1 for _, q in qs if q.get("expect") is None)
if len(qs) < 170:
    err(f"questions.jsonl: {len(qs)} questions (want >= 170)")
if null_count / max(len(qs), 1) < 0.25:
    err(f"questions.jsonl: only {null_count} out-of-scope ({null_count / len(qs):.0%}, want >= 25%)")
for aid in ids:
    if per_article[aid] < 2:
        err(f"questions.jsonl: article {aid} has {per_article[aid]} questions (want >= 2)")
q_langs = collections.Counter(q.get("language") for _, q in qs)
q_en = q_langs.get("en", 0) / max(len(qs), 1)
if not 0.07 <= q_en <= 0.2:
    err(f"questions.jsonl: English share {q_en:.0%} (want about 10%)")

# ---- catalog.json ----
with open(HERE / "catalog.json", encoding="utf-8") as f:
    catalog = json.load(f)
agency = catalog.get("agency", {})
for k in ("name", "country", "language", "appeal"):
    if k not in agency:
        err(f"catalog.json: agency missing {k}")
if agency.get("country") not in {"BR", "PT"}:
    err("catalog.json: country must be BR or PT")
if agency.get("language") not in {"pt-BR", "pt-PT"}:
    err("catalog.json: agency language must be pt-BR or pt-PT")
for k in ("name", "deadline", "where", "rule"):
    if not agency.get("appeal", {}).get(k):
        err(f"catalog.json: appeal missing {k}")
channels = catalog.get("channels", [])
if not 6 <= len(channels) <= 9:
    err(f"catalog.json: {len(channels)} channels (want 6-9)")
slugs = set()
for c in channels:
    for k in ("slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"):
        if k not in c or c[k] in ("", [], None):
            err(f"catalog.json: channel {c.get('slug')!r} missing {k}")
    s = c.get("slug", "")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s):
        err(f"catalog.json: bad slug {s!r}")
    if s in slugs:
        err(f"catalog.json: duplicate slug {s}")
    if s == MERIT:
        err("catalog.json: slug may not be the merit outcome")
    slugs.add(s)
    if c.get("level") not in {1, 2, 3, 4, 5}:
        err(f"catalog.json: {s}: level must be 1-5")
    if c.get("kind") not in KINDS:
        err(f"catalog.json: {s}: bad kind {c.get('kind')!r}")
kinds = {c.get("kind") for c in channels}
for needed in ("ombudsman", "lai", "presential"):
    if needed not in kinds:
        err(f"catalog.json: no {needed} channel")

# ---- triage.jsonl ----
tri = read_jsonl("triage.jsonl")
per_channel = collections.Counter()
for n, t in tri:
    if not isinstance(t.get("text"), str) or not t["text"].strip():
        err(f"triage.jsonl:{n}: empty text")
    if t.get("language") not in LANGS:
        err(f"triage.jsonl:{n}: bad language {t.get('language')!r}")
    ans = t.get("answers", {})
    if not isinstance(ans, dict):
        err(f"triage.jsonl:{n}: answers must be an object")
    else:
        for k, v in ans.items():
            if k not in {"urgent", "about_decision"}:
                err(f"triage.jsonl:{n}: unknown answer {k}")
            if v not in (True, False, None):
                err(f"triage.jsonl:{n}: answer {k} must be true/false/null")
    exp = t.get("expect")
    if exp != MERIT and exp not in slugs:
        err(f"triage.jsonl:{n}: unknown expect {exp!r}")
    per_channel[exp] += 1
if len(tri) < 70:
    err(f"triage.jsonl: {len(tri)} needs (want >= 70)")
for s in slugs:
    if per_channel[s] < 3:
        err(f"triage.jsonl: channel {s} has {per_channel[s]} needs (want >= 3)")
if not 6 <= per_channel[MERIT] <= 12:
    err(f"triage.jsonl: {per_channel[MERIT]} merit-not-discussed needs (want about 8)")
t_langs = collections.Counter(t.get("language") for _, t in tri)

# ---- report ----
print(f"articles: {len(kb)} {dict(kb_langs)}")
print(f"questions: {len(qs)} (in scope {len(qs) - null_count}, out of scope {null_count} = "
      f"{null_count / max(len(qs), 1):.1%}) {dict(q_langs)}")
print(f"questions per article: min {min(per_article[a] for a in ids)}, max {max(per_article[a] for a in ids)}")
print(f"channels: {len(channels)}")
print(f"needs: {len(tri)} {dict(t_langs)}")
for s, k in sorted(per_channel.items(), key=lambda x: (-x[1], x[0])):
    print(f"  {s}: {k}")
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("OK")
