"""The output folder is Workbench's alone (hostile inputs, round two, cases 1 and 7): an -o
that is or holds an input is refused, nothing Workbench did not write is replaced or removed,
a second run into a folder in use is refused, and a killed run's temporary files go away.
Runs use the RANDOM-WEIGHT test models."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.outputs.ownership import claimed

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def run(tmp_path: Path, inputs: list[Path], out: Path, models: Path, *extra: str):
    return CliRunner().invoke(cli, [
        "translate", *map(str, inputs), "-o", str(out), "--silent", "--models-dir",
        str(models), "--cache", str(tmp_path / "c.db"), "--no-glossary", *extra])


def one_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "same"
    (folder / "review").mkdir(parents=True)
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "review" / "NOTES.md").write_text("mine\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("where", ["the input itself", "inside the input"])
def test_an_output_folder_in_an_input_is_refused(tmp_path, inputs, installed_models, where):
    before = tree(inputs)
    out = inputs if where == "the input itself" else inputs / "out"
    line = one_error(run(tmp_path, [inputs], out, installed_models))
    assert "lies inside the input" in line
    assert tree(inputs) == before  # NOTES.md kept, nothing written


def test_an_input_inside_the_output_folder_is_refused(tmp_path, inputs, installed_models):
    line = one_error(run(tmp_path, [inputs], tmp_path, installed_models))
    assert "holds the input" in line


def test_a_file_of_ours_by_name_that_workbench_did_not_write_is_kept(tmp_path, inputs,
                                                                      installed_models):
    out = tmp_path / "out"
    out.mkdir()
    (out / "records.tmx").write_text("a colleague's memory\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    line = one_error(run(tmp_path, [inputs / "a.txt"], out, installed_models))
    assert "records.tmx: was not written by Workbench" in line
    assert tree(out) == {"records.tmx": b"a colleague's memory\n", "notes.txt": b"mine\n"}


@pytest.mark.parametrize("formats", ["jsonl,html", "jsonl"])  # replaced, or removed as stale
def test_a_users_file_inside_our_page_folder_is_never_deleted(tmp_path, inputs,
                                                              installed_models, formats):
    out = tmp_path / "out"
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0
    assert (out / "review" / "00001.html").is_file()
    (out / "review" / "NOTES.md").write_text("mine\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    line = one_error(run(tmp_path, [inputs / "a.txt"], out, installed_models,
                         "--format", formats))
    assert "review/NOTES.md: was not written by Workbench" in line
    assert (out / "review" / "NOTES.md").read_text() == "mine\n"
    (out / "review" / "NOTES.md").unlink()
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models, "--format",
               formats).exit_code == 0
    assert (out / "notes.txt").read_text() == "mine\n"  # the user's own names: untouched
    manifest = json.loads((out / "run.json").read_text())
    assert ("review" in manifest["written"]) == ("html" in formats)


def test_a_second_run_into_a_folder_in_use_is_refused(tmp_path, inputs, installed_models):
    out = tmp_path / "out"
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0
    before = tree(out)
    folder = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run in progress holds it
        line = one_error(run(tmp_path, [inputs / "a.txt"], out, installed_models))
        assert "another workbench run is writing here" in line
        assert tree(out) == before
    finally:
        os.close(folder)
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0


def test_a_killed_runs_temporary_files_are_removed_and_nothing_else(tmp_path, inputs,
                                                                     installed_models):
    out = tmp_path / "out"
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0
    (out / ".records.jsonl.x1y2.tmp").write_text("half", encoding="utf-8")
    (out / ".review-abc123").mkdir()
    (out / ".review-abc123" / "00001.html").write_text("half", encoding="utf-8")
    (out / ".mine").write_text("mine\n", encoding="utf-8")
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0
    assert not (out / ".records.jsonl.x1y2.tmp").exists()
    assert not (out / ".review-abc123").exists()
    assert (out / ".mine").read_text() == "mine\n"


def test_a_folder_made_for_a_run_that_stopped_at_once_is_taken_back(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(RuntimeError), claimed(out, new_run=True):
        assert (out / "run.json").is_file()
        raise RuntimeError("the glossary is malformed")
    assert not out.exists()


def test_run_json_names_what_is_current_until_export_has_rewritten_it(tmp_path, inputs,
                                                                       installed_models):
    out = tmp_path / "out"
    assert run(tmp_path, [inputs / "a.txt"], out, installed_models).exit_code == 0
    manifest = json.loads((out / "run.json").read_text())
    assert sorted(manifest["derived"]) == ["html", "tmx", "xliff"]
    assert {"records.jsonl", "articles.jsonl", "run.json", "records.tmx", "records.xlf",
            "review.html", "review"} == set(manifest["written"])


def test_review_of_a_folder_that_is_no_run_adds_nothing_to_it(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["review", str(folder), "--no-open"])
    assert result.exit_code == 1 and "missing; run `workbench translate` first" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["todo.txt"]
