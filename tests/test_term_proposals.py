"""Glossary terms proposed in the review pages, as `corrections apply` reads and adds them."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import InputError
from workbench.review.corrections import load_term_proposals

GLOSSARY = Path(__file__).resolve().parent.parent / "glossary"


def corrections_file(tmp_path: Path, terms: object) -> Path:
    path = tmp_path / "corrections.json"
    path.write_text(json.dumps({"workbench_corrections": 1, "corrections": [], "terms": terms}),
                    "utf-8")
    return path


@pytest.mark.parametrize(("terms", "message"), [
    ({"a": 1}, "'terms' must be a list"),
    ([7], "term 1 is not an object"),
    ([{"target": "X", "type": "person", "lang": "pl"}], "term 1 has no form"),
    ([{"target": "X", "type": "planet", "lang": "pl", "form": "Y"}],
     "term 1: type must be one of"),
    ([{"target": "X", "type": "person", "lang": "polish!", "form": "Y"}],
     "term 1: lang 'polish!' is not a language code"),
])
def test_bad_proposals_name_the_entry(tmp_path, terms, message):
    with pytest.raises(InputError, match=message):
        load_term_proposals(corrections_file(tmp_path, terms))


def test_proposals_extend_entries_and_keep_files_valid(tmp_path):
    glossary = tmp_path / "glossary"
    shutil.copytree(GLOSSARY, glossary)
    before = (glossary / "titles.toml").read_text("utf-8")
    path = corrections_file(tmp_path, [
        {"target": "Politburo", "type": "body", "lang": "pl", "form": "Biuro   Polityczne",
         "note": "again"},
        {"target": "General Secretary", "type": "title", "lang": "pl",
         "form": "Sekretarz Generalny"},
    ])
    result = CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache",
                                      str(tmp_path / "c.db"), "--glossary", str(glossary)])
    assert "'Politburo' (body, pl: 'Biuro Polityczne') extended" in result.output
    assert "'General Secretary' (title, pl: 'Sekretarz Generalny') unchanged" in result.output
    assert result.exit_code == 0
    assert (glossary / "titles.toml").read_text("utf-8") == before


def test_proposals_need_a_glossary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no workbench.toml here or above
    path = corrections_file(tmp_path, [{"target": "X", "type": "person", "lang": "pl",
                                        "form": "Y"}])
    result = CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache",
                                      str(tmp_path / "c.db")])
    assert result.exit_code == 2
    assert "proposes 1 glossary terms but there is no glossary here" in result.output


def test_a_duplicate_across_files_is_refused_and_the_others_go_on(tmp_path):
    glossary = tmp_path / "glossary"
    shutil.copytree(GLOSSARY, glossary)
    (glossary / "ministers.toml").write_text(
        '[[term]]\ntarget = "Bùi Thanh Sơn"\ntype = "person"\nlatin = ["Bui Thanh Son"]\n',
        "utf-8")
    people = (glossary / "people.toml").read_text("utf-8")
    path = corrections_file(tmp_path, [
        {"target": "Bùi Thanh Sơn", "type": "person", "lang": "pl", "form": "Bui Thanh Sona"},
        {"target": "Nguyễn Văn Thắng", "type": "person", "lang": "pl",
         "form": "Nguyen Van Thang"},
    ])
    result = CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache",
                                      str(tmp_path / "c.db"), "--glossary", str(glossary)])
    assert result.exit_code == 3, result.output
    assert "term 'Bùi Thanh Sơn' (person, pl: 'Bui Thanh Sona') refused:" in result.output
    assert "duplicate entry" in result.output and "ministers.toml" in result.output
    assert "'Nguyễn Văn Thắng' (person, pl: 'Nguyen Van Thang') added" in result.output
    assert (glossary / "people.toml").read_text("utf-8").startswith(people)
