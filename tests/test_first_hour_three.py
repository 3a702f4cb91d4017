"""A new user's first hour, round two's "should fix" list (issue 36): a glossary target typed
without diacritics is suggested, an import prints counts and only what it changed, a whole
OmegaT project folder is a corrections file, installing a model twice is one behaviour, and
the records database reads well in Datasette."""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from desk_server import make_run, records, translate
from lxml import etree

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


# --- glossary import: counts and the changed entries; a refusal's row and a real way out --------

def test_an_import_lists_only_what_it_changed_and_counts_the_rest(tmp_path, glossary):
    source = tmp_path / "terms.csv"
    source.write_text("form,target,lang,type,note\n"
                      "Pham Minh Chinh,Phạm Minh Chính,latin,person,\n"
                      "To Lam,Tô Lâm,latin,person,\n"
                      "То Лам,Tô Lâm,ru,person,\n"
                      "Nowy,New One,pl,person,\n", "utf-8")
    result = invoke("glossary", "import", source, "--glossary", glossary)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "'Tô Lâm' (person): extended", "'New One' (person): added",
        f"2 entries added or extended in {glossary} (1 added, 1 extended, 1 unchanged)."]
    again = invoke("glossary", "import", source, "--glossary", glossary)
    assert again.exit_code == 0
    assert again.output.splitlines() == [
        f"0 entries added or extended in {glossary} (0 added, 0 extended, 3 unchanged)."]


@pytest.mark.parametrize("suffix", ["csv", "tbx"])
def test_a_refused_import_names_its_row_and_a_command_that_exists(tmp_path, glossary, suffix):
    source = tmp_path / f"terms.{suffix}"
    if suffix == "csv":
        source.write_text("form,target,lang,type,note\n"
                          "Nowy,New One,pl,person,\n"
                          "Inny,Somebody,pl,person,\n"
                          "To Lam,Somebody,pl,person,\n", "utf-8")
        line = 4
    else:
        source.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic"><text><body>\n'
            '<termEntry><descrip type="subjectField">person</descrip>\n'
            '<langSet xml:lang="en"><tig><term>New One</term></tig></langSet>\n'
            '<langSet xml:lang="pl"><tig><term>Nowy</term></tig></langSet></termEntry>\n'
            '<termEntry><descrip type="subjectField">person</descrip>\n'
            '<langSet xml:lang="en"><tig><term>Somebody</term></tig></langSet>\n'
            '<langSet xml:lang="pl"><tig><term>To Lam</term></tig></langSet></termEntry>\n'
            '</body></text></martif>\n', "utf-8")
        line = 6
    (glossary / "people.toml").write_text(PEOPLE + 'ru = ["То Лам"]\n', "utf-8")
    before = (glossary / "people.toml").read_bytes()
    result = invoke("glossary", "import", source, "--glossary", glossary)
    assert result.exit_code == 3, result.output  # incomplete, as corrections apply and check
    refused = [x for x in result.output.splitlines() if "refused:" in x]
    assert len(refused) == 1
    assert refused[0].startswith(f"{source}:{line}: 'Somebody' (person): refused: form 'To Lam' "
                                 "(pl) of 'Somebody' is also a form of 'Tô Lâm' "
                                 f"({glossary / 'people.toml'}:6)")
    assert len(source.read_text("utf-8").splitlines()) >= line
    command = "workbench glossary add Somebody --type person --form 'pl=To Lam' --move"
    assert refused[0].endswith(f"change or drop that row, or move the form to this entry "
                               f"first with `{command}`")
    assert "(glossary add --move moves it)" not in result.output
    assert "Nothing written: 1 entry refused (1 added, 0 extended, 0 unchanged)." in \
        result.output
    assert (glossary / "people.toml").read_bytes() == before
    # the suggested command works as written
    moved = invoke(*shlex.split(command)[1:], "--glossary", glossary)
    assert moved.exit_code == 0, moved.output
    assert invoke("glossary", "import", source, "--glossary", glossary).exit_code == 0


