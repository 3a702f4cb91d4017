"""The cluster data path against the previous design (a git ref), side by side.

1. The driver's ceiling: 2,000 articles (benchmarks/scale.py's corpus of WMT21 German and
   Russian news sentences, from ../shared/eval), glossary on, a TEST-DOUBLE engine that
   returns its input at once, prepared articles cached and the translation cache cold.
   - previous design (``--baseline``, a git ref): everything but translation runs on the
     driver, so its rate is the ceiling of any cluster (measured in process, as there);
   - this design: the workers do everything; the driver plans, merges cache rows and writes
     run.json. Its ceiling is segments per CPU second of the driver process (Ray's threads
     included), the rate at which it would saturate with unlimited workers. The wall rate
     of this machine's few workers is shown beside it.
2. Growth with nodes: 1, 2 and 4 real Ray nodes on this machine (``ray.cluster_utils``, one
   CPU each), each worker's engine a TEST DOUBLE sleeping a fixed 10 ms per segment (so
   nodes, not this machine's cores, set the pace), over 200 articles of 20 WMT21 German
   sentences, none repeated, in parts of 10 articles, through the whole data path; also the
   time until the first part is back (start-up included) and the rate after it. Beside
   it, the previous design's growth as its own benchmark printed it (batches of segments
   only; run from the git ref).

3. The cache workers get (``--only cache``), this design beside ``--previous`` (the commit
   whose workers each copied a snapshot of the whole cache), each in a process of its own
   on a local Ray instance with 2 CPUs: on an unchanged corpus of ``--articles`` articles
   run twice (the same TEST-DOUBLE engine), the warm re-run's segments translated, its
   driver CPU (the ceiling: segments per driver-CPU second) and the bytes sent to workers
   (packed rows; before: the snapshot, once per worker) against the cache's size; and a
   worker's start-up (a run of 4 articles until its one part is back, best of three) with
   an empty cache and with one of a million synthetic translation rows.

Usage: uv run --group dev python benchmarks/cluster.py [--articles N] [--baseline REF]
       [--previous REF] [--only ceiling|growth|cache]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
WMT = ROOT.parent / "shared" / "eval" / "wmt21"
SLEEP_PER_SEGMENT = 0.010
GROWTH_ARTICLES, LINES_PER_ARTICLE = 200, 20
#: The design before the data path moved to the workers.
BASELINE = "9b6b97c"
#: The design whose workers each copied the whole cache.
PREVIOUS = "b1468cf"
BIG_CACHE_ROWS = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--baseline", default=BASELINE, help="git ref of the previous design")
    parser.add_argument("--previous", default=PREVIOUS,
                        help="git ref of the design that copied the cache to each worker")
    parser.add_argument("--only", choices=["ceiling", "growth", "cache"])
    args = parser.parse_args()
    if not WMT.exists():
        sys.exit(f"missing benchmark data: {WMT} (../shared/eval is not beside this clone)")
    work = Path(tempfile.mkdtemp(prefix="wb-cluster-"))
    try:
        if args.only in (None, "ceiling", "growth"):
            baseline = checkout(args.baseline, work / "baseline")
        if args.only in (None, "ceiling"):
            ceiling(work, args.articles, baseline, args.baseline)
        if args.only in (None, "growth"):
            growth(work, baseline, args.baseline)
        if args.only in (None, "cache"):
            cache_cost(work, args.articles, checkout(args.previous, work / "previous"),
                    args.previous)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def checkout(ref: str, into: Path) -> Path:
    """The previous design's files, from git (nothing in this clone changes)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


class Instant:
    """TEST DOUBLE engine: returns each input as its 'translation', at once."""

    batch_tokens = 1024
    supports_prefix = True
    loaded = False

    def __init__(self, src: str, version: int, sleep: float = 0.0) -> None:
        self.src, self.tgt, self.version, self.sleep = src, "en", version, sleep

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list:
        from workbench.engines.base import Translation

        time.sleep(self.sleep * len(texts))
        return [Translation(f"{(prefixes or [None] * len(texts))[i] or ''} {t}".strip(), -0.1)
                for i, t in enumerate(texts)]

    def translate_stream(self, batches, n_best: int = 1, alignment: bool = False):
        for batch in batches:
            yield self.translate_batch(batch, n_best, alignment)

    def prefix_problem(self, prefix: str) -> None:
        return None

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def signature(self) -> str:
        return f"instant-test-double|v{self.version}|sleep{self.sleep}"

    def release(self) -> None:
        pass


