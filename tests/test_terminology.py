"""The glossary as a terminology base (issue 27, first part): a form belongs to one entry,
add --move moves it, rename changes an entry's English and the next run re-translates
exactly the segments holding it. Runs use the RANDOM-WEIGHT test models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import InputError
from workbench.glossary.store import load_glossary

GLOSSARY = Path(__file__).resolve().parent.parent / "glossary"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    copy = tmp_path / "glossary"
    shutil.copytree(GLOSSARY, copy)
    return copy


def translate(tmp_path: Path, models: Path, seeds: Path, glossary: Path, out: str) -> dict:
    """A run of the seeds with this glossary into ``tmp_path/out``; its run.json."""
    result = invoke("translate", str(seeds), "-o", str(tmp_path / out), "--silent",
                    "--models-dir", str(models), "--cache", str(tmp_path / "c.db"),
                    "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / out / "run.json").read_text())


def tree(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(folder.glob("*.toml"))}


def test_a_form_another_entry_owns_is_refused_with_both_places(glossary):
    before = tree(glossary)
    result = invoke("glossary", "add", "To Lam", "--type", "person", "--form",
                    "latin=To Lam", "--glossary", str(glossary))
    assert result.exit_code == 1, result.output
    line = result.output.strip()
    assert "people.toml:" in line and "is also a form of 'Tô Lâm'" in line
    assert line.count("people.toml:") == 2  # both entries, each with its line
    assert tree(glossary) == before


def test_loading_a_glossary_where_two_entries_own_a_form_names_both(tmp_path):
    (tmp_path / "a.toml").write_text('[[term]]\ntarget = "Tô Lâm"\ntype = "person"\n'
                                     'latin = "To Lam"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[[term]]\ntarget = "To Lam"\ntype = "title"\n'
                                     'de = "to lam"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.toml:1: form 'to lam' \(de\) of 'To Lam' is also "
                                         r"a form of 'Tô Lâm' \(.*a\.toml:1\)"):
        load_glossary([tmp_path])


def test_move_takes_the_form_from_the_other_entry(glossary):
    result = invoke("glossary", "add", "To Lam", "--type", "person", "--form",
                    "latin=To Lam", "--glossary", str(glossary), "--move")
    assert result.exit_code == 0, result.output
    assert "moved 'To Lam' (latin) from 'Tô Lâm'" in result.output
    terms = {t.target: t for t in load_glossary([glossary]).terms}
    assert terms["To Lam"].forms == {"latin": ("To Lam",)}
    assert "To Lam" not in terms["Tô Lâm"].forms.get("latin", ())


def test_rename_retranslates_exactly_the_segments_holding_the_entry(tmp_path, glossary,
                                                                    installed_models,
                                                                    seeds_dir):
    def run(out: str) -> dict:
        return translate(tmp_path, installed_models, seeds_dir, glossary, out)

    run("first")
    holding = sum(any(hit["target"] == "Tô Lâm" for hit in json.loads(line)["glossary"])
                  for line in (tmp_path / "first" / "records.jsonl").open())
    assert holding > 0
    result = invoke("glossary", "rename", "Tô Lâm", "General Secretary To Lam",
                    "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    again = run("second")
    assert again["statuses"].get("translated", 0) == holding
    records = [json.loads(line) for line in (tmp_path / "second" / "records.jsonl").open()]
    assert sum(any(h["target"] == "General Secretary To Lam" for h in r["glossary"])
               for r in records) == holding
    assert invoke("glossary", "rename", "Nobody", "X", "--glossary",
                  str(glossary)).exit_code == 1


@pytest.mark.parametrize("edit", [
    ["rename", "Tô Lâm", "General Secretary To Lam"],
    ["remove", "Tô Lâm"],
    ["add", "Party Central Office", "--type", "body", "--form", "de=Parteizentrale"],
])
def test_a_preview_counts_what_the_next_run_retranslates(tmp_path, glossary, installed_models,
                                                         seeds_dir, edit):
    def run(out: str) -> dict:
        return translate(tmp_path, installed_models, seeds_dir, glossary, out)

    run("first")
    before = tree(glossary)
    shown = invoke("glossary", *edit, "--glossary", str(glossary), "--preview",
                   str(tmp_path / "first"))
    assert shown.exit_code == 0, shown.output
    assert tree(glossary) == before  # a preview writes nothing
    count = int(shown.output.split("would translate again ")[1].split()[0])
    assert count > 0
    assert invoke("glossary", *edit, "--glossary", str(glossary)).exit_code == 0
    assert run("second")["statuses"].get("translated", 0) == count


def test_a_forbidden_rendering_is_flagged_with_its_entry_even_in_cached_records(
        tmp_path, glossary, installed_models, seeds_dir):
    """The reviewer wrote "Political Bureau" for the Politburo; the glossary then forbids it.
    The next run takes everything from the cache and still flags it, naming the entry; glossary
    check reports it too."""
    def run(out: str) -> list[dict]:
        translate(tmp_path, installed_models, seeds_dir, glossary, out)
        return [json.loads(line) for line in (tmp_path / out / "records.jsonl").open()]

    first = run("first")
    holding = next(r for r in first if any(h["target"] == "Politburo" for h in r["glossary"]))
    corrections = tmp_path / "corrections.json"
    corrections.write_text(json.dumps({"corrections": [{
        "src_lang": holding["src_lang"], "tgt_lang": "en", "src": holding["src"],
        "tgt": "Members of the Political Bureau met in Hanoi."}]}), encoding="utf-8")
    assert invoke("corrections", "apply", str(corrections), "--cache",
                  str(tmp_path / "c.db")).exit_code == 0
    bodies = glossary / "bodies.toml"
    bodies.write_text(bodies.read_text("utf-8").replace(
        'target = "Politburo"\ntype = "body"\n',
        'target = "Politburo"\ntype = "body"\nforbidden = ["Political Bureau"]\n', 1), "utf-8")
    again = run("second")
    flagged = [r for r in again if "qa:forbidden" in r["flags"]]
    assert [(r["article"], r["index"], r["status"]) for r in flagged] == [
        (holding["article"], holding["index"], "approved")]
    shown = invoke("qa", str(tmp_path / "second"))
    assert "qa:forbidden: uses 'Political Bureau', which the glossary forbids for " \
           "'Politburo'" in shown.output
    check = invoke("glossary", "check", str(tmp_path / "second"))
    assert check.exit_code == 3
    assert f"forbidden 'Political Bureau' used in {holding['article']} #{holding['index']}" \
        in check.output


def test_usage_shows_hits_per_language_enforcement_misses_and_articles(tmp_path, glossary,
                                                                      installed_models,
                                                                      seeds_dir):
    assert invoke("translate", str(seeds_dir), "-o", str(tmp_path / "out"), "--silent",
                  "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
                  "--glossary", str(glossary)).exit_code == 0
    records = [json.loads(line) for line in (tmp_path / "out" / "records.jsonl").open()]
    hits = [(r["src_lang"], r["article"], h) for r in records for h in r["glossary"]
            if h["target"] == "Politburo"]
    result = invoke("glossary", "list", "--usage", str(tmp_path / "out"), "--json",
                    "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    entry = next(e for e in json.loads(result.output) if e["target"] == "Politburo")
    usage = entry["usage"]
    assert usage["hits"] == len(hits) > 0
    assert sum(usage["languages"].values()) == len(hits)
    assert set(usage["languages"]) == {lang for lang, _, _ in hits}
    assert usage["missed"] == sum(not h["found"] for _, _, h in hits)
    assert usage["articles"] == sorted({a for _, a, _ in hits})
    unused = next(e for e in json.loads(result.output) if not e["usage"]["hits"])
    assert unused["usage"]["articles"] == []


def _entries(folder: Path) -> set[tuple]:
    return {(t.target, t.type, tuple(sorted((k, v) for k, v in t.forms.items())), t.note,
             t.forbidden) for t in load_glossary([folder]).terms if t.forms}


@pytest.mark.parametrize("fmt", ["tbx", "tsv", "csv"])
def test_export_then_import_is_a_no_op_and_rebuilds_the_glossary(tmp_path, glossary, fmt):
    bodies = glossary / "bodies.toml"
    bodies.write_text(bodies.read_text("utf-8").replace(
        'target = "Politburo"\ntype = "body"\n',
        'target = "Politburo"\ntype = "body"\nforbidden = ["Political Bureau"]\n', 1), "utf-8")
    exported = tmp_path / f"terms.{fmt}"
    assert invoke("glossary", "export", "--format", fmt, "-o", str(exported), "--glossary",
                  str(glossary)).exit_code == 0
    before = tree(glossary)
    result = invoke("glossary", "import", str(exported), "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    assert tree(glossary) == before  # a no-op
    fresh = tmp_path / "fresh"
    result = invoke("glossary", "import", str(exported), "--glossary", str(fresh))
    assert result.exit_code == 0, result.output
    expected = _entries(glossary)
    if fmt != "tbx":  # one row per form: forbidden renderings are TBX's alone
        expected = {(*e[:4], ()) for e in expected}
    assert _entries(fresh) == expected


def test_the_tbx_is_read_entry_for_entry_by_translate_toolkit(tmp_path, glossary):
    from translate.storage.tbx import tbxfile

    exported = tmp_path / "terms.tbx"
    assert invoke("glossary", "export", "-o", str(exported), "--glossary",
                  str(glossary)).exit_code == 0
    store = tbxfile(exported.read_bytes())
    with_forms = [t for t in load_glossary([glossary]).terms if t.forms]
    assert len(store.units) == len(with_forms)
    assert [u.source for u in store.units] == [t.target for t in with_forms]


def test_an_import_with_a_refused_entry_writes_nothing(tmp_path, glossary):
    before = tree(glossary)
    bad = tmp_path / "bad.tsv"
    bad.write_text("form\ttarget\tlang\ttype\tnote\n"
                   "Parteizentrale\tParty Central Office\tde\tbody\t\n"
                   "To Lam\tTo Lam\tlatin\tperson\t\n", encoding="utf-8")  # owned by Tô Lâm
    result = invoke("glossary", "import", str(bad), "--glossary", str(glossary))
    assert result.exit_code == 3  # incomplete: refused entries, result.output
    assert "'Party Central Office' (body): added" in result.output
    assert "'To Lam' (person): refused" in result.output and "Nothing written" in result.output
    assert tree(glossary) == before