def test_a_clash_between_two_rows_of_the_import_names_the_later_row(tmp_path, glossary):
    source = tmp_path / "terms.csv"
    source.write_text("form,target,lang,type,note\nNowy,New One,pl,person,\n"
                      "nowy,Other One,latin,person,\n", "utf-8")
    result = invoke("glossary", "import", source, "--glossary", glossary)
    assert result.exit_code == 3
    assert f"{source}:3: 'Other One' (person): refused:" in result.output
    assert result.output.count("change or drop one of the two rows") == 1


def test_an_unusable_import_file_is_still_exit_1(tmp_path, glossary):
    source = tmp_path / "terms.csv"
    source.write_text("form,target\nx,y\n", "utf-8")
    result = invoke("glossary", "import", source, "--glossary", glossary)
    assert result.exit_code == 1 and "the header must name the columns" in result.output


def test_import_help_states_the_exit_codes():
    result = invoke("glossary", "import", "--help")
    assert "3 incomplete: an entry was refused" in " ".join(result.output.split())


# --- corrections apply takes a whole OmegaT project folder ---------------------------------------

def _omegat_memory(project: Path, src: str, pairs: list[tuple[str, str]]) -> Path:
    """A project_save.tmx as OmegaT writes one, with these (source, English) units."""
    tmx = etree.Element("tmx", version="1.1")
    etree.SubElement(tmx, "header", creationtool="OmegaT", srclang=src, adminlang="EN-US",
                     datatype="plaintext", segtype="paragraph", **{"o-tmf": "OmegaT TMX"})
    body = etree.SubElement(tmx, "body")
    for source, english in pairs:
        tu = etree.SubElement(body, "tu")
        for lang, value in ((src, source), ("en", english)):
            etree.SubElement(etree.SubElement(tu, "tuv", lang=lang), "seg").text = value
    saved = project / "omegat" / "project_save.tmx"
    etree.ElementTree(tmx).write(str(saved), xml_declaration=True, encoding="UTF-8")
    return saved


def test_corrections_apply_reads_an_omegat_project_folder(tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models)
    assert invoke("export", out, "--format", "omegat").exit_code == 0
    project = out / "omegat" / "pl-en"
    unsaved = invoke("corrections", "apply", project, "--cache", cache)
    assert unsaved.exit_code == 3
    assert f"{project}: an OmegaT project without omegat/project_save.tmx yet" in \
        unsaved.output
    first = next(r for r in records(out) if r["src_lang"] == "pl" and r["status"] ==
                 "translated")
    _omegat_memory(project, "pl", [(first["src"], "Edited in OmegaT.")])
    # no --cache: the project is in its run's folder, whose run.json names the cache
    applied = invoke("corrections", "apply", project)
    assert applied.exit_code == 0, applied.output
    assert f"{project}: approved 1," in applied.output
    assert f"Approved 1 corrections in {cache}." in " ".join(applied.output.split())
    translate(tmp_path / "in", out, cache, glossary, installed_models)
    assert [(r["article"], r["index"], r["tgt"]) for r in records(out)
            if r["status"] == "approved"] == [(first["article"], first["index"],
                                               "Edited in OmegaT.")]


def test_a_folder_that_is_not_an_omegat_project_is_one_line(tmp_path):
    folder = tmp_path / "omegat"
    for name in ("nb-en", "pl-en"):
        (folder / name / "omegat").mkdir(parents=True)
        (folder / name / "omegat.project").write_text("<omegat/>", "utf-8")
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text("", "utf-8")
    result = invoke("corrections", "apply", folder, "--cache", tmp_path / "cache.db")
    assert result.exit_code == 3
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == [f"Error: {folder}: a folder, not an OmegaT project (no omegat.project); "
                      "give corrections files or OmegaT project folders, e.g. "
                      f"{folder / 'nb-en'}, {folder / 'pl-en'}"]


# --- installing a model twice: one behaviour for files, folders and index codes -----------------