def doubles(version: int, sleep: float = 0.0):
    """Each worker's engine lookup: the test double for every pair."""
    return lambda settings: (lambda src, tgt: Instant(src, version, sleep))


class FirstPart:
    """Progress that notes when the first part came back, and the articles after it."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.after = 0

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        else:
            self.after += n

    def finish(self) -> None:
        pass


def cluster_run(corpus: Path, out: Path, cache: Path, version: int, sleep: float = 0.0,
                per_part: int = 50, progress: FirstPart | None = None
                ) -> tuple[int, float, float]:
    """(segments, wall seconds, driver CPU seconds) of one run through the data path."""
    from workbench.cluster.driver import translate_on_cluster
    from workbench.cluster.pool import RayCluster
    from workbench.settings import Settings

    settings = Settings(models_dir=out.parent / "none", cache_path=cache, cluster="ray",
                        glossary_paths=(ROOT / "glossary",))
    pool = RayCluster("ray", settings)
    wall, cpu = time.perf_counter(), time.process_time()
    result = translate_on_cluster(pool, [corpus], out, settings, progress,
                                  engines=doubles(version, sleep), articles_per_part=per_part)
    assert result.stats.complete, result.stats.errors[:3]
    return (result.stats.segments, time.perf_counter() - wall, time.process_time() - cpu)


def ceiling(work: Path, articles: int, baseline: Path, ref: str) -> None:
    import ray
    from scale import make_corpus

    corpus = work / "corpus"
    make_corpus(corpus, articles)
    print(f"Driver ceiling: {articles:,} articles, glossary on, instant TEST-DOUBLE engine, "
          "prepared articles cached, translation cache cold", flush=True)
    code = ("import sys, time; from pathlib import Path\n"
            f"sys.path[0:0] = [{str(baseline)!r}, {str(baseline / 'benchmarks')!r}, "
            f"{str(baseline / 'tests')!r}]\n"
            "import scale; scale.make_corpus = lambda folder, size: None\n"
            "from cluster import driver_ceiling\n"
            f"work = Path({str(work / 'old')!r}); work.mkdir()\n"
            f"(work / 'corpus').symlink_to({str(corpus)!r})\n"
            f"rate, count = driver_ceiling(work, {articles})\n"
            "print(rate, count)")
    old = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=baseline)
    if old.returncode:
        sys.exit(f"the baseline at {ref} failed:\n{old.stderr[-2000:]}")
    old_rate, old_count = old.stdout.split()[-2:]
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        cache = work / "new.db"
        cluster_run(corpus, work / "new-1", cache, 1)  # prepares, fills the cache
        segments, wall, cpu = cluster_run(corpus, work / "new-2", cache, 2)
    finally:
        ray.shutdown()
    print(f"{'':44}{'segments/s':>12}")
    print(f"{f'previous design ({ref}), driver does all':44}{float(old_rate):12,.0f}"
          f"   ({int(old_count):,} segments)")
    print(f"{'this design: driver ceiling (per CPU s)':44}{segments / cpu:12,.0f}"
          f"   ({segments:,} segments, driver CPU {cpu:.2f} s)")
    print(f"{f'this design: wall, {os.cpu_count()} workers on this machine':44}"
          f"{segments / wall:12,.0f}   ({wall:.1f} s)", flush=True)


def growth(work: Path, baseline: Path, ref: str) -> None:
    import ray
    from ray.cluster_utils import Cluster

    corpus = work / "growth-corpus"
    corpus.mkdir()
    lines = (WMT / "newstest2021.de-en.src.de").read_text("utf-8").splitlines()
    for n in range(GROWTH_ARTICLES):
        chunk = [f"{lines[(n * LINES_PER_ARTICLE + i) % len(lines)]} ({n}.{i})"
                 for i in range(LINES_PER_ARTICLE)]
        (corpus / f"wmt-{n:04d}.txt").write_text("\n".join(chunk) + "\n", "utf-8")
    cache = work / "growth.db"
    print(f"\nGrowth with nodes: {GROWTH_ARTICLES} articles of {LINES_PER_ARTICLE} sentences "
          f"through the data path, TEST-DOUBLE engine sleeping "
          f"{SLEEP_PER_SEGMENT * 1000:.0f} ms per segment, 1 CPU per node", flush=True)
    rates = {}
    for version, count in enumerate((1, 1, 2, 4)):  # the first run prepares, at no sleep
        nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        for _ in range(count - 1):
            nodes.add_node(num_cpus=1)
        ray.init(address=nodes.address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
        try:
            parts = FirstPart()
            started = time.perf_counter()
            segments, wall, _ = cluster_run(corpus, work / f"g{version}", cache, 10 + version,
                                            SLEEP_PER_SEGMENT if version else 0, per_part=10,
                                            progress=parts)
            done = time.perf_counter()
        finally:
            ray.shutdown()
            nodes.shutdown()
        if version:
            assert parts.first is not None
            # After the first part: start-up (connecting, workers, cache copies) is behind.
            steady = segments * parts.after / GROWTH_ARTICLES / (done - parts.first)
            rates[count] = (segments / wall, parts.first - started, steady)
    old = subprocess.run([sys.executable, str(baseline / "benchmarks" / "cluster.py"),
                          "--only", "growth"], capture_output=True, text=True, cwd=baseline,
                         env={**os.environ, "PYTHONPATH": str(baseline)})
    old_rows = {int(line.split()[0]): line.split()[1] for line in old.stdout.splitlines()
                if line.strip()[:1].isdigit()}
    print(f"{'nodes':>6}{'segments/s':>12}{'first part (s)':>16}{'after it (seg/s)':>18}"
          f"{f'previous ({ref}): segment batches only':>42}")
    for count, (rate, first, steady) in rates.items():
        print(f"{count:>6}{rate:>12,.0f}{first:>16.1f}{steady:>18,.0f}"
              f"{old_rows.get(count, 'n/a'):>42}")


#: Run in a process of its own with one design's tree first on sys.path (its workers get it
#: through PYTHONPATH): prints one JSON line of figures.
CACHE_SCRIPT = r"""
import json, os, sqlite3, sys, time
from pathlib import Path
tree, corpus, work, big, rows = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), \
    Path(sys.argv[4]), int(sys.argv[5])
