"""Time and peak memory of segmentation and page extraction as the input grows, side by side
with an earlier version (a git ref), in one run.

- a paragraph of 1, 4 and 16 MB (German news sentences from seeds/, repeated, one line):
  ``split_sentences`` and then ``cap_length`` of each sentence;
- an HTML page of 1k, 10k and 100k paragraphs (``extract_page``: trafilatura plus our caption
  placement), and one of 100k nested divs.

Each measurement runs in its own process; one that takes longer than --timeout seconds is
shown as such. Peak MB is the process's own maximum resident set (it includes Python and
the imports, about 30-60 MB). Growth no worse than linear means the time per MB (or per 1k
elements) stays flat down a column.

Usage: uv run python benchmarks/hostile_sizes.py [--baseline c9b00cd] [--timeout 60]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PARAGRAPH = """
import sys, time, resource
from pathlib import Path
from workbench.text.segment import cap_length, split_sentences
seeds = sorted(Path(sys.argv[2]).glob("*.txt"))
german = next(p for p in seeds if "Generalsekretär" in p.read_text("utf-8"))
lines = [l for l in german.read_text("utf-8").splitlines() if l.strip().endswith(".")]
seed = " ".join(lines)
text = (seed + " ") * (int(sys.argv[1]) * 1024 * 1024 // (len(seed) + 1))
start = time.perf_counter()
pieces = [p for s in split_sentences(text, "de") for p in cap_length(s)]
print(time.perf_counter() - start, len(pieces),
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""

PAGE = """
import resource, sys, time
from pathlib import Path
from workbench.text.html_page import extract_page
n, nested = int(sys.argv[1]), sys.argv[2] == "nested"
sentence = "Die Regierung hat heute den neuen Haushalt vorgestellt, der Kanzler war zufrieden"
if nested:
    body = "<div>x " * n + "<p>" + sentence + ".</p>" + "</div>" * n
else:
    body = "".join(f"<p>{sentence}, Absatz {i}.</p>" for i in range(n))
data = f"<html><body><h1>Der Haushalt</h1>{body}</body></html>".encode()
start = time.perf_counter()
try:
    lines = len(extract_page(Path("page.html"), data).lines)
except Exception as err:
    lines = type(err).__name__
print(time.perf_counter() - start, lines,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def measure(code: str, args: list[str], package_root: Path, timeout: float) -> str:
    """'seconds s / peak MB' of one measurement in a fresh process."""
    command = [sys.executable, "-c", code, *args]
    env = {"PYTHONPATH": str(package_root), "PATH": "/usr/bin:/bin"}
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=env, cwd=package_root)
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f">{timeout:.0f} s"
    if process.returncode:
        return f"failed ({err.decode()[-80:].strip()})"
    seconds, _, peak = out.split()
    return f"{float(seconds):6.2f} s / {int(peak):4d} MB"


def baseline_tree(ref: str, into: Path) -> Path:
    """The package as it was at ``ref``, unpacked beside (never instead of) this one."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "workbench"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="c9b00cd",
                        help="git ref of the version to compare with (default: the main "
                             "before hostile inputs round two)")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        old = baseline_tree(args.baseline, Path(work))
        seeds = str(ROOT / "seeds")
        rows = [(f"paragraph {mb} MB", PARAGRAPH, [str(mb), seeds]) for mb in (1, 4, 16)]
        rows += [(f"page {n // 1000}k <p>", PAGE, [str(n), "flat"])
                 for n in (1000, 10_000, 100_000)]
        rows += [("page 100k nested divs", PAGE, ["100000", "nested"])]
        print(f"{'input':<24} {'this version':>22} {args.baseline:>22}")
        for label, code, extra in rows:
            now = measure(code, extra, ROOT, args.timeout)
            then = measure(code, extra, old, args.timeout)
            print(f"{label:<24} {now:>22} {then:>22}", flush=True)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - start:.0f} s")
