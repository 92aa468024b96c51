#!/usr/bin/env python3
"""Validate kb.jsonl and questions.jsonl of the IMCM tuning set (eval/README.md, files 2 and 3).

Run from anywhere: python3 check_bot.py   (exit status 1 on any error)
"""
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-PT", "en"}
errors = []


def err(msg):
    errors.append(msg)


def load(name):
    rows = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            err(f"{name}:{n}: empty line")
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            err(f"{name}:{n}: does not parse: {e}")
    return rows


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-ÚÇ«(])", text.strip()) if s]


# ---- kb.jsonl ----
kb = load("kb.jsonl")
ids = Counter()
kb_lang = Counter()
wordings = {}
for n, a in kb:
    keys = set(a)
    need = {"id", "question", "answer", "variants", "language", "tags"}
    if keys != need:
        err(f"kb.jsonl:{n}: keys {sorted(keys)} != {sorted(need)}")
        continue
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a["id"]):
        err(f"kb.jsonl:{n}: id not slug-like: {a['id']}")
    ids[a["id"]] += 1
    if a["language"] not in LANGS:
        err(f"kb.jsonl:{n}: language {a['language']}")
    kb_lang[a["language"]] += 1
    if not (isinstance(a["variants"], list) and 2 <= len(a["variants"]) <= 4):
        err(f"kb.jsonl:{n}: needs 2-4 variants")
    if not (isinstance(a["tags"], list) and a["tags"]):
        err(f"kb.jsonl:{n}: needs tags")
    s = len(sentences(a["answer"]))
    if not 2 <= s <= 6:
        err(f"kb.jsonl:{n}: answer has {s} sentences (2-6)")
    for w in [a["question"], *a["variants"]]:
        wordings[norm(w)] = a["id"]
dups = [i for i, c in ids.items() if c > 1]
if dups:
    err(f"kb.jsonl: duplicate ids {dups}")
n_kb = len(kb)
if not 50 <= n_kb <= 55:
    err(f"kb.jsonl: {n_kb} articles, expected 50-55")
en_share = kb_lang["en"] / max(n_kb, 1)
if not 0.07 <= en_share <= 0.15:
    err(f"kb.jsonl: English share {en_share:.0%}, expected about 10 %")

# ---- questions.jsonl ----
qs = load("questions.jsonl")
per_article = Counter()
q_lang = Counter()
texts = Counter()
n_null = 0
for n, q in qs:
    if set(q) != {"text", "language", "expect"}:
        err(f"questions.jsonl:{n}: keys {sorted(q)}")
        continue
    if q["language"] not in LANGS:
        err(f"questions.jsonl:{n}: language {q['language']}")
    q_lang[q["language"]] += 1
    texts[norm(q["text"])] += 1
    if norm(q["text"]) in wordings:
        err(f"questions.jsonl:{n}: reuses the wording of article {wordings[norm(q['text'])]}")
    if q["expect"] is None:
        n_null += 1
    elif q["expect"] not in ids:
        err(f"questions.jsonl:{n}: expect {q['expect']!r} is not an article id")
    else:
        per_article[q["expect"]] += 1
repeated = [t for t, c in texts.items() if c > 1]
if repeated:
    err(f"questions.jsonl: repeated questions {repeated}")
n_q = len(qs)
if n_q < 180:
    err(f"questions.jsonl: {n_q} questions, expected at least 180")
if n_null < 0.25 * n_q:
    err(f"questions.jsonl: {n_null} out of scope = {n_null / n_q:.1%}, expected at least 25 %")
few = sorted(i for i in ids if per_article[i] < 2)
if few:
    err(f"questions.jsonl: articles with fewer than 2 questions: {few}")
q_en = q_lang["en"] / max(n_q, 1)
if not 0.07 <= q_en <= 0.15:
    err(f"questions.jsonl: English share {q_en:.0%}, expected about 10 %")

print(f"kb.jsonl: {n_kb} articles ({', '.join(f'{k} {v}' for k, v in sorted(kb_lang.items()))})")
print(f"questions.jsonl: {n_q} questions, {n_q - n_null} in scope, {n_null} out of scope "
      f"({n_null / max(n_q, 1):.1%}); {', '.join(f'{k} {v}' for k, v in sorted(q_lang.items()))}")
print(f"questions per article: min {min(per_article[i] for i in ids)}, max {max(per_article[i] for i in ids)}")
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("OK")
