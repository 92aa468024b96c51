"""Validate the held-out evaluation set for the INPP (eval/previdencia).

Usage: python eval/previdencia/check.py [--partial]
--partial skips files that do not exist yet (used for the first commit only).
Exits non-zero and lists every problem found.
"""
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
problems = []
partial = "--partial" in sys.argv


def bad(msg):
    problems.append(msg)


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def read_jsonl(name):
    path = HERE / name
    if not path.exists():
        if not partial:
            bad(f"{name}: missing")
        return None
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            bad(f"{name}:{n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad(f"{name}:{n}: not JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            bad(f"{name}:{n}: not an object")
            continue
        rows.append((n, obj))
    return rows


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ú\"(0-9])", text.strip()) if s]


# ---------------- kb.jsonl ----------------
kb = read_jsonl("kb.jsonl") or []
ids = {}
for n, a in kb:
    for key, typ in (("id", str), ("question", str), ("answer", str), ("variants", list), ("language", str), ("tags", list)):
        if not isinstance(a.get(key), typ):
            bad(f"kb.jsonl:{n}: '{key}' missing or not {typ.__name__}")
    aid = a.get("id", "")
    if not SLUG.match(str(aid)):
        bad(f"kb.jsonl:{n}: id '{aid}' is not slug-like")
    if aid in ids:
        bad(f"kb.jsonl:{n}: duplicate id '{aid}'")
    ids[aid] = a
    if a.get("language") not in LANGS:
        bad(f"kb.jsonl:{n}: language {a.get('language')!r}")
    v = a.get("variants") or []
    if not 2 <= len(v) <= 4:
        bad(f"kb.jsonl:{n}: {len(v)} variants (want 2-4)")
    s = len(sentences(a.get("answer", "")))
    if not 2 <= s <= 6:
        bad(f"kb.jsonl:{n}: answer has {s} sentences (want 2-6)")
    if not a.get("tags"):
        bad(f"kb.jsonl:{n}: no tags")
if kb:
    if not 45 <= len(kb) <= 60:
        bad(f"kb.jsonl: {len(kb)} articles (want 45-60)")
    en = sum(1 for _, a in kb if a.get("language") == "en")
    if not 0.07 <= en / len(kb) <= 0.15:
        bad(f"kb.jsonl: {en} English articles of {len(kb)} (want about 10 %)")

