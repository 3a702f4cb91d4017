"""Score our sentence segmenter against sentencex and pySBD, side by side, in one run.

1. Universal Dependencies dev sets (../shared/eval/segmentation/ud/): runs of ten annotated
   sentences are joined by one space and segmented; sentence boundaries are scored by
   precision, recall and F1 per language.
2. sentencex's own test cases (../shared/eval/segmentation/sentencex/{de,ru,pl,da,en}.txt:
   input, ``---``, expected sentences, ``===`` between cases). Cases commented out with ``#``
   in sentencex's suite (it does not run them) are scored separately. A case passes when the
   segmenter returns exactly the expected sentences.

Usage: uv run python benchmarks/segmentation.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from workbench.text.segment import split_sentences

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "segmentation" / \
    "sentencex"
LANGUAGES = ("de", "ru", "pl", "da", "en")
UD = DATA.parent / "ud"
#: (our code, treebank file, code for sentencex, code for pySBD): pySBD has no Norwegian or
#: Swedish rules, so it gets Danish ones, as in the issue's table.
UD_SETS = (("de", "de_gsd", "de", "de"), ("nb", "no_bokmaal", "nb", "da"),
           ("sv", "sv_talbanken", "sv", "da"), ("pl", "pl_pdb", "pl", "pl"),
           ("ru", "ru_gsd", "ru", "ru"))
RUN = 10


def ud_runs(path: Path, size: int = RUN) -> list[list[str]]:
    """Consecutive runs of ``size`` annotated sentences (``# text = ...`` lines)."""
    sentences = [line[len("# text = "):].strip() for line in path.read_text("utf-8").splitlines()
                 if line.startswith("# text = ")]
    return [sentences[i:i + size] for i in range(0, len(sentences), size)]


def boundaries(sentences: list[str], text: str) -> set[int]:
    """Character offsets in ``text`` where each sentence but the last ends."""
    ends, cursor = set(), 0
    for sentence in sentences:
        found = text.find(sentence.strip(), cursor)
        if found < 0:  # a segmenter that rewrote text: align on what it kept
            continue
        cursor = found + len(sentence.strip())
        ends.add(cursor)
    ends.discard(len(text.rstrip()))
    return ends


def ud_score(split: Callable[[str, str], list[str]], lang: str, runs: list[list[str]]
             ) -> tuple[float, float, float]:
    """Boundary precision, recall and F1 over all runs."""
    tp = fp = fn = 0
    for run in runs:
        text = " ".join(run)
        gold = boundaries(run, text)
        try:
            got = boundaries([s for s in split(text, lang) if s.strip()], text)
        except Exception:  # a crash finds no boundary
            got = set()
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_cases(path: Path) -> list[tuple[bool, str, list[str]]]:
    """(commented out?, input, expected sentences) for each case of a file."""
    cases = []
    for block in path.read_text("utf-8").split("\n===\n"):
        lines = block.strip("\n").splitlines()
        if not lines:
            continue
        commented = all(line.startswith("#") for line in lines if line.strip())
        if commented:
            lines = [line[1:] for line in lines]
        if "---" not in lines:
            continue
        cut = lines.index("---")
        text = "\n".join(lines[:cut]).strip()
        expected = [line.strip() for line in lines[cut + 1:] if line.strip()]
        cases.append((commented, text, expected))
    return cases


def segmenters() -> dict[str, Callable[[str, str], list[str]]]:
    import pysbd
    from sentencex import segment

    def ours(text: str, lang: str) -> list[str]:
        return [s for line in text.splitlines() for s in split_sentences(line, lang)]

    def sentencex(text: str, lang: str) -> list[str]:
        return list(segment(lang, text))

    def pysbd_(text: str, lang: str) -> list[str]:
        return pysbd.Segmenter(language=lang, clean=False).segment(text)

    return {"workbench": ours, "sentencex": sentencex, "pySBD": pysbd_}


def score(split: Callable[[str, str], list[str]], lang: str,
          cases: list[tuple[bool, str, list[str]]]) -> tuple[int, int]:
    passed = 0
    for _, text, expected in cases:
        try:
            got = [s.strip() for s in split(text, lang) if s.strip()]
        except Exception:  # a crash is a failed case
            got = []
        passed += got == expected
    return passed, len(cases)


def main() -> None:
    for folder in (DATA, UD):
        if not folder.exists():
            sys.exit(f"missing benchmark data: {folder}")
    tools = segmenters()
    print("Universal Dependencies dev sets: boundary precision / recall / F1 "
          f"(runs of {RUN} sentences)")
    print(f"{'lang':6}" + "".join(f"{name:>22}" for name in tools))
    best_f1: dict[str, list[float]] = {name: [] for name in tools}
    for lang, treebank, sx_lang, sbd_lang in UD_SETS:
        runs = ud_runs(UD / f"{treebank}-ud-dev.txt")
        codes = {"workbench": lang, "sentencex": sx_lang, "pySBD": sbd_lang}
        cells = []
        for name, split in tools.items():
            p, r, f1 = ud_score(split, codes[name], runs)
            best_f1[name].append(f1)
            cells.append(f"{p:.3f} {r:.3f} {f1:.3f}")
        print(f"{lang:6}" + "".join(f"{c:>22}" for c in cells))
    print(f"{'mean F1':6}" + "".join(f"{sum(v) / len(v):>22.3f}" for v in best_f1.values()))
    print()
    print("sentencex's test suite: exact sentence lists")
    header = f"{'lang':6}{'set':11}" + "".join(f"{name:>14}" for name in tools)
    print(header)
    for lang in LANGUAGES:
        cases = load_cases(DATA / f"{lang}.txt")
        for label, subset in (("active", [c for c in cases if not c[0]]),
                              ("commented", [c for c in cases if c[0]])):
            if not subset:
                continue
            cells = []
            for split in tools.values():
                passed, total = score(split, lang, subset)
                cells.append(f"{passed:>4}/{total:<4}{100 * passed / total:4.0f}%")
            print(f"{lang:6}{label:11}" + "".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
