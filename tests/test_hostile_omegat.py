"""Links in OmegaT projects: ``export --format omegat`` never writes through one.

A project (``OUT/omegat/<src>-en/``) is a folder people work in, so a link can turn up at any
level: the project itself, ``tm/``, ``tm/auto/``, ``glossary/``, ``source/``..., or a file of
ours. Each stops the export in one line naming the link, exit 1, before anything is written:
the place the link leads to stays byte-identical (a translator's ``glossary.txt`` there
included), and so does the project. RANDOM-WEIGHT models (see conftest).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from desk_server import make_run

from workbench.cli import cli

LINK = ("a symbolic link: Workbench writes OmegaT projects only into real folders of the "
        "output folder, never through a link (it could lead outside); remove the link or "
        "choose another -o")
FOLDERS = ["", "source", "target", "tm", "tm/auto", "glossary", "dictionary", "omegat"]
FILES = ["omegat.project", "source/records.nb.xlf", "tm/auto/records.nb-en.tmx",
         "glossary/workbench.utf8"]
#: A translator's own terms, where OmegaT 3.6 and 4+ put the ones they add.
THEIRS = "Løvebakken\tthe Storting's hill\tmine\n".encode()


@pytest.fixture(scope="module")
def exported(tmp_path_factory, installed_models) -> Path:
    """A run with its OmegaT projects (nb-en, pl-en) written once."""
    base = tmp_path_factory.mktemp("omegat-run")
    out, _, _ = make_run(base, installed_models)
    result = export(out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def out(exported, tmp_path) -> Path:
    shutil.copytree(exported.parent, tmp_path / "run", symlinks=True)  # inputs too
    return tmp_path / "run" / "out"


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """Outside the output folder: a folder holding a translator's glossary and a file."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "glossary.txt").write_bytes(THEIRS)
    (folder / "victim.txt").write_bytes(b"not yours to replace\n")
    return folder


def export(out: Path) -> CliRunner:
    return CliRunner().invoke(cli, ["export", str(out), "--format", "omegat"])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and link under ``folder``, as bytes or as where the link points."""
    return {str(p.relative_to(folder)): (b"-> " + os.fsencode(os.readlink(p))
                                         if p.is_symlink() else p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_symlink() or p.is_file()}


def one_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def link_folder(project: Path, folder: str, elsewhere: Path, again: bool) -> Path:
    """Put a link at ``project/folder`` leading to ``elsewhere``; returns the link."""
    place = project / folder if folder else project
    if place.exists() and again:  # a user moved the folder out and linked it back
        for item in place.iterdir():
            target = elsewhere / item.name
            if not target.exists():
                shutil.move(str(item), str(target))
        shutil.rmtree(place)
    elif place.exists():
        shutil.rmtree(place)
    place.parent.mkdir(parents=True, exist_ok=True)
    place.symlink_to(elsewhere, target_is_directory=True)
    return place


@pytest.mark.parametrize("again", [False, True], ids=["emptied", "exported"])
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_linked_folder_anywhere_in_a_project_is_never_written_through(
        out, elsewhere, folder, again):
    project = out / "omegat" / "nb-en"
    if not again:  # the projects gone, omegat/ itself still ours: a first export
        for child in (out / "omegat").iterdir():
            shutil.rmtree(child)
    link = link_folder(project, folder, elsewhere, again)
    outside, inside = snapshot(elsewhere), snapshot(out / "omegat")
    assert one_error(export(out)) == f"Error: {link}: {LINK}"
    assert snapshot(elsewhere) == outside  # nothing written there, their glossary.txt kept
    assert (elsewhere / "glossary.txt").read_bytes() == THEIRS
    assert snapshot(out / "omegat") == inside  # and nothing written before the refusal
    assert not [p for p in elsewhere.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", FILES)
def test_a_file_of_ours_that_is_a_link_is_refused(out, elsewhere, name):
    path = out / "omegat" / "pl-en" / name.replace("nb", "pl")
    path.unlink()
    path.symlink_to(elsewhere / "victim.txt")
    outside, inside = snapshot(elsewhere), snapshot(out / "omegat")
    assert one_error(export(out)) == f"Error: {path}: {LINK}"
    assert snapshot(elsewhere) == outside and snapshot(out / "omegat") == inside


def test_a_dangling_link_is_refused_and_nothing_is_made_where_it_points(out, tmp_path):
    glossary = out / "omegat" / "nb-en" / "glossary"
    shutil.rmtree(glossary)
    glossary.symlink_to(tmp_path / "not-yet")
    assert one_error(export(out)) == f"Error: {glossary}: {LINK}"
    assert not (tmp_path / "not-yet").exists()


def test_a_link_between_two_projects_is_refused(out):
    """pl-en's memory folder linked to nb-en's: still a link, even inside the folder."""
    auto = out / "omegat" / "pl-en" / "tm" / "auto"
    shutil.rmtree(auto)
    auto.symlink_to(out / "omegat" / "nb-en" / "tm" / "auto")
    inside = snapshot(out / "omegat")
    assert one_error(export(out)) == f"Error: {auto}: {LINK}"
    assert snapshot(out / "omegat") == inside


def test_a_file_where_a_project_folder_belongs_is_one_line(out):
    tm = out / "omegat" / "nb-en" / "tm"
    shutil.rmtree(tm)
    tm.write_bytes(b"a file of the translator's\n")
    line = one_error(export(out))
    assert line == (f"Error: {tm}: not a folder: an OmegaT project's folders are made here; "
                    "move it or choose another -o")
    assert tm.read_bytes() == b"a file of the translator's\n"


def test_a_translators_glossary_is_kept_byte_for_byte_and_ours_is_beside_it(out):
    project = out / "omegat" / "nb-en"
    theirs = project / "glossary" / "glossary.txt"
    theirs.write_bytes(THEIRS)
    ours = project / "glossary" / "workbench.utf8"
    ours.unlink()
    result = export(out)
    assert result.exit_code == 0, result.output
    assert theirs.read_bytes() == THEIRS
    assert ours.read_text("utf-8").count("\t") > 0
    assert not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def test_translate_with_format_omegat_refuses_a_link_too(out, elsewhere, installed_models):
    link = link_folder(out / "omegat" / "nb-en", "source", elsewhere, again=True)
    outside = snapshot(elsewhere)
    result = CliRunner().invoke(cli, [
        "translate", str(out.parent / "in"), "-o", str(out), "--silent",
        "--models-dir", str(installed_models), "--cache", str(out.parent / "cache.db"),
        "--no-glossary", "--format", "jsonl,omegat"])
    assert result.exit_code != 0
    assert f"Error: {link}: {LINK}" in result.output.splitlines()
    assert snapshot(elsewhere) == outside
