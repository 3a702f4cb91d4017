"""Time of one ``glossary add``, ``rename`` and ``remove`` as the glossary grows, beside the
previous design, in one run.

The previous design parsed and rendered the whole file with tomlkit for every edit (and
parsed it twice more with tomllib): one add into a file of 20,000 entries took 15 s, and the
time grew faster than the file. The current one (``glossary.bulk.FileText``) finds the
``[[term]]`` tables with a line scan, parses and renders only the edited table with tomlkit,
splices it back and validates the whole glossary once with tomllib.

The glossaries are synthetic, made here: N entries in one file (``people.toml``, the worst
case: the edits' file is the big one), entry *i* with an English target, a type (the five in
turn), a Russian and a German form, a note on one in ten and a comment above one in seven.
Each edit runs in its own process (``python -m workbench glossary ...``, this interpreter,
PYTHONPATH and cwd the tree) on a fresh copy of the glossary, so each time includes the
start-up (shown apart). The previous design is ``git archive BASELINE`` unpacked into a
temporary folder; an edit that does not finish within the timeout is stopped and shown as
``> N s``, and larger sizes of that design are not tried. Every edit is checked: exit 0 and
as many ``[[term]]`` tables as it should leave.

- add: a new entry (``glossary add "Added Person" --type person --form ru=...``);
- extend: a new form for the entry in the middle of the file;
- rename, remove: the entry in the middle of the file.

Usage:
    uv run --group dev python benchmarks/glossary_edit.py [--sizes 2500,5000,10000,20000]
        [--baseline 6b59aa8] [--timeout 120]

On this 2-core machine (load 1-2 from other sessions; start-up 0.2 s in every figure):

         entries                 add          extend          rename          remove     peak MB
           2,500       0.9 s / 0.3 s   1.0 s / 0.3 s   1.3 s / 0.4 s   1.7 s / 0.7 s     62 / 38
           5,000       1.8 s / 0.4 s   1.8 s / 0.4 s   2.0 s / 0.4 s   1.8 s / 0.4 s     92 / 44
          10,000       4.0 s / 0.5 s   4.0 s / 0.5 s   4.0 s / 0.5 s   3.7 s / 0.5 s    152 / 56
          20,000       9.0 s / 0.9 s   8.5 s / 1.0 s   8.6 s / 1.0 s   8.5 s / 1.1 s    264 / 80

(The hostile probe's figures for the previous design, under more load: add 0.95 s, 1.5 s,
4.6 s, 15.0 s.) What is left of the current time is tomllib validating the whole glossary
once (about 0.4 s per 20,000 entries) and the checks of each entry.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "6b59aa8"  # the commit before edits worked on one table's text
TYPES = ("person", "title", "body", "document", "place")


def glossary_text(entries: int) -> str:
    """One glossary file of ``entries`` distinct entries, with comments and notes."""
    parts = ["# Synthetic glossary (benchmarks/glossary_edit.py)\n"]
    for i in range(entries):
        comment = f"# entry {i}\n" if i % 7 == 0 else ""
        note = f'note = "note for entry {i}"  # why\n' if i % 10 == 0 else ""
        parts.append(f'\n{comment}[[term]]\ntarget = "Term {i:06d} Alpha"\n'
                     f'type = "{TYPES[i % 5]}"\n{note}ru = ["Термин {i:06d}"]\n'
                     f'de = ["Begriff {i:06d}"]\n')
    return "".join(parts)


def edits(entries: int) -> dict[str, tuple[list[str], int]]:
    """Each edit's arguments and the number of tables it leaves."""
    middle = f"Term {entries // 2 // 5 * 5:06d} Alpha"  # a person, in the middle
    return {
        "add": (["add", "Added Person", "--type", "person", "--form", "ru=Добавленный",
                 "--form", "de=Hinzugefügt"], entries + 1),
        "extend": (["add", middle, "--type", "person", "--form", "nb=Lagt til"], entries),
        "rename": (["rename", middle, "Renamed Person"], entries),
        "remove": (["remove", middle], entries - 1),
    }


