#!/usr/bin/env python3
"""Validate the detran-tuning evaluation set. Run from the repository root:
    python3 eval/detran-tuning/check.py
"""
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
errors = []


def err(msg):
    errors.append(msg)


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


# kb.jsonl
kb = read_jsonl("kb.jsonl")
ids = Counter()
for n, a in kb:
    for key in ("id", "question", "answer", "variants", "language", "tags"):
        if key not in a:
            err(f"kb.jsonl:{n}: missing {key}")
    ids[a.get("id")] += 1
    if a.get("language") not in LANGS:
        err(f"kb.jsonl:{n}: bad language {a.get('language')!r}")
    v = a.get("variants", [])
    if not isinstance(v, list) or not 2 <= len(v) <= 4:
        err(f"kb.jsonl:{n}: variants must be a list of 2-4")
    if not isinstance(a.get("tags"), list) or not a.get("tags"):
        err(f"kb.jsonl:{n}: tags must be a non-empty list")
    if not str(a.get("answer", "")).strip() or not str(a.get("question", "")).strip():
        err(f"kb.jsonl:{n}: empty question or answer")
for i, c in ids.items():
    if c > 1:
        err(f"kb.jsonl: duplicate id {i}")
article_ids = set(ids)
if not 50 <= len(kb) <= 55:
    err(f"kb.jsonl: {len(kb)} articles, expected 50-55")
kb_lang = Counter(a["language"] for _, a in kb)

# questions.jsonl
qs = read_jsonl("questions.jsonl")
per_article = Counter()
texts = Counter()
for n, q in qs:
    if not str(q.get("text", "")).strip():
        err(f"questions.jsonl:{n}: empty text")
    texts[q.get("text", "").strip().lower()] += 1
    if q.get("language") not in LANGS:
        err(f"questions.jsonl:{n}: bad language")
    if "expect" not in q:
        err(f"questions.jsonl:{n}: missing expect")
        continue
    e = q["expect"]
    if e is not None:
        if e not in article_ids:
            err(f"questions.jsonl:{n}: expect {e!r} is not an article id")
        per_article[e] += 1
for t, c in texts.items():
    if c > 1:
        err(f"questions.jsonl: duplicate question text {t!r}")
# a question must not reuse its article's question or variant wording
kb_by_id = {a["id"]: a for _, a in kb}
for n, q in qs:
    a = kb_by_id.get(q.get("expect"))
    if a:
        own = [a["question"]] + a["variants"]
        if q["text"].strip().lower() in {s.strip().lower() for s in own}:
            err(f"questions.jsonl:{n}: reuses the article's own wording")
for i in sorted(article_ids):
    if per_article[i] < 2:
        err(f"questions.jsonl: article {i} has {per_article[i]} questions, need >= 2")
n_null = sum(1 for _, q in qs if q.get("expect") is None)
if len(qs) < 180:
    err(f"questions.jsonl: {len(qs)} questions, need >= 180")
if n_null < 0.25 * len(qs):
    err(f"questions.jsonl: {n_null} out of scope, need >= 25%")
q_lang = Counter(q["language"] for _, q in qs)

# catalog.json
with open(HERE / "catalog.json", encoding="utf-8") as f:
    cat = json.load(f)
ag = cat.get("agency", {})
for key in ("name", "country", "language", "appeal"):
    if key not in ag:
        err(f"catalog.json: agency.{key} missing")
for key in ("name", "deadline", "where", "rule"):
    if key not in ag.get("appeal", {}):
        err(f"catalog.json: agency.appeal.{key} missing")
channels = cat.get("channels", [])
slugs = Counter(c.get("slug") for c in channels)
for s, c in slugs.items():
    if c > 1:
        err(f"catalog.json: duplicate slug {s}")
for c in channels:
    for key in ("slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"):
        if key not in c:
            err(f"catalog.json: channel {c.get('slug')} missing {key}")
    if c.get("kind") not in KINDS:
        err(f"catalog.json: channel {c.get('slug')} bad kind")
    if c.get("level") not in range(1, 6):
        err(f"catalog.json: channel {c.get('slug')} bad level")
if not 7 <= len(channels) <= 8:
    err(f"catalog.json: {len(channels)} channels, expected 7-8")
kinds = {c.get("kind") for c in channels}
for k in ("ombudsman", "lai", "presential"):
    if k not in kinds:
        err(f"catalog.json: no {k} channel")

# triage.jsonl
tri = read_jsonl("triage.jsonl")
per_channel = Counter()
for n, t in tri:
    if not str(t.get("text", "")).strip():
        err(f"triage.jsonl:{n}: empty text")
    if t.get("language") not in LANGS:
        err(f"triage.jsonl:{n}: bad language")
    ans = t.get("answers", {})
    if not isinstance(ans, dict):
        err(f"triage.jsonl:{n}: answers not an object")
    else:
        for k, v in ans.items():
            if k not in ("urgent", "about_decision") or v not in (True, False, None):
                err(f"triage.jsonl:{n}: bad answer {k}={v!r}")
    e = t.get("expect")
    if e != "merit-not-discussed" and e not in slugs:
        err(f"triage.jsonl:{n}: expect {e!r} is not a channel slug of catalog.json")
    per_channel[e] += 1
if len(tri) < 75:
    err(f"triage.jsonl: {len(tri)} needs, need >= 75")
for s in slugs:
    if per_channel[s] == 0:
        err(f"triage.jsonl: channel {s} has no needs")
t_lang = Counter(t["language"] for _, t in tri)

print(f"kb.jsonl: {len(kb)} articles ({dict(kb_lang)})")
print(f"questions.jsonl: {len(qs)} questions, {len(qs) - n_null} in scope, {n_null} out of scope "
      f"({100 * n_null / max(len(qs), 1):.1f}%), languages {dict(q_lang)}; "
      f"questions per article min {min(per_article[i] for i in article_ids)}, max {max(per_article[i] for i in article_ids)}")
print(f"catalog.json: {len(channels)} channels ({', '.join(c['slug'] for c in channels)})")
print(f"triage.jsonl: {len(tri)} needs, languages {dict(t_lang)}; per expect: "
      + ", ".join(f"{k} {v}" for k, v in sorted(per_channel.items())))
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")
