"""A cluster run's ``parts/`` as an attacker or a careless user leaves it, through the CLI.

``workbench export`` merges the parts a manifest names. Every file it names must be that
part's own regular file in ``OUT/parts/``; anything else (``../``, an absolute path, a link,
a FIFO, a folder, a field of the wrong type, a part listed twice, a manifest too large) stops
the export in one line naming the manifest or the part, before anything is written, and
nothing outside the output folder is read into the outputs. The run folder is a local run
(RANDOM-WEIGHT models) cut into parts as the cluster's workers write them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import InputError
from workbench.outputs.ownership import names_written
from workbench.outputs.parts import write_part, write_parts_manifest
from workbench.outputs.run_folder import read_articles, read_manifest, write_manifest
from workbench.run.export import export as export_run

ROOT = Path(__file__).resolve().parent.parent
STEMS = ("000_6ee16a1a097d6283", "001_9e90e167a72bcd0b", "002_56b54d490b5aedd0")
#: What an outside file holds: a records line that would merge cleanly (a stolen file).
SECRET = "SECRET-OUTSIDE-THE-OUTPUT-FOLDER"


@pytest.fixture(scope="module")
def parts_template(tmp_path_factory, installed_models) -> Path:
    """A local run of three seeds, then cut into three parts as a cluster run leaves it."""
    base = tmp_path_factory.mktemp("parts-run")
    inputs = base / "in"
    inputs.mkdir()
    for stem in STEMS:
        shutil.copy(ROOT / "seeds" / f"{stem}.txt", inputs / f"{stem}.txt")
    out = base / "out"
    result = CliRunner().invoke(cli, ["translate", str(inputs), "-o", str(out), "--silent",
                                      "--models-dir", str(installed_models), "--cache",
                                      str(base / "cache.db"), "--no-glossary"])
    assert result.exit_code == 0, result.output
    articles = list(read_articles(out))
    entries = [write_part(out, number, [article])
               for number, article in enumerate(articles, 1)]
    write_parts_manifest(out, entries)
    (out / "records.jsonl").unlink()
    (out / "articles.jsonl").unlink()
    write_manifest(out, {**read_manifest(out), "layout": "parts", "records_sha256": None,
                         "outputs_sha256": None, "derived": [],
                         "written": names_written(out)})
    return out


@pytest.fixture
def out(parts_template, tmp_path) -> Path:
    copy = tmp_path / "run" / "out"
    shutil.copytree(parts_template, copy, symlinks=True)
    return copy


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the output folder that would merge cleanly as part 1's records."""
    path = tmp_path / "secret.jsonl"
    path.write_text(json.dumps({"article": SECRET, "index": 0, "src": SECRET}) + "\n",
                    encoding="utf-8")
    return path


def export(out: Path, *formats: str) -> CliRunner:
    args = ["export", str(out)] + [arg for name in formats for arg in ("--format", name)]
    return CliRunner().invoke(cli, args)


def manifest(out: Path) -> dict:
    return json.loads((out / "parts" / "manifest.json").read_text("utf-8"))


