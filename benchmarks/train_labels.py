"""Train the line labeller's small model on the labelled sets and ship it as JSON.

Reads ``../shared/eval/labels/NAME.txt`` + ``NAME.gold.jsonl``, computes each line's features
the way ``workbench.text.labels.label_lines`` does (same normalization, language and rule
labels as ``prepare``), fits a gradient-boosted tree ensemble (scikit-learn, fixed seed, one
thread: the same data give the same file) and writes ``workbench/text/line_model.json``, which
the package reads with plain Python. ``--sets d l`` trains on those sets only (what the
benchmark's leave-one-set-out does, in memory). ``--stopwords`` rewrites
``workbench/text/stopwords.json`` from the jusText stop lists that trafilatura installs.

Usage: uv run --group dev python benchmarks/train_labels.py [--sets d l n] [--stopwords]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT.parent / "shared" / "eval" / "labels"
MODEL = ROOT / "workbench" / "text" / "line_model.json"
STOPWORDS = ROOT / "workbench" / "text" / "stopwords.json"
SETS = ("d", "l", "n")
SEED = 0
#: Boosting settings: small trees, few rounds (a small file, quick plain-Python inference).
TREES = {"n_estimators": 60, "max_depth": 3, "learning_rate": 0.15, "subsample": 0.8,
         "min_samples_leaf": 3}
JUSTEXT_LISTS = {"nb": "Norwegian_Bokmal", "da": "Danish", "sv": "Swedish", "de": "German",
                 "pl": "Polish", "ru": "Russian", "en": "English"}
STOPWORDS_PER_LANGUAGE = 100


def article_lines(path: Path) -> tuple[tuple[tuple[int, str], ...], str]:
    """An article's lines and language exactly as ``prepare`` hands them to ``label_lines``."""
    from workbench.text import cues, detect
    from workbench.text.normalize import normalize_text, split_glued
    from workbench.text.prepare import _sample

    normalized = normalize_text(path.read_text("utf-8"))
    lang = detect.detect(_sample(normalized.lines) or " ", detect.DEFAULT_LANGUAGES).lang
    prefixes = cues.GLUE_PREFIXES.get(lang, frozenset())
    return tuple((n, split_glued(line, prefixes)[0]) for n, line in normalized.lines), lang


def gold_kinds(path: Path) -> list[str]:
    """Gold kinds of ``NAME.txt``; a dateline glued to a body line counts as body."""
    gold_path = path.with_name(path.stem + ".gold.jsonl")
    return ["body" if (kind := json.loads(line)["kind"]) == "dateline_prefix" else kind
            for line in gold_path.read_text("utf-8").splitlines() if line.strip()]


def article_rows(path: Path) -> tuple[list[list[float]], list[str], list[str]]:
    """Features, rule kinds and gold kinds of one labelled article."""
    from workbench.text import labels, line_features

    lines, lang = article_lines(path)
    texts = [text for _, text in lines]
    cued = [labels._cue(text) for text in texts]
    kinds = labels.rule_kinds(texts, lang, cued)
    rows = line_features.article_features(texts, lang, kinds,
                                          [kind is not None for kind, _, _ in cued])
    gold = gold_kinds(path)
    if len(gold) != len(rows):
        sys.exit(f"{path.name}: {len(rows)} lines against {len(gold)} gold lines")
    return rows, [k.value for k in kinds], gold


def dataset(paths: list[Path]) -> tuple[list[list[float]], list[str]]:
    """All lines of the given labelled articles."""
    features: list[list[float]] = []
    gold: list[str] = []
    for path in paths:
        rows, _, kinds = article_rows(path)
        features += rows
        gold += kinds
    return features, gold


def articles(sets: tuple[str, ...], folder: Path = LABELS) -> list[Path]:
    """The labelled articles of the named sets (``d``, ``l``, ``n``: the names' first letter)."""
    return [path for path in sorted(folder.glob("*.txt")) if path.name[0] in sets]


def train(paths: list[Path]) -> dict:
    """Fit on these articles only and return the model as the JSON-ready dict it ships as."""
    from sklearn.ensemble import GradientBoostingClassifier

    from workbench.text import line_features

    features, gold = dataset(paths)
    model = GradientBoostingClassifier(random_state=SEED, **TREES).fit(features, gold)
    classes = [str(c) for c in model.classes_]
    init = model._raw_predict_init([features[0]])[0].tolist()
    trees = []
    for stage in model.estimators_:
        for k, tree in enumerate(stage):
            t = tree.tree_
            trees.append({"class": k if len(classes) > 2 else 0,
                          "feature": t.feature.tolist(),
                          "threshold": [round(x, 6) for x in t.threshold.tolist()],
                          "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                          "value": [round(float(v), 6) for v in t.value[:, 0, 0]]})
    return {"about": "Line labeller model: gradient-boosted trees over line_features "
                     "(benchmarks/train_labels.py).",
            "trained_on": sorted({path.name[0] for path in paths}), "lines": len(gold),
            "settings": TREES, "seed": SEED,
            "features": list(line_features.FEATURE_NAMES), "classes": classes,
            "init": [round(x, 6) for x in init], "learning_rate": TREES["learning_rate"],
            "trees": trees}


def write_stopwords() -> None:
    """The most frequent words of jusText's stop lists, per language we label."""
    import justext

    folder = Path(justext.__file__).parent / "stoplists"
    lists = {}
    for lang, name in JUSTEXT_LISTS.items():
        words: list[str] = []
        for word in (folder / f"{name}.txt").read_text("utf-8").split():
            word = word.lower()
            if word.isalpha() and word not in words:
                words.append(word)
            if len(words) == STOPWORDS_PER_LANGUAGE:
                break
        lists[lang] = words
    table = {"source": f"jusText {justext.__version__ if hasattr(justext, '__version__') else ''}"
             " stoplists (BSD-2-Clause, (c) Jan Pomikálek), the "
             f"{STOPWORDS_PER_LANGUAGE} most frequent alphabetic words, lowercased",
             "lists": lists}
    STOPWORDS.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--stopwords", action="store_true")
    parser.add_argument("--output", type=Path, default=MODEL)
    args = parser.parse_args()
    if args.stopwords:
        write_stopwords()
        print(f"wrote {STOPWORDS}")
        return
    if not LABELS.is_dir():
        sys.exit(f"missing training data: {LABELS} (the labelled sets)")
    model = train(articles(tuple(args.sets)))
    args.output.write_text(json.dumps(model, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {args.output}: {len(model['trees'])} trees on {model['lines']} lines")


if __name__ == "__main__":
    main()
