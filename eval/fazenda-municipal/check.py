"""Checks the fazenda-municipal held-out set: python check.py [--partial]

--partial: files not yet written (questions, triage) are skipped instead of failing.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = {"pt-BR", "pt-PT", "en"}
KINDS = {"chatbot", "form", "phone", "presencial", "ombudsman", "lai", "external",
         "mediation", "email"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
errors = []


def err(msg):
    errors.append(msg)


def read_jsonl(name):
    rows = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
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


def norm(s):
    return re.sub(r"\s+", " ", s.lower()).strip(" ?.!")


def check_kb():
    rows = read_jsonl("kb.jsonl")
    ids = {}
    keys = {"id", "question", "answer", "variants", "language", "tags"}
    for n, a in rows:
        if set(a) != keys:
            err(f"kb.jsonl:{n}: keys {sorted(a)}")
            continue
        if not SLUG.match(a["id"]):
            err(f"kb.jsonl:{n}: bad id {a['id']!r}")
        if a["id"] in ids:
            err(f"kb.jsonl:{n}: duplicate id {a['id']}")
        ids[a["id"]] = a
        if a["language"] not in LANGS:
            err(f"kb.jsonl:{n}: language {a['language']}")
        if not 2 <= len(a["variants"]) <= 4:
            err(f"kb.jsonl:{n}: {len(a['variants'])} variants")
        sentences = len(re.findall(r"[.!?](\s|$)", a["answer"]))
        if not 2 <= sentences <= 6:
            err(f"kb.jsonl:{n}: answer has {sentences} sentences")
        if not a["tags"] or not all(isinstance(t, str) and t for t in a["tags"]):
            err(f"kb.jsonl:{n}: tags")
    if not 45 <= len(ids) <= 60:
        err(f"kb.jsonl: {len(ids)} articles (45-60)")
    en = sum(a["language"] == "en" for a in ids.values())
    if not 0.07 <= en / max(len(ids), 1) <= 0.15:
        err(f"kb.jsonl: {en} English articles, about 10 % wanted")
    return ids


def check_catalog():
    cat = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
    ag = cat["agency"]
    if ag["country"] not in {"BR", "PT"} or ag["language"] not in LANGS - {"en"}:
        err("catalog: agency country/language")
    for k in ("name", "deadline", "where", "rule"):
        if not ag["appeal"].get(k):
            err(f"catalog: appeal.{k} missing")
    chans = cat["channels"]
    if not 6 <= len(chans) <= 9:
        err(f"catalog: {len(chans)} channels (6-9)")
    slugs = set()
    need = {"slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for",
            "hours", "deadline"}
    for c in chans:
        if set(c) != need:
            err(f"catalog: channel keys {sorted(c)}")
            continue
        if not SLUG.match(c["slug"]) or c["slug"] in slugs:
            err(f"catalog: bad or duplicate slug {c['slug']}")
        slugs.add(c["slug"])
        if c["level"] not in range(1, 6) or c["kind"] not in KINDS:
            err(f"catalog: {c['slug']} level/kind")
        if not c["ideal_for"] or not c["not_advised_for"]:
            err(f"catalog: {c['slug']} ideal_for/not_advised_for empty")
    kinds = {c.get("kind") for c in chans}
    for k in ("ombudsman", "lai", "presencial"):
        if k not in kinds:
            err(f"catalog: no {k} channel")
    if not kinds & {"external", "mediation"}:
        err("catalog: no external/mediation channel")
    if "merit-not-discussed" in slugs:
        err("catalog: merit-not-discussed is not a channel")
    return slugs


def check_questions(ids):
    rows = read_jsonl("questions.jsonl")
    per = Counter()
    seen = set()
    wording = {norm(a["question"]) for a in ids.values()}
    wording |= {norm(v) for a in ids.values() for v in a["variants"]}
    for n, q in rows:
        if set(q) != {"text", "language", "expect"}:
            err(f"questions.jsonl:{n}: keys {sorted(q)}")
            continue
        if q["language"] not in LANGS or not q["text"].strip():
            err(f"questions.jsonl:{n}: language/text")
        if q["expect"] is not None and q["expect"] not in ids:
            err(f"questions.jsonl:{n}: unknown article {q['expect']}")
        if norm(q["text"]) in seen:
            err(f"questions.jsonl:{n}: duplicate question")
        seen.add(norm(q["text"]))
        if norm(q["text"]) in wording:
            err(f"questions.jsonl:{n}: reuses an article's wording")
        per[q["expect"]] += 1
    total = len(rows)
    nulls = per[None]
    if total < 170:
        err(f"questions.jsonl: {total} questions (>= 170)")
    if nulls < 0.25 * total:
        err(f"questions.jsonl: {nulls} null of {total} (>= 25 %)")
    for i in ids:
        if per[i] < 2:
            err(f"questions.jsonl: article {i} has {per[i]} questions (>= 2)")
    en = sum(q["language"] == "en" for _, q in rows)
    if not 0.07 <= en / max(total, 1) <= 0.16:
        err(f"questions.jsonl: {en} English questions, about 10 % wanted")
    return total, nulls, en


def check_triage(slugs):
    rows = read_jsonl("triage.jsonl")
    per = Counter()
    for n, t in rows:
        if not {"text", "language", "expect"} <= set(t) or set(t) - {
                "text", "language", "expect", "answers"}:
            err(f"triage.jsonl:{n}: keys {sorted(t)}")
            continue
        if t["language"] not in LANGS or not t["text"].strip():
            err(f"triage.jsonl:{n}: language/text")
        ans = t.get("answers", {})
        if not isinstance(ans, dict) or set(ans) - {"urgent", "about_decision"}:
            err(f"triage.jsonl:{n}: answers")
        elif any(v not in (True, False, None) for v in ans.values()):
            err(f"triage.jsonl:{n}: answers values")
        if t["expect"] != "merit-not-discussed" and t["expect"] not in slugs:
            err(f"triage.jsonl:{n}: unknown channel {t['expect']}")
        per[t["expect"]] += 1
    if len(rows) < 70:
        err(f"triage.jsonl: {len(rows)} needs (>= 70)")
    if per["merit-not-discussed"] < 6:
        err("triage.jsonl: too few merit-not-discussed needs")
    for s in slugs:
        if per[s] < 3:
            err(f"triage.jsonl: channel {s} has {per[s]} needs")
    return len(rows), per


def main():
    partial = "--partial" in sys.argv
    ids = check_kb()
    slugs = check_catalog()
    print(f"kb: {len(ids)} articles, "
          f"{sum(a['language'] == 'en' for a in ids.values())} in English")
    print(f"catalog: {len(slugs)} channels")
    if (HERE / "questions.jsonl").exists() or not partial:
        total, nulls, en = check_questions(ids)
        print(f"questions: {total} ({total - nulls} in scope, {nulls} null, {en} English)")
    if (HERE / "triage.jsonl").exists() or not partial:
        total, per = check_triage(slugs)
        print(f"triage: {total} needs; " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
