"""``--cluster ray`` on a local Ray instance (2 CPUs): the data path on the workers, through
the real CTranslate2 engine with the RANDOM-WEIGHT models. The merged parts are the records
of a local run, the run's cache then serves a local run with nothing to translate, a killed
worker is survived, and what cannot run is one line."""

import json
import os
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.cluster.driver import translate_on_cluster
from workbench.cluster.pool import RayCluster
from workbench.cluster.worker import ArticleWorker, WorkerPlan
from workbench.engines.lookup import ArgosEngines
from workbench.glossary.store import Glossary
from workbench.outputs.parts import read_parts_manifest
from workbench.run.export import export
from workbench.run.progress import NoProgress
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
NAMES = ["محمد", "أحمد", "علي", "فاطمة", "حسن", "يوسف", "مريم", "خالد", "سارة", "عمر", "ليلى",
         "إبراهيم", "زينب", "طارق", "نور"]
#: What the engine decides. With int8 (the CPU default) CTranslate2 quantizes activations per
#: batch, so a segment's score (and a RANDOM-WEIGHT model's English) depends on the batch it
#: is decoded in, as a local run with another --batch-tokens shows; float32 does not. So
#: byte-identical records are checked with the real trained model in float32.
ENGINE_FIELDS = ("tgt", "score", "flags", "glossary")
EXACT = {"compute_type": "float32"}


@pytest.fixture(scope="module")
def aren_models(aren_archive, tmp_path_factory):
    from workbench.models.packages import install_archive

    models = tmp_path_factory.mktemp("aren-models")
    install_archive(aren_archive, models)
    return models


def arabic_articles(folder: Path, count: int = 12) -> Path:
    """Articles of Arabic names, no line twice, for the REAL trained transliteration model."""
    folder.mkdir()
    pairs = [f"{first} {last}" for first in NAMES for last in NAMES]
    for n in range(count):
        lines = pairs[5 * n:5 * n + 5]
        (folder / f"names-{n:02d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def records(out: Path, drop: tuple[str, ...] = ()) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k not in drop}
            for line in (out / "records.jsonl").open(encoding="utf-8")]


@pytest.fixture(scope="module")
def ray_local():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield ray
    ray.shutdown()


def settings_for(tmp_path: Path, models: Path, name: str, **extra) -> Settings:
    # Automatic names are found per run, which no cluster worker sees whole: cluster runs do
    # not find them yet, so the local runs they are compared with do not either.
    return Settings(**{"models_dir": models, "cache_path": tmp_path / f"{name}.db",
                       "glossary_paths": (ROOT / "glossary",), "auto_names": False, **extra})


def run_local(tmp_path, models, inputs, name, settings=None):
    settings = settings or settings_for(tmp_path, models, name)
    return translate_inputs(inputs, tmp_path / name, settings, ArgosEngines(settings))


def run_cluster(tmp_path, models, inputs, name, progress=None, per_part=2, **extra):
    settings = settings_for(tmp_path, models, name, cluster="ray", **extra)
    cluster = RayCluster("ray", settings)
    try:
        return translate_on_cluster(cluster, inputs, tmp_path / name, settings, progress,
                                    articles_per_part=per_part)
    finally:
        cluster.close()


def test_merged_parts_are_a_local_runs_records_and_the_cache_serves_a_local_run(
        tmp_path, ray_local, installed_models, seeds_dir):
    inputs = [seeds_dir, UNSEEN]
    local = run_local(tmp_path, installed_models, inputs, "local")
    remote = run_cluster(tmp_path, installed_models, inputs, "remote")
    out = tmp_path / "remote"
    assert remote.stats.complete, remote.stats.errors
    assert remote.stats.statuses == local.stats.statuses
    assert not (out / "records.jsonl").exists()  # parts only, until merged
    parts = read_parts_manifest(out)["parts"]
    assert [p["part"] for p in parts] == list(range(1, len(parts) + 1)) and len(parts) > 2
    assert sum(p["articles"] for p in parts) == local.stats.articles + local.stats.failed_articles
    for part in parts:  # each part's TMX and XLIFF is a whole document of its own
        assert ET.parse(out / part["files"]["tmx"]).getroot().tag == "tmx"
        assert ET.parse(out / part["files"]["xliff"]).getroot().tag.endswith("xliff")
    assert not (out / "parts" / "cache-snapshot.db").exists()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["layout"] == "parts" and manifest["cluster"]["workers"] == 2
    nodes = manifest["cluster"]["nodes"]
    assert sum(n["segments"] for n in nodes) == remote.stats.statuses["translated"]

    export(out, ["tmx", "xliff"])  # merges the parts first
    assert records(out, ENGINE_FIELDS) == records(tmp_path / "local", ENGINE_FIELDS)
    assert (out / "articles.jsonl").read_bytes() == (tmp_path / "local" / "articles.jsonl"
                                                     ).read_bytes()
    assert (out / "records.tmx").is_file() and (out / "records.xlf").is_file()

    # A local run on the cluster run's cache translates nothing and loads no model.
    again = run_local(tmp_path, installed_models, inputs, "again",
                      settings_for(tmp_path, installed_models, "remote"))
    assert again.stats.statuses["translated"] == 0 and again.stats.models_loaded == 0
    assert again.stats.prepared_reused == again.stats.articles


