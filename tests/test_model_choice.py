"""Choosing a model per source language: ``--model``, ``WORKBENCH_MODELS``, ``[models]``.

The end-to-end tests install two RANDOM-WEIGHT families (tests/model_families.py: an
OPUS-MT release converted by CTranslate2's converter, an NLLB-shaped CTranslate2 folder)
into one models folder and switch between them through ``workbench translate``; their
English is meaningless, so only signatures, caching and messages are checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_LANGUAGES, seed_lines
from model_families import build_ct2_seq2seq, build_opus_mt

from workbench.cli import cli
from workbench.engines.lookup import Engines, KeptLoaded
from workbench.errors import InputError
from workbench.project import _template, load_project
from workbench.settings import SettingError, Settings

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "tests" / "data" / "unseen" / "de_assembly.txt"
GERMAN = next(stem for stem, lang in SEED_LANGUAGES.items() if lang == "de")


def invoke(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture(scope="session")
def two_families(tmp_path_factory, seeds_dir) -> Path:
    """One models folder holding opus-mt-de-en and nllb-200-random, installed by the CLI."""
    out = tmp_path_factory.mktemp("choice-sources")
    models = tmp_path_factory.mktemp("choice-models")
    corpus = seed_lines(GERMAN)
    for source, extra in ((build_opus_mt(out, "opus-mt-de-en", corpus, seed=1), []),
                          (build_ct2_seq2seq(out, "nllb", corpus, seed=2), ["--family", "nllb"])):
        result = invoke("models", "install", source, *extra, "--models-dir", models)
        assert result.exit_code == 0, result.output
    return models


# Settings: the three sources, their precedence, their one-line refusals.

def test_option_env_and_toml_give_the_same_choices(tmp_path):
    marker = tmp_path / "workbench.toml"
    marker.write_text('[models]\nde = "opus-mt-de-en"\nru = "nllb"\n', encoding="utf-8")
    project = load_project(marker)
    assert project.settings["models"] == (("de", "opus-mt-de-en"), ("ru", "nllb"))
    from_env = Settings.from_env({"WORKBENCH_MODELS": "de=opus-mt-de-en, ru=nllb"})
    from_option = Settings.from_env({}, models=("de=opus-mt-de-en", "ru=nllb"))
    assert from_env.models == from_option.models == project.settings["models"]
    assert Settings.from_env({}).models == ()


def test_option_over_env_over_toml_per_language(tmp_path):
    marker = tmp_path / "workbench.toml"
    marker.write_text('[models]\nde = "opus-mt-de-en"\nru = "nllb"\nsv = "m2m100"\n',
                      encoding="utf-8")
    project = load_project(marker)
    env = {"WORKBENCH_MODELS": "ru=m2m100,pl=madlad"}
    settings = Settings.from_env(env, project, models=("pl=opus-mt-zlw-en",))
    assert dict(settings.models) == {"de": "opus-mt-de-en", "ru": "m2m100",
                                     "sv": "m2m100", "pl": "opus-mt-zlw-en"}


@pytest.mark.parametrize(("raw", "message"), [
    ("de", "WORKBENCH_MODELS: write LANG=MODEL, e.g. de=opus-mt-de-en or ru=nllb (got 'de')"),
    ("de=", "WORKBENCH_MODELS: write LANG=MODEL"),
    ("Deutsch=nllb", "WORKBENCH_MODELS: 'Deutsch' is not a language code"),
    ("de=two words", "WORKBENCH_MODELS: must be a model's or a family's name"),
    ("de=nllb,de=m2m100", "WORKBENCH_MODELS: a model is chosen for de twice"),
])
def test_a_bad_variable_is_one_line_naming_it(raw, message):
    with pytest.raises(SettingError) as err:
        Settings.from_env({"WORKBENCH_MODELS": raw})
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


@pytest.mark.parametrize(("table", "message"), [
    ('models = "de=nllb"\n', "models: must be a table, e.g. [models] then de = "),
    ("[models]\nde = 3\n", "models.de: must be a model's or a family's name, as `workbench "
                           "models list` shows it (in quotes) (got '3')"),
    ('[models]\nGerman = "nllb"\n', "models.German: 'German' is not a language code"),
])
def test_a_bad_table_is_one_line_naming_the_file_and_key(tmp_path, table, message):
    marker = tmp_path / "workbench.toml"
    marker.write_text(table, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(marker)
    assert message in str(err.value) and str(marker) in str(err.value)
    assert "\n" not in str(err.value)


def test_a_bad_option_is_a_usage_error_naming_it(tmp_path):
    result = invoke("translate", ARTICLE, "-o", tmp_path / "out", "--model", "de:nllb",
                    "--models-dir", tmp_path, "--cache", tmp_path / "c.db")
    assert result.exit_code == 2
    assert "--model: write LANG=MODEL, e.g. de=opus-mt-de-en or ru=nllb (got 'de:nllb')" \
        in result.output
    assert not (tmp_path / "out").exists()


def test_the_template_line_uncommented_is_read(tmp_path):
    (line,) = [line for line in _template().splitlines() if line.startswith("# models =")]
    marker = tmp_path / "workbench.toml"
    marker.write_text(line[2:] + "\n", encoding="utf-8")
    assert load_project(marker).settings["models"] == (("de", "opus-mt-de-en"),
                                                       ("ru", "nllb"))


# The engine lookup reads the choice from the settings (run, desk and cluster worker alike).

def test_engines_take_the_settings_choice_unless_given_their_own(two_families):
    settings = Settings(models_dir=two_families, models=(("de", "nllb"),), threads=1)
    assert Engines(settings).model("de", "en").name == "nllb-200-random"
    assert KeptLoaded(Engines(settings)).engines.choices == {"de": "nllb"}  # desk, worker
    own = Engines(settings, choices={})
    assert own.model("de", "en").name == "opus-mt-de-en"  # the default order


def test_the_desk_translates_again_with_the_runs_choice(tmp_path, two_families):
    """run.json's engine settings carry the choice, as they carry the beam size: the desk's
    re-translations use the run's model, whatever the desk's own environment says."""
    from workbench.desk.session import DeskSession
    from workbench.desk.terms import TermDesk

    out = tmp_path / "out"
    result = invoke("translate", ARTICLE, "-o", out, "--models-dir", two_families,
                    "--cache", tmp_path / "c.db", "--format", "jsonl", "--threads", "1",
                    "--model", "de=nllb")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text())["engine_settings"]["models"] == [
        ["de", "nllb"]]
    session = DeskSession(out)
    try:
        settings = Settings.from_env({"WORKBENCH_MODELS": "de=opus-mt-de-en"})
        engines = TermDesk(session, settings).engines.engines
        assert engines.choices == {"de": "nllb"}
        assert engines.model("de", "en").name == "nllb-200-random"
    finally:
        session.close()


@pytest.mark.parametrize(("choice", "message"), [
    ("de=no-such-model", "model 'no-such-model' is not installed for de→en; installed for "
                         "de→en: opus-mt-de-en, nllb-200-random"),
    ("ru=opus-mt-de-en", "model 'opus-mt-de-en' cannot translate ru→en; installed for "
                         "ru→en: nllb-200-random"),
])
def test_a_choice_that_cannot_serve_stops_the_run_before_it_starts(tmp_path, two_families,
                                                                   choice, message):
    out = tmp_path / "out"
    result = invoke("translate", ARTICLE, "-o", out, "--models-dir", two_families,
                    "--cache", tmp_path / "c.db", "--model", choice)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"
    assert not out.exists()


# End to end: switching re-translates, switching back comes from the cache.

def _run(tmp_path: Path, models: Path, name: str, *options: str,
         env: dict[str, str] | None = None) -> tuple[str, dict, str]:
    out = tmp_path / name
    result = invoke("translate", ARTICLE, "-o", out, "--models-dir", models, "--cache",
                    tmp_path / "c.db", "--format", "jsonl", "--threads", "1", *options,
                    env=env)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "run.json").read_text("utf-8"))
    records = (out / "records.jsonl").read_text("utf-8")
    return manifest["engines"]["de-en"], manifest, records + result.output


def test_switching_models_retranslates_and_switching_back_is_free(tmp_path, two_families,
                                                                   monkeypatch):
    project = tmp_path / "project"
    (project / "glossary").mkdir(parents=True)
    marker = project / "workbench.toml"
    marker.write_text(f'cache = "{(tmp_path / "c.db").as_posix()}"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    default, first, _ = _run(tmp_path, two_families, "a")
    assert default.startswith("opus-mt:opus-mt-de-en#")
    assert first["statuses"].get("translated", 0) > 0

    nllb, second, output = _run(tmp_path, two_families, "b", "--model", "de=nllb")
    assert nllb.startswith("nllb:nllb-200-random#")  # run.json names the model per pair
    assert second["statuses"].get("translated", 0) == first["statuses"]["translated"]
    assert "Models loaded: 1" in output

    back, third, output = _run(tmp_path, two_families, "c", "--model", "de=opus-mt-de-en")
    assert back == default
    assert "translated" not in third["statuses"] and "Models loaded: 0" in output

    # The same choice from the environment and from the project: all from the cache.
    again, _, output = _run(tmp_path, two_families, "d",
                            env={"WORKBENCH_MODELS": "de=nllb-200-random"})
    assert again == nllb and "Models loaded: 0" in output
    marker.write_text(marker.read_text("utf-8") + '[models]\nde = "nllb"\n', encoding="utf-8")
    from_toml, _, output = _run(tmp_path, two_families, "e")
    assert from_toml == nllb and "Models loaded: 0" in output
    overridden, _, output = _run(tmp_path, two_families, "f", "--model", "de=opus-mt")
    assert overridden == default and "Models loaded: 0" in output


def test_cluster_workers_use_the_runs_choice(tmp_path, two_families):
    """In a process of its own: Ray keeps process-wide state (see tests/cluster_scenarios.py),
    and a Ray started after another module's instance in this process may not come up."""
    out = tmp_path / "out"
    script = (
        "import sys, ray\n"
        "from click.testing import CliRunner\n"
        "from workbench.cli import cli\n"
        "ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,"
        " configure_logging=False)\n"
        "try:\n"
        "    result = CliRunner().invoke(cli, sys.argv[1:])\n"
        "finally:\n"
        "    ray.shutdown()\n"
        "print(result.output)\n"
        "sys.exit(result.exit_code)\n")
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    done = subprocess.run(
        [sys.executable, "-c", script, "translate", str(ARTICLE), "-o", str(out),
         "--models-dir", str(two_families), "--cache", str(tmp_path / "c.db"), "--silent",
         "--no-glossary", "--cluster", "ray", "--model", "de=nllb"],
        capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    signature = json.loads((out / "run.json").read_text("utf-8"))["engines"]["de-en"]
    assert signature.startswith("nllb:nllb-200-random#")
