"""OmegaT round trips with the real tool: Debian's OmegaT 3.6 in console mode.

`export --format omegat` writes the projects, `omegat --mode=console-translate` fills them
from their memory, a translator's edits (in OmegaT's target files and memories, never its
`state`) come back through `corrections apply`. Also translate-toolkit's PO route. The models
have RANDOM WEIGHTS (see conftest): the English is meaningless, what is checked is which
units are filled and approved. OmegaT and Java come from Debian (`.ci/run` installs them); if
they are missing the tests fail and say so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from desk_server import make_run, records, translate
from lxml import etree

from workbench.cli import cli

XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


@pytest.fixture(scope="session")
def omegat_command() -> str:
    found = shutil.which("omegat")
    if found is None:
        pytest.fail("Debian's omegat is needed for the OmegaT round trip: apt-get install "
                    "omegat", pytrace=False)
    return found


@pytest.fixture
def run(tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models)
    exported = CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])
    assert exported.exit_code == 0, exported.output
    return out, cache, glossary, installed_models


def console_translate(omegat_command, project, tmp_path) -> None:
    done = subprocess.run([omegat_command, "--mode=console-translate",
                           "--disable-project-locking", f"--config-dir={tmp_path / 'omegat-cfg'}",
                           str(project)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Finished" in done.stdout, done.stdout[-3000:]


def units(path) -> dict[str, tuple[str, str]]:
    return {u.get("id"): (u.find(f"{XLIFF}source").text, u.find(f"{XLIFF}target").text)
            for u in etree.parse(str(path)).iter(f"{XLIFF}trans-unit")}


def apply(path, cache) -> CliRunner:
    return CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache", str(cache)])


def test_omegat_fills_every_unit_of_every_project(run, omegat_command, tmp_path):
    out, *_ = run
    english = {f"{r['article']}:{r['index']}": r["tgt"] for r in records(out)
               if r["status"] in ("translated", "cached", "approved")}
    projects = sorted((out / "omegat").iterdir())
    assert [p.name for p in projects] == ["nb-en", "pl-en"]
    for project in projects:
        assert (project / "omegat.project").is_file() and (project / "omegat").is_dir()
        assert (project / "glossary" / "workbench.utf8").read_text("utf-8").count("\t") > 0
        assert not (project / "glossary" / "glossary.txt").exists()  # the translator's
        console_translate(omegat_command, project, tmp_path)
        src = project.name.split("-")[0]
        filled = units(project / "target" / f"records.{src}.xlf")
        wanted = {r for r, text in english.items() if r in filled}
        assert filled and set(filled) == wanted  # one OmegaT segment per segment of ours
        assert all(target == english[unit] for unit, (_, target) in filled.items())


def test_edits_in_omegat_are_approved_without_touching_state(run, omegat_command, tmp_path):
    out, cache, glossary, models = run
    project = out / "omegat" / "nb-en"
    console_translate(omegat_command, project, tmp_path)
    target = project / "target" / "records.nb.xlf"
    tree = etree.parse(str(target))
    edited = {}
    for number, unit in enumerate(list(tree.iter(f"{XLIFF}trans-unit"))[:3]):
        element = unit.find(f"{XLIFF}target")
        if number < 2:
            element.text = edited[unit.get("id")] = f"The translator's English {number}."
        else:  # left untranslated: OmegaT's copy of the source
            element.text = unit.find(f"{XLIFF}source").text
    assert not any(el.get("state") for el in tree.iter())
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    applied = apply(target, cache)
    assert applied.exit_code == 0, applied.output
    total = len(units(target))
    assert (f"approved 2, left unchanged {total - 3}, edited but not marked done 0, could not "
            "match 0, refused 1 whose English is the source text.") in applied.output
    translate(tmp_path / "in", out, cache, glossary, models)
    approved = {f"{r['article']}:{r['index']}": r["tgt"] for r in records(out)
                if r["status"] == "approved"}
    assert approved == edited


def test_project_memory_and_omegat_exports_are_read(run, omegat_command, tmp_path):
    """What OmegaT saves (project_save.tmx) and exports (TMX 1.1 with lang=) comes back."""
    out, cache, glossary, models = run
    project = out / "omegat" / "pl-en"
    first = next(r for r in records(out) if r["src_lang"] == "pl" and r["status"] ==
                 "translated")
    # The memory OmegaT saves a translator's work in, as OmegaT writes it.
    tmx = etree.Element("tmx", version="1.1")
    etree.SubElement(tmx, "header", creationtool="OmegaT", srclang="pl", adminlang="EN-US",
                     datatype="plaintext", segtype="paragraph", **{"o-tmf": "OmegaT TMX"})
    tu = etree.SubElement(etree.SubElement(tmx, "body"), "tu")
    for lang, value in (("pl", first["src"]), ("en", "Edited in OmegaT.")):
        etree.SubElement(etree.SubElement(tu, "tuv", lang=lang), "seg").text = value
    saved = project / "omegat" / "project_save.tmx"
    etree.ElementTree(tmx).write(str(saved), xml_declaration=True, encoding="UTF-8")
    console_translate(omegat_command, project, tmp_path)
    assert units(project / "target" / "records.pl.xlf")[
        f"{first['article']}:{first['index']}"][1] == "Edited in OmegaT."
    export = project / "pl-en-omegat.tmx"
    assert b'version="1.1"' in export.read_bytes() and b'lang="pl"' in export.read_bytes()
    from_export = apply(export, cache)
    assert from_export.exit_code == 0, from_export.output
    assert "pl-en-omegat.tmx: approved 1," in from_export.output
    from_memory = apply(saved, cache)
    assert "project_save.tmx: approved 0, left unchanged 1," in from_memory.output
    translate(tmp_path / "in", out, cache, glossary, models)
    approved = [(r["article"], r["index"], r["tgt"]) for r in records(out)
                if r["status"] == "approved"]
    assert approved == [(first["article"], first["index"], "Edited in OmegaT.")]


def test_a_re_export_keeps_what_omegat_wrote(run, omegat_command, tmp_path):
    out, *_ = run
    project = out / "omegat" / "nb-en"
    console_translate(omegat_command, project, tmp_path)
    target = project / "target" / "records.nb.xlf"
    mine = target.read_bytes().replace(b"</xliff>", b"<!-- mine --></xliff>")
    target.write_bytes(mine)
    again = CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])
    assert again.exit_code == 0, again.output
    assert target.read_bytes() == mine
    rerun = CliRunner().invoke(cli, ["export", str(out), "--format", "tmx"])
    assert rerun.exit_code == 0 and target.read_bytes() == mine  # never removed as stale


def test_translate_toolkit_po_round_trip(run, tmp_path):
    """xliff2po, a translator's edit in the PO, po2xliff (XLIFF 1.1, source-language en-US)."""
    out, cache, glossary, models = run
    po, back = tmp_path / "records.po", tmp_path / "back.xlf"
    xliff2po = shutil.which("xliff2po") or str(_venv_tool("xliff2po"))
    po2xliff = shutil.which("po2xliff") or str(_venv_tool("po2xliff"))
    subprocess.run([xliff2po, str(out / "records.xlf"), str(po)], check=True,
                   capture_output=True)
    from translate.storage import po as po_storage

    store = po_storage.pofile.parsefile(str(po))
    unit = next(u for u in store.units if not u.isheader() and u.source and u.isfuzzy())
    unit.target = "Edited in a PO editor."
    unit.markfuzzy(False)
    store.save()
    subprocess.run([po2xliff, str(po), str(back)], check=True, capture_output=True)
    assert b'source-language="en-US"' in back.read_bytes()
    applied = apply(back, cache)
    assert applied.exit_code == 0, applied.output
    assert "back.xlf: approved 1," in applied.output and "could not match 0" in applied.output
    translate(tmp_path / "in", out, cache, glossary, models)
    approved = [r["tgt"] for r in records(out) if r["status"] == "approved"]
    assert set(approved) == {"Edited in a PO editor."}  # the unit, and its repeats if any


