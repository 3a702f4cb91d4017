"""A cluster worker's cache: only the rows its batch can use, shipped by the driver.

The worker's class and the driver's shipping are called in this process (no Ray), with the
TEST-DOUBLE engines of tests/fakes.py: a warm re-run translates nothing and ships a part
of the cache, a worker's start-up does not read the cache, its store holds one batch, and
the folders of lost workers are removed by the next worker on their node.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import FakeEngines

from workbench.cache.store import TranslationCache
from workbench.cache.subset import INDEXED, empty_copy, pack_keys, unpack_keys
from workbench.cluster.driver import Shipped, _batches
from workbench.cluster.worker import (
    FOLDER_PREFIX,
    LOCK_NAME,
    ArticleWorker,
    PartResult,
    WorkerPlan,
    sweep_stale,
)
from workbench.glossary.store import load_glossary
from workbench.run.runner import article_files, translate_inputs
from workbench.settings import Settings
from workbench.text import detect
from workbench.text.feed import DEFAULT_FIELDS

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
LANGUAGES = detect.DEFAULT_LANGUAGES


def articles(folder: Path, count: int) -> Path:
    """Articles of the unseen set's lines, each article its own lines (none repeated)."""
    folder.mkdir()
    lines = [line for path in sorted(UNSEEN.glob("*.txt"))
             for line in path.read_text("utf-8").splitlines() if len(line.split()) > 3]
    for n in range(count):
        (folder / f"a{n:02d}.txt").write_text(
            "\n".join(f"{line} ({n})" for line in lines[n % 5::5][:6]) + "\n", "utf-8")
    return folder


def cluster_in_process(inputs: list[Path], out: Path, cache_path: Path,
                       engines: FakeEngines, per_part: int = 3) -> tuple[list, Shipped]:
    """The driver's loop without Ray: one worker, batches in order, rows shipped and merged."""
    settings = Settings(models_dir=out.parent / "none", cache_path=cache_path,
                        glossary_paths=(ROOT / "glossary",), auto_names=False)
    glossary = load_glossary(settings.glossary_paths)
    (out / "parts").mkdir(parents=True)
    results = []
    with TranslationCache(cache_path) as cache:
        shipped = Shipped(cache, "en")
        plan = WorkerPlan(out, glossary, LANGUAGES, "en", False, lambda s: engines,
                          empty_copy(cache, out / "empty.db"), shipped.first())
        worker = ArticleWorker(settings, plan)
        numbered = enumerate(_batches(article_files(inputs, DEFAULT_FIELDS), per_part, []), 1)
        for number, batch, rows in shipped.each(numbered):
            part = worker.translate(number, batch, rows)
            assert isinstance(part, PartResult), part
            shipped.back(part)
            results.append(part)
        worker.finish()
        shipped.remember_lemmas()
    return results, shipped


def test_a_warm_rerun_translates_nothing_and_ships_a_part_of_the_cache(tmp_path):
    corpus = articles(tmp_path / "in", 9)
    engines = FakeEngines(LANGUAGES)
    cold, _ = cluster_in_process([corpus], tmp_path / "one", tmp_path / "c.db", engines)
    translated = sum(p.translated for p in cold)
    sent = engines.segments_sent
    assert translated > 0 and sent >= translated
    # Unrelated rows make the cache large; none of them may travel.
    with TranslationCache(tmp_path / "c.db") as cache:
        cache.put_blobs("prepared", {f"{n:064x}": os.urandom(2000) for n in range(500)})
        size = cache.path.stat().st_size + Path(f"{cache.path}-wal").stat().st_size
    warm, shipped = cluster_in_process([corpus], tmp_path / "two", tmp_path / "c.db", engines)
    assert sum(p.translated for p in warm) == 0 and engines.segments_sent == sent
    assert sum(p.stats.prepared_reused for p in warm) == 9
    assert sum(p.stats.statuses["cached"] for p in warm) == translated
    assert shipped.bytes < 0.1 * size
    assert not any(p.rows.get("translations") for p in warm)  # nothing new to merge


def test_the_cluster_runs_cache_serves_a_local_run_and_records_match(tmp_path):
    corpus = articles(tmp_path / "in", 6)
    cluster_in_process([corpus], tmp_path / "remote", tmp_path / "c.db",
                       FakeEngines(LANGUAGES))
    settings = Settings(models_dir=tmp_path / "none", cache_path=tmp_path / "c.db",
                        glossary_paths=(ROOT / "glossary",), auto_names=False)
    engines = FakeEngines(LANGUAGES)
    local = translate_inputs([corpus], tmp_path / "local", settings, engines)
    assert local.stats.statuses["translated"] == 0 and engines.segments_sent == 0
    assert local.stats.prepared_reused == local.stats.articles
    remote = [json.loads(line) for path in sorted((tmp_path / "remote" / "parts").glob(
        "*.records.jsonl")) for line in path.open(encoding="utf-8")]
    mine = [json.loads(line) for line in (tmp_path / "local" / "records.jsonl").open()]
    drop = ("status",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in remote if "src" in r] == \
        [{k: v for k, v in r.items() if k not in drop} for r in mine if "src" in r]


