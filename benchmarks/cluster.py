"""Ray's overhead against the in-process path, and the driver's own ceiling.

1. Overhead: the same model and input, translated in process (2 replicas x 1 thread, the
   local default on 2 cores) and with ``--cluster ray`` on a local Ray instance (2 workers x
   1 thread), each on a new cache. The model is RANDOM-WEIGHT and Argos-sized (6+6 layers,
   d_model 512, int8; tests/random_package.py), the input WMT21 German news sentences
   (../shared/eval/wmt21) in articles of 20. Ray's start-up (a local instance, the actors) is
   shown apart from the run itself.
2. The driver's ceiling: what the driver does per segment besides translating (cache
   lookups, cache writes, glossary enforcement, record assembly and the JSON Lines), measured
   with a TEST-DOUBLE engine that returns its input at once, on articles already prepared (the
   prepared-article cache is warm; the translation cache is cold). No cluster can go faster
   than this, whatever its size.

3. Growth with nodes: 1, 2 and 4 real Ray nodes on this machine (``ray.cluster_utils``,
   one CPU each), translating through ``RayCluster.translate`` with a TEST-DOUBLE worker
   that sleeps a fixed 2 ms per segment (so nodes, not this machine's two cores, set the
   pace). Beside it, the pool's previous dispatch (round robin, results taken in
   submission order) on the same nodes, with one node four times slower, as a straggler.

Usage: uv run --extra ray python benchmarks/cluster.py [--sentences N] [--articles N]
       [--only growth]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # random-weight package builder, shared with tests
sys.path.insert(0, str(ROOT / "benchmarks"))
WMT = ROOT.parent / "shared" / "eval" / "wmt21" / "newstest2021.de-en.src.de"
LINES_PER_ARTICLE = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--only", choices=["growth"], help="run only the node growth part")
    args = parser.parse_args()
    if args.only == "growth":
        growth()
        return
    if not WMT.exists():
        sys.exit(f"missing benchmark data: {WMT}")
    work = Path(tempfile.mkdtemp(prefix="wb-cluster-"))
    try:
        local, ray_total, ray_run, startup, segments, workers = overhead(work, args.sentences)
        print(f"\n{'':52}{'seconds':>9}{'segments/s':>12}")
        print(f"{'in process (2 replicas x 1 thread)':52}{local:9.1f}{segments / local:12.1f}")
        print(f"{f'--cluster ray, local instance ({workers} workers x 1 thread)':52}"
              f"{ray_total:9.1f}{segments / ray_total:12.1f}")
        print(f"{'  of which Ray start-up (instance, actors)':52}{startup:9.1f}")
        print(f"{'  the run itself':52}{ray_run:9.1f}{segments / ray_run:12.1f}")
        print(f"Ray overhead: {ray_run / local:.2f}x the in-process time for the run itself, "
              f"{ray_total / local:.2f}x with start-up (goal: within 1.15x)")
        rate, count = driver_ceiling(work, args.articles)
        print(f"\nDriver ceiling ({count} segments of {args.articles} prepared articles, "
              f"instant test-double engine, cold translation cache): {rate:,.0f} segments/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    growth()


class SleepingWorker:
    """TEST DOUBLE for TranslationWorker: 'translates' by sleeping a fixed time per segment.

    The first actor created on each node sleeps ``slow`` times longer when asked, so a
    straggler can be measured.
    """

    def __init__(self, settings) -> None:
        import ray

        self.factor = 1.0
        self.node = ray.get_runtime_context().get_node_id()

    def where(self) -> tuple[str, str]:
        import socket

        return self.node, socket.gethostname()

    def slow_down(self, factor: float) -> None:
        self.factor = factor

    def translate(self, package_dir, texts, n_best, alignment, prefixes):
        from workbench.engines.base import Translation

        time.sleep(SLEEP_PER_SEGMENT * len(texts) * self.factor)
        return [Translation(t, -0.1) for t in texts]


SLEEP_PER_SEGMENT = 0.002


def growth() -> None:
    import ray
    from ray.cluster_utils import Cluster

    from workbench.engines.ray import RayCluster
    from workbench.settings import Settings

    batches = [[f"segment {n} {i}" for i in range(16)] for n in range(240)]
    segments = sum(map(len, batches))
    print(f"\nGrowth with nodes ({segments:,} segments, test-double worker sleeping "
          f"{SLEEP_PER_SEGMENT * 1000:.0f} ms per segment, 1 CPU per node)")
    print(f"{'nodes':>6}{'segments/s':>12}{'previous dispatch':>19}"
          f"{'with a 4x straggler':>21}{'previous':>10}")
    for count in (1, 2, 4):
        if ray.is_initialized():
            ray.shutdown()
        nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        for _ in range(count - 1):
            nodes.add_node(num_cpus=1)
        ray.init(address=nodes.address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
        try:
            pool = RayCluster("ray", Settings(), worker_class=SleepingWorker)
            rates = []
            for straggler in (1.0, 4.0):
                ray.get(pool._actors[0].slow_down.remote(straggler))
                for dispatch in (_now, _previous):
                    start = time.perf_counter()
                    results = list(dispatch(pool, batches))
                    assert all(isinstance(r, list) for r in results)
                    rates.append(segments / (time.perf_counter() - start))
            pool.close()
        finally:
            ray.shutdown()
            nodes.shutdown()
        print(f"{count:>6}{rates[0]:>12,.0f}{rates[1]:>19,.0f}{rates[2]:>21,.0f}"
              f"{rates[3]:>10,.0f}", flush=True)


def _now(pool, batches):
    return pool.translate(Path("unused"), batches, 1, False)


def _previous(pool, batches):
    """The dispatch before this design (git 9cccea4): round robin, results in order."""
    from collections import deque

    import ray

    futures = deque()
    limit = 2 * len(pool._actors)
    for turn, texts in enumerate(batches):
        actor = pool._actors[turn % len(pool._actors)]
        futures.append(actor.translate.remote("unused", texts, 1, False, None))
        if len(futures) >= limit:
            yield ray.get(futures.popleft())
    while futures:
        yield ray.get(futures.popleft())


def overhead(work: Path, sentences: int) -> tuple[float, float, float, float, int, int]:
    from random_package import ModelSize, build_random_package

    from workbench.engines.lookup import ArgosEngines
    from workbench.engines.ray import RayCluster, RayEngines
    from workbench.models.packages import install_archive
    from workbench.run.runner import translate_inputs
    from workbench.settings import Settings

    lines = WMT.read_text("utf-8").splitlines()[:sentences]
    print("Building a random-weight Argos-size de→en model ...", flush=True)
    size = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab=8000)
    archive = build_random_package(work / "archives", "de", lines, size=size,
                                   quantization="int8")
    models = work / "models"
    install_archive(archive, models)
    articles = work / "articles"
    articles.mkdir()
    for start in range(0, len(lines), LINES_PER_ARTICLE):
        chunk = lines[start:start + LINES_PER_ARTICLE]
        (articles / f"wmt-{start:05d}.txt").write_text("\n".join(chunk) + "\n", "utf-8")

    settings = Settings(models_dir=models, cache_path=work / "local.db")
    start = time.perf_counter()
    result = translate_inputs([articles], work / "out-local", settings, ArgosEngines(settings))
    local = time.perf_counter() - start
    segments = result.stats.segments

    import ray

    settings = Settings(models_dir=models, cache_path=work / "ray.db", cluster="ray")
    start = time.perf_counter()
    ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    cluster = RayCluster("ray", settings)
    ray.get([actor.translate.remote("", [], 1, False, None) for actor in cluster._actors])
    started = time.perf_counter()
    try:
        translate_inputs([articles], work / "out-ray", settings,
                         RayEngines(ArgosEngines(settings), cluster))
    finally:
        cluster.close()
        ray.shutdown()
    done = time.perf_counter()
    same = (work / "out-ray" / "records.jsonl").read_bytes() == \
        (work / "out-local" / "records.jsonl").read_bytes()
    print(f"records identical to the in-process run: {same}")
    return local, done - start, done - started, started - start, segments, cluster.workers


def driver_ceiling(work: Path, size: int) -> tuple[float, int]:
    from scale import make_corpus

    from workbench.engines.base import Engine, Translation
    from workbench.run.runner import translate_inputs
    from workbench.settings import Settings

    class Instant(Engine):
        """TEST DOUBLE: returns each input as its 'translation', at once."""

        def __init__(self, src: str, version: int) -> None:
            self.src, self.tgt, self.version = src, "en", version
            self.supports_prefix = True

        def translate_batch(self, texts: Sequence[str], n_best: int = 1,
                            alignment: bool = False,
                            prefixes: Sequence[str | None] | None = None) -> list[Translation]:
            return [Translation(f"{(prefixes or [None] * len(texts))[i] or ''} {t}".strip(),
                                -0.1) for i, t in enumerate(texts)]

        def signature(self) -> str:
            return f"instant-test-double|v{self.version}"

    corpus = work / "corpus"
    make_corpus(corpus, size)
    settings = Settings(models_dir=work / "none", cache_path=work / "driver.db",
                        glossary_paths=(ROOT / "glossary",))
    # First run: prepares every article (and fills the prepared-article cache).
    translate_inputs([corpus], work / "out-1", settings, lambda s, t: Instant(s, 1))
    start = time.perf_counter()
    result = translate_inputs([corpus], work / "out-2", settings, lambda s, t: Instant(s, 2))
    seconds = time.perf_counter() - start
    return result.stats.segments / seconds, result.stats.segments


if __name__ == "__main__":
    main()