def set_manifest(out: Path, data: object) -> None:
    (out / "parts" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as where they point), to check nothing changed."""
    return {str(p.relative_to(folder)): (os.readlink(p).encode() if p.is_symlink()
                                         else p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_symlink() or p.is_file()}


def one_error(result) -> str:
    """The one line the CLI printed; fails on a traceback or a second line."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def nothing_leaked(out: Path) -> None:
    for path in out.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert SECRET.encode() not in path.read_bytes(), path


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging when something opens a FIFO for reading."""
    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s: a FIFO was opened")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_parts_as_written_merge(out):
    result = export(out, "tmx")
    assert result.exit_code == 0, result.output
    assert (out / "records.jsonl").is_file() and (out / "records.tmx").is_file()
    assert len({json.loads(line)["article"] for line in
                (out / "articles.jsonl").read_text("utf-8").splitlines()}) == len(STEMS)


# --- files a manifest names: only the part's own file in parts/ --------------------------

@pytest.mark.parametrize("kind", ["records", "articles", "tmx", "xliff"])
@pytest.mark.parametrize("name", ["../../secret.jsonl", "{outside}", "parts/../../secret.jsonl",
                                  "parts/00002.records.jsonl", "/etc/passwd",
                                  "/nonexistent/passwd", "parts/00001.records.jsonl/",
                                  "parts//00001.records.jsonl", "./parts/00001.records.jsonl"])
def test_a_manifest_naming_another_file_stops_the_export_before_anything_is_written(
        out, outside, kind, name):
    name = name.format(outside=outside)
    data = manifest(out)
    data["parts"][0]["files"][kind] = name
    if kind == "records" and name in ("../../secret.jsonl", str(outside)):
        # digest of the outside file as part 1: on the old code it merged cleanly
        data["parts"][0]["sha256"] = hashlib.sha256(
            (out / "parts" / "00001.articles.jsonl").read_bytes()
            + outside.read_bytes()).hexdigest()
    set_manifest(out, data)
    before = snapshot(out)
    line = one_error(export(out, "tmx", "xliff", "html"))
    shown = json.dumps(name)
    assert line == (f"Error: {out}/parts/manifest.json: parts[0].files.{kind}: {shown} is not "
                    f"part 1's file (expected 'parts/00001.{dict(xliff='xlf').get(kind, kind)}"
                    f"{'.jsonl' if kind in ('records', 'articles') else ''}'): a manifest "
                    "names only its own part files in parts/")
    assert snapshot(out) == before  # nothing written, not even records.jsonl
    nothing_leaked(out)


def test_an_outside_file_that_exists_and_one_that_does_not_give_the_same_message(out):
    answers = []
    for name in ("/etc/passwd", "/etc/no-such-file-here"):
        data = manifest(out)
        data["parts"][1]["files"]["articles"] = name
        set_manifest(out, data)
        answers.append(one_error(export(out)).replace(json.dumps(name), "NAME"))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("kind", ["records", "articles", "tmx", "xliff"])
def test_a_part_file_that_is_a_link_is_never_followed(out, outside, kind):
    suffix = {"records": "records.jsonl", "articles": "articles.jsonl", "tmx": "tmx",
              "xliff": "xlf"}[kind]
    part = out / "parts" / f"00001.{suffix}"
    if kind == "records":  # the link leads to a file that merges cleanly, digest and all
        data = manifest(out)
        data["parts"][0]["sha256"] = hashlib.sha256(
            (out / "parts" / "00001.articles.jsonl").read_bytes()
            + outside.read_bytes()).hexdigest()
        set_manifest(out, data)
    part.unlink()
    part.symlink_to(outside)
    before, secret = snapshot(out), outside.read_bytes()
    line = one_error(export(out, "tmx", "html"))
    assert line == (f"Error: {part}: a symbolic link: Workbench never follows a link in parts/ "
                    "(it could lead outside the output folder)")
    assert snapshot(out) == before and outside.read_bytes() == secret
    nothing_leaked(out)


@pytest.mark.parametrize("kind", ["records", "articles", "tmx", "xliff"])
def test_a_part_file_that_is_a_hard_link_is_refused(out, outside, kind):
    """A hard link has no link to see: its other names are counted instead."""
    suffix = {"records": "records.jsonl", "articles": "articles.jsonl", "tmx": "tmx",
              "xliff": "xlf"}[kind]
    part = out / "parts" / f"00001.{suffix}"
    if kind == "records":
        data = manifest(out)
        data["parts"][0]["sha256"] = hashlib.sha256(
            (out / "parts" / "00001.articles.jsonl").read_bytes()
            + outside.read_bytes()).hexdigest()
        set_manifest(out, data)
    part.unlink()
    os.link(outside, part)
    before = snapshot(out)
    line = one_error(export(out, "tmx", "html"))
    assert line == (f"Error: {part}: has other names (a hard link): a part is a file "
                    "Workbench wrote, under this name only")
    assert snapshot(out) == before  # nothing written: the outside text reached no output


@pytest.mark.parametrize(("name", "change", "problem"), [
    ("articles", lambda d: {**d, "segments": 1}, "segments: must map kinds to counts"),
    ("records", lambda d: {**d, "index": "x"}, "index: must be a whole number"),
])
def test_a_part_line_of_the_wrong_shape_stops_the_export_before_anything_is_written(
        out, name, change, problem):
    """Even with a digest that matches: the lines are typed while merging, not after."""
    path = out / "parts" / f"00001.{name}.jsonl"
    lines = path.read_text("utf-8").splitlines()
    lines[0] = json.dumps(change(json.loads(lines[0])))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = manifest(out)
    data["parts"][0]["sha256"] = hashlib.sha256(
        (out / "parts" / "00001.articles.jsonl").read_bytes()
        + (out / "parts" / "00001.records.jsonl").read_bytes()).hexdigest()
    set_manifest(out, data)
    before = snapshot(out)
    line = one_error(export(out, "tmx", "xliff", "html"))
    assert line.startswith(f"Error: {path}:1: {problem}"), line
    assert snapshot(out) == before


def test_a_link_to_a_part_of_the_same_run_is_refused_too(out):
    part = out / "parts" / "00002.articles.jsonl"
    part.unlink()
    part.symlink_to(out / "parts" / "00001.articles.jsonl")
    assert one_error(export(out)).startswith(f"Error: {part}: a symbolic link")
    assert not (out / "records.jsonl").exists()


@pytest.mark.parametrize("link", ["manifest", "folder"])
def test_a_parts_folder_or_manifest_that_is_a_link_is_refused(out, tmp_path, link):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(out / "parts", elsewhere)
    linked = out / "parts" / "manifest.json" if link == "manifest" else out / "parts"
    if link == "manifest":
        linked.unlink()
        linked.symlink_to(elsewhere / "manifest.json")
    else:
        shutil.rmtree(linked)
        linked.symlink_to(elsewhere)
    before = snapshot(elsewhere)
    line = one_error(export(out))
    assert line.startswith(f"Error: {linked}: ")
    with pytest.raises(InputError) as refused:  # the library, without the CLI's claim
        export_run(out, ["tmx"])
    assert str(refused.value) == (f"{linked}: a symbolic link: Workbench never follows a link "
                                  "in parts/ (it could lead outside the output folder)")
    assert not (out / "records.jsonl").exists() and snapshot(elsewhere) == before


def make_node(part: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(part)
    elif kind == "folder":
        part.mkdir()
    else:  # a device node needs root: CI runs as root
        try:
            os.mknod(part, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null's numbers
        except PermissionError:
            pytest.fail("this test makes a device node and needs root (CI has it)")


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_part_file_that_is_not_a_regular_file_says_what_it_is(out, kind):
    part = out / "parts" / "00002.records.jsonl"
    part.unlink()
    make_node(part, kind)
    what = {"fifo": "a named pipe (FIFO)", "folder": "a directory",
            "device": "a character device"}[kind]
    own = f"{part}: {what}, not a regular file: a part is a file Workbench wrote"
    with deadline(30):
        line = one_error(export(out))
        with pytest.raises(InputError) as refused:  # the library, without the CLI's claim
            export_run(out, ["tmx"])
    # The CLI's claim on the folder sees a name of ours that Workbench did not write first.
    assert line in (f"Error: {own}", f"Error: {part}: was not written by Workbench, which "
                    "would replace it; move it or choose another -o")
    assert str(refused.value) == own
    assert not (out / "records.jsonl").exists()


@pytest.mark.parametrize("target", ["/dev/null", "/dev/zero", "/dev/stdin", "/proc/self/fd/0"])
def test_a_manifest_naming_a_device_is_refused_by_name(out, target):
    data = manifest(out)
    data["parts"][1]["files"]["records"] = target
    set_manifest(out, data)
    with deadline(30):
        line = one_error(export(out))
    assert "run translate first" not in line and "missing" not in line
    assert line.startswith(f"Error: {out}/parts/manifest.json: parts[1].files.records: "
                           f"{json.dumps(target)} is not part 2's file")


def test_a_missing_part_says_so_and_what_to_do(out):
    part = out / "parts" / "00003.articles.jsonl"
    part.unlink()
    assert one_error(export(out)) == (f"Error: {part}: missing, though parts/manifest.json "
                                      "names it; translate again to make it afresh")


def test_a_part_listed_twice_is_refused(out):
    data = manifest(out)
    data["parts"].insert(1, dict(data["parts"][0]))
    set_manifest(out, data)
    assert one_error(export(out)) == (
        f"Error: {out}/parts/manifest.json: parts[1]: part 1 is listed twice (also parts[0]);"
        " its articles would be merged twice")
    assert not (out / "records.jsonl").exists()


# --- the manifest's fields -------------------------------------------------------------------

def _without(field):
    def change(entry):
        del entry[field]
    return change


def _set(field, value):
    def change(entry):
        entry[field] = value
    return change


def _files(change_files):
    def change(entry):
        change_files(entry["files"])
    return change


@pytest.mark.parametrize(("change", "problem"), [
    (_without("files"), "parts[2].files: missing"),
    (_without("sha256"), "parts[2].sha256: missing"),
    (_without("part"), "parts[2].part: missing"),
    (_without("articles"), "parts[2].articles: missing"),
    (_set("files", "parts/00003.records.jsonl"),
     'parts[2].files: expected an object, found "parts/00003.records.jsonl"'),
    (_set("files", ["parts/00003.records.jsonl"]), "parts[2].files: expected an object, "
                                                   "found a JSON array"),
    (_set("files", None), "parts[2].files: expected an object, found null"),
    (_set("sha256", 5), "parts[2].sha256: expected 64 hexadecimal digits, found 5"),
    (_set("sha256", "x" * 64), f"parts[2].sha256: expected 64 hexadecimal digits, found "
                               f'"{"x" * 64}"'),
    (_set("part", "3"), 'parts[2].part: expected a part number from 1, found "3"'),
    (_set("part", True), "parts[2].part: expected a part number from 1, found True"),
    (_set("part", 0), "parts[2].part: expected a part number from 1, found 0"),
    (_set("part", 3.0), "parts[2].part: expected a part number from 1, found 3.0"),
    (_set("articles", -1), "parts[2].articles: expected a count, found -1"),
    (_set("records", {"a": 1}), "parts[2].records: expected a count, found a JSON object"),
    (_files(lambda files: files.pop("articles")), "parts[2].files.articles: missing"),
    (_files(lambda files: files.update(records=7)),
     "parts[2].files.records: 7 is not part 3's file (expected 'parts/00003.records.jsonl'): "
     "a manifest names only its own part files in parts/"),
    (_files(lambda files: files.update(extra="parts/00003.records.jsonl")),
     '"extra" is not a kind of part file (records, articles, tmx, xliff)'),
    (_files(lambda files: files.update(records="\u202e\x1b[31m")),
     'parts[2].files.records: "\\u202e\\u001b[31m" is not part 3\'s file'),
])
def test_a_wrong_field_is_one_line_naming_it(out, change, problem):
    data = manifest(out)
    change(data["parts"][2])
    set_manifest(out, data)
    line = one_error(export(out))
    assert line.startswith(f"Error: {out}/parts/manifest.json: ") and problem in line, line
    assert not (out / "records.jsonl").exists()


@pytest.mark.parametrize(("data", "problem"), [
    ({"layout": 1}, "parts: expected a list, found null"),
    ({"layout": 1, "parts": {"0": {}}}, "parts: expected a list, found a JSON object"),
    ({"layout": 2, "parts": []}, "not a parts manifest of layout 1"),
    ([], "not a parts manifest of layout 1"),
    ({"layout": 1, "parts": [7]}, "parts[0]: expected an object, found 7"),
    ({"layout": 1, "parts": [[]]}, "parts[0]: expected an object, found a JSON array"),
])
def test_a_manifest_of_the_wrong_shape_is_one_line(out, data, problem):
    set_manifest(out, data)
    assert one_error(export(out)) == f"Error: {out}/parts/manifest.json: {problem}"


@pytest.mark.parametrize(("raw", "problem"), [
    ("[" * 100_000 + "]" * 100_000, "not valid JSON (nested too deeply)"),
    ('{"layout": 1, "parts": [{"part": ' + "9" * 5000 + "}]}",
     "not valid JSON (a number of over 4,300 digits)"),
    ('{"layout": 1, "parts": [', "not valid JSON (Expecting value)"),
])
def test_a_manifest_that_is_not_json_is_one_line(out, raw, problem):
    (out / "parts" / "manifest.json").write_text(raw, encoding="utf-8")
    line = one_error(export(out))
    assert line.startswith(f"Error: {out}/parts/manifest.json") and problem in line, line


def test_a_manifest_out_of_order_is_refused(out):
    data = manifest(out)
    data["parts"].reverse()
    set_manifest(out, data)
    assert one_error(export(out)) == (
        f"Error: {out}/parts/manifest.json: parts[1]: part 2 comes after part 3: the parts "
        "are listed in input order")


def test_a_huge_manifest_is_refused_unread(out):
    from workbench.outputs.parts import MAX_MANIFEST_BYTES

    path = out / "parts" / "manifest.json"
    data = manifest(out)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(data)[:-1] + ', "padding": "')
        handle.write("x" * MAX_MANIFEST_BYTES)
        handle.write('"}')
    assert one_error(export(out)) == (f"Error: {path}: too large (over {MAX_MANIFEST_BYTES} "
                                      "bytes)")


# --- other commands on a run not merged yet: they read no part -------------------------------

@pytest.mark.parametrize("command", [
    ["glossary", "check", "{out}"],
    ["review", "{out}", "--no-open", "--port", "0", "--read-only"],
    ["qa", "{out}"],
])
def test_other_commands_on_hostile_parts_read_nothing_outside(out, tmp_path, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it for reading would hang: the deadline catches it
    data = manifest(out)
    data["parts"][0]["files"]["records"] = str(fifo)
    set_manifest(out, data)
    part = out / "parts" / "00002.records.jsonl"
    part.unlink()
    part.symlink_to(fifo)
    args = [arg.format(out=out) for arg in command]
    with deadline(60):
        result = CliRunner().invoke(cli, args)
    assert "Traceback" not in result.output
    assert result.exit_code != 0, result.output
