"""A new user's first hour, round two's "should fix" list (issue 36): a glossary target typed
without diacritics is suggested, an import prints counts and only what it changed, a whole
OmegaT project folder is a corrections file, installing a model twice is one behaviour, and
the records database reads well in Datasette."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.glossary.store import load_glossary


def invoke(*args: object, env: dict | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


PEOPLE = ('[[term]]\ntarget = "Phạm Minh Chính"\ntype = "person"\nlatin = ["Pham Minh Chinh"]\n'
          '\n[[term]]\ntarget = "Tô Lâm"\ntype = "person"\nlatin = ["To Lam"]\n')


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    folder = tmp_path / "glossary"
    folder.mkdir()
    (folder / "people.toml").write_text(PEOPLE, encoding="utf-8")
    return folder


# --- a target typed without its diacritics ------------------------------------------------------

@pytest.mark.parametrize("command", [("rename", "Pham Minh Chinh", "X"),
                                     ("rename", "pham  minh CHINH", "X"),
                                     ("remove", "Pham Minh Chinh")])
def test_a_target_without_diacritics_suggests_the_entry(glossary, command):
    before = (glossary / "people.toml").read_bytes()
    result = invoke("glossary", *command, "--glossary", glossary)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"no glossary entry with target {command[1]!r}" in lines[0]
    assert "did you mean 'Phạm Minh Chính' (person)?" in lines[0]
    assert (glossary / "people.toml").read_bytes() == before


def test_a_target_like_none_suggests_nothing(glossary):
    result = invoke("glossary", "rename", "Nobody", "X", "--glossary", glossary)
    assert result.exit_code == 1
    assert "no glossary entry with target 'Nobody'" in result.output
    assert "did you mean" not in result.output


def test_the_suggested_target_renames(glossary):
    result = invoke("glossary", "rename", "Phạm Minh Chính", "Pham Minh Chinh",
                    "--glossary", glossary)
    assert result.exit_code == 0, result.output
    assert [t.target for t in load_glossary([glossary]).terms] == ["Pham Minh Chinh", "Tô Lâm"]
