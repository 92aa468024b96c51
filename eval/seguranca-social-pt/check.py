"""Validate the held-out evaluation set for the IPS (eval/seguranca-social-pt).

Usage: python eval/seguranca-social-pt/check.py [--partial]
--partial tolerates missing files and count minimums (first partial commit only).
Exits non-zero and lists every problem found; prints a summary otherwise.
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
MERIT = "merit-not-discussed"
partial = "--partial" in sys.argv
problems = []


def bad(msg):
    problems.append(msg)


def minimum(what, value, low):
    if value < low and not partial:
        bad(f"{what}: {value} < {low}")


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def read_jsonl(name):
    path = HERE / name
    if not path.exists():
        if not partial:
            bad(f"{name} is missing")
        return None
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            bad(f"{name}:{n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            bad(f"{name}:{n}: not JSON ({e})")
            continue
        if not isinstance(obj, dict):
            bad(f"{name}:{n}: not an object")
            continue
        rows.append((n, obj))
    return rows


summary = {}

# ---- kb.jsonl
kb = read_jsonl("kb.jsonl") or []
ids, seen_wording = set(), {}
for n, a in kb:
    where = f"kb.jsonl:{n}"
    if set(a) != {"id", "question", "answer", "variants", "language", "tags"}:
        bad(f"{where}: keys {sorted(a)}")
        continue
    if not SLUG.match(a["id"]):
        bad(f"{where}: id not slug-like: {a['id']}")
    if a["id"] in ids:
        bad(f"{where}: duplicate id {a['id']}")
    ids.add(a["id"])
    if a["language"] not in LANGS:
        bad(f"{where}: language {a['language']}")
    if not (isinstance(a["variants"], list) and 2 <= len(a["variants"]) <= 4):
        bad(f"{where}: needs 2-4 variants")
    if not (isinstance(a["tags"], list) and a["tags"]):
        bad(f"{where}: needs tags")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", a["answer"].strip()) if s]
    if not 2 <= len(sentences) <= 6:
        bad(f"{where}: answer has {len(sentences)} sentences (2-6)")
    for w in [a["question"], *a["variants"]]:
        seen_wording[norm(w)] = a["id"]
n_kb = len(kb)
if n_kb and not partial:
    if not 45 <= n_kb <= 60:
        bad(f"kb.jsonl: {n_kb} articles (45-60)")
kb_en = sum(a["language"] == "en" for _, a in kb)
if n_kb and not 0.05 <= kb_en / n_kb <= 0.2:
    bad(f"kb.jsonl: {kb_en}/{n_kb} English articles (about 10 % wanted)")
summary["articles"] = f"{n_kb} ({kb_en} en, {n_kb - kb_en} pt-PT)"

# ---- questions.jsonl
qs = read_jsonl("questions.jsonl")
if qs is not None:
    per_article = Counter()
    texts = set()
    for n, q in qs:
        where = f"questions.jsonl:{n}"
        if set(q) != {"text", "language", "expect"}:
            bad(f"{where}: keys {sorted(q)}")
            continue
        if not isinstance(q["text"], str) or not q["text"].strip():
            bad(f"{where}: empty text")
            continue
        if q["language"] not in LANGS:
            bad(f"{where}: language {q['language']}")
        if q["expect"] is not None:
            if q["expect"] not in ids:
                bad(f"{where}: expect {q['expect']} is not an article id")
            per_article[q["expect"]] += 1
        t = norm(q["text"])
        if t in texts:
            bad(f"{where}: duplicate question text")
        texts.add(t)
        if t in seen_wording:
            bad(f"{where}: reuses the wording of article {seen_wording[t]}")
    total = len(qs)
    nulls = sum(q.get("expect") is None for _, q in qs)
    en = sum(q.get("language") == "en" for _, q in qs)
    minimum("questions", total, 170)
    if total and nulls / total < 0.25:
        bad(f"questions: only {nulls}/{total} out of scope (>= 25 % wanted)")
    if total and not 0.07 <= en / total <= 0.2:
        bad(f"questions: {en}/{total} in English (about 10 % wanted)")
    if not partial:
        for i in sorted(ids):
            if per_article[i] < 2:
                bad(f"questions: article {i} has {per_article[i]} question(s) (>= 2)")
    langs = Counter(q.get("language") for _, q in qs)
    summary["questions"] = (f"{total} ({total - nulls} in scope, {nulls} out of scope = "
                            f"{nulls / max(total, 1):.0%}; " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())) + ")")

# ---- catalog.json
slugs = set()
cat_path = HERE / "catalog.json"
if not cat_path.exists():
    if not partial:
        bad("catalog.json is missing")
else:
    try:
        cat = json.loads(cat_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        bad(f"catalog.json: not JSON ({e})")
        cat = {"agency": {}, "channels": []}
    ag = cat.get("agency", {})
    for k in ("name", "country", "language", "appeal"):
        if not ag.get(k):
            bad(f"catalog.json: agency.{k} missing")
    if ag.get("country") != "PT" or ag.get("language") != "pt-PT":
        bad("catalog.json: agency must be country PT, language pt-PT")
    for k in ("name", "deadline", "where", "rule"):
        if not ag.get("appeal", {}).get(k):
            bad(f"catalog.json: agency.appeal.{k} missing")
    chans = cat.get("channels", [])
    if not 6 <= len(chans) <= 9:
        bad(f"catalog.json: {len(chans)} channels (6-9)")
    need = {"slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"}
    for c in chans:
        if set(c) != need:
            bad(f"catalog.json: channel keys {sorted(c)}")
            continue
        if not SLUG.match(c["slug"]) or c["slug"] in slugs or c["slug"] == MERIT:
            bad(f"catalog.json: bad or duplicate slug {c['slug']}")
        slugs.add(c["slug"])
        if c["level"] not in {1, 2, 3, 4, 5}:
            bad(f"catalog.json: {c['slug']} level {c['level']}")
        if c["kind"] not in KINDS:
            bad(f"catalog.json: {c['slug']} kind {c['kind']}")
        if not c["ideal_for"] or not c["not_advised_for"]:
            bad(f"catalog.json: {c['slug']} needs ideal_for and not_advised_for")
    levels = {c.get("level") for c in chans}
    kinds = {c.get("kind") for c in chans}
    if levels != {1, 2, 3, 4, 5}:
        bad(f"catalog.json: levels present {sorted(levels)} (1-5 wanted)")
    for k in ("ombudsman", "lai", "presential"):
        if k not in kinds:
            bad(f"catalog.json: no {k} channel")
    if not kinds & {"external", "mediation"}:
        bad("catalog.json: no external/mediation channel")
    summary["channels"] = f"{len(chans)}: " + ", ".join(f"{c['slug']} (L{c['level']})" for c in chans)

# ---- triage.jsonl
tr = read_jsonl("triage.jsonl")
if tr is not None:
    per = Counter()
    texts = set()
    for n, t in tr:
        where = f"triage.jsonl:{n}"
        if not {"text", "language", "expect"} <= set(t) or not set(t) <= {"text", "language", "expect", "answers"}:
            bad(f"{where}: keys {sorted(t)}")
            continue
        if not isinstance(t["text"], str) or not t["text"].strip():
            bad(f"{where}: empty text")
        if t["language"] not in LANGS:
            bad(f"{where}: language {t['language']}")
        if t["expect"] != MERIT and t["expect"] not in slugs:
            bad(f"{where}: expect {t['expect']} is not a channel slug")
        if "answers" in t:
            ans = t["answers"]
            if not isinstance(ans, dict) or not set(ans) <= {"urgent", "about_decision"}:
                bad(f"{where}: answers must be an object with urgent/about_decision")
            else:
                for k, v in ans.items():
                    if v not in (True, False, None):
                        bad(f"{where}: answers.{k} = {v!r}")
        if norm(t["text"]) in texts:
            bad(f"{where}: duplicate need")
        texts.add(norm(t["text"]))
        per[t["expect"]] += 1
    total = len(tr)
    minimum("triage needs", total, 70)
    if not partial:
        if per[MERIT] < 6:
            bad(f"triage: {per[MERIT]} merit-not-discussed needs (~8 wanted)")
        for s in sorted(slugs):
            if per[s] < 4:
                bad(f"triage: channel {s} has {per[s]} needs (>= 4)")
        mention = sum(1 for _, t in tr if t.get("expect") != MERIT
                      and (t.get("answers") or {}).get("about_decision") is True)
        if mention < 5:
            bad(f"triage: {mention} needs that mention a decision but need a channel (~5 wanted)")
    en = sum(t.get("language") == "en" for _, t in tr)
    if total and not 0.05 <= en / total <= 0.2:
        bad(f"triage: {en}/{total} in English (about 10 % wanted)")
    summary["triage"] = f"{total} ({en} en): " + ", ".join(f"{k} {v}" for k, v in sorted(per.items()))

if not (HERE / "README.md").exists() and not partial:
    bad("README.md is missing")

if problems:
    print("\n".join(problems))
    print(f"{len(problems)} problem(s)")
    sys.exit(1)
for k, v in summary.items():
    print(f"{k}: {v}")
print("OK" + (" (partial)" if partial else ""))
