"""A new user's first hour, round two (issue 36): the first steps include models, a project's
workbench.toml holds its run defaults, a plain re-run keeps every output already in the
folder current without ever removing it, and the test command installs what it needs on a
bare machine. Runs use the RANDOM-WEIGHT test models."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import json
import os
import shlex
import sqlite3
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, install_system_packages, missing_system_packages
from packaging.requirements import Requirement

from workbench.cli import cli
from workbench.project import load_project
from workbench.settings import Settings

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"
MORE = "Der Minister hat am Montag eine neue Schule in Berlin eröffnet. Sie ist groß.\n"


def invoke(*args: object, env: dict | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


# --- item 2: the first steps include models; workbench.toml holds run defaults -----------------

def test_inits_steps_install_models_then_translate_verbatim(tmp_path, random_archives,
                                                           monkeypatch):
    result = invoke("init", tmp_path / "news desk")
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    online = next(line for line in lines if "models install nb pl de ru sv" in line)
    offline = next(line for line in lines if "models install FILE.argosmodel" in line)
    assert "online" in online and "offline" in offline
    assert any("--install-missing" in line for line in lines)
    folder = Path(shlex.split(offline)[1])
    marker = folder / "workbench.toml"
    text = marker.read_text()
    assert '# models_dir = "models"' in text and "# threads = 0" in text
    marker.write_text(text.replace('# models_dir = "models"', 'models_dir = "models"'))
    (folder / "incoming" / "a.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(folder)
    for step in (offline, lines[-1]):  # as printed, FILE replaced by a real package
        command = shlex.split(step.split(" && ", 1)[1].split("  #")[0])[1:]
        command = [str(random_archives["de"]) if c == "FILE.argosmodel" else c
                   for c in command]
        done = invoke(*command, *(["--silent"] if command[0] == "translate" else []))
        assert done.exit_code == 0, done.output
    assert [p.name for p in (folder / "models").iterdir()] == ["translate-de_en-1_0"]
    records = [json.loads(line) for line in
               (folder / "out" / "records.jsonl").read_text().splitlines()]
    assert {r["status"] for r in records} == {"translated"}


def test_the_template_init_writes_is_valid_with_every_line_uncommented(tmp_path):
    assert invoke("init", tmp_path).exit_code == 0
    marker = tmp_path / "workbench.toml"
    lines = marker.read_text().splitlines()
    marker.write_text("\n".join(line[2:] if line.startswith("# ") and " = " in line
                                and not line.startswith("# A ") else line
                                for line in lines) + "\n")
    project = load_project(marker)
    assert project.formats == ("jsonl", "tmx", "xliff", "html")
    assert project.settings["models_dir"] == tmp_path / "models"
    assert {"device", "compute_type", "beam_size", "batch_tokens", "threads", "cluster",
            "index_url"} <= set(project.settings)


@pytest.mark.parametrize(("env", "option", "expected"), [
    ({}, None, 2),                               # workbench.toml over the built-in 0
    ({"WORKBENCH_THREADS": "3"}, None, 3),       # the environment over workbench.toml
    ({"WORKBENCH_THREADS": "3"}, "1", 1),        # the command line over both
])
def test_precedence_option_environment_project_default(tmp_path, env, option, expected):
    (tmp_path / "workbench.toml").write_text('threads = 2\nmodels_dir = "m"\n')
    (tmp_path / "sub").mkdir()
    project = load_project(tmp_path / "workbench.toml")
    settings = Settings.from_env(env, project, threads=option)
    assert settings.threads == expected
    assert settings.models_dir == tmp_path / "m"  # relative to the file, from any folder
    assert Settings.from_env({}, None).threads == 0


def test_project_defaults_reach_the_run(tmp_path, installed_models, monkeypatch):
    (tmp_path / "workbench.toml").write_text(
        f'models_dir = "{installed_models}"\nformats = ["jsonl", "sqlite"]\nbeam_size = 2\n'
        'threads = 1\ncompute_type = "int8"\n')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("translate", "in", "-o", "out", "--silent", "--no-glossary",
                    env={"WORKBENCH_BEAM_SIZE": "3"})
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert {k: manifest["engine_settings"][k] for k in ("beam_size", "threads", "compute_type",
                                                        "models_dir")} == {
        "beam_size": 3, "threads": 1, "compute_type": "int8", "models_dir": str(installed_models)}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "articles.jsonl", "records.db", "records.jsonl", "run.json"]


@pytest.mark.parametrize(("line", "problem"), [
    ("beam_size = 0", "beam_size: must be between 1 and 32 (got '0')"),
    ('threads = "2"', "threads: must be a whole number, without quotes (got '2')"),
    ("threads = true", "threads: must be a whole number, without quotes (got True)"),
    ('device = "gpu"', "device: must be one of auto, cpu, cuda (got 'gpu')"),
    ("models_dir = 5", "models_dir: must be a path in quotes (got 5)"),
    ('cluster = "spark"', "cluster: must be 'ray' (RAY_ADDRESS, else a local Ray instance) "
                          "or 'ray://HOST:PORT' (got 'spark')"),
    ("formats = 5", 'formats: must be a list of format names, e.g. ["jsonl", "html"] '
                    "(got 5)"),
    ('formats = ["jsonl", "pdf"]', "formats: unknown format 'pdf'; choose from jsonl, tmx, "
                                   "xliff, html, sqlite, omegat"),
    ("colour = 1", "unknown key 'colour' (expected one of glossary, cache, formats, "
                   "models_dir, index_url, device, compute_type, beam_size, batch_tokens, "
                   "threads, cluster, models, auto_names)"),
])
def test_a_bad_project_default_is_one_line_naming_file_and_key(tmp_path, monkeypatch, line,
                                                              problem):
    marker = tmp_path / "workbench.toml"
    marker.write_text(line + "\n")
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("translate", "a.txt", "-o", "out", "--silent")
    assert result.exit_code == 1
    assert result.output == f"Error: {marker}: {problem}\n"
    assert not (tmp_path / "out").exists()


# --- item 3: a plain re-run keeps every output in the folder current, replaced in place -------

def _translate(tmp_path: Path, models: Path, *extra: str):
    return invoke("translate", tmp_path / "in", "-o", tmp_path / "out", "--silent",
                  "--models-dir", models, "--cache", tmp_path / "cache.db", "--no-glossary",
                  *extra)


def test_a_plain_rerun_keeps_the_database_and_omegat_current_and_never_absent(
        tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "erster.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    first = _translate(tmp_path, installed_models, "--format", "jsonl,sqlite,omegat")
    assert first.exit_code == 0, first.output
    reader = sqlite3.connect(out / "records.db")  # Datasette, say, serving it
    before = reader.execute("select count(*) from records").fetchone()[0]
    (tmp_path / "in" / "zweiter.txt").write_text(MORE, encoding="utf-8")
    absent, done = [], threading.Event()

    def watch() -> None:
        while not done.is_set():
            for name in ("records.db", "records.jsonl", "omegat"):
                if not (out / name).exists():
                    absent.append(name)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        rerun = _translate(tmp_path, installed_models)  # no --format: a plain re-run
    finally:
        done.set()
        watcher.join()
    assert rerun.exit_code == 0, rerun.output
    assert absent == []
    assert reader.execute("select count(*) from records").fetchone()[0] == before
    reader.close()
    with sqlite3.connect(out / "records.db") as again:  # reopened by path: the new rows
        assert again.execute("select distinct article from records order by 1").fetchall() \
            == [("erster",), ("zweiter",)]
    source = (out / "omegat" / "de-en" / "source" / "records.de.xlf").read_text("utf-8")
    assert "zweiter" in source and "erster" in source
    assert (out / "records.tmx").is_file()  # and the default formats, as before


def test_a_rerun_with_format_says_what_it_left_behind(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "erster.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    assert _translate(tmp_path, installed_models, "--format", "jsonl,omegat").exit_code == 0
    source = out / "omegat" / "de-en" / "source" / "records.de.xlf"
    was = source.read_bytes()
    (tmp_path / "in" / "zweiter.txt").write_text(MORE, encoding="utf-8")
    rerun = _translate(tmp_path, installed_models, "--format", "jsonl")
    assert rerun.exit_code == 0, rerun.output
    assert source.read_bytes() == was  # a folder people work in: never removed
    assert (f"Note: {out / 'omegat'} was left as it was (not in --format); `workbench export "
            f"{out} --format omegat` brings it up to date.") in rerun.output


# --- a typo'd input creates nothing ----------------------------------------------------------

def test_a_missing_input_creates_nothing(tmp_path, installed_models):
    result = invoke("translate", tmp_path / "nosuch.txt", "-o", tmp_path / "o2", "--silent",
                    "--models-dir", installed_models, "--cache", tmp_path / "c.db")
    assert result.exit_code == 3
    assert result.output == (f"Error: {tmp_path / 'nosuch.txt'}: no such file or directory; "
                             "nothing written\n")
    assert list(tmp_path.iterdir()) == []


# --- -o - writes the records to standard output; -q/--quiet and --debug on every command ------

def test_records_go_to_standard_output_with_o_dash(tmp_path, installed_models, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "erster.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("translate", "in", "-o", "-", "--models-dir", installed_models,
                    "--cache", tmp_path / "c.db", "--no-glossary")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["article"], r["index"], r["status"]) for r in records] == [
        ("erster", 0, "translated"), ("erster", 1, "translated")]
    assert "Output: standard output" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "c.db.lock", "in"]


def test_o_dash_with_other_formats_is_a_usage_error(tmp_path, installed_models):
    result = invoke("translate", tmp_path, "-o", "-", "--format", "jsonl,tmx")
    assert result.exit_code == 2
    assert "-o - writes the records as JSON Lines to standard output; the other formats " \
           "need a folder: give -o DIR" in result.output


def _leaf_commands(group=cli, prefix=()):
    import click

    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from _leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("command", list(_leaf_commands()), ids=" ".join)
def test_every_command_takes_debug_and_quiet(command):
    for flags in (["--debug", "-q"], ["--quiet"]):
        result = invoke(*command, *flags, "--help")
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("where", ["before", "after", "silent"])
def test_quiet_before_or_after_the_command(tmp_path, installed_models, where):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "erster.txt").write_text(GOOD, encoding="utf-8")
    args = ["translate", tmp_path / "in", "-o", tmp_path / "out", "--models-dir",
            installed_models, "--cache", tmp_path / "c.db", "--no-glossary"]
    flag = {"before": [], "after": ["-q", "--debug"], "silent": ["--silent"]}[where]
    result = invoke(*(["-q"] if where == "before" else []), *args, *flag)
    assert result.exit_code == 0, result.output
    assert "Reading " not in result.output and "1 article (0 unreadable)" in result.output


# --- item 4: the test command on a bare machine ----------------------------------------------

class FakeSystem:
    """Records the commands it is asked to run; ``sudo -n true`` answers ``sudo_ok``."""

    def __init__(self, sudo_ok: bool = True, fails: str = "") -> None:
        self.commands: list[list[str]] = []
        self.sudo_ok, self.fails = sudo_ok, fails
        self.said: list[str] = []

    def run(self, command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        self.commands.append(command)
        failed = (command[-1] == "true" and not self.sudo_ok) or \
            (self.fails and self.fails in command)
        return subprocess.CompletedProcess(command, int(bool(failed)), "",
                                           "E: Unable to locate package omegat")


def test_the_packages_the_tests_need_are_named_from_the_path():
    assert missing_system_packages(lambda name: None) == ["chromium", "chromium-driver",
                                                          "omegat"]
    assert missing_system_packages(
        lambda name: f"/usr/bin/{name}" if name == "chromium-browser" else None) == [
        "chromium-driver", "omegat"]


@pytest.mark.parametrize(("euid", "prefix"), [(0, []), (1000, ["sudo", "-n"])])
def test_missing_packages_are_installed_as_root_or_through_sudo(euid, prefix):
    system = FakeSystem()
    problem = install_system_packages(["chromium-driver", "omegat"], system.said.append,
                                      system.run, euid, lambda name: f"/usr/bin/{name}")
    assert problem is None
    assert system.said == [
        "The tests need the Debian packages chromium-driver, omegat (a headless browser for "
        "the review pages and desk, OmegaT for its round trip): installing them with "
        f"{' '.join([*prefix, 'apt-get', 'install', '-y'])} ..."]
    asked = system.commands[1:] if prefix else system.commands
    assert asked == [[*prefix, "apt-get", "update", "-qq"],
                     [*prefix, "apt-get", "install", "-y", "-qq", "chromium-driver", "omegat"]]


@pytest.mark.parametrize(("system", "which", "problem"), [
    (FakeSystem(sudo_ok=False), lambda name: f"/usr/bin/{name}",
     "the tests need the Debian packages omegat, and installing them needs root: run "
     "`sudo apt-get install -y omegat`, then run the tests again"),
    (FakeSystem(), lambda name: None,
     "the tests need the Debian packages omegat and there is no apt-get here: install them "
     "(on Debian/Ubuntu: sudo apt-get install -y omegat), then run again"),
    (FakeSystem(fails="omegat"), lambda name: f"/usr/bin/{name}",
     "`sudo -n apt-get install -y -qq omegat` failed (exit 1): E: Unable to locate package "
     "omegat; install omegat by hand (sudo apt-get install -y omegat)"),
])
def test_packages_that_cannot_be_installed_are_one_line(system, which, problem):
    assert install_system_packages(["omegat"], system.said.append, system.run, 1000,
                                   which) == problem


def test_a_session_without_the_packages_fails_loudly_never_skips(tmp_path):
    """A pytest session on a PATH without them, and no way to install: exit 1, one line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sudo").symlink_to("/bin/false")  # one that asks for a password: -n refuses
    (bin_dir / "apt-get").symlink_to("/bin/true")
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n")
    (tmp_path / "conftest.py").write_text(  # ours, as a session on this machine loads it
        "import importlib.util, os, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "os.geteuid = lambda: 1000\n"
        "spec = importlib.util.spec_from_file_location(\n"
        f"    'workbench_conftest', {str(ROOT / 'tests' / 'conftest.py')!r})\n"
        "ours = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(ours)\n"
        "pytest_sessionstart = ours.pytest_sessionstart\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           str(tmp_path / "test_one.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": str(bin_dir)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("Cannot run the tests: the tests need the Debian packages chromium, "
            "chromium-driver, omegat, and installing them needs root: run `sudo apt-get "
            "install -y chromium chromium-driver omegat`, then run the tests again") in \
        done.stdout + done.stderr
    assert "1 passed" not in done.stdout


