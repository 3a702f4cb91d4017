"""Cost at scale: wall time, segments per second and peak memory as the corpus grows.

Generates its own corpus with a fixed seed: German and Russian news articles made of WMT21
sentences (../shared/eval/wmt21), each with a title, a source line, a comment counter and a
"related" list, as the seeds have. For each size N it runs ``workbench translate`` four ways,
each in a fresh process, and prints one row per run:

- no model: an empty models directory and a new cache (everything is read and prepared);
- cold: RANDOM-WEIGHT tiny de→en and ru→en models (built here, tests/random_package.py) and a
  new cache;
- warm: the same run again, nothing changed;
- edited: one percent of the articles edited, run again.

Peak RSS is the child process's own maximum resident set size (``wait4``).

Usage: uv run python benchmarks/scale.py [--sizes 100,1000,5000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # random-weight package builder, shared with tests
WMT = ROOT.parent / "shared" / "eval" / "wmt21"
SEED = 20261123


def sentences(lang: str) -> list[str]:
    path = WMT / f"newstest2021.{lang}-en.src.{lang}"
    if not path.is_file():
        sys.exit(f"missing benchmark data: {path}")
    return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]


CHROME = {
    "de": ("Quelle: https://www.example.de/politik/{n}.html", "Kommentar (0)", "Mehr zum Thema",
           "[Anzeige_1]"),
    "ru": ("Источник: https://www.example.ru/news/{n}.html", "Комментарий (0)",
           "Читайте также", "[Реклама 1]"),
}


def article(rng: random.Random, lang: str, pool: list[str], n: int) -> str:
    source, comments, related, ad = CHROME[lang]
    lines = [rng.choice(pool).rstrip(".!?")]  # a title
    for _ in range(rng.randint(8, 14)):
        lines.append(" ".join(rng.sample(pool, rng.randint(2, 4))))
        if rng.random() < 0.1:
            lines.append(ad)
    lines += [source.format(n=n), comments, related]
    lines += [rng.choice(pool).rstrip(".!?") for _ in range(3)]
    return "\n".join(lines) + "\n"


def make_corpus(folder: Path, size: int) -> None:
    rng = random.Random(SEED)
    pools = {lang: sentences(lang) for lang in ("de", "ru")}
    folder.mkdir(parents=True)
    for n in range(size):
        lang = "de" if n % 2 == 0 else "ru"
        (folder / f"{lang}-{n:06d}.txt").write_text(article(rng, lang, pools[lang], n),
                                                    encoding="utf-8")


def edit_one_percent(folder: Path) -> int:
    rng = random.Random(SEED + 1)
    files = sorted(folder.iterdir())
    chosen = rng.sample(files, max(1, len(files) // 100))
    for path in chosen:
        path.write_text(path.read_text("utf-8") + "Dies ist ein neuer Absatz.\n",
                        encoding="utf-8")
    return len(chosen)


def build_models(work: Path) -> Path:
    from random_package import build_random_package

    from workbench.models.packages import install_archive

    models = work / "models"
    for i, lang in enumerate(("de", "ru")):
        archive = build_random_package(work / "archives", lang, sentences(lang)[:400], seed=i)
        install_archive(archive, models)
    return models


def run(inputs: Path, out: Path, models: Path, cache: Path) -> tuple[float, int, int, int]:
    """(wall seconds, peak RSS in MB, segments, exit code) of one translate run."""
    command = [sys.executable, "-m", "workbench", "translate", str(inputs), "-o", str(out),
               "--silent", "--models-dir", str(models), "--cache", str(cache), "--glossary",
               str(ROOT / "glossary")]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        sys.exit(f"run failed ({code}): {process.stderr.read().decode()[-2000:]}")
    segments = json.loads((out / "run.json").read_text())["segments"]
    return wall, usage.ru_maxrss // 1024, segments, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="workbench-scale-"))
    try:
        models = build_models(work)
        empty = work / "no-models"
        empty.mkdir()
        print(f"{'articles':>9} {'run':>9} {'segments':>9} {'wall s':>8} {'seg/s':>8} "
              f"{'peak MB':>8}")
        for size in sizes:
            corpus = work / f"corpus-{size}"
            make_corpus(corpus, size)
            rows = [("no model", empty, work / f"c0-{size}.db")]
            cache = work / f"c-{size}.db"
            rows += [("cold", models, cache), ("warm", models, cache)]
            for label, model_dir, cache_path in rows:
                wall, rss, segments, _ = run(corpus, work / f"out-{size}", model_dir,
                                             cache_path)
                print(f"{size:>9} {label:>9} {segments:>9} {wall:>8.1f} "
                      f"{segments / wall:>8.0f} {rss:>8}", flush=True)
            edited = edit_one_percent(corpus)
            wall, rss, segments, _ = run(corpus, work / f"out-{size}", models, cache)
            print(f"{size:>9} {'edited':>9} {segments:>9} {wall:>8.1f} {segments / wall:>8.0f} "
                  f"{rss:>8}   ({edited} files edited)", flush=True)
            shutil.rmtree(corpus)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
