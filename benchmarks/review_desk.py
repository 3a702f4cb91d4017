"""The review desk on a large run: load times, save round trips and the desk's memory.

Translates a generated corpus (``scale.make_corpus``: German and Russian articles made of
WMT21 sentences, read from ../shared/eval/wmt21) with RANDOM-WEIGHT tiny models (built here,
tests/random_package.py), then serves it with ``workbench review --no-open --port 0`` in its
own process and drives it over HTTP as the page does. Each figure is printed beside its
target (the issue's bar); with Chromium present, the time until the page has drawn the index
and an article is measured too.

Usage: uv run --group dev python benchmarks/review_desk.py [--articles 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from desk_server import DeskProcess  # noqa: E402
from scale import WMT, build_models, make_corpus, run  # noqa: E402


def timed(step, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(what: str, times: list[float], target: float | None) -> None:
    median = statistics.median(times)
    worst = max(times)
    bar = f"< {target:.0f}" if target else "-"
    verdict = "" if target is None else ("ok" if worst < target else "OVER")
    print(f"{what:<34} {median:>9.1f} {worst:>9.1f} {bar:>9} {verdict:>5}", flush=True)


def memory(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024)


def browser_timings(desk: DeskProcess, article: str) -> list[tuple[str, list[float]]] | None:
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        def drawn(url: str, css: str) -> float:
            """From the start of navigation to the page's own mark that it has drawn."""
            driver.get("about:blank")
            driver.get(url)
            WebDriverWait(driver, 60, poll_frequency=0.005).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, css))
            return driver.execute_script(
                "return performance.getEntriesByName('desk-drawn')[0].startTime;")

        index = [drawn(desk.url + "/", "tr.article-row") for _ in range(5)]
        page = [drawn(f"{desk.url}/#/article/{urllib.parse.quote(article)}", "tr.seg.focus")
                for _ in range(5)]
        return [("browser: index drawn", index), ("browser: article drawn", page)]
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--run", type=Path, help="serve this finished run instead (its "
                        "approvals are changed, then undone)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="workbench-desk-"))
    try:
        if args.run:
            out = args.run
        else:
            if not WMT.is_dir():
                sys.exit(f"benchmark data missing: {WMT} (../shared/eval/wmt21); nothing "
                         "measured")
            models = build_models(work)
            corpus, out, cache = work / "corpus", work / "out", work / "cache.db"
            make_corpus(corpus, args.articles)
            wall, rss, segments, _ = run(corpus, out, models, cache)
            print(f"run: {args.articles:,} articles, {segments:,} segments, translated in "
                  f"{wall:.0f} s (peak {rss} MB)")
        started = time.perf_counter()
        with DeskProcess(out) as desk:
            ready = (time.perf_counter() - started) * 1000
            overview = desk.get("/api/run")
            articles = overview.json()["articles"]
            rng = random.Random(7)
            sample = rng.sample([a["article"] for a in articles], 20)
            print(f"desk ready (URL printed, page served) in {ready:.0f} ms; index JSON "
                  f"{len(overview.body) / 1e6:.1f} MB")
            print(f"{'':<34} {'median ms':>9} {'worst ms':>9} {'target':>9}")
            row("index (GET /api/run)", timed(lambda: desk.get("/api/run"), 10), 300)
            row("article (GET /api/article)",
                [timed(lambda a=a: desk.article(a), 1)[0] for a in sample], 300)
            segments_of = {a: desk.article(a)["segments"] for a in sample}
            saves = []
            for number, article in enumerate(sample):
                segment = next(s for s in segments_of[article] if s["reviewable"])
                body = {"article": article, "index": segment["index"],
                        "tgt": f"Reviewed English {number}.", "base": segment["tgt"]}
                start = time.perf_counter()
                answer = desk.post("/api/save", body)
                saves.append((time.perf_counter() - start) * 1000)
                assert answer.status == 200, answer.body
            row("save (POST /api/save)", saves, 100)
            undo = []
            for number, article in enumerate(sample):
                segment = next(s for s in segments_of[article] if s["reviewable"])
                body = {"article": article, "index": segment["index"],
                        "base": f"Reviewed English {number}."}
                start = time.perf_counter()
                assert desk.post("/api/withdraw", body).status == 200
                undo.append((time.perf_counter() - start) * 1000)
            row("undo approval (POST /api/withdraw)", undo, 100)
            word = segments_of[sample[0]][1]["src"].split()[2]
            row(f"concordance ({word!r})",
                timed(lambda: desk.get("/api/search?q=" + urllib.parse.quote(word)), 3), None)
            now, peak = memory(desk.process.pid)
            print(f"desk memory: {now} MB now, {peak} MB peak")
            measured = browser_timings(desk, sample[0])
            if measured is None:
                print("chromium missing: browser timings not measured")
            else:
                for what, times in measured:
                    row(what, times, 300)
        print(json.dumps({"exit": desk.process.returncode}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
