"""Site rules end to end: `workbench labels` writes them, `translate` applies them.

Models have RANDOM WEIGHTS (see conftest): what is checked is which segments are translated,
kept or taken from the cache, never the wording of the English.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import InputError
from workbench.records import Kind
from workbench.sites.edit import plan_add, write_edit
from workbench.sites.rules import article_site, load_site_rules, normalize_site

SITE = "dagsnytt.no"
CREDIT = "Foto: NTB"


def article(n: int, site: str = SITE) -> str:
    """A news article whose credit line and 'updated' line its site prints on every page."""
    return "\n".join([
        f"Regjeringen legger frem plan nummer {n} for nye veier",
        f"Samferdselsministeren presenterte i dag plan nummer {n} for veier og jernbane i "
        "hele landet.",
        CREDIT,
        f"Planen gir mer penger til vedlikehold av {n} broer og tunneler, sa hun på "
        "pressekonferansen.",
        f"Saken ble oppdatert kl. 1{n}:3{n} med nye opplysninger fra departementet.",
        f"Opposisjonen kritiserte plan nummer {n} og mente det var for lite til kommunene.",
        f"Kilde: https://www.{site}/nyheter/plan-{n}",
    ]) + "\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A workbench project (the current folder) with three articles of SITE and one other."""
    root = tmp_path / "proj"
    (root / "glossary").mkdir(parents=True)
    (root / "workbench.toml").write_text('glossary = "glossary"\ncache = "cache/wb.db"\n')
    inputs = root / "in"
    inputs.mkdir()
    for n in (1, 2, 3):
        (inputs / f"dn{n}.txt").write_text(article(n), encoding="utf-8")
    (inputs / "other.txt").write_text(article(4, "annet.no"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def translate(root: Path, models: Path) -> tuple[dict, list[dict]]:
    run("translate", str(root / "in"), "-o", str(root / "out"), "--silent",
        "--models-dir", str(models))
    manifest = json.loads((root / "out" / "run.json").read_text("utf-8"))
    records = [json.loads(line) for line in
               (root / "out" / "records.jsonl").read_text("utf-8").splitlines()]
    return manifest, records


def kinds(records: list[dict], text: str) -> dict[str, tuple[str, str]]:
    """{article: (kind, status)} of the record(s) holding ``text``."""
    return {r["article"]: (r["kind"], r["status"]) for r in records if r["src"] == text}


def updated_lines(records: list[dict]) -> dict[str, tuple[str, str]]:
    return {r["article"]: (r["kind"], r["status"]) for r in records
            if r["src"].startswith("Saken ble oppdatert")}


def test_a_relabel_stops_and_starts_translation_for_every_article_of_the_site(
        project, installed_models):
    first, records = translate(project, installed_models)
    assert first["labels"]["files"] == [] and first["labels"]["relabelled_articles"] == 0
    # Before any rule: the credit is kept, the 'updated' line is translated, everywhere.
    assert set(kinds(records, CREDIT).values()) == {("credit", "kept")}
    assert {kind for kind, _ in updated_lines(records).values()} == {"body"}
    translated_before = first["statuses"]["translated"]

    run("labels", "add", "https://www.dagsnytt.no/nyheter/plan-1", "--line", CREDIT,
        "--kind", "caption")
    run("labels", "add", SITE, "--pattern", r"Saken ble oppdatert kl\. \d\d:\d\d .+",
        "--kind", "boilerplate", "--note", "update stamp")
    rules_file = project / "labels" / f"{SITE}.toml"
    assert rules_file.is_file()

    second, records = translate(project, installed_models)
    # Only the three credits became translatable, and only they were translated.
    assert second["statuses"]["translated"] == 3
    assert second["statuses"]["cached"] == translated_before - 3
    assert kinds(records, CREDIT) == {f"dn{n}": ("caption", "translated") for n in (1, 2, 3)} \
        | {"other": ("credit", "kept")}
    assert updated_lines(records) == {f"dn{n}": ("boilerplate", "kept") for n in (1, 2, 3)} \
        | {"other": ("body", "cached")}
    # No text is lost: every input line is still in the records, in order.
    for name in ("dn1", "other"):
        lines = (project / "in" / f"{name}.txt").read_text("utf-8").splitlines()
        own = [r for r in records if r["article"] == name]
        assert [" ".join(r["src"] for r in own if r["line"] == n + 1)
                for n in range(len(lines))] == lines
    # Only the site's three articles were prepared again; run.json names the rules file.
    assert second["prepared_from_cache"] == 1
    assert second["labels"]["files"] == [str(rules_file.absolute())]
    assert second["labels"]["relabelled_articles"] == 3
    assert second["labels"]["rules"] == 2 and second["labels"]["digest"] != "none"

    third, _ = translate(project, installed_models)
    assert third["statuses"].get("translated", 0) == 0
    assert third["prepared_from_cache"] == 4 and third["labels"]["relabelled_articles"] == 3

    run("labels", "remove", SITE, "--line", CREDIT)
    run("labels", "remove", SITE, "--pattern", r"Saken ble oppdatert kl\. \d\d:\d\d .+")
    fourth, records = translate(project, installed_models)
    assert fourth["statuses"].get("translated", 0) == 0  # all from the cache
    assert set(kinds(records, CREDIT).values()) == {("credit", "kept")}
    assert {s for _, s in updated_lines(records).values()} == {"cached"}
    assert fourth["labels"]["relabelled_articles"] == 0


def test_preview_lists_the_lines_a_rule_changes_and_writes_nothing(project, installed_models):
    translate(project, installed_models)
    result = CliRunner().invoke(cli, ["labels", "add", SITE, "--line", CREDIT, "--kind",
                                      "caption", "--preview", str(project / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"This change would relabel 3 lines of {project / 'out'}, in 3 articles of {SITE}:",
        *(f"  dn{n} line 3: credit -> caption: {CREDIT}" for n in (1, 2, 3))]
    assert not (project / "labels").exists()
    result = CliRunner().invoke(cli, ["labels", "add", "example.com", "--line", CREDIT,
                                      "--kind", "caption", "--preview", str(project / "out")])
    assert "Note: no article of this run is from example.com" in result.output


def test_list_shows_each_rule_with_its_place(project):
    run("labels", "add", SITE, "--line", "Meny", "--kind", "boilerplate")
    run("labels", "add", SITE, "--line", "Meny", "--kind", "credit")  # changes the rule
    result = CliRunner().invoke(cli, ["labels", "list", "--json"])
    rules = json.loads(result.stdout)
    assert [(r["site"], r["kind"], r["line"]) for r in rules] == [(SITE, "credit", "Meny")]
    shown = CliRunner().invoke(cli, ["labels", "list"]).stdout
    assert shown == f"{SITE}\tcredit\tMeny\t{project / 'labels' / (SITE + '.toml')}:" \
                    f"{rules[0]['number']}\n"


def test_outside_a_project_there_are_no_site_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["labels", "list"])
    assert result.exit_code == 1
    assert result.output == ("Error: not in a workbench project (no workbench.toml here or "
                             "above), so there are no site rules: run `workbench init`, or "
                             "pass --labels DIR\n")


def test_a_hand_edit_keeps_its_comments_through_an_edit(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / f"{SITE}.toml").write_text('# our rules\n[[rule]]\nline = "Meny"  # menu\n'
                                         'kind = "boilerplate"\n', encoding="utf-8")
    write_edit(folder, plan_add(folder, SITE, "credit", pattern="Foto: .+"))
    text = (folder / f"{SITE}.toml").read_text("utf-8")
    assert text.startswith('# our rules\n[[rule]]\nline = "Meny"  # menu\n')
    rules = load_site_rules(folder).for_site(SITE)
    assert rules.kind_of("Foto:  Ola Nordmann") is Kind.CREDIT
    assert rules.kind_of("Meny") is Kind.BOILERPLATE and rules.kind_of("Menyer") is None


BAD_FILES = [
    ('[[rule]]\nline = "Meny"\nkind = "chrome"\n',
     "3: kind must be one of body, title, caption, credit, byline, dateline, source, "
     "boilerplate (got 'chrome')"),
    ('[[rule]]\nline = "Meny"\nkind = "boilerplate"\ncolour = "red"\n',
     "4: unknown key 'colour' (a rule has line or pattern, kind, and an optional note)"),
    ('[[rule]]\nkind = "boilerplate"\n',
     "1: a rule needs line (the exact line) or pattern (a regular expression)"),
    ("[[rule]]\npattern = 'Foto: ('\nkind = \"credit\"\n",
     "2: pattern is not a valid regular expression (missing ) at position 7)"),
    ("[[rule]]\npattern = '.*'\nkind = \"credit\"\n",
     "2: pattern matches an empty line; it must match the lines to relabel and no others"),
    ("[[rule]]\npattern = '.+'\nkind = \"credit\"\n",
     "2: pattern matches any line (it would relabel whole articles); make it match only the "
     "lines to relabel"),
    ("[[rule]]\npattern = '(a|aa)+$'\nkind = \"credit\"\n",
     "2: pattern takes too long on simple text (nested repetition such as (a+)+); simplify it"),
    ('[[rule]]\nline = "Meny"\nkind = "boilerplate"\n\n[[rule]]\nline = " Meny "\n'
     'kind = "body"\n',
     "5: a second rule for the line 'Meny' (the first is at line 1); keep one"),
    ('[[rule]]\nline = "Meny\\u202e"\nkind = "boilerplate"\n',
     "2: the line holds a bidirectional control (U+202E at character 5)"),
    ('[[rule]\nline = "Meny"\n', "1: not valid TOML: Expected ']]' at the end of an array "
                                 "declaration"),
    ('[rules]\nline = "x"\n', "1: unknown top-level key 'rules'; rules are [[rule]] tables"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_FILES, ids=[p.split(": ")[1][:30]
                                                              for _, p in BAD_FILES])
def test_a_bad_rules_file_stops_the_run_in_one_line(project, text, problem):
    (project / "labels").mkdir()
    (project / "labels" / f"{SITE}.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", str(project / "in"), "-o",
                                      str(project / "out"), "--silent"])
    assert result.exit_code == 1
    assert result.output == f"Error: {project / 'labels' / SITE}.toml:{problem}\n"
    assert not (project / "out" / "records.jsonl").exists()
    # An edit of a malformed file is refused the same way and writes nothing.
    edited = CliRunner().invoke(cli, ["labels", "add", SITE, "--line", "Logg inn", "--kind",
                                      "boilerplate"])
    assert edited.exit_code == 1 and edited.output == result.output
    assert (project / "labels" / f"{SITE}.toml").read_text("utf-8") == text


def test_links_and_odd_names_are_refused(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("", encoding="utf-8")
    os.symlink(outside, folder / f"{SITE}.toml")
    with pytest.raises(InputError, match="a symbolic link"):
        load_site_rules(folder)
    with pytest.raises(InputError, match="a symbolic link"):
        plan_add(folder, SITE, "boilerplate", line="Meny")
    assert outside.read_text("utf-8") == ""
    (folder / f"{SITE}.toml").unlink()
    (folder / "Dagsnytt News.toml").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="not a site rules file name"):
        load_site_rules(folder)


@pytest.mark.parametrize(("given", "site"), [
    ("dagsnytt.no", "dagsnytt.no"), ("WWW.Dagsnytt.no", "dagsnytt.no"),
    ("https://www.dagsnytt.no:8080/a/b?c", "dagsnytt.no"), ("www.svt.se/nyheter", "svt.se"),
])
def test_a_site_is_a_domain(given, site):
    assert normalize_site(given) == site


@pytest.mark.parametrize("given", ["SVT Nyheter", "localhost", "../etc", "a..b", ""])
def test_what_is_not_a_site(given):
    with pytest.raises(ValueError, match="is not a site"):
        normalize_site(given)
    assert article_site(None, given) is None


def test_rules_apply_to_articles_prepared_by_worker_processes(project, tmp_path):
    """A first run over many articles prepares them in workers; the rules still apply."""
    for n in range(5, 140):  # workers start after 48 new articles with 48 more to come
        (project / "in" / f"dn{n}.txt").write_text(article(n), encoding="utf-8")
    run("labels", "add", SITE, "--line", CREDIT, "--kind", "caption")
    result = CliRunner().invoke(cli, ["translate", str(project / "in"), "-o",
                                      str(project / "out"), "--silent", "--models-dir",
                                      str(tmp_path / "no-models")])
    assert result.exit_code == 3, result.output  # no model installed: records all the same
    records = [json.loads(line) for line in
               (project / "out" / "records.jsonl").read_text("utf-8").splitlines()]
    found = kinds(records, CREDIT)
    assert len(found) == 139
    assert {k for a, (k, _) in found.items() if a != "other"} == {"caption"}
    assert found["other"] == ("credit", "kept")
    manifest = json.loads((project / "out" / "run.json").read_text("utf-8"))
    assert manifest["labels"]["relabelled_articles"] == 138
