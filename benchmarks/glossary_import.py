"""Time of ``workbench glossary import`` on TBX files of growing size, beside the previous design.

The previous design applied each entry with ``glossary add``: it read, re-parsed (tomlkit),
validated and rewrote the whole glossary once per entry, in a copy under /tmp, so an import
grew with the square of its size (250 entries 10 s, 1,000 entries 108 s). The current one
(``glossary.bulk``) loads and validates the glossary once, applies each entry against an index
of the entries and of the forms they own, and validates the result once before writing.

The TBX files are synthetic, made here: entry *i* has an English term, a type (the five types
in turn), a Russian and a German form and, for one entry in ten, a note; every form is its
own. Each import runs in its own process (``python -m workbench``, the same interpreter) into
an empty glossary folder, so it includes start-up (about 0.3 s). The previous design is
commit 7201cea, checked out in a temporary ``git worktree``; an import that does not finish
within the timeout is stopped and shown as ``> N s``, and larger sizes of that design are not
tried. Every finished import is checked: as many ``[[term]]`` tables as entries.

Usage:
    uv run --group dev python benchmarks/glossary_import.py [--sizes 250,1000,2000,20000]
        [--timeout 120]

On this 2-core machine (each time includes the process start, about 0.2 s):

     entries    previous (7201cea)    current  current per 1,000   peak RSS prev/cur
         250                 2.8 s      0.2 s             0.90 s     36 MB / 35 MB
       1,000                37.5 s      0.3 s             0.33 s     42 MB / 41 MB
       2,000               > 120 s      0.4 s             0.20 s     49 MB / 48 MB
      20,000     > 120 s (not run)      2.7 s             0.13 s         - / 177 MB

(A re-import of the 20,000 entries into that glossary, every entry unchanged: 3.0 s.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = "7201cea"
TYPES = ("person", "title", "body", "document", "place")


def tbx(entries: int) -> str:
    """A TBX-Basic file of ``entries`` distinct entries."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<martif type="TBX-Basic" xml:lang="en"><text><body>']
    for i in range(entries):
        note = f"<note>{escape(f'note for entry {i} & more')}</note>" if i % 10 == 0 else ""
        lines.append(
            f'<termEntry id="e{i}"><descrip type="subjectField">{TYPES[i % 5]}</descrip>'
            f"{note}"
            f'<langSet xml:lang="en"><tig><term>Term {i:06d} Alpha</term></tig></langSet>'
            f'<langSet xml:lang="ru"><tig><term>Термин {i:06d}</term></tig></langSet>'
            f'<langSet xml:lang="de"><tig><term>Begriff {i:06d}</term></tig></langSet>'
            "</termEntry>")
    lines.append("</body></text></martif>")
    return "\n".join(lines) + "\n"


def run_import(tree: Path, source: Path, folder: Path, timeout: float
               ) -> tuple[float | None, int]:
    """Seconds the import took in its own process (None past the timeout) and its peak KB."""
    temp = folder.with_name(folder.name + "-tmp")  # a killed import's leftovers stay in it
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tree), "TMPDIR": str(temp)}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "glossary", "import", str(source),
         "--glossary", str(folder)], cwd=tree, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if elapsed >= timeout or process.returncode < 0:
        return None, usage.ru_maxrss
    if process.returncode != 0:
        raise SystemExit(f"{tree}: glossary import of {source} failed "
                         f"(exit {process.returncode})")
    return elapsed, usage.ru_maxrss


def tables(folder: Path) -> int:
    """How many ``[[term]]`` tables the glossary folder holds."""
    return sum(f.read_text("utf-8").count("[[term]]") for f in folder.glob("*.toml"))


def main() -> None:
    """Build the TBX files, time both designs, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,2000,20000",
                        help="Entries per TBX, comma-separated.")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds an import of the previous design may take.")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="glossary-import-bench-") as tmp:
        work = Path(tmp)
        previous = work / "previous"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                        str(previous), PREVIOUS], check=True)
        try:
            rows = _compare(work, previous, sizes, args.timeout)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(previous)], check=False)
    print(f"\n{'entries':>8}  {'previous (' + PREVIOUS + ')':>20}  {'current':>9}  "
          f"{'current per 1,000':>17}  {'peak RSS prev/cur':>18}")
    for size, old, new, old_kb, new_kb in rows:
        shown = f"{old:.1f} s" if isinstance(old, float) else old
        print(f"{size:>8,}  {shown:>20}  {new:>7.1f} s  {new / size * 1000:>15.2f} s  "
              f"{(f'{old_kb // 1024} MB' if old_kb else '-'):>8} / {new_kb // 1024} MB")


def _compare(work: Path, previous: Path, sizes: list[int], timeout: float
             ) -> list[tuple[int, float | str, float, int, int]]:
    rows = []
    gave_up: int | None = None
    for size in sizes:
        source = work / f"terms-{size}.tbx"
        source.write_text(tbx(size), "utf-8")
        new, new_kb = run_import(ROOT, source, work / f"current-{size}", 3600)
        assert new is not None
        if tables(work / f"current-{size}") != size:
            raise SystemExit(f"current: {size} entries imported as "
                             f"{tables(work / f'current-{size}')} tables")
        old: float | str
        old_kb = 0
        if gave_up is not None:
            old = f"> {timeout:.0f} s (not run)"
        else:
            took, old_kb = run_import(previous, source, work / f"previous-{size}", timeout)
            if took is None:
                gave_up = size
                old = f"> {timeout:.0f} s"
            else:
                old = took
                if tables(work / f"previous-{size}") != size:
                    raise SystemExit(f"previous: {size} entries imported as "
                                     f"{tables(work / f'previous-{size}')} tables")
        print(f"{size:,} entries: previous {old if isinstance(old, str) else f'{old:.1f} s'}, "
              f"current {new:.1f} s", file=sys.stderr, flush=True)
        rows.append((size, old, new, old_kb, new_kb))
    return rows


if __name__ == "__main__":
    main()
