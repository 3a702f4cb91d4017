"""Unseen Vietnamese names: recall and precision of the automatic names, per language.

Scores ``workbench.glossary.auto_names`` on a labelled set of articles (``NAME_LANG.txt``,
one sentence per line, and ``NAME_LANG.gold.jsonl``; ``../shared/eval/names`` by default,
README there). The whole set is one run: ``auto_terms`` sees every article, then each line's
matches are the curated glossary's (the starter glossary) plus the automatic names.

- recall: gold name occurrences covered by an automatic hit whose English is the gold form
  (case, diacritics, hyphens and the space between words ignored). Protected like a curated
  person, that English is in the translation by the enforcement guarantee.
- precision: automatic hits that stand on a gold name form (not on a trap, a curated name
  or nothing).

The previous commit has no automatic names: an unseen name reaches the English only if the
model happens to write it, which the guarantee does not cover, so its guaranteed recall is
0 for every language (and it makes no automatic hits).

Usage: uv run --group dev python benchmarks/names.py [SET_DIR]
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from workbench.glossary.auto_names import auto_terms, is_auto
from workbench.glossary.match import Matcher
from workbench.glossary.store import load_glossary

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "eval" / "names"
LANGS = ("nb", "pl", "de", "ru", "sv")


def norm(text: str) -> str:
    """As the acceptance check compares: no case, marks, hyphens or spaces between words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s\-‐‑–]+", "", text)


def spans(line: str, form: str, nth: int) -> tuple[int, int] | None:
    """The nth occurrence of a form in a line (as whole words)."""
    found = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", line)]
    return found[nth] if nth < len(found) else None


def score(set_dir: Path) -> dict[str, Counter[str]]:
    """Per language: names, names found, automatic hits, right hits."""
    glossary = load_glossary([ROOT / "glossary"])
    articles = sorted(set_dir.glob("*.txt"))
    lines = {a.stem: a.read_text("utf-8").splitlines() for a in articles}
    texts: dict[str, list[str]] = {}
    for stem, article_lines in lines.items():
        texts.setdefault(stem.rsplit("_", 1)[1], []).extend(article_lines)
    names = auto_terms(texts, glossary)
    matchers = {lang: Matcher(glossary, lang) for lang in texts}
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    for stem, article_lines in lines.items():
        lang = stem.rsplit("_", 1)[1]
        gold = [json.loads(row) for row in
                (set_dir / f"{stem}.gold.jsonl").read_text("utf-8").splitlines() if row]
        seen: Counter[tuple[int, str]] = Counter()
        placed: dict[int, list[tuple[tuple[int, int], dict]]] = {}
        for row in gold:
            line = article_lines[row["line"] - 1]
            span = spans(line, row["form"], seen[row["line"], row["form"]])
            seen[row["line"], row["form"]] += 1
            placed.setdefault(row["line"], []).append((span or (-1, -1), row))
        for number, line in enumerate(article_lines, 1):
            matches = names.find(line, lang, matcher_find(matchers[lang], line))
            auto = [m for m in matches if is_auto(m.term)]
            rows = placed.get(number, [])
            for (start, end), row in rows:
                if "english" not in row:
                    continue
                counts[lang]["names"] += 1
                if any(m.start < end and start < m.end and norm(m.target) == norm(row["english"])
                       for m in auto):
                    counts[lang]["found"] += 1
                else:
                    counts[lang]["missed: " + row["form"]] += 1
            for m in auto:
                counts[lang]["hits"] += 1
                on = [row for (start, end), row in rows if m.start < end and start < m.end]
                if on and all("english" in row for row in on):
                    counts[lang]["right"] += 1
                else:
                    counts[lang]["false: " + m.surface] += 1
    return counts


def matcher_find(matcher: Matcher, line: str) -> list:
    return matcher.find(line)


def main() -> None:
    set_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET
    if not set_dir.is_dir():
        print(f"no names set at {set_dir} (see benchmarks/names.py); nothing measured")
        return
    counts = score(set_dir)
    print(f"{'lang':5} {'recall':>16} {'precision':>16}   previous commit (no automatic names)")
    total: Counter[str] = Counter()
    for lang in LANGS:
        c = counts[lang]
        total.update({k: v for k, v in c.items() if k in ("names", "found", "hits", "right")})
        print(f"{lang:5} {ratio(c['found'], c['names']):>16} {ratio(c['right'], c['hits']):>16}"
              f"   recall 0/{c['names']}, no hits")
    print(f"{'all':5} {ratio(total['found'], total['names']):>16} "
          f"{ratio(total['right'], total['hits']):>16}   recall 0/{total['names']}, no hits")
    for lang in LANGS:
        for key, n in sorted(counts[lang].items()):
            if key.startswith(("missed", "false")):
                print(f"  {lang} {key} x{n}")


def ratio(a: int, b: int) -> str:
    return f"{a}/{b} {a / b:.1%}" if b else "-"


if __name__ == "__main__":
    main()
