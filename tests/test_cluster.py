"""``--cluster ray`` on a local Ray instance (2 CPUs), through the real CTranslate2 engine with
the RANDOM-WEIGHT models: same records as a local run, one shared cache, a killed worker
survived, a worker without the model named in one line."""

import json
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.engines.lookup import ArgosEngines
from workbench.engines.ray import ClusterError, RayCluster, RayEngines
from workbench.run.progress import NoProgress
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"


@pytest.fixture(scope="module")
def ray_local():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield ray
    ray.shutdown()


def settings_for(tmp_path: Path, models: Path, name: str, **extra) -> Settings:
    return Settings(models_dir=models, cache_path=tmp_path / f"{name}.db",
                    glossary_paths=(ROOT / "glossary",), **extra)


def run_local(tmp_path, models, inputs, name, settings=None):
    settings = settings or settings_for(tmp_path, models, name)
    return translate_inputs(inputs, tmp_path / name, settings, ArgosEngines(settings))


def run_cluster(tmp_path, models, inputs, name, progress=None, **extra):
    settings = settings_for(tmp_path, models, name, cluster="ray", **extra)
    cluster = RayCluster("ray", settings)
    try:
        return translate_inputs(inputs, tmp_path / name, settings,
                                RayEngines(ArgosEngines(settings), cluster), progress)
    finally:
        cluster.close()


def test_same_records_as_local_and_the_cache_is_shared(tmp_path, ray_local, installed_models,
                                                       seeds_dir):
    inputs = [seeds_dir, UNSEEN]
    local = run_local(tmp_path, installed_models, inputs, "local")
    remote = run_cluster(tmp_path, installed_models, inputs, "remote")
    assert remote.stats.complete and remote.stats.statuses == local.stats.statuses
    assert (tmp_path / "remote" / "records.jsonl").read_bytes() == \
        (tmp_path / "local" / "records.jsonl").read_bytes()
    manifest = json.loads((tmp_path / "remote" / "run.json").read_text())
    assert manifest["cluster"]["address"] == "ray" and manifest["cluster"]["workers"] == 2
    assert manifest["cluster"]["seconds"] > 0
    # A local run on the cluster run's cache translates nothing.
    again = run_local(tmp_path, installed_models, inputs, "again",
                      settings_for(tmp_path, installed_models, "remote"))
    assert again.stats.statuses["translated"] == 0 and again.stats.models_loaded == 0


class KillAWorker(NoProgress):
    """After the first finished batch, SIGKILL one translation worker's process."""

    def __init__(self) -> None:
        self.killed: int | None = None

    def advance(self, n: int) -> None:
        if self.killed is None:
            import psutil

            for process in psutil.process_iter(["pid", "cmdline"]):
                if any("TranslationWorker" in part for part in process.info["cmdline"] or ()):
                    os.kill(process.info["pid"], signal.SIGKILL)
                    self.killed = process.info["pid"]
                    break


def test_a_killed_worker_is_survived(tmp_path, ray_local, installed_models, seeds_dir):
    # Small batches, so that many are still to come when the worker dies.
    run_local(tmp_path, installed_models, [seeds_dir], "local",
              settings_for(tmp_path, installed_models, "local", batch_tokens=64))
    progress = KillAWorker()
    remote = run_cluster(tmp_path, installed_models, [seeds_dir], "remote", progress,
                         batch_tokens=64)
    assert progress.killed is not None
    assert remote.stats.complete, remote.stats.errors
    assert (tmp_path / "remote" / "records.jsonl").read_bytes() == \
        (tmp_path / "local" / "records.jsonl").read_bytes()
    records = [json.loads(line) for line in (tmp_path / "remote" / "records.jsonl").open()]
    keys = [(r["article"], r["index"]) for r in records]
    assert len(keys) == len(set(keys))  # nothing duplicated


def test_unreadable_articles_in_a_cluster_run_are_one_line(tmp_path, ray_local,
                                                           installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Der Kanzler sprach heute lange im Bundestag.\n", "utf-8")
    (folder / "bad.txt").write_bytes(b"\x80\x81 not text")
    (folder / "page.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body>")
    result = run_cluster(tmp_path, installed_models, [folder], "remote")
    assert sorted(result.stats.errors) == [
        f"{folder / 'bad.txt'}: not valid UTF-8 (byte 0x80 at offset 0)",
        f"{folder / 'page.html'}: no article text found in this page (no paragraph of "
        "running text: an index, gallery or video page?)"]
    records = [json.loads(line) for line in (tmp_path / "remote" / "records.jsonl").open()]
    assert {r["article"] for r in records} == {"good"}


def test_a_worker_without_the_model_says_so_in_one_line(tmp_path, ray_local,
                                                        installed_models):
    settings = settings_for(tmp_path, installed_models, "c", cluster="ray")
    cluster = RayCluster("ray", settings)
    try:
        (outcome,) = cluster.translate(tmp_path / "nowhere", [["Guten Tag."]], 1, False)
    finally:
        cluster.close()
    assert isinstance(outcome, ClusterError)
    assert "has no model at" in str(outcome) and str(tmp_path / "nowhere") in str(outcome)
    assert "\n" not in str(outcome)


@pytest.mark.parametrize("value", ["spark", "ray://", "http://x:10001"])
def test_a_bad_cluster_is_a_usage_error(tmp_path, value):
    result = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(tmp_path / "o"),
                                      "--cluster", value])
    assert result.exit_code == 2
    assert "--cluster: must be 'ray'" in result.output
