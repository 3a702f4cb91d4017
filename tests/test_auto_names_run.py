"""Unseen Vietnamese names in a run: protected provisionally, marked, and switchable off.

Runs go through the real CLI and CTranslate2 engine on the RANDOM-WEIGHT models (conftest):
they never write a name themselves, so a name in the English is there by the guarantee.
The sentences are written for these tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from desk_server import DeskProcess, records

from workbench.cli import cli
from workbench.qa.checks import findings, with_qa
from workbench.records import GlossaryHit, Kind, Record, Status

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
#: Unseen names (none is in the glossary) beside a curated one (Tô Lâm).
ARTICLES = {
    "pl_names.txt": "Wicepremier Bui Thanh Son odwiedził w środę port.\n"
                    "Według Bui Thanh Sona umowa jest gotowa.\n"
                    "Sekretarz generalny To Lam rozmawiał z Bui Thanh Sonem.\n",
    "ru_names.txt": "Министр Нгуен Ван Тханг посетил завод в среду.\n"
                    "Генеральный секретарь То Лам поблагодарил Нгуен Ван Тханга за работу.\n",
}


def translate(inputs: Path, out: Path, models: Path, cache: Path, *options: str,
              cwd: Path | None = None) -> str:
    args = ["translate", str(inputs), "-o", str(out), "--models-dir", str(models),
            "--cache", str(cache), "--format", "jsonl", *options]
    if cwd is None:
        args += ["--glossary", str(ROOT / "glossary")]
    runner = CliRunner()
    if cwd is not None:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(cwd)
            result = runner.invoke(cli, args)
    else:
        result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def names_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def by_source(out: Path) -> dict[str, dict]:
    return {r["src"]: r for r in records(out)}


def test_unseen_names_come_out_in_the_nominative_marked_auto_and_flagged(
        tmp_path, names_folder, installed_models):
    out = tmp_path / "out"
    output = translate(names_folder, out, installed_models, tmp_path / "cache.db")
    found = by_source(out)
    genitive = found["Według Bui Thanh Sona umowa jest gotowa."]
    assert "Bui Thanh Son" in genitive["tgt"] and "Sona" not in genitive["tgt"]
    assert genitive["glossary"] == [{"term": "Bui Thanh Sona", "target": "Bui Thanh Son",
                                     "found": True, "enforced": genitive["glossary"][0][
                                         "enforced"], "auto": True}]
    assert "name:unconfirmed" in genitive["flags"]
    russian = found["Генеральный секретарь То Лам поблагодарил Нгуен Ван Тханга за работу."]
    assert "Nguyen Van Thang" in russian["tgt"]
    hits = {h["target"]: h for h in russian["glossary"]}
    assert hits["Nguyen Van Thang"]["term"] == "Нгуен Ван Тханга"
    assert hits["Nguyen Van Thang"]["auto"] is True and hits["Nguyen Van Thang"]["found"]
    # Curated entries win and stay curated: no "auto" on them.
    assert "auto" not in hits["Tô Lâm"] and "Tô Lâm" in russian["tgt"]
    assert "name:unconfirmed" in russian["flags"]
    plain = found["Sekretarz generalny To Lam rozmawiał z Bui Thanh Sonem."]
    assert [(h["target"], h.get("auto", False)) for h in plain["glossary"]] == [
        ("General Secretary", False), ("Tô Lâm", False), ("Bui Thanh Son", True)]
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["auto_names"] == {"names": 2, "occurrences": 5}
    assert "Automatic names: 2 unseen names protected (5 occurrences), flagged " \
           "name:unconfirmed; `workbench glossary suggest" in output
    # The static review pages filter on the flag too.
    assert CliRunner().invoke(cli, ["export", str(out), "--format", "html", "--cache",
                                    str(tmp_path / "cache.db")]).exit_code == 0
    pages = "".join(p.read_text("utf-8") for p in (out / "review").glob("*.html"))
    assert 'name:unconfirmed' in pages and "data-flags=" in pages
    assert any("name:unconfirmed" in flags.split() for flags in
               re.findall(r'data-flags="([^"]*)"', pages))


def test_a_rerun_takes_everything_from_the_cache_with_the_same_records(
        tmp_path, names_folder, installed_models):
    cache = tmp_path / "cache.db"
    translate(names_folder, tmp_path / "one", installed_models, cache)
    output = translate(names_folder, tmp_path / "two", installed_models, cache)
    assert "0 translated" in output
    first, again = records(tmp_path / "one"), records(tmp_path / "two")
    assert {r["status"] for r in again} == {"cached"}
    assert [{**r, "status": None} for r in first] == [{**r, "status": None} for r in again]
    assert sum("name:unconfirmed" in r["flags"] for r in again) == 5


def test_no_auto_names_option_and_project_setting_turn_it_off(
        tmp_path, names_folder, installed_models):
    translate(names_folder, tmp_path / "off", installed_models, tmp_path / "c1.db",
              "--no-auto-names")
    off = records(tmp_path / "off")
    assert not any(h.get("auto") for r in off for h in r["glossary"])
    assert not any("name:unconfirmed" in r["flags"] for r in off)
    assert "auto_names" not in json.loads((tmp_path / "off" / "run.json").read_text())
    project = tmp_path / "project"
    (project / "glossary").mkdir(parents=True)
    for path in (ROOT / "glossary").glob("*.toml"):
        (project / "glossary" / path.name).write_bytes(path.read_bytes())
    (project / "workbench.toml").write_text("auto_names = false\n")
    translate(names_folder, tmp_path / "toml", installed_models, tmp_path / "c2.db",
              cwd=project)
    assert (tmp_path / "toml" / "records.jsonl").read_bytes() == \
        (tmp_path / "off" / "records.jsonl").read_bytes()
    (project / "workbench.toml").write_text("auto_names = true\n")
    translate(names_folder, tmp_path / "on", installed_models, tmp_path / "c2.db", cwd=project)
    assert any(h.get("auto") for r in records(tmp_path / "on") for h in r["glossary"])


@pytest.mark.parametrize(("value", "shown"), [('"no"', "'no'"), ("0", "0")])
def test_a_bad_auto_names_value_is_one_line_naming_the_file(tmp_path, value, shown):
    (tmp_path / "workbench.toml").write_text(f"auto_names = {value}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["translate", str(tmp_path), "-o",
                                          str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'workbench.toml'}: auto_names: must be "
                             f"true or false, without quotes (got {shown})\n")


def test_a_run_without_unseen_names_is_byte_identical_with_or_without_them(
        tmp_path, installed_models):
    # The seeds' Vietnamese places (Dong Van, Ha Long Bay, Ninh Binh) stand in boilerplate
    # lines, which are kept, not translated: the run has no unseen name to protect.
    cache = tmp_path / "cache.db"
    translate(SEEDS, tmp_path / "on", installed_models, cache)
    translate(SEEDS, tmp_path / "off", installed_models, tmp_path / "other.db",
              "--no-auto-names")
    for name in ("records.jsonl", "articles.jsonl"):
        assert (tmp_path / "on" / name).read_bytes() == (tmp_path / "off" / name).read_bytes()
    assert "auto_names" not in json.loads((tmp_path / "on" / "run.json").read_text())


def test_an_approved_segment_keeps_its_automatic_hit(tmp_path, names_folder, installed_models):
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    translate(names_folder, out, installed_models, cache)
    source = "Według Bui Thanh Sona umowa jest gotowa."
    with DeskProcess(out) as desk:
        record = by_source(out)[source]
        answer = desk.post("/api/save", {"article": record["article"], "index": record["index"],
                                         "tgt": "According to Bui Thanh Son, the deal is ready.",
                                         "base": record["tgt"]})
        assert answer.status == 200, answer.body
    translate(names_folder, tmp_path / "again", installed_models, cache)
    approved = by_source(tmp_path / "again")[source]
    assert approved["status"] == "approved"
    assert approved["glossary"] == [{"term": "Bui Thanh Sona", "target": "Bui Thanh Son",
                                     "found": True, "enforced": "approved", "auto": True}]
    assert "name:unconfirmed" in approved["flags"]


def record_with(*hits: GlossaryHit) -> Record:
    return Record("a", 0, Kind.BODY, "pl", "Według Bui Thanh Sona umowa jest gotowa.", "en",
                  "According to Bui Thanh Son, the deal is ready.", Status.TRANSLATED, -0.1,
                  hits, (), 1)


def test_the_flag_names_each_automatic_form_and_its_english():
    auto = GlossaryHit("Bui Thanh Sona", "Bui Thanh Son", True, "exact", auto=True)
    curated = GlossaryHit("To Lam", "Tô Lâm", True, "exact")
    assert [(f.flag, f.reason) for f in findings(record_with(curated, auto))] == [
        ("name:unconfirmed",
         "automatic name, not in the glossary yet: 'Bui Thanh Sona' → 'Bui Thanh Son'")]
    assert findings(record_with(curated)) == []
    flagged = with_qa(record_with(auto))
    assert flagged.flags == ("name:unconfirmed",)
    assert with_qa(replace(flagged, glossary=(curated,))).flags == ()


def test_a_rerun_reads_the_names_from_the_cache(tmp_path, names_folder, installed_models,
                                                monkeypatch):
    cache = tmp_path / "cache.db"
    translate(names_folder, tmp_path / "one", installed_models, cache)

    def not_again(*args, **kwargs):
        raise AssertionError("names found again")

    monkeypatch.setattr("workbench.run.auto.auto_terms", not_again)
    translate(names_folder, tmp_path / "two", installed_models, cache)
    assert [{**r, "status": None} for r in records(tmp_path / "one")] == \
        [{**r, "status": None} for r in records(tmp_path / "two")]


def test_glossary_suggest_lists_the_automatic_names_most_frequent_first(
        tmp_path, names_folder, installed_models):
    out = tmp_path / "out"
    translate(names_folder, out, installed_models, tmp_path / "cache.db")
    args = ["glossary", "suggest", str(out), "--glossary", str(ROOT / "glossary"),
            "--cache", str(tmp_path / "cache.db")]
    listed = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    automatic = [c for c in listed if c.get("auto")]
    assert [(c["source"], c["type"], c["occurrences"]) for c in automatic] == [
        ("Bui Thanh Son", "person", 3), ("Nguyen Van Thang", "person", 2)]
    assert listed[:2] == automatic  # first, and not proposed again among the mined ones
    assert not any(c["source"].startswith(("Bui Thanh", "Нгуен")) for c in listed[2:])
    assert automatic[0]["add_command"] == (
        "workbench glossary add 'Bui Thanh Son' --type person --form 'pl=Bui Thanh Son' "
        "--form 'pl=Bui Thanh Sona' --form 'pl=Bui Thanh Sonem'")
    text = CliRunner().invoke(cli, args).stdout
    assert "2 automatic names first, most frequent first" in text
    assert " 1. Bui Thanh Son  (automatic name, person; 1 article, 3 occurrences; pl)" in text
    assert "    accept: workbench glossary add 'Nguyen Van Thang' --type person --form " \
           "'ru=Нгуен Ван Тханг' --form 'ru=Нгуен Ван Тханга'" in text