# --- item 1: every module the package loads comes with a declared dependency -----------------

def _closure(roots: list[Requirement]) -> set[str]:
    """Distributions pip 23 installs for ``roots``: an extra counts only when the package
    provides it under exactly the name asked (pip 23 does not normalize extras' names)."""
    def key(name: str) -> str:
        return name.lower().replace("_", "-").replace(".", "-")

    seen: set[str] = set()
    todo = list(roots)
    while todo:
        req = todo.pop()
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python
        provided = set(dist.metadata.get_all("Provides-Extra") or [])
        extras = {e for e in req.extras if e in provided}
        name = key(req.name)
        if name in seen and not extras:
            continue
        seen.add(name)
        for line in dist.requires or []:
            dep = Requirement(line)
            if dep.marker is None or dep.marker.evaluate({"extra": ""}) or any(
                    dep.marker.evaluate({"extra": e}) for e in extras):
                todo.append(dep)
    return seen


def test_every_module_the_package_imports_comes_with_a_declared_dependency():
    """Everything the package imports, HTML extraction included, with only what pip 23
    installs from our declared dependencies importable (justext imports lxml.html.clean:
    without lxml_html_clean named directly, this fails as `pip install .` did)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _closure([Requirement(r) for r in project["dependencies"]])
    ours = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        if "cluster" in path.parts:
            continue  # the ray extra's
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and \
                node.module else []
            ours |= {n.split(".")[0] for n in names}
    ours -= {*sys.stdlib_module_names, "workbench", "ray"}
    blocked = sorted(module for module, dists in metadata.packages_distributions().items()
                     if module != "workbench" and not {_key(d) for d in dists} & declared)
    code = f"""
