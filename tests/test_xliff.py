"""XLIFF 1.2 export and the round trip through a CAT tool, through the REAL engine (random-weight
packages: the English is meaningless, the structure, states and statuses are not)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, require
from lxml import etree

from workbench.cli import cli

NS = "urn:oasis:names:tc:xliff:document:1.2"
XSD = FIXTURES / "xliff" / "xliff-core-1.2-strict.xsd"


@pytest.fixture
def seeds_run(tmp_path, seeds_dir, installed_models):
    out, cache = tmp_path / "out", tmp_path / "c.db"
    command = ["translate", str(seeds_dir), "-o", str(out), "--silent", "--models-dir",
               str(installed_models), "--cache", str(cache), "--no-glossary"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    return out, cache, command


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").open()]


def test_seeds_xliff_is_valid_and_read_back_unit_for_unit(seeds_run):
    from translate.storage import xliff

    out, _, _ = seeds_run
    schema = etree.XMLSchema(etree.parse(str(require(XSD, "the XLIFF 1.2 strict schema"))))
    document = etree.parse(str(out / "records.xlf"))
    schema.assertValid(document)
    translated = [r for r in records(out) if r["status"] == "translated"]
    store = xliff.xlifffile.parsefile(str(out / "records.xlf"))
    units = [u for u in store.units if not u.isheader()]
    # translate-toolkit prefixes ids with the file's original and \x04
    assert [(u.getid().split("\x04")[-1], u.source, u.target) for u in units] == [
        (f"{r['article']}:{r['index']}", r["src"], r["tgt"]) for r in translated]
    targets = document.findall(f".//{{{NS}}}target")
    assert {(t.get("state"), t.get("state-qualifier")) for t in targets} == {
        ("needs-review-translation", "leveraged-mt")}
    files = document.findall(f".//{{{NS}}}file")
    assert [f.get("original") for f in files] == sorted({r["article"] for r in records(out)})
    assert {f.get("datatype") for f in files} == {"plaintext"}
    assert {f.get("target-language") for f in files} == {"en"}


def cat_tool_edit(path: Path, out: Path) -> dict[str, str]:
    """Edit the file as a CAT tool does: its own namespace prefix, alt-trans proposals, inline
    codes in targets, and states. Returns what each touched unit id should become."""
    text = path.read_text("utf-8").replace('xmlns="urn:oasis:names:tc:xliff:document:1.2"',
                                           'xmlns:x="urn:oasis:names:tc:xliff:document:1.2"')
    text = text.replace("<", "<x:").replace("<x:/", "</x:").replace("<x:?xml", "<?xml")
    root = etree.fromstring(text.encode())
    units = root.findall(f".//{{{NS}}}trans-unit")
    for unit in units:  # every unit gets a proposal, as translation memories add them
        alt = etree.SubElement(unit, f"{{{NS}}}alt-trans")
        etree.SubElement(alt, f"{{{NS}}}target").text = "A memory's proposal."
    expected = {}
    done, approved, not_done, moved = units[0], units[1], units[2], units[3]
    target = done.find(f"{{{NS}}}target")
    target.text = "The reviewed "
    bold = etree.SubElement(target, f"{{{NS}}}g", id="1")
    bold.text = "English"
    bold.tail = " sentence."
    etree.SubElement(target, f"{{{NS}}}x", id="2")
    target.set("state", "translated")
    expected[done.get("id")] = "The reviewed English sentence."
    target = approved.find(f"{{{NS}}}target")
    target.text = "Signed off by a reviewer."
    target.set("state", "signed-off")
    approved.set("approved", "yes")
    expected[approved.get("id")] = "Signed off by a reviewer."
    not_done.find(f"{{{NS}}}target").text = "Still a draft."  # state left as it was
    moved.find(f"{{{NS}}}source").text = "A sentence the run never had."
    moved.find(f"{{{NS}}}target").text = "Changed as well."
    moved.find(f"{{{NS}}}target").set("state", "final")
    edited = out / "edited.xlf"
    edited.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return expected


def test_an_xliff_edited_in_a_cat_tool_approves_exactly_the_done_units(seeds_run, tmp_path):
    out, cache, command = seeds_run
    before = {(r["article"], r["index"]): r["status"] for r in records(out)}
    expected = cat_tool_edit(out / "records.xlf", tmp_path)
    result = CliRunner().invoke(cli, ["corrections", "apply", str(tmp_path / "edited.xlf"),
                                      "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    units = len(etree.parse(str(out / "records.xlf")).findall(f".//{{{NS}}}trans-unit"))
    assert (f"edited.xlf: approved 2, left unchanged {units - 4}, edited but not marked done 1, "
            "could not match 1.") in result.output
    rerun = CliRunner().invoke(cli, command)
    assert rerun.exit_code == 0, rerun.output
    after = {(r["article"], r["index"]): r for r in records(out)}
    approved = {f"{a}:{i}": r["tgt"] for (a, i), r in after.items() if r["status"] == "approved"}
    assert approved == expected
    changed = {key for key, r in after.items() if before[key] != r["status"]
               and not (before[key] == "translated" and r["status"] == "cached")}
    assert {f"{a}:{i}" for a, i in changed} == set(expected)
    xlf = etree.parse(str(out / "records.xlf"))
    finals = [u for u in xlf.findall(f".//{{{NS}}}trans-unit") if u.get("approved") == "yes"]
    assert {u.get("id") for u in finals} == set(expected)
    assert {u.find(f"{{{NS}}}target").get("state") for u in finals} == {"final"}


def test_a_tmx_from_a_cat_tool_approves_changed_units(seeds_run, tmp_path):
    out, cache, command = seeds_run
    tmx = etree.parse(str(out / "records.tmx"))
    first = tmx.find(".//tu")
    seg = first.findall("tuv")[1].find("seg")
    seg.text = "A translator's own English."
    edited = tmp_path / "memory.tmx"
    tmx.write(str(edited), xml_declaration=True, encoding="UTF-8")
    result = CliRunner().invoke(cli, ["corrections", "apply", str(edited), "--cache",
                                      str(cache)])
    assert result.exit_code == 0, result.output
    assert "memory.tmx: approved 1," in result.output
    assert CliRunner().invoke(cli, command).exit_code == 0
    approved = [r for r in records(out) if r["status"] == "approved"]
    assert [(f"{r['article']}:{r['index']}", r["tgt"]) for r in approved] == [
        (first.get("tuid"), "A translator's own English.")]


def test_something_else_is_refused_with_one_line(tmp_path):
    path = tmp_path / "notes.xml"
    path.write_text("<notes><note>hi</note></notes>")
    result = CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache",
                                      str(tmp_path / "c.db")])
    assert result.exit_code == 3  # incomplete: a file was not read
    assert result.output == (f"Error: {path}: not a corrections file (an XML <notes>, not "
                             "XLIFF or TMX)\n")
