"""HTML pages: how much of what goes to the model is the article, against hand-written truth.

For each page in tests/data/html/news (news pages in sv, nb, de, pl, ru written for this
project, with noscript notices, credits, comments and forms, duplicated text, related lists
and cookie banners) the truth file holds the article's text: headline, lead, paragraphs and
captions without their credits. A no-model run (``workbench translate --models-dir EMPTY``)
writes every record; the text sent to the model is that of the records of a translated kind
(title, body, caption) that were not kept. Its word precision, recall and F1 (bags of
lower-case words) are printed beside trafilatura alone (``include_comments=False``) and
beside the same run at an earlier commit (``git archive`` into a temporary folder, so the
shared checkout's worktrees are left alone), with the headline check and the number of
sentences sent twice.

Usage: uv run --group dev python benchmarks/html_pages.py [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "data" / "html" / "news"
SENT = {"title", "body", "caption"}


def words(text: str) -> Counter[str]:
    """The bag of lower-case words of a text."""
    return Counter(re.findall(r"\w+", text.lower()))


def score(found: Counter[str], truth: Counter[str]) -> tuple[float, float, float]:
    """Word precision, recall and F1 of one bag against another."""
    common = sum((found & truth).values())
    precision = common / max(1, sum(found.values()))
    recall = common / max(1, sum(truth.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_workbench(code_root: Path, pages: list[Path], work: Path) -> dict[str, list[dict]]:
    """Records of a no-model run of the workbench found at ``code_root``, by article."""
    inputs, out = work / "in", work / "out"
    inputs.mkdir(parents=True)
    for page in pages:
        (inputs / page.name).write_bytes(page.read_bytes())
    (work / "models").mkdir()
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run(
        [sys.executable, "-c", "from workbench.cli import cli; cli()", "translate", str(inputs),
         "-o", str(out), "--silent", "--models-dir", str(work / "models"), "--cache",
         str(work / "cache.db"), "--no-glossary", "--format", "jsonl"],
        cwd=work, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        raise SystemExit(f"workbench at {code_root} failed:\n{done.stderr}")
    records: dict[str, list[dict]] = {}
    for line in (out / "records.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        if "article" in record and "src" in record:
            records.setdefault(record["article"], []).append(record)
    return records


def sent(records: list[dict]) -> list[dict]:
    """The records whose text goes to the model."""
    return [r for r in records if r["kind"] in SENT and r["status"] != "kept"]


def measure(records: list[dict], truth: list[str]) -> dict[str, object]:
    """F1 figures, whether the title is the headline, and sentences sent twice."""
    to_model = sent(records)
    figures = score(words(" ".join(r["src"] for r in to_model)), words(" ".join(truth)))
    titles = [r["src"] for r in records if r["kind"] == "title"]
    texts = Counter(r["src"] for r in to_model if r["kind"] != "title")
    return {"p": figures[0], "r": figures[1], "f1": figures[2],
            "title": bool(titles) and " ".join(titles) == truth[0],
            "twice": sum(n - 1 for n in texts.values() if n > 1)}


def snapshot(rev: str, into: Path) -> Path:
    """The workbench package at ``rev``, unpacked into ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "workbench"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def default_before() -> str:
    """The commit before the latest change to the HTML reader."""
    last = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%H", "--",
                           "workbench/text/html_page.py"], capture_output=True, text=True,
                          check=True).stdout.strip()
    return f"{last}^"


def main() -> None:
    """Score every page three ways and print one table."""
    import trafilatura

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None,
                        help="earlier commit to compare (default: the one before the latest "
                             "change to workbench/text/html_page.py)")
    args = parser.parse_args()
    before = args.before or default_before()
    pages = sorted(PAGES.glob("*.html"))
    truths = {p.stem: p.with_suffix(".truth.txt").read_text("utf-8").splitlines()
              for p in pages}
    with tempfile.TemporaryDirectory() as tmp:
        now = run_workbench(ROOT, pages, Path(tmp) / "now")
        old_root = snapshot(before, Path(tmp))
        old = run_workbench(old_root, pages, Path(tmp) / "before")
    print(f"{'page':18} {'trafilatura P/R/F1':>20} | {'before ' + before[:9]:>28} | "
          f"{'now':>28}")
    print(f"{'':18} {'':>20} | {'P/R/F1  title twice':>28} | {'P/R/F1  title twice':>28}")
    totals: dict[str, list[float]] = {"traf": [], "old": [], "now": []}
    for page in pages:
        truth = truths[page.stem]
        extracted = trafilatura.extract(page.read_bytes(), include_comments=False) or ""
        traf = score(words(extracted), words(" ".join(truth)))
        cells = [f"{traf[0]:.2f}/{traf[1]:.2f}/{traf[2]:.3f}"]
        for name, runs in (("old", old), ("now", now)):
            m = measure(runs.get(page.stem, []), truth)
            totals[name].append(float(m["f1"]))  # type: ignore[arg-type]
            title = "yes" if m["title"] else "NO"
            cells.append(f"{m['p']:.2f}/{m['r']:.2f}/{m['f1']:.3f} {title:>5} {m['twice']:>5}")
        totals["traf"].append(traf[2])
        print(f"{page.stem:18} {cells[0]:>20} | {cells[1]:>28} | {cells[2]:>28}")
    mean = {name: sum(v) / len(v) for name, v in totals.items()}
    print(f"{'mean F1':18} {mean['traf']:>20.3f} | {mean['old']:>28.3f} | {mean['now']:>28.3f}")
    print(f"pages below trafilatura now: "
          f"{sum(n < t - 1e-9 for n, t in zip(totals['now'], totals['traf'], strict=True))}")


if __name__ == "__main__":
    main()
