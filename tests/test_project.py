"""Projects: run from anywhere, `workbench init`, and the packaged starter glossary."""

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.project import find_project, starter_glossary

ROOT = Path(__file__).resolve().parent.parent


def test_outside_a_project_a_run_works_without_glossary(tmp_path, monkeypatch, seeds_dir,
                                                        installed_models):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(cli, ["translate", str(seeds_dir), "-o", "out", "--silent",
                                      "--models-dir", str(installed_models)])
    assert result.exit_code == 0, result.output
    cache = tmp_path / "xdg-cache" / "workbench" / "workbench.db"
    assert (f"Note: not in a workbench project (no workbench.toml here or above): no "
            f"glossary, cache in {cache}. `workbench init` makes a project.") in result.output
    manifest = json.loads((elsewhere / "out" / "run.json").read_text())
    assert manifest["project"] is None and manifest["cache"] == str(cache)
    assert manifest["glossary"]["terms"] == 0
    assert cache.is_file() and not (elsewhere / "cache").exists()


def test_init_then_run_in_a_subfolder_uses_the_starter_glossary(tmp_path, monkeypatch,
                                                                 seeds_dir, installed_models):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "proj")])
    assert result.exit_code == 0, result.output
    project = tmp_path / "proj"
    assert sorted(p.name for p in (project / "glossary").iterdir()) == sorted(starter_glossary())
    sub = project / "incoming" / "today"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    result = CliRunner().invoke(cli, ["translate", str(seeds_dir), "-o", "out", "--silent",
                                      "--models-dir", str(installed_models)])
    assert result.exit_code == 0, result.output
    assert "not in a workbench project" not in result.output
    manifest = json.loads((sub / "out" / "run.json").read_text())
    assert manifest["project"] == str(project.resolve())
    assert manifest["cache"] == str(project.resolve() / "cache" / "workbench.db")
    assert manifest["glossary"]["terms"] > 10
    assert manifest["glossary"]["files"] == [str(project.resolve() / "glossary")]
    listed = CliRunner().invoke(cli, ["glossary", "list"])
    assert listed.exit_code == 0 and "Lương Cường" in listed.output
    again = CliRunner().invoke(cli, ["init", str(project)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_glossary_commands_outside_a_project_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["glossary", "list"])
    assert result.exit_code == 2
    assert "not in a workbench project" in result.output and "workbench init" in result.output


def test_a_broken_project_file_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "workbench.toml").write_text("glossary = 5\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["glossary", "list"])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'workbench.toml'}: glossary must be a path " \
                            "in quotes\n"


def test_the_repository_is_a_project_and_ships_its_glossary_as_the_starter():
    project = find_project(ROOT / "workbench")
    assert project is not None and project.root == ROOT
    repo = {p.name: p.read_text("utf-8") for p in (ROOT / "glossary").glob("*.toml")}
    assert starter_glossary() == repo, "workbench/starter/glossary must match glossary/"


def test_the_version_is_the_packages():
    import tomllib

    from workbench import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert __version__ == project["version"]