import importlib, importlib.abc, sys
from pathlib import Path

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not installed by pip 23)")

sys.meta_path.insert(0, NotInstalled())
for name in {sorted(ours)!r}:
    importlib.import_module(name)
from workbench.text.html_page import extract_page
import workbench.cli.translate, workbench.cli.review, workbench.desk.app
parts = extract_page(Path("a.html"), b"<html><body><article><h1>A title</h1><p>"
                     + b"A paragraph of the article, long enough to be its text. " * 9
                     + b"</p></article></body></html>")
assert "A paragraph" in str(parts)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, "\n".join(done.stderr.strip().splitlines()[-3:])


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _closure(roots: list[Requirement]) -> set[str]:
    """Distributions pip 23 installs for ``roots``: an extra counts only when the package
    provides it under exactly the name asked (pip 23 does not normalize extras' names)."""
    seen: set[tuple[str, str]] = set()
    todo = [(req, "") for req in roots]
    while todo:
        req, _ = todo.pop()
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python
        provided = set(dist.metadata.get_all("Provides-Extra") or [])
        for extra in ["", *(e for e in req.extras if e in provided)]:
            if (_key(req.name), extra) in seen:
                continue
            seen.add((_key(req.name), extra))
            for line in dist.requires or []:
                dep = Requirement(line)
                if dep.marker is None or dep.marker.evaluate({"extra": extra}):
                    todo.append((dep, extra))
    return {name for name, _ in seen}
