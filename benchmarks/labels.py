"""Line labels against the labelled dev set (../shared/eval/labels), side by side with an
earlier version of the labeller (a git ref), in one run.

Each ``NAME.txt`` has a ``NAME.gold.jsonl`` with one ``{"line", "kind"}`` per non-blank line.
A line's predicted kind is the kind of its records (``workbench.text.prepare``: normalize,
label, segment). Printed per version: lines right; lost (a line meant for translation, gold
title/body/caption, that is kept untranslated); leaked (a kept line, gold credit, byline,
dateline, source or boilerplate, that is sent to the model); then precision and recall per
gold kind. ``credit`` (a photo credit or caption label alone) is its own kind here.

Usage: uv run python benchmarks/labels.py [--baseline c9b00cd] [--show-wrong]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT.parent / "shared" / "eval" / "labels"
TRANSLATED = {"title", "body", "caption"}

PREDICT = """
import json, sys
from pathlib import Path
from workbench.text.prepare import prepare
from workbench.text.reader import ArticleFile
out = {}
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    article = prepare(ArticleFile(path.stem, path))
    kinds = {}
    for seg in article.segments:
        kinds.setdefault(seg.line, []).append(seg.kind.value)
    numbered = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if line.strip()]
    out[path.stem] = [_kind(kinds.get(n, ["(none)"])) for n in numbered]
print(json.dumps(out))
"""
KIND = """
def _kind(kinds):
    body = [k for k in kinds if k != "dateline"]  # a dateline split off a body line's head
    return body[0] if body else kinds[0]
"""


def predictions(package_root: Path) -> dict[str, list[str]]:
    code = KIND + PREDICT
    done = subprocess.run([sys.executable, "-c", code, str(LABELS)], capture_output=True,
                          text=True, cwd=package_root, env={"PYTHONPATH": str(package_root),
                                                            "PATH": "/usr/bin:/bin"})
    if done.returncode:
        sys.exit(f"labelling failed in {package_root}: {done.stderr[-500:]}")
    return json.loads(done.stdout)


def gold() -> dict[str, list[dict]]:
    return {p.name.removesuffix(".gold.jsonl"): [json.loads(line) for line in p.open()]
            for p in sorted(LABELS.glob("*.gold.jsonl"))}


def score(predicted: dict[str, list[str]], golden: dict[str, list[dict]],
          show_wrong: bool = False) -> dict:
    right = lost = leaked = total = 0
    per_kind: dict[str, Counter] = {}
    for name, lines in golden.items():
        guesses = predicted.get(name, [])
        if len(guesses) != len(lines):
            sys.exit(f"{name}: {len(guesses)} labelled lines against {len(lines)} gold lines")
        for entry, guess in zip(lines, guesses, strict=True):
            kind = entry["kind"]
            total += 1
            right += guess == kind
            lost += kind in TRANSLATED and guess not in TRANSLATED
            leaked += kind not in TRANSLATED and guess in TRANSLATED
            per_kind.setdefault(kind, Counter())["gold"] += 1
            per_kind.setdefault(guess, Counter())["predicted"] += 1
            if guess == kind:
                per_kind[kind]["right"] += 1
            elif show_wrong:
                print(f"  {name}: {kind:>11} <- {guess:<11} {entry['line'][:70]}")
    return {"lines": total, "right": right, "lost": lost, "leaked": leaked,
            "per_kind": per_kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="c9b00cd")
    parser.add_argument("--show-wrong", action="store_true")
    args = parser.parse_args()
    if not LABELS.is_dir():
        sys.exit(f"missing benchmark data: {LABELS} (the labelled dev set)")
    golden = gold()
    with tempfile.TemporaryDirectory() as work:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline,
                                  "workbench"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", work], input=archive, check=True)
        runs = {"this version": predictions(ROOT), args.baseline: predictions(Path(work))}
    scores = {label: score(p, golden, args.show_wrong and label == "this version")
              for label, p in runs.items()}
    labels = list(scores)
    print(f"{'':<22}" + "".join(f"{label:>16}" for label in labels))
    for key in ("lines", "right", "lost", "leaked"):
        cells = []
        for label in labels:
            s = scores[label]
            value = s[key]
            cells.append(f"{value} ({100 * value / s['lines']:.1f} %)" if key == "right"
                         else str(value))
        print(f"{key:<22}" + "".join(f"{c:>16}" for c in cells))
    kinds = sorted({k for s in scores.values() for k in s["per_kind"]} - {"(none)"})
    print(f"\n{'kind: precision/recall':<22}" + "".join(f"{label:>16}" for label in labels))
    for kind in kinds:
        cells = []
        for label in labels:
            c = scores[label]["per_kind"].get(kind, Counter())
            precision = c["right"] / c["predicted"] if c["predicted"] else float("nan")
            recall = c["right"] / c["gold"] if c["gold"] else float("nan")
            cells.append(f"{precision:.2f}/{recall:.2f} ({c['gold']})")
        print(f"{kind:<22}" + "".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
