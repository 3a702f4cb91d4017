"""Hostile inputs, round three, class 6: a number longer than Python converts (4,301 digits).

Valid JSON and TOML, but ``int()`` refuses it (``ValueError``, not a decode error): every
reader gives one line naming the file and line, and a feed's other entries go on. Runs use
the RANDOM-WEIGHT test models (only structure is checked).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden."
HUGE = "9" * 4_301


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def translate(tmp_path: Path, models: Path, *inputs: Path, out: str = "out"):
    return invoke("translate", *map(str, inputs), "-o", str(tmp_path / out), "--silent",
                  "--models-dir", str(models), "--cache", str(tmp_path / "c.db"),
                  "--no-glossary")


def errors(result) -> list[str]:
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def test_a_huge_number_in_a_feed_entry_is_one_line_and_the_others_go_on(tmp_path,
                                                                         installed_models):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": GOOD}) + "\n"
                    + '{"id": "b", "views": ' + HUGE + ', "text": "x"}\n'
                    + json.dumps({"id": "c", "text": GOOD}) + "\n", encoding="utf-8")
    result = translate(tmp_path, installed_models, feed)
    assert result.exit_code == 3, result.output
    assert errors(result) == [f"Error: {feed}:2: not valid JSON (a number of over 4,300 "
                              "digits at column 22)"]
    articles = [json.loads(line) for line in
                (tmp_path / "out" / "articles.jsonl").read_text().splitlines()]
    assert [a["article"] for a in articles if a["error"] is None] == ["a", "c"]


@pytest.mark.parametrize(("name", "damage", "line"), [
    ("records.jsonl", lambda t: t.replace('"index":0', f'"index":{HUGE}', 1), 1),
    ("articles.jsonl", lambda t: t.replace("{", '{"pages": ' + HUGE + ", ", 1), 1),
    ("run.json", lambda t: t.replace("{", '{"big": ' + HUGE + ", ", 1), None),
])
@pytest.mark.parametrize("command", [["export"], ["review", "--no-open"], ["qa"],
                                     ["glossary", "check"]])
def test_a_huge_number_in_a_run_file_is_one_line(tmp_path, installed_models, name, damage,
                                                 line, command):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(GOOD + "\n", encoding="utf-8")
    assert translate(tmp_path, installed_models, source).exit_code == 0
    out = tmp_path / "out"
    path = out / name
    damaged = damage(path.read_text("utf-8"))
    assert HUGE in damaged
    path.write_text(damaged, encoding="utf-8")
    result = invoke(*command, str(out))
    found = errors(result)
    if command[0] in ("glossary", "qa") and name != "records.jsonl":
        assert not found  # these read only the records
        return
    assert result.exit_code != 0 and len(found) == 1, result.output
    assert found[0].startswith(f"Error: {path}:{line}: " if line else f"Error: {path}"), found
    assert "4,300 digits" in found[0]


def test_a_huge_integer_in_workbench_toml_or_a_glossary_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "workbench.toml").write_text(f"glossary = \"g\"\nthreads = {HUGE}\n")
    monkeypatch.chdir(tmp_path)
    found = errors(invoke("glossary", "list"))
    assert len(found) == 1 and found[0].startswith(f"Error: {tmp_path / 'workbench.toml'}: ")
    (tmp_path / "workbench.toml").unlink()
    glossary = tmp_path / "g"
    glossary.mkdir()
    (glossary / "people.toml").write_text(
        '[[term]]\ntarget = "Tô Lâm"\ntype = "person"\n'
        f'latin = "To Lam"\n\n[[term]]\nnote = {HUGE}\n', encoding="utf-8")
    result = invoke("glossary", "list", "--glossary", str(glossary))
    assert errors(result) == [f"Error: {glossary / 'people.toml'}:7: not valid TOML: an "
                              "integer longer than Python converts"]
