"""Review pages at scale: write them for N synthetic articles, then time their loading in
headless Chromium (Debian's chromium and chromedriver), with the writer's peak memory.

The records are synthetic (48 segments an article, WMT21 sentences, a few flags), written
straight to a run folder: this measures the pages, not translation.

Usage: uv run python benchmarks/review_pages.py [--articles 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WMT = ROOT.parent / "shared" / "eval" / "wmt21" / "newstest2021.de-en.src.de"
REF = ROOT.parent / "shared" / "eval" / "wmt21" / "newstest2021.de-en.ref.A.en"


def make_run(out: Path, articles: int, per_article: int = 48) -> None:
    """Write records.jsonl and articles.jsonl of a synthetic run."""
    from workbench.outputs.run_folder import RunWriter, write_manifest
    from workbench.records import ArticleInfo, Kind, Record, Status

    src = [line.strip() for line in WMT.read_text("utf-8").splitlines()]
    ref = [line.strip() for line in REF.read_text("utf-8").splitlines()]
    out.mkdir(parents=True)
    with RunWriter(out) as writer:
        for a in range(articles):
            article = f"article-{a:06d}"
            records = []
            for i in range(per_article):
                n = (a * per_article + i) % len(src)
                kind = Kind.TITLE if i == 0 else Kind.BODY
                status = Status.CACHED if i % 17 else Status.APPROVED
                records.append(Record(article, i, kind, "de", src[n], "en",
                                      ref[n] if i % 23 else "", status, -0.4 - (i % 5) / 2))
            writer.write(ArticleInfo(article, f"{article}.txt", "de", 1.0,
                                     site="example.de", date="2025-10-29",
                                     segments={"body": per_article}), records)
    write_manifest(out, {"started": "benchmark", "segments": articles * per_article})


def write_pages(out: Path) -> tuple[float, int]:
    """(seconds, peak RSS MB) of writing the pages, in a fresh process."""
    code = ("from pathlib import Path; from workbench.run.export import export; "
            f"export(Path({str(out)!r}), ['html'])")
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        sys.exit("writing the pages failed")
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def load_times(out: Path) -> tuple[float, float]:
    """Seconds to load the index and one article page in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    profile = tempfile.mkdtemp(prefix="chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get("about:blank")  # the browser's own start-up is not the page's cost
        timings = []
        for page in (out / "review.html", out / "review" / "00001.html"):
            start = time.perf_counter()
            driver.get(page.resolve().as_uri())
            driver.execute_script("return document.getElementById('count').textContent;")
            timings.append(time.perf_counter() - start)
        return timings[0], timings[1]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="workbench-review-"))
    try:
        out = work / "out"
        make_run(out, args.articles)
        seconds, peak = write_pages(out)
        index, article = load_times(out)
        size = (out / "review.html").stat().st_size / 1e6
        print(f"articles {args.articles}: pages written in {seconds:.1f} s, peak RSS {peak} MB; "
              f"index {size:.1f} MB loads in {index:.2f} s (goal < 2 s), an article page in "
              f"{article:.2f} s (goal < 0.5 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