class KillAWorker(NoProgress):
    """After the first finished part, SIGKILL one of this test's workers' processes.

    Only a descendant of this process (the local Ray instance it started): another suite
    running on the machine has workers of the same name.
    """

    def __init__(self) -> None:
        self.killed: int | None = None

    def advance(self, n: int) -> None:
        if self.killed is None:
            import psutil

            for process in psutil.process_iter(["pid", "cmdline"]):
                if any("ArticleWorker" in part for part in process.info["cmdline"] or ()) \
                        and _descends_from_us(process):
                    os.kill(process.info["pid"], signal.SIGKILL)
                    self.killed = process.info["pid"]
                    break


def test_the_real_models_records_are_byte_identical_to_a_local_runs(tmp_path, ray_local,
                                                                    aren_models):
    inputs = [arabic_articles(tmp_path / "in")]
    local = run_local(tmp_path, aren_models, inputs, "local",
                      settings_for(tmp_path, aren_models, "local", **EXACT))
    remote = run_cluster(tmp_path, aren_models, inputs, "remote", per_part=3, **EXACT)
    assert local.stats.statuses["translated"] == 60 and remote.stats.complete
    merge_and_compare(tmp_path)


def merge_and_compare(tmp_path: Path) -> None:
    export(tmp_path / "remote", [])
    for name in ("records.jsonl", "articles.jsonl"):
        assert (tmp_path / "remote" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes()
    assert json.loads((tmp_path / "remote" / "run.json").read_text())["records_sha256"] == \
        json.loads((tmp_path / "local" / "run.json").read_text())["records_sha256"]


def _descends_from_us(process) -> bool:
    import psutil

    try:
        return any(parent.pid == os.getpid() for parent in process.parents())
    except psutil.Error:
        return False


def test_a_killed_worker_is_survived(tmp_path, ray_local, aren_models):
    inputs = [arabic_articles(tmp_path / "in", 30)]
    run_local(tmp_path, aren_models, inputs, "local",
              settings_for(tmp_path, aren_models, "local", **EXACT))
    progress = KillAWorker()
    remote = run_cluster(tmp_path, aren_models, inputs, "remote", progress, per_part=1,
                         **EXACT)
    assert progress.killed is not None
    assert remote.stats.complete, remote.stats.errors
    described = json.loads((tmp_path / "remote" / "run.json").read_text())["cluster"]
    assert described["lost_workers"] >= 1
    merge_and_compare(tmp_path)


def test_unreadable_articles_in_a_cluster_run_are_one_line(tmp_path, ray_local,
                                                           installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Der Kanzler sprach heute lange im Bundestag.\n", "utf-8")
    (folder / "bad.txt").write_bytes(b"\x80\x81 not text")
    (folder / "page.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body>")
    result = run_cluster(tmp_path, installed_models, [folder], "remote", per_part=1)
    assert result.stats.errors == [
        f"{folder / 'bad.txt'}: not valid UTF-8 (byte 0x80 at offset 0)",
        f"{folder / 'page.html'}: no article text found in this page (no paragraph of "
        "running text: an index, gallery or video page?)"]
    assert result.stats.failed_articles == 2 and not result.stats.complete
    export(tmp_path / "remote", [])
    records = [json.loads(line) for line in (tmp_path / "remote" / "records.jsonl").open()]
    assert {r["article"] for r in records} == {"good"}


def test_a_worker_that_cannot_see_the_output_folder_says_so_in_one_line(tmp_path):
    """The actor class itself, called in this process (not through Ray)."""
    plan = WorkerPlan(tmp_path / "elsewhere", Glossary(), ("de",))
    line = ArticleWorker(Settings(models_dir=tmp_path), plan).translate(1, [])
    assert line.startswith("worker on ") and str(tmp_path / "elsewhere") in line
    assert "every node mounts" in line and "\n" not in line


def test_the_cli_runs_on_the_cluster_and_export_merges(tmp_path, ray_local, installed_models):
    common = ["--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
              "--silent", "--no-glossary"]
    done = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(tmp_path / "o"),
                                    "--cluster", "ray", *common])
    assert done.exit_code == 0, done.output
    assert "in parts; `workbench export" in done.output
    assert (tmp_path / "o" / "parts" / "00001.records.jsonl").is_file()
    assert not (tmp_path / "o" / "review.html").exists()
    merged = CliRunner().invoke(cli, ["export", str(tmp_path / "o"), "--cache",
                                      str(tmp_path / "c.db")])
    assert merged.exit_code == 0, merged.output
    assert (tmp_path / "o" / "records.jsonl").is_file() and (tmp_path / "o" / "review.html"
                                                              ).is_file()
    # A local run into the same folder takes the parts away: they are behind its records.
    local = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(tmp_path / "o"),
                                     *common])
    assert local.exit_code == 0, local.output
    assert not (tmp_path / "o" / "parts").exists()