import ray
from workbench.cache.store import TranslationCache
from workbench.cluster.driver import translate_on_cluster
from workbench.cluster.pool import RayCluster
from workbench.engines.base import Translation
from workbench.settings import Settings

class Instant:  # TEST DOUBLE engine: each input back as its 'translation', at once
    batch_tokens, supports_prefix, loaded, tgt = 1024, True, False, "en"
    def __init__(self, src): self.src = src
    def translate_batch(self, texts, n_best=1, alignment=False, prefixes=None):
        return [Translation(f"{(prefixes or [None] * len(texts))[i] or ''} {t}".strip(), -0.1)
                for i, t in enumerate(texts)]
    def translate_stream(self, batches, n_best=1, alignment=False):
        for batch in batches:
            yield self.translate_batch(batch, n_best, alignment)
    def prefix_problem(self, prefix): return None
    def count_tokens(self, text): return len(text.split())
    def signature(self): return "instant-test-double|cache-benchmark"
    def release(self): pass

def engines(settings):
    return lambda src, tgt: Instant(src)

class First:
    first = None
    def start(self, label, total): pass
    def advance(self, n): self.first = self.first or time.perf_counter()
    def finish(self): pass

def run(inputs, out, cache):
    settings = Settings(models_dir=work / "none", cache_path=cache, cluster="ray",
                        glossary_paths=(Path(tree) / "glossary",), **({"auto_names": False}
                        if "auto_names" in Settings.__dataclass_fields__ else {}))
    first, wall, cpu = First(), time.perf_counter(), time.process_time()
    result = translate_on_cluster(RayCluster("ray", settings), inputs, out, settings, first,
                                  engines=engines, articles_per_part=50)
    assert result.stats.complete, result.stats.errors[:3]
    cluster = json.loads((out / "run.json").read_text())["cluster"]
    return result.stats, first.first - wall, time.process_time() - cpu, cluster

def size(path):
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())

ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
figures = {}
cache = work / "c.db"
run([corpus], work / "fill", cache)
figures["cache_bytes"] = size(cache)
stats, _, cpu, cluster = run([corpus], work / "warm", cache)
figures.update(segments=stats.segments, translated=stats.statuses["translated"],
               driver_cpu=cpu, workers=cluster["workers"],
               # before: each worker copied a snapshot of the whole cache
               to_workers=cluster.get("bytes_to_workers", figures["cache_bytes"] *
                                      cluster["workers"]))
