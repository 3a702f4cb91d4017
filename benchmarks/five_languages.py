"""Peak memory of a run over five languages with Argos-sized models, by batch size.

Builds RANDOM-WEIGHT nb, pl, de, ru and sv models the size of real Argos models (6+6 layers,
d_model 512, FFN 2048, 8k SentencePiece vocabulary, int8; tests/random_package.py, tokenizers
trained on the seeds), then runs ``workbench translate`` over seeds/, tests/data/unseen and
tests/data/html in a fresh process for each ``--batch-tokens``, with and without the project
glossary, and prints wall time and the workbench process's own peak RSS (the lemma child
process the glossary starts is not counted: it exits before translation starts).

Usage: uv run python benchmarks/five_languages.py [--batch-tokens 2048,1024]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # random-weight package builder, shared with tests
INPUTS = [ROOT / "seeds", ROOT / "tests" / "data" / "unseen", ROOT / "tests" / "data" / "html"]
SEED_LANGUAGES = {"000_6ee16a1a097d6283": "nb", "001_9e90e167a72bcd0b": "pl",
                  "002_56b54d490b5aedd0": "de", "003_1bb19d71bc8151fe": "ru",
                  "004_6297eead32339cd5": "sv"}
#: Runs the CLI and prints its own peak RSS (the parent cannot tell it from the lemma child's).
CHILD = """
import resource, sys
from workbench.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    print("PEAK_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
          file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-tokens", default="2048,1024")
    args = parser.parse_args()
    for folder in INPUTS:
        if not folder.is_dir():
            sys.exit(f"missing benchmark data: {folder}")
    from random_package import ModelSize, build_random_package

    from workbench.models.packages import install_archive

    work = Path(tempfile.mkdtemp(prefix="wb-five-"))
    try:
        print("Building five random-weight Argos-size models ...", flush=True)
        size = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab=8000)
        for i, (stem, lang) in enumerate(SEED_LANGUAGES.items()):
            lines = [line for line in (ROOT / "seeds" / f"{stem}.txt").read_text(
                "utf-8").splitlines() if line.strip()]
            install_archive(build_random_package(work / "archives", lang, lines * 3, size=size,
                                                 seed=i, quantization="int8"),
                            work / "models")
        print(f"\n{'batch tokens':>13}{'glossary':>10}{'seconds':>9}{'peak MB':>9}")
        for tokens in args.batch_tokens.split(","):
            for glossary in (["--glossary", str(ROOT / "glossary")], ["--no-glossary"]):
                out = work / f"out-{tokens}-{len(glossary)}"
                command = [sys.executable, "-c", CHILD, "translate", *map(str, INPUTS), "-o",
                           str(out), "--silent", "--models-dir", str(work / "models"),
                           "--cache", str(out / "cache.db"), "--batch-tokens", tokens,
                           *glossary]
                start = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                seconds = time.perf_counter() - start
                peak = next((line.split()[1] for line in done.stderr.splitlines()
                             if line.startswith("PEAK_MB")), "?")
                if done.returncode not in (0, 3):
                    sys.exit(f"workbench failed ({done.returncode}):\n{done.stderr}")
                print(f"{tokens:>13}{'yes' if len(glossary) == 2 else 'no':>10}"
                      f"{seconds:9.1f}{peak:>9}")
        print(f"\n(goal: 900 MB or less; this process's children peaked at "
              f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB, the "
              "lemma child included)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
