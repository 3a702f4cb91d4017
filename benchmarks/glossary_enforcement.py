"""How many expected glossary occurrences reach the English, and what guaranteeing them costs.

Translates the seeds and the articles in tests/data/unseen with RANDOM-WEIGHT models (built
here as the tests build them: their output is meaningless and never holds a term by itself,
the worst case) through the real CTranslate2 engine, twice, side by side:

- baseline: placeholders, n-best and attention replacement only (re-decoding switched off);
- workbench: the same, plus re-decoding from a forced target prefix.

For each it prints the expected occurrences (every glossary term matched in a source, as
often as it occurs), how many reach the English, how many targets appear more often than
their terms (doubled), the segments decoded again, and the translation time (best of three
runs, each on a fresh cache).

Usage: uv run python benchmarks/glossary_enforcement.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # random-weight package builder, shared with tests
SEEDS = ROOT / "seeds"
UNSEEN = ROOT / "tests" / "data" / "unseen"
SEED_LANGUAGES = {"000_6ee16a1a097d6283": "nb", "001_9e90e167a72bcd0b": "pl",
                  "002_56b54d490b5aedd0": "de", "003_1bb19d71bc8151fe": "ru",
                  "004_6297eead32339cd5": "sv"}


def build_models(work: Path) -> Path:
    from random_package import build_random_package

    from workbench.models.packages import install_archive

    models = work / "models"
    for i, (stem, lang) in enumerate(SEED_LANGUAGES.items()):
        lines = [line for line in (SEEDS / f"{stem}.txt").read_text("utf-8").splitlines()
                 if line.strip()]
        install_archive(build_random_package(work / "archives", lang, lines, seed=i), models)
    return models


def run(inputs: Path, models: Path, work: Path, redecode: bool) -> dict:
    from workbench.engines.argos import ArgosEngine
    from workbench.engines.lookup import ArgosEngines
    from workbench.glossary.enforce import occurrences
    from workbench.outputs.run_folder import read_records
    from workbench.run.runner import translate_inputs
    from workbench.settings import Settings

    out = work / f"out-{inputs.name}-{redecode}"
    settings = Settings(models_dir=models, cache_path=out / "cache.db",
                        glossary_paths=(ROOT / "glossary",))
    original = ArgosEngine.__init__

    def without_prefix(self, *args, **kwargs):  # the baseline: no re-decoding
        original(self, *args, **kwargs)
        self.supports_prefix = False

    if not redecode:
        ArgosEngine.__init__ = without_prefix
    try:
        engines = ArgosEngines(settings)
        for pair in [(lang, "en") for lang in SEED_LANGUAGES.values()]:
            engine = engines(*pair)
            engine.translate_batch(["warm up"])  # model loading is not what we measure
        start = time.perf_counter()
        result = translate_inputs([inputs], out, settings, engines)
        seconds = time.perf_counter() - start
    finally:
        ArgosEngine.__init__ = original
    expected = found = doubled = 0
    how: Counter[str] = Counter()
    for record in read_records(out):
        needed = Counter(h.target for h in record.glossary)
        spans = occurrences(record.tgt or "", needed)
        for target, n in needed.items():
            expected += n
            found += min(n, len(spans[target]))
            doubled += len(spans[target]) > n
        how.update(h.enforced for h in record.glossary)
    return {"expected": expected, "found": found, "doubled": doubled, "seconds": seconds,
            "redecoded": result.stats.glossary_redecoded, "how": how,
            "segments": result.stats.segments}


def main() -> None:
    for folder in (SEEDS, UNSEEN):
        if not folder.is_dir():
            sys.exit(f"missing benchmark data: {folder}")
    work = Path(tempfile.mkdtemp(prefix="wb-enforce-"))
    try:
        print("Building random-weight models (as the tests do) ...", flush=True)
        models = build_models(work)
        from workbench.glossary.lemmas import lemma_matcher
        from workbench.glossary.store import load_glossary

        glossary = load_glossary([ROOT / "glossary"])
        for lang in SEED_LANGUAGES.values():  # dictionary forms once, outside the timings
            lemma_matcher(glossary, lang)
        print(f"\n{'':30}{'expected':>9}{'found':>7}{'doubled':>9}{'re-decoded':>12}"
              f"{'seconds':>9}")
        for inputs in (SEEDS, UNSEEN):
            for redecode in (False, True):
                # Best of three, each on a fresh cache (this machine's timings are noisy).
                tries = [run(inputs, models, work / f"try{n}", redecode) for n in range(3)]
                r = min(tries, key=lambda t: t["seconds"])
                label = f"{inputs.name}: {'workbench' if redecode else 'baseline'}"
                print(f"{label:30}{r['expected']:>9}{r['found']:>7}{r['doubled']:>9}"
                      f"{r['redecoded']:>12}{r['seconds']:>9.2f}")
                print(f"{'':30}how: {dict(r['how'].most_common())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
