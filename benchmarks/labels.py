"""Line labels on the labelled sets (../shared/eval/labels), per set, per kind and on sets
the model never saw, side by side with earlier versions of the labeller (git refs).

Each ``NAME.txt`` has a ``NAME.gold.jsonl`` with one ``{"line", "kind"}`` per non-blank line;
the first letter of NAME names its set: ``d`` (15 dev articles), ``l`` (10 articles held
out earlier), ``n`` (20 whole-page dumps with heavy chrome). A line's predicted kind is the
kind of its records (``workbench.text.prepare``: normalize, label, segment). Per version:
lines right; lost (a line meant for translation, gold title/body/caption, kept untranslated);
leaked (a kept line, gold credit, byline, dateline, source or boilerplate, sent to the
model); precision and recall per gold kind. A dateline glued to a body line
(``dateline_prefix``) counts as body: the line is article text and is translated.

Held out (this version only; earlier versions have no trained part, so their per-set rows
are already "unseen"): leave-one-set-out fits the model (``benchmarks/train_labels.py``)
on two sets and scores the third; leave-one-language-out fits on the other four languages
of all sets and scores the fifth (the closest to a new site: its layouts, words and chrome
are all unseen). Training is deterministic (fixed seed): two runs give the same file, and
the same figures here.

Usage: uv run --group dev python benchmarks/labels.py [--baseline 7201cea c9b00cd]
       [--show-wrong] [--no-held-out]
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
SETS = ("d", "l", "n")
sys.path.insert(0, str(ROOT / "benchmarks"))

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


def held_out(groups: dict[str, list[Path]]) -> dict[str, list[str]]:
    """Labels of each group's articles by a model fitted on all the other groups."""
    import train_labels

    from workbench.text.labels import label_lines
    from workbench.text.line_model import LineModel

    out = {}
    everything = [p for paths in groups.values() for p in paths]
    for paths in groups.values():
        model = LineModel.from_dict(train_labels.train([p for p in everything
                                                        if p not in paths]))
        for path in paths:
            lines, lang = train_labels.article_lines(path)
            out[path.stem] = [line.kind.value for line in
                              label_lines(lines, lang, model).lines]
    return out


def gold() -> dict[str, list[str]]:
    import train_labels

    return {p.stem: train_labels.gold_kinds(p) for p in sorted(LABELS.glob("*.txt"))}


def score(predicted: dict[str, list[str]], golden: dict[str, list[str]], names: list[str],
          show_wrong: bool = False) -> dict:
    right = lost = leaked = total = 0
    per_kind: dict[str, Counter] = {}
    for name in names:
        lines, guesses = golden[name], predicted.get(name, [])
        if len(guesses) != len(lines):
            sys.exit(f"{name}: {len(guesses)} labelled lines against {len(lines)} gold lines")
        texts = [t for t in (LABELS / f"{name}.txt").read_text("utf-8").splitlines()
                 if t.strip()]
        for kind, guess, text in zip(lines, guesses, texts, strict=True):
            total += 1
            right += guess == kind
            lost += kind in TRANSLATED and guess not in TRANSLATED
            leaked += kind not in TRANSLATED and guess in TRANSLATED
            per_kind.setdefault(kind, Counter())["gold"] += 1
            per_kind.setdefault(guess, Counter())["predicted"] += 1
            if guess == kind:
                per_kind[kind]["right"] += 1
            elif show_wrong:
                print(f"  {name}: {kind:>11} <- {guess:<11} {text[:70]}")
    return {"lines": total, "right": right, "lost": lost, "leaked": leaked,
            "per_kind": per_kind}


def cell(s: dict) -> str:
    return (f"{100 * s['right'] / s['lines']:5.1f} % {s['lost']:>3} {s['leaked']:>4}"
            if s["lines"] else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", nargs="*", default=["7201cea", "c9b00cd"])
    parser.add_argument("--show-wrong", action="store_true")
    parser.add_argument("--no-held-out", action="store_true")
    args = parser.parse_args()
    if not LABELS.is_dir():
        sys.exit(f"missing benchmark data: {LABELS} (the labelled sets)")
    golden = gold()
    runs = {"this version": predictions(ROOT)}
    for ref in args.baseline:
        with tempfile.TemporaryDirectory() as work:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "workbench"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", work], input=archive, check=True)
            runs[ref] = predictions(Path(work))
    names = sorted(golden)
    by_set = {s: [n for n in names if n[0] == s] for s in SETS}
    labels = list(runs)
    width = 18
    print("right %, lost, leaked" + " " * 9 + "".join(f"{label:>{width}}" for label in labels))
    rows = [("all sets", names)] + [(f"set {s} ({len(v)})", v) for s, v in by_set.items()]
    for title, subset in rows:
        print(f"{title:<30}" + "".join(
            f"{cell(score(runs[label], golden, subset)):>{width}}" for label in labels))
    lines = sum(len(golden[n]) for n in names)
    print(f"{'lines':<30}" + "".join(f"{lines:>{width}}" for _ in labels))
    if args.show_wrong:
        score(runs["this version"], golden, names, show_wrong=True)
    if not args.no_held_out:
        paths = {n: LABELS / f"{n}.txt" for n in names}
        print("\nheld out (this version; earlier versions: their rows above, nothing trained)")
        loso = held_out({s: [paths[n] for n in v] for s, v in by_set.items()})
        for s, subset in by_set.items():
            print(f"{'leave-one-set-out: ' + s:<30}{cell(score(loso, golden, subset)):>{width}}")
        print(f"{'leave-one-set-out: all':<30}{cell(score(loso, golden, names)):>{width}}")
        langs = sorted({n.split("_")[1] for n in names})
        lolo = held_out({lang: [paths[n] for n in names if n.endswith(lang)]
                         for lang in langs})
        for lang in langs:
            subset = [n for n in names if n.endswith(lang)]
            print(f"{'leave-one-language-out: ' + lang:<30}"
                  f"{cell(score(lolo, golden, subset)):>{width}}")
        for s, subset in by_set.items():
            print(f"{'  ...on set ' + s:<30}{cell(score(lolo, golden, subset)):>{width}}")
        print(f"{'leave-one-language-out: all':<30}{cell(score(lolo, golden, names)):>{width}}")
    scores = {label: score(p, golden, names) for label, p in runs.items()}
    kinds = sorted({k for s in scores.values() for k in s["per_kind"]} - {"(none)"})
    print(f"\n{'kind: precision/recall (gold)':<30}" +
          "".join(f"{label:>{width}}" for label in labels))
    for kind in kinds:
        cells = []
        for label in labels:
            c = scores[label]["per_kind"].get(kind, Counter())
            precision = c["right"] / c["predicted"] if c["predicted"] else float("nan")
            recall = c["right"] / c["gold"] if c["gold"] else float("nan")
            cells.append(f"{precision:.2f}/{recall:.2f} ({c['gold']})")
        print(f"{kind:<30}" + "".join(f"{c:>{width}}" for c in cells))


if __name__ == "__main__":
    main()