def _venv_tool(name: str) -> Path:
    """translate-toolkit's commands, installed beside this Python (the dev group)."""
    return Path(sys.executable).parent / name


def test_a_file_nothing_can_be_read_from_is_one_line_and_exit_3(run, tmp_path):
    _, cache, *_ = run
    empty = tmp_path / "empty.tmx"
    empty.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="nb"/><body/>'
                     "</tmx>", encoding="utf-8")
    result = apply(empty, cache)
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        f"Error: {empty}: no translation unit with a source and a target was read (not XLIFF "
        "1.2 or TMX as Workbench and OmegaT write them)"]


def test_omegat_reads_the_tbx_export_as_a_glossary(run, omegat_command, tmp_path):
    """OmegaT's own TBX reader (GlossaryReaderTBX, from its jar) on `glossary export`."""
    out, _, glossary, _ = run
    tbx = tmp_path / "glossary.tbx"
    exported = CliRunner().invoke(cli, ["glossary", "export", "--format", "tbx", "-o", str(tbx),
                                        "--glossary", str(glossary)])
    assert exported.exit_code == 0, exported.output
    jar = Path("/usr/share/omegat/OmegaT.jar")
    assert jar.is_file(), "Debian's omegat puts its jar there"
    reader = Path(__file__).parent / "data" / "omegat" / "ReadTbx.java"
    java = shutil.which("java")
    assert java, "Debian's omegat brings a Java runtime"
    done = subprocess.run([java, "-cp", f"{jar}:{jar.parent / 'lib'}/*", str(reader),
                           str(out / "omegat" / "nb-en"), str(tbx)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    read = {tuple(line.split("\t")) for line in lines[1:]}
    from workbench.glossary.store import load_glossary

    wanted = {(form, term.target) for term in load_glossary([glossary]).terms
              for form in term.forms.get("nb", ())}
    assert int(lines[0]) == len(lines) - 1 and read == wanted  # every Norwegian form


#: OmegaT's own GlossaryManager, headless: what its start() does (find every file of the
#: glossary folder with its DirectoryMonitor, read each by its extension), in one thread.
LIST_GLOSSARY = """
import org.omegat.core.Core;
import org.omegat.core.data.ProjectProperties;
import org.omegat.core.data.RealProject;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryManager;
import org.omegat.util.DirectoryMonitor;
import org.omegat.util.ProjectFileStorage;
import java.io.File;

public class ListGlossary extends GlossaryManager {
    ListGlossary() {
        super(null);  // no glossary pane: only its refresh after each file needs one
    }

    void load(ProjectProperties props) {
        priorityGlossary = new File(props.getWriteableGlossary());
        monitor = new DirectoryMonitor(new File(props.getGlossaryRoot()), file -> {
            try {
                fileChanged(file);
            } catch (NullPointerException noPane) {
                // the file is loaded; then fileChanged refreshes the pane there is none of
            }
        });
        monitor.checkChanges();
    }

    public static void main(String[] args) throws Exception {
        ProjectProperties props = ProjectFileStorage.loadProjectProperties(new File(args[0]));
        Core.setProject(new RealProject(props));
        ListGlossary manager = new ListGlossary();
        manager.load(props);
        System.out.println(props.getWriteableGlossary());
        for (GlossaryEntry e : manager.getGlossaryEntries("")) {
            System.out.println(e.getSrcText() + "\t" + e.getLocText());
        }
    }
}
"""


def omegat_glossary(project: Path, tmp_path: Path) -> tuple[str, set[tuple[str, str]]]:
    """OmegaT's writeable glossary file and the (source, English) terms it loads."""
    source = tmp_path / "ListGlossary.java"
    source.write_text(LIST_GLOSSARY, encoding="utf-8")
    jar = Path("/usr/share/omegat/OmegaT.jar")
    java = shutil.which("java")
    assert java and jar.is_file(), "Debian's omegat brings its jar and a Java runtime"
    done = subprocess.run([java, "-cp", f"{jar}:{jar.parent / 'lib'}/*", str(source),
                           str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    writeable, *lines = done.stdout.strip().splitlines()
    return writeable, {tuple(line.split("\t")) for line in lines}


def test_omegat_sees_our_terms_and_a_translators_and_a_re_export_keeps_theirs(
        run, omegat_command, tmp_path):
    out, _, glossary, _ = run
    project = out / "omegat" / "nb-en"
    from workbench.glossary.exchange import omegat_rows
    from workbench.glossary.store import load_glossary

    ours = {(" ".join(form.split()), " ".join(english.split()))
            for form, english, _ in omegat_rows(load_glossary([glossary]), "nb")}
    assert ours and any(not form.isascii() for form, _ in ours)  # read as UTF-8
    writeable, seen = omegat_glossary(project, tmp_path)
    # OmegaT (3.6 too) writes a translator's new terms to glossary/glossary.txt: never ours
    assert Path(writeable) == project / "glossary" / "glossary.txt"
    assert seen == ours
    theirs = project / "glossary" / "glossary.txt"
    theirs.write_bytes("Løvebakken\tthe Storting's hill\tadded in OmegaT\r\n".encode())
    mine = theirs.read_bytes()
    again = CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])
    assert again.exit_code == 0, again.output
    assert theirs.read_bytes() == mine
    _, seen = omegat_glossary(project, tmp_path)
    assert ("Løvebakken", "the Storting's hill") in seen and len(seen) == len(ours) + 1


def test_an_earlier_exports_glossary_txt_is_removed_only_while_it_is_ours(run, tmp_path):
    """Workbench once wrote its terms to glossary.txt: a copy OmegaT would show twice."""
    out, *_ = run
    folder = out / "omegat" / "nb-en" / "glossary"
    ours = (folder / "workbench.utf8").read_bytes()
    (folder / "glossary.txt").write_bytes(ours)
    again = CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])
    assert again.exit_code == 0, again.output
    assert not (folder / "glossary.txt").exists()
    (folder / "glossary.txt").write_bytes(ours + b"ny\tnew\t\n")  # a term added
    again = CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])
    assert again.exit_code == 0, again.output
    assert (folder / "glossary.txt").read_bytes() == ours + b"ny\tnew\t\n"
