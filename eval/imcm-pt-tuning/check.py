"""Checks catalog.json and triage.jsonl of this set. Run: python3 check.py"""
import collections
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
KINDS = {"chatbot", "form", "phone", "presential", "ombudsman", "lai", "external", "mediation", "email"}
MERIT = "merit-not-discussed"
errors = []

cat = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
ag = cat["agency"]
if ag.get("country") != "PT" or ag.get("language") != "pt-PT":
    errors.append("agency must be PT / pt-PT")
for k in ("name", "deadline", "where", "rule"):
    if not ag.get("appeal", {}).get(k):
        errors.append(f"appeal.{k} missing")
chans = cat["channels"]
if not 7 <= len(chans) <= 9:
    errors.append(f"{len(chans)} channels, want 7-9")
slugs = [c["slug"] for c in chans]
if len(set(slugs)) != len(slugs):
    errors.append("duplicate channel slugs")
for c in chans:
    for k in ("slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for", "hours", "deadline"):
        if k not in c or c[k] in ("", [], None):
            errors.append(f"{c.get('slug')}: {k} missing")
    if c.get("kind") not in KINDS:
        errors.append(f"{c['slug']}: bad kind {c.get('kind')}")
    if c.get("level") not in (1, 2, 3, 4, 5):
        errors.append(f"{c['slug']}: bad level {c.get('level')}")
    if c["slug"] != c["slug"].lower() or " " in c["slug"]:
        errors.append(f"{c['slug']}: slug not lowercase-hyphens")
kinds = {c["kind"] for c in chans}
for need in ("chatbot", "phone", "presential", "ombudsman", "lai"):
    if need not in kinds:
        errors.append(f"no {need} channel")
if not kinds & {"form", "email"}:
    errors.append("no form/email channel")
if not kinds & {"external", "mediation"}:
    errors.append("no external/mediation channel")

per = collections.Counter()
langs = collections.Counter()
texts = set()
n = 0
with_answers = 0
for i, line in enumerate((HERE / "triage.jsonl").read_text(encoding="utf-8").splitlines(), 1):
    if not line.strip():
        errors.append(f"line {i}: empty")
        continue
    try:
        o = json.loads(line)
    except json.JSONDecodeError as e:
        errors.append(f"line {i}: {e}")
        continue
    n += 1
    if set(o) - {"text", "language", "answers", "expect"}:
        errors.append(f"line {i}: unknown keys {set(o) - {'text', 'language', 'answers', 'expect'}}")
    if not o.get("text", "").strip():
        errors.append(f"line {i}: empty text")
    if o["text"] in texts:
        errors.append(f"line {i}: duplicate text")
    texts.add(o["text"])
    if o.get("language") not in ("pt-PT", "en"):
        errors.append(f"line {i}: language {o.get('language')}")
    langs[o.get("language")] += 1
    if "answers" in o:
        with_answers += 1
        a = o["answers"]
        if set(a) != {"urgent", "about_decision"} or any(v not in (True, False, None) for v in a.values()):
            errors.append(f"line {i}: bad answers {a}")
    e = o.get("expect")
    if e != MERIT and e not in slugs:
        errors.append(f"line {i}: expect {e!r} is not a channel slug nor {MERIT}")
    per[e] += 1

if n < 80:
    errors.append(f"only {n} needs, want >= 80")
for s in slugs:
    if per[s] == 0:
        errors.append(f"channel {s} has no need")
if not 6 <= per[MERIT] <= 10:
    errors.append(f"{per[MERIT]} merit-not-discussed, want about 8")
en_share = langs["en"] / n if n else 0
if not 0.07 <= en_share <= 0.14:
    errors.append(f"English share {en_share:.0%}, want about 10 %")

print(f"channels: {len(chans)}; needs: {n} ({with_answers} with answers, {n - with_answers} skipped the questions)")
for s in slugs + [MERIT]:
    print(f"  {s:24s} {per[s]}")
print("languages: " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())))
if errors:
    print("ERRORS:")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")
