"""Peak memory of ``workbench corrections apply`` on a large XLIFF, beside the previous design.

A reviewer's XLIFF of 424,000 units (60 MB) took 884 MB when it was parsed as one tree and
its units held in lists; the streaming reader (``etree.iterparse``, each unit cleared once
read, units to store staged in a temporary SQLite file) should stay flat whatever the size.

The run is real: articles translated by the TEST-DOUBLE engine (tests/fakes.py, it reverses
words) through the pipeline into a cache and ``records.jsonl``, then ``workbench export
--format xliff`` writes ``records.xlf``, as a reviewer would receive it. Every other unit is
then edited as a CAT tool does (new English, ``state="translated"``; notes and the writer's
other attributes dropped, so 424,000 units are about the issue's 60 MB, under the previous
design's 64 MB limit) and the first N units are kept for each size. Each ``corrections
apply`` runs in its own process on its own copy of the cache; its peak RSS is read from
``resource.getrusage(RUSAGE_CHILDREN)`` in a helper process that ran only it. The previous
design is commit 7201cea, checked out in a temporary ``git worktree`` and run with the same
interpreter. The run is built with the previous commit's pipeline, so both designs read
identical files.

Usage:
    uv run --group dev python benchmarks/corrections_memory.py [--units 100000,400000]

On this 2-core machine (run of 400,000 segments built and exported in 91 s):

       units  XLIFF MB   previous (7201cea)        current  current time
     100,000      15.2               247 MB          48 MB         3.4 s
     400,000      61.4               884 MB          48 MB        12.9 s
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = "7201cea"
SEGMENTS_PER_ARTICLE = 50
WORDS = ("regjeringen", "la", "fram", "budsjettet", "i", "dag", "og", "statsministeren", "var",
         "fornøyd", "med", "det", "nye", "forslaget", "fra", "komiteen", "etter", "lange",
         "forhandlinger", "om", "skatt", "velferd")
_UNIT = re.compile(r'<trans-unit id="([^"]*)".*?<source[^>]*>(.*?)</source>'
                   r"<target[^>]*>en:(.*?)</target>")

_BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from fakes import FakeEngines
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

if __name__ == "__main__":
    root = Path({root!r})
    settings = Settings(models_dir=root / "models", cache_path=root / "cache.db",
                        glossary_paths=())
    stats = translate_inputs([root / "articles"], root / "out", settings, FakeEngines(["nb"]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", default="100000,400000",
                        help="XLIFF sizes in units, comma-separated [100000,400000]")
    parser.add_argument("--measure", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # helper: run one command, report only its peak RSS
        done = subprocess.run(args.measure, capture_output=True, text=True)
        print(json.dumps({"rc": done.returncode, "kb": resource.getrusage(
            resource.RUSAGE_CHILDREN).ru_maxrss, "err": done.stderr[-400:]}))
        return
    sizes = sorted(int(n) for n in args.units.split(","))
    with tempfile.TemporaryDirectory(prefix="corrections-memory-") as tmp:
        work = Path(tmp)
        previous = work / "previous"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(previous),
                        PREVIOUS], check=True, capture_output=True)
        try:
            _compare(work, previous, sizes)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(previous)], capture_output=True)


def _compare(work: Path, previous: Path, sizes: list[int]) -> None:
    started = time.perf_counter()
    out = _build_run(work, previous, max(sizes))
    print(f"run of {max(sizes):,} segments built and exported in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    print(f"{'units':>8} {'XLIFF MB':>9} {'previous (' + PREVIOUS + ')':>20} {'current':>14}"
          f" {'current time':>13}")
    for size in sizes:
        xliff = _edited_xliff(out / "records.xlf", work / f"edited-{size}.xlf", size)
        row = []
        for tree in (previous, ROOT):
            cache = work / f"cache-{size}-{tree.name}.db"
            shutil.copy(work / "cache.db", cache)
            row.append(_peak(tree, xliff, cache))
            cache.unlink()
        megabytes = xliff.stat().st_size / 1e6
        print(f"{size:>8,} {megabytes:>9.1f} {row[0][0] / 1024:>17.0f} MB "
              f"{row[1][0] / 1024:>11.0f} MB {row[1][1]:>11.1f} s", flush=True)
        xliff.unlink()


def _build_run(work: Path, tree: Path, segments: int) -> Path:
    """A translated run of ``segments`` segments and its XLIFF; the output folder."""
    articles = work / "articles"
    articles.mkdir()
    rnd = random.Random(7)
    for article in range(-(-segments // SEGMENTS_PER_ARTICLE)):
        lines = [" ".join(rnd.choice(WORDS) for _ in range(3)).capitalize()
                 + f" {article}-{n}." for n in range(SEGMENTS_PER_ARTICLE)]
        (articles / f"a{article:06d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    script = work / "build.py"
    script.write_text(_BUILD.format(tests=str(ROOT / "tests"), root=str(work)), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, str(script)], check=True, env=env, cwd=tree)
    subprocess.run([sys.executable, "-m", "workbench", "export", str(work / "out"), "--cache",
                    str(work / "cache.db"), "--format", "xliff"], check=True, env=env,
                   cwd=tree, capture_output=True)
    return work / "out"


def _edited_xliff(source: Path, path: Path, units: int) -> Path:
    """The first ``units`` units of ``source``, every other one edited and marked done."""
    count = 0
    open_file = False
    with source.open(encoding="utf-8") as lines, path.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.startswith("<trans-unit"):
                if count == units:
                    continue
                count += 1
                unit_id, source, english = _UNIT.match(line).groups()
                state = ""
                if count % 2:
                    english, state = f"Reviewed {count}: {english}", ' state="translated"'
                line = (f'<trans-unit id="{unit_id}"><source>{source}</source>'
                        f"<target{state}>{english}</target></trans-unit>\n")
            elif line.startswith("<file"):
                if count == units:
                    continue
                open_file = True
            elif line.startswith("</body></file>"):
                if not open_file:
                    continue
                open_file = False
            out.write(line)
    return path


def _peak(tree: Path, xliff: Path, cache: Path) -> tuple[int, float]:
    """Peak RSS (KB) and seconds of ``corrections apply`` run from ``tree``."""
    command = [sys.executable, "-m", "workbench", "corrections", "apply", str(xliff),
               "--cache", str(cache)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--measure", *command], env=env,
                          cwd=tree, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    result = json.loads(done.stdout)
    if result["rc"] not in (0, 3):
        raise SystemExit(f"{tree}: corrections apply failed ({result['rc']}): {result['err']}")
    return result["kb"], seconds


if __name__ == "__main__":
    main()
