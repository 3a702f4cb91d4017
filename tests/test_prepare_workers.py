"""New articles prepared in worker processes give exactly what one process gives, and a worker
that dies loses nothing. Runs go through the CLI and the REAL engine (random-weight packages);
workers are real spawned processes (the threshold that keeps small runs in one process is
lowered to 0 here)."""

import functools
import json
import os
import signal
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT, require

from workbench.cache.store import TranslationCache
from workbench.cli import cli
from workbench.glossary.store import load_glossary
from workbench.run import pipeline, runner
from workbench.run import preparer as prepared_cache
from workbench.run.pipeline import RunContext, needs_translation
from workbench.run.stats import RunStats
from workbench.run.workers import PreparationWorkers
from workbench.text import detect
from workbench.text.reader import ArticleFile

INPUTS = [ROOT / "seeds", ROOT / "tests" / "data" / "unseen", ROOT / "tests" / "data" / "html"]


def translate(tmp_path, models, name, monkeypatch, workers):
    started = []

    class CountedWorkers(PreparationWorkers):
        def __init__(self, setup, count):
            started.append((sorted(setup.matchers), count))
            super().__init__(setup, count)

    monkeypatch.setattr(prepared_cache, "PreparationWorkers", CountedWorkers)
    monkeypatch.setattr(prepared_cache, "WORKERS_AFTER", 0)
    monkeypatch.setattr(runner, "worker_count", lambda: workers)
    out = tmp_path / name
    result = CliRunner().invoke(cli, [
        "translate", *map(str, INPUTS), "-o", str(out), "--silent", "--models-dir",
        str(models), "--cache", str(tmp_path / f"{name}.db"), "--glossary",
        str(ROOT / "glossary")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "run.json").read_text())
    return out, manifest, started


def test_workers_give_what_one_process_gives(tmp_path, installed_models, monkeypatch):
    for path in INPUTS:
        require(path, "test articles")
    alone, alone_manifest, none = translate(tmp_path, installed_models, "alone", monkeypatch, 1)
    # Polish segments are left for the run to match: its matcher is not ready when the
    # workers start (as for a glossary word whose dictionary forms were never looked up).
    ready = pipeline.ready_matcher
    monkeypatch.setattr(pipeline, "ready_matcher",
                        lambda glossary, lang, store: None if lang == "pl"
                        else ready(glossary, lang, store))
    pooled, manifest, started = translate(tmp_path, installed_models, "pooled", monkeypatch, 2)
    assert none == [] and len(started) == 1
    languages, count = started[0]
    assert count == 2 and "pl" not in languages and {"de", "ru", "nb", "sv"} <= set(languages)
    for name in ("records.jsonl", "articles.jsonl"):
        assert (pooled / name).read_bytes() == (alone / name).read_bytes(), name
    assert '"glossary":[{' in (pooled / "records.jsonl").read_text()  # terms were matched
    for key in ("articles", "segments", "glossary_matched", "statuses"):
        assert manifest[key] == alone_manifest[key], key


def preparer(cache, workers):
    """A preparer with the project glossary, as a run builds it (no engine: nothing translated)."""
    glossary = load_glossary([ROOT / "glossary"])
    languages = detect.DEFAULT_LANGUAGES
    translator = RunContext(lambda s, t: None, cache, RunStats(), glossary)
    return prepared_cache.Preparer(
        cache, languages, glossary, translator.find,
        functools.partial(needs_translation, tgt="en"), "en", workers,
        lambda: translator.ready_matchers(languages))


def test_a_killed_worker_loses_nothing(tmp_path, monkeypatch):
    files = [ArticleFile(path.stem, path) for folder in INPUTS[:2]
             for path in sorted(require(folder, "test articles").glob("*.txt"))]

    with TranslationCache(tmp_path / "alone.db") as cache:
        expected = [preparer(cache, 1).prepare(file) for file in files]
    monkeypatch.setattr(prepared_cache, "WORKERS_AFTER", 0)
    with TranslationCache(tmp_path / "pooled.db") as cache:
        pooled = preparer(cache, 2)
        started = [pooled.start(files[0])]
        for process in list(pooled._workers._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        started += [pooled.start(file) for file in files[1:]]
        got = [pooled.finish(item) for item in started]
        pooled.flush()
        pooled.stop_workers()
    assert got == expected
    assert pooled.workers == 1  # went on in this process
    assert len(expected) == len(files) >= 10 and any(a.matches for a in expected)


def test_a_pool_that_cannot_start_a_worker_loses_nothing(tmp_path, monkeypatch):
    """Python 3.11 may raise from submit while it replaces a dead worker (seen in CI)."""
    files = [ArticleFile(path.stem, path)
             for path in sorted(require(INPUTS[0], "test articles").glob("*.txt"))]

    def cannot_spawn(*args):
        raise ValueError("bad value(s) in fds_to_keep")

    with TranslationCache(tmp_path / "alone.db") as cache:
        expected = [preparer(cache, 1).prepare(file) for file in files]
    monkeypatch.setattr(prepared_cache, "WORKERS_AFTER", 0)
    monkeypatch.setattr(prepared_cache.PreparationWorkers, "submit", cannot_spawn)
    with TranslationCache(tmp_path / "pooled.db") as cache:
        pooled = preparer(cache, 2)
        got = [pooled.finish(pooled.start(file)) for file in files]
        pooled.stop_workers()
    assert got == expected and pooled.workers == 1


def test_small_runs_start_no_worker(tmp_path, installed_models, monkeypatch):
    monkeypatch.setattr(runner, "worker_count", lambda: 2)
    started = []
    monkeypatch.setattr(prepared_cache, "PreparationWorkers",
                        lambda *args: started.append(args))
    result = CliRunner().invoke(cli, [
        "translate", *map(str, INPUTS), "-o", str(tmp_path / "o"), "--silent",
        "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert started == []  # fewer new articles than WORKERS_AFTER
    assert len(list(Path(INPUTS[0]).glob("*.txt"))) < prepared_cache.WORKERS_AFTER


def test_workers_start_only_while_enough_articles_follow(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(prepared_cache, "PreparationWorkers",
                        lambda *args: started.append(args))
    monkeypatch.setattr(prepared_cache, "WORKERS_AFTER", 2)
    files = [ArticleFile(path.stem, path)
             for path in sorted(require(INPUTS[0], "test articles").glob("*.txt"))]
    with TranslationCache(tmp_path / "c.db") as cache:
        late = preparer(cache, 2)
        for file in files:  # past two new articles, but only one known to follow
            late.finish(late.start(file, ahead=1))
        assert len(files) > 3
        assert started == []
    with TranslationCache(tmp_path / "other.db") as cache:
        early = preparer(cache, 2)
        early.start(files[0], ahead=2)
        early.start(files[1], ahead=2)
        assert started == []  # two new articles: not yet
        early.start(files[2], ahead=2)
    assert len(started) == 1


def test_looking_ahead_counts_what_follows():
    assert list(runner._looking_ahead(iter("abcde"), 2)) == [
        ("a", 2), ("b", 2), ("c", 2), ("d", 1), ("e", 0)]
    assert list(runner._looking_ahead(iter(""), 2)) == []


def test_one_worker_per_core_up_to_a_cap(monkeypatch):
    from workbench.run import workers as prepare_workers

    monkeypatch.setattr(prepare_workers.os, "sched_getaffinity", lambda pid: set(range(2)))
    assert prepare_workers.worker_count() == 2
    monkeypatch.setattr(prepare_workers.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert prepare_workers.worker_count() == prepare_workers.MAX_WORKERS == 4