def run_edit(tree: Path, args: list[str], folder: Path, timeout: float
             ) -> tuple[float | None, int]:
    """Seconds the edit took in its own process (None past the timeout) and its peak KB."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "workbench", "glossary", *args,
                                "--glossary", str(folder)], cwd=tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if code < 0:
        return None, usage.ru_maxrss
    if code != 0:
        raise SystemExit(f"{tree}: glossary {' '.join(args)} failed (exit {code}): {error}")
    return elapsed, usage.ru_maxrss


def start_up(tree: Path) -> float:
    """Seconds ``python -m workbench glossary add --help`` takes (best of three)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "workbench", "glossary", "add", "--help"],
                       cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def unpack(ref: str, into: Path) -> None:
    """The tree of commit ``ref`` (``git archive``), in a folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def main() -> None:
    """Build the glossaries, time each edit with both designs, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000,20000",
                        help="Entries per glossary, comma-separated.")
    parser.add_argument("--baseline", default=BASELINE, help="The previous design's commit.")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds one edit of the previous design may take.")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="glossary-edit-bench-") as tmp:
        work = Path(tmp)
        previous = work / "previous"
        unpack(args.baseline, previous)
        print(f"start-up: previous {start_up(previous):.2f} s, current {start_up(ROOT):.2f} s",
              file=sys.stderr, flush=True)
        rows = _compare(work, previous, sizes, args.timeout)
    names = list(edits(1))
    print(f"\n{'entries':>12}    " + "".join(f"{name:>16}" for name in names)
          + f"{'peak MB':>12}    (each: previous / current)")
    for size, times, peaks in rows:
        shown = [f"{_seconds(times[name, 'previous'])} / {_seconds(times[name, 'current'])}"
                 for name in names]
        print(f"{size:>12,}    " + "".join(f"{cell:>16}" for cell in shown)
              + f"{peaks['previous'] // 1024:>7} / {peaks['current'] // 1024}")
    print(f"\n(previous: {args.baseline}; current: {ROOT}; each figure includes start-up)")


def _seconds(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.1f} s"


def _compare(work: Path, previous: Path, sizes: list[int], timeout: float
             ) -> list[tuple[int, dict[tuple[str, str], float | str], dict[str, int]]]:
    rows = []
    gave_up = False
    for size in sizes:
        source = work / f"glossary-{size}"
        source.mkdir()
        (source / "people.toml").write_text(glossary_text(size), "utf-8")
        times: dict[tuple[str, str], float | str] = {}
        peaks = {"previous": 0, "current": 0}
        for name, (arguments, tables) in edits(size).items():
            for design, tree in (("current", ROOT), ("previous", previous)):
                if design == "previous" and gave_up:
                    times[name, design] = f"> {timeout:.0f} s (not run)"
                    continue
                folder = work / f"{design}-{size}-{name}"
                shutil.copytree(source, folder)
                took, peak = run_edit(tree, arguments, folder, timeout if design ==
                                      "previous" else 3600)
                peaks[design] = max(peaks[design], peak)
                if took is None:
                    times[name, design] = f"> {timeout:.0f} s"
                    gave_up = True
                    continue
                found = (folder / "people.toml").read_text("utf-8").count("[[term]]")
                if found != tables:
                    raise SystemExit(f"{design}: {name} on {size} entries left {found} "
                                     f"tables, not {tables}")
                times[name, design] = took
                shutil.rmtree(folder)
        print(f"{size:,} entries: " + ", ".join(
            f"{name} {_seconds(times[name, 'previous'])} -> {_seconds(times[name, 'current'])}"
            for name in edits(size)), file=sys.stderr, flush=True)
        rows.append((size, times, peaks))
    return rows


if __name__ == "__main__":
    main()