def _version(archive: Path, target: Path, version: str) -> Path:
    """The archive as another version of its package (metadata and folder name)."""
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("metadata.json"):
                data = data.replace(b'"package_version": "1.0"',
                                    f'"package_version": "{version}"'.encode())
            zout.writestr(info.filename, data)
    return target


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_the_same_argosmodel_twice_is_already_installed_and_untouched(tmp_path, random_archives):
    models = tmp_path / "models"
    first = invoke("models", "install", random_archives["de"], "--models-dir", models)
    assert first.exit_code == 0 and first.output.startswith("Installed translate-de_en 1.0")
    before = _snapshot(models)
    again = invoke("models", "install", random_archives["de"], "--models-dir", models)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Already installed (same version): translate-de_en 1.0")
    assert "nothing changed" in again.output
    assert _snapshot(models) == before
    folder = invoke("models", "install", models / "translate-de_en-1_0", "--models-dir", models)
    assert folder.exit_code == 0 and "Already installed (same version)" in folder.output
    assert _snapshot(models) == before


def test_another_version_from_a_file_replaces_the_installed_one(tmp_path, random_archives):
    models = tmp_path / "models"
    assert invoke("models", "install", random_archives["de"], "--models-dir",
                  models).exit_code == 0
    newer = _version(random_archives["de"], tmp_path / "translate-de_en-1_1.argosmodel", "1.1")
    result = invoke("models", "install", newer, "--models-dir", models)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Installed translate-de_en 1.1")
    assert "(replacing 1.0)" in result.output
    assert sorted(p.name for p in models.iterdir()) == ["translate-de_en-1_1"]


def _index(http_server, real_index, archives: dict[str, Path], versions: dict[str, str]) -> str:
    base, root = http_server
    (root / "packages").mkdir()
    entries = json.loads(real_index.read_text())
    for entry in entries:
        if entry["to_code"] == "en" and entry["from_code"] in archives:
            name = Path(entry["links"][0]).name
            entry["links"] = [f"{base}/packages/{name}"]
            entry.pop("checksum", None)
            entry.pop("sha256", None)
            entry["package_version"] = versions.get(entry["from_code"],
                                                    entry["package_version"])
            (root / "packages" / name).write_bytes(archives[entry["from_code"]].read_bytes())
    (root / "index.json").write_text(json.dumps(entries))
    return f"{base}/index.json"


def test_an_index_code_says_the_same_and_replaces_another_version(tmp_path, random_archives,
                                                                    http_server, real_index):
    models = tmp_path / "models"
    assert invoke("models", "install", random_archives["de"], "--models-dir",
                  models).exit_code == 0
    before = _snapshot(models)
    url = _index(http_server, real_index, {"de": random_archives["de"]}, {})
    same = invoke("models", "install", "de", "--silent", "--models-dir", models,
                  "--index-url", url)
    assert same.exit_code == 0, same.output
    assert same.output.startswith("Already installed (same version): translate-de_en 1.0")
    assert "remove" not in same.output
    assert _snapshot(models) == before
    newer = _version(random_archives["de"], tmp_path / "new.argosmodel", "2.0")
    http_server[1].joinpath("index.json").unlink()
    for child in http_server[1].joinpath("packages").iterdir():
        child.unlink()
    http_server[1].joinpath("packages").rmdir()
    url = _index(http_server, real_index, {"de": newer}, {"de": "2.0"})
    replaced = invoke("models", "install", "de", "--silent", "--models-dir", models,
                      "--index-url", url)
    assert replaced.exit_code == 0, replaced.output
    assert "Installed translate-de_en 2.0" in replaced.output and "(replacing 1.0)" in \
        replaced.output
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".")) == \
        ["translate-de_en-2_0"]
    offline = invoke("models", "install", "de", "--models-dir", models, "--index-url",
                     "http://127.0.0.1:9/unreachable.json")
    assert offline.exit_code == 0
    assert offline.output.startswith("Already installed: translate-de_en 2.0")
    assert "could not be reached" in offline.output