def test_an_edited_article_gets_its_unchanged_segments_from_the_cache(tmp_path):
    corpus = articles(tmp_path / "in", 3)
    engines = FakeEngines(LANGUAGES)
    cluster_in_process([corpus], tmp_path / "one", tmp_path / "c.db", engines)
    first = corpus / "a00.txt"
    first.write_text(first.read_text("utf-8") + "Ein ganz neuer Satz steht hier am Ende.\n",
                     "utf-8")
    again, _ = cluster_in_process([corpus], tmp_path / "two", tmp_path / "c.db", engines)
    assert sum(p.translated for p in again) == 1


def test_a_worker_starts_without_reading_the_cache_and_holds_one_batch(tmp_path):
    corpus = articles(tmp_path / "in", 6)
    engines = FakeEngines(LANGUAGES)
    cluster_in_process([corpus], tmp_path / "one", tmp_path / "c.db", engines, per_part=3)
    settings = Settings(models_dir=tmp_path / "none", cache_path=tmp_path / "c.db")
    with TranslationCache(tmp_path / "c.db") as cache:
        shipped = Shipped(cache, "en")
        (tmp_path / "two" / "parts").mkdir(parents=True)
        plan = WorkerPlan(tmp_path / "two", load_glossary((ROOT / "glossary",)), LANGUAGES,
                          "en", False, lambda s: engines, empty_copy(cache, tmp_path / "e.db"),
                          shipped.first())
        worker = ArticleWorker(settings, plan)
        batches = list(shipped.each(enumerate(_batches(
            article_files([corpus], DEFAULT_FIELDS), 3, []), 1)))
        for number, batch, rows in batches:
            assert isinstance(worker.translate(number, batch, rows), PartResult)
            held = worker._cache.table_rows()
            assert held["prepared"] == 3  # this batch's articles, not the run's six
        folder = Path(worker._folder)
        assert (folder / LOCK_NAME).is_file()
        worker.finish()
        assert not folder.exists()


def test_index_entries_round_trip_and_damage_is_a_miss():
    keys = {table: [f"{n:064x}" for n in range(i + 1)] for i, table in enumerate(INDEXED)}
    assert unpack_keys(pack_keys(keys)) == keys
    assert unpack_keys(pack_keys(keys)[:-1]) is None
    assert unpack_keys(b"junk") is None


def test_a_lost_workers_folder_is_removed_by_the_next_worker_on_its_node(tmp_path):
    dead = tmp_path / f"{FOLDER_PREFIX}999999999-abc"  # its process is gone: lock not held
    dead.mkdir()
    (dead / LOCK_NAME).touch()
    (dead / "cache.db").write_bytes(b"x" * 100)
    alive = tmp_path / f"{FOLDER_PREFIX}{os.getpid()}-def"
    alive.mkdir()
    held = os.open(alive / LOCK_NAME, os.O_CREAT | os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    old = tmp_path / f"{FOLDER_PREFIX}999999998-ghi"  # an earlier version's: no lock file
    old.mkdir()
    # A killed process's lock is released with it.
    killed = tmp_path / f"{FOLDER_PREFIX}1-killed"
    killed.mkdir()
    child = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"),
        str(killed / LOCK_NAME)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    try:
        first = sweep_stale(tmp_path)  # the killed one's process still holds its lock
        assert sorted(first["removed"]) == sorted(map(str, (dead, old)))
        child.kill()
        child.wait()
        second = sweep_stale(tmp_path)
    finally:
        os.close(held)
    assert second["removed"] == [str(killed)]
    assert alive.exists() and first["left"] == second["left"] == []


@pytest.mark.parametrize("damaged", [b"", b"\x00" * 7])
def test_a_damaged_index_entry_ships_nothing_and_the_batch_still_completes(tmp_path, damaged):
    corpus = articles(tmp_path / "in", 3)
    engines = FakeEngines(LANGUAGES)
    cold, _ = cluster_in_process([corpus], tmp_path / "one", tmp_path / "c.db", engines)
    with TranslationCache(tmp_path / "c.db") as cache:
        cache.conn.execute("update article_rows set data = ?", [damaged])
    again, _ = cluster_in_process([corpus], tmp_path / "two", tmp_path / "c.db", engines)
    assert sum(p.stats.articles for p in again) == 3
    assert sum(p.translated for p in again) == sum(p.translated for p in cold)
