"""Score our sentence segmenter against sentencex and pySBD on sentencex's own test cases.

Reads ../shared/eval/segmentation/sentencex/{de,ru,pl,da,en}.txt (input, ``---``, expected
sentences one per line, ``===`` between cases). Cases commented out with ``#`` in sentencex's
suite (it does not run them) are scored separately. A case passes when the segmenter returns
exactly the expected sentences (compared after stripping whitespace).

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
    if not DATA.exists():
        sys.exit(f"missing benchmark data: {DATA}")
    tools = segmenters()
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