try:  # this design: how much of what the workers got was prepared articles
    from workbench.cache.subset import article_index_key, pack_rows, rows_for_articles
    with TranslationCache(cache) as opened:
        shipment = rows_for_articles(opened, [article_index_key("en", p, 0)
                                              for p in sorted(corpus.iterdir())])
    figures["prepared_share"] = len(pack_rows([e for e in shipment if e[0] == "prepared"])
                                    ) / len(pack_rows(shipment))
except ImportError:
    pass
small = work / "small"
small.mkdir()
for path in sorted(corpus.iterdir())[:4]:
    (small / path.name).write_bytes(path.read_bytes())
for name, path in (("empty", work / "empty.db"), ("big", big)):
    if name == "big" and path.exists():  # made by the other design: migrated if need be,
        TranslationCache(path).close()  # as any run of this design would, before timing
    elif name == "big":  # a million synthetic translations
        with TranslationCache(path) as made:
            made.conn.execute("BEGIN")
            made.conn.executemany(
                "insert into translations (key, text_key, signature, src_lang, tgt_lang, "
                "source, target, score, created, glossary, segment_key, segment_text_key) "
                "values (?, ?, 'synthetic', 'de', 'en', ?, ?, -0.1, '2026', '[]', ?, ?)",
                ((f"{n:064x}", f"{n + 1:064x}", f"Ein synthetischer Satz Nummer {n} " * 3,
                  f"A synthetic sentence number {n} " * 3, f"{n + 2:064x}", f"{n + 3:064x}")
                 for n in range(rows)))
            made.conn.execute("COMMIT")
            made.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    figures[f"{name}_cache_bytes"] = size(path)
    figures[f"startup_{name}"] = min(run([small], work / f"start-{name}-{n}", path)[1]
                                     for n in range(3))  # the best of three
ray.shutdown()
print(json.dumps(figures))
"""


def cache_cost(work: Path, articles: int, previous: Path, ref: str) -> None:
    """Section 3: the cache the workers get, this design beside the previous one."""
    from scale import make_corpus

    corpus = work / "cache-corpus"
    make_corpus(corpus, articles)
    big = work / "big.db"  # made by the previous design first: this one migrates it after
    print(f"\nThe cache workers get: {articles:,} articles run twice (warm re-run), "
          f"TEST-DOUBLE engine, local Ray with 2 CPUs; start-up: a run of 4 articles until "
          f"its part is back, with an empty cache and with {BIG_CACHE_ROWS:,} synthetic "
          "translation rows", flush=True)
    results = {}
    for name, tree in ((f"previous ({ref})", previous), ("this design", ROOT)):
        own = work / f"cache-{tree.name}"
        own.mkdir()
        done = subprocess.run([sys.executable, "-c", CACHE_SCRIPT, str(tree), str(corpus),
                               str(own), str(big), str(BIG_CACHE_ROWS)], cwd=tree,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(tree)})
        if done.returncode:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{'':26}{'warm: translated':>17}{'to workers':>14}{'of cache':>10}"
          f"{'driver seg/CPU s':>18}{'start-up empty':>16}{'start-up 1M':>13}")
    for name, f in results.items():
        print(f"{name:26}{f['translated']:>17,}{f['to_workers'] / 1e6:>11.1f} MB"
              f"{f['to_workers'] / f['cache_bytes']:>10.1%}"
              f"{f['segments'] / f['driver_cpu']:>18,.0f}{f['startup_empty']:>14.2f} s"
              f"{f['startup_big']:>11.2f} s")
    for name, f in results.items():
        if "prepared_share" in f:
            print(f"  {name}: prepared articles are {f['prepared_share']:.0%} of the bytes "
                  "sent to workers (the rest: English, matches, QA flags)")
        print(f"  {name}: {f['segments']:,} segments, {f['workers']} workers, cache "
              f"{f['cache_bytes'] / 1e6:.1f} MB; 1M-row cache {f['big_cache_bytes'] / 1e6:.0f}"
              f" MB; driver CPU {f['driver_cpu']:.2f} s")


if __name__ == "__main__":
    main()