def test_install_missing_on_a_cluster_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(tmp_path / "o"),
                                      "--cluster", "ray", "--install-missing"])
    assert result.exit_code == 2
    assert "install the models on every node first" in result.output


@pytest.mark.parametrize("value", ["spark", "ray://", "http://x:10001"])
def test_a_bad_cluster_is_a_usage_error(tmp_path, value):
    result = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(tmp_path / "o"),
                                      "--cluster", value])
    assert result.exit_code == 2
    assert "--cluster: must be 'ray'" in result.output


class StopTheDriver(NoProgress):
    """The driver stops (as Ctrl-C stops it) after ``parts`` parts came back."""

    def __init__(self, parts: int) -> None:
        self.parts, self.seen = parts, 0

    def advance(self, n: int) -> None:
        self.seen += 1
        if self.seen == self.parts:
            raise KeyboardInterrupt


def test_a_stopped_driver_resumes_with_only_the_unfinished_parts_translated(
        tmp_path, ray_local, aren_models):
    inputs = [arabic_articles(tmp_path / "in", 12)]
    with pytest.raises(KeyboardInterrupt):
        run_cluster(tmp_path, aren_models, inputs, "remote", StopTheDriver(2), per_part=2)
    # Each part's cache rows were merged as it came back: a re-run translates only the rest.
    again = run_local(tmp_path, aren_models, inputs, "again",
                      settings_for(tmp_path, aren_models, "remote"))
    assert again.stats.complete
    assert again.stats.statuses["cached"] >= 2 * 2 * 5  # two parts of 2 articles of 5 lines
    assert again.stats.statuses["translated"] == 60 - again.stats.statuses["cached"]
    assert not (tmp_path / "remote" / "parts" / "cache-snapshot.db").exists()


def test_a_warm_rerun_translates_nothing_and_sends_workers_a_part_of_the_cache(
        tmp_path, ray_local, aren_models):
    inputs = [arabic_articles(tmp_path / "in", 12)]
    first = run_cluster(tmp_path, aren_models, inputs, "remote", per_part=3)
    assert first.stats.statuses["translated"] == 60
    again = run_cluster(tmp_path, aren_models, inputs, "remote2", per_part=3,
                        cache_path=tmp_path / "remote.db")
    assert again.stats.statuses["translated"] == 0 and again.stats.statuses["cached"] == 60
    assert again.stats.prepared_reused == 12
    cluster = json.loads((tmp_path / "remote2" / "run.json").read_text())["cluster"]
    assert 0 < cluster["bytes_to_workers"] < 0.1 * cluster["cache_bytes"], cluster
    assert cluster["left_behind"] == []