# ---------------- catalog.json ----------------
slugs = set()
cpath = HERE / "catalog.json"
if cpath.exists():
    try:
        cat = json.loads(cpath.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        bad(f"catalog.json: not JSON ({exc})")
        cat = {}
    ag = cat.get("agency", {})
    for key in ("name", "country", "language", "appeal"):
        if not ag.get(key):
            bad(f"catalog.json: agency.{key} missing")
    if ag.get("country") not in {"BR", "PT"}:
        bad("catalog.json: agency.country must be BR or PT")
    if ag.get("language") not in {"pt-BR", "pt-PT"}:
        bad("catalog.json: agency.language must be pt-BR or pt-PT")
    for key in ("name", "deadline", "where", "rule"):
        if not (ag.get("appeal") or {}).get(key):
            bad(f"catalog.json: agency.appeal.{key} missing")
    chans = cat.get("channels", [])
    if not 6 <= len(chans) <= 9:
        bad(f"catalog.json: {len(chans)} channels (want 6-9)")
    for i, c in enumerate(chans):
        for key in ("slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"):
            if c.get(key) in (None, "", []):
                bad(f"catalog.json: channel {i}: '{key}' missing")
        if not SLUG.match(str(c.get("slug", ""))):
            bad(f"catalog.json: channel {i}: slug {c.get('slug')!r}")
        if c.get("slug") in slugs:
            bad(f"catalog.json: duplicate slug {c.get('slug')}")
        slugs.add(c.get("slug"))
        if c.get("level") not in {1, 2, 3, 4, 5}:
            bad(f"catalog.json: channel {c.get('slug')}: level {c.get('level')!r}")
        if c.get("kind") not in KINDS:
            bad(f"catalog.json: channel {c.get('slug')}: kind {c.get('kind')!r}")
    kinds = {c.get("kind") for c in chans}
    levels = {c.get("level") for c in chans}
    for need in ("ombudsman", "lai", "presential"):
        if need not in kinds:
            bad(f"catalog.json: no channel of kind {need}")
    if not kinds & {"external", "mediation"}:
        bad("catalog.json: no external or mediation channel")
    for lv in range(1, 6):
        if lv not in levels:
            bad(f"catalog.json: no channel of level {lv}")
elif not partial:
    bad("catalog.json: missing")

# ---------------- questions.jsonl ----------------
qs = read_jsonl("questions.jsonl")
if qs is not None:
    kb_texts = {}
    for aid, a in ids.items():
        for t in [a.get("question", "")] + list(a.get("variants", [])):
            kb_texts[norm(t)] = aid
    seen = set()
    per = Counter()
    nulls = 0
    en = 0
    for n, q in qs:
        t = q.get("text")
        if not isinstance(t, str) or not t.strip():
            bad(f"questions.jsonl:{n}: empty text")
            continue
        if q.get("language") not in LANGS:
            bad(f"questions.jsonl:{n}: language {q.get('language')!r}")
        en += q.get("language") == "en"
        if "expect" not in q:
            bad(f"questions.jsonl:{n}: no 'expect'")
        e = q.get("expect")
        if e is None:
            nulls += 1
        elif e not in ids:
            bad(f"questions.jsonl:{n}: expect {e!r} is not an article id")
        else:
            per[e] += 1
        k = norm(t)
        if k in seen:
            bad(f"questions.jsonl:{n}: duplicate question")
        seen.add(k)
        if k in kb_texts:
            bad(f"questions.jsonl:{n}: reuses the wording of article {kb_texts[k]}")
    total = len(qs)
    if total < 170:
        bad(f"questions.jsonl: {total} questions (want >= 170)")
    if total and nulls / total < 0.25:
        bad(f"questions.jsonl: {nulls}/{total} out of scope (want >= 25 %)")
    if total and not 0.07 <= en / total <= 0.2:
        bad(f"questions.jsonl: {en}/{total} in English (want about 10 %)")
    for aid in ids:
        if per[aid] < 2:
            bad(f"questions.jsonl: article {aid} has {per[aid]} questions (want >= 2)")

# ---------------- triage.jsonl ----------------
tr = read_jsonl("triage.jsonl")
if tr is not None:
    per = Counter()
    en = 0
    for n, t in tr:
        if not isinstance(t.get("text"), str) or not t["text"].strip():
            bad(f"triage.jsonl:{n}: empty text")
        if t.get("language") not in LANGS:
            bad(f"triage.jsonl:{n}: language {t.get('language')!r}")
        en += t.get("language") == "en"
        ans = t.get("answers")
        if ans is not None:
            if not isinstance(ans, dict) or set(ans) - {"urgent", "about_decision"}:
                bad(f"triage.jsonl:{n}: answers must be an object with urgent/about_decision")
            else:
                for k, v in ans.items():
                    if v not in (True, False, None):
                        bad(f"triage.jsonl:{n}: answers.{k} = {v!r}")
        e = t.get("expect")
        if e != "merit-not-discussed" and e not in slugs:
            bad(f"triage.jsonl:{n}: expect {e!r} is not a channel slug")
        per[e] += 1
    if len(tr) < 70:
        bad(f"triage.jsonl: {len(tr)} needs (want >= 70)")
    if not 6 <= per["merit-not-discussed"] <= 12:
        bad(f"triage.jsonl: {per['merit-not-discussed']} merit-not-discussed (want about 8)")
    for s in slugs:
        if per[s] < 3:
            bad(f"triage.jsonl: channel {s} expected by {per[s]} needs (want >= 3)")
    if tr and not 0.07 <= en / len(tr) <= 0.2:
        bad(f"triage.jsonl: {en}/{len(tr)} in English (want about 10 %)")

if not (HERE / "README.md").exists() and not partial:
    bad("README.md: missing")

if problems:
    print("\n".join(problems))
    print(f"{len(problems)} problem(s)")
    sys.exit(1)
print(f"ok: {len(kb)} articles, {len(qs or [])} questions, {len(slugs)} channels, {len(tr or [])} triage needs")
