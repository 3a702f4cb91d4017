"""Hostile files and a hostile environment, through the CLI and the REAL engine (random-weight
packages: wording is meaningless; exit codes, messages, counts and kept data are not).

Each case checks the exact exit code, one line naming the file and the problem, no traceback,
and that earlier cache contents and outputs survive.
"""

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from workbench.cli import cli

GOOD = ("Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden "
        "und sprach von einem guten Tag für das Land.\n")


def run_cli(tmp_path, inputs, models, *extra, out=None, cache=None):
    return CliRunner().invoke(cli, [
        "translate", *map(os.fsdecode, inputs), "-o", str(out or tmp_path / "out"), "--silent",
        "--models-dir", str(models), "--cache", str(cache or tmp_path / "cache.db"),
        "--no-glossary", *extra])


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging CI) if the block takes longer than ``seconds``."""
    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s: the run hangs")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- file names and special files -----------------------------------------------------------

def test_undecodable_and_control_character_names_are_translated_and_escaped(
        tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    names = [b"caf\xe9.txt", b"a\x01b.txt", b"new\nline.txt", b"back\\slash\".txt"]
    for n, name in enumerate(names):
        (Path(os.fsdecode(bytes(folder))) / os.fsdecode(name)).write_text(
            GOOD.replace("heute", f"heute {n}"), encoding="utf-8")
    result = run_cli(tmp_path, [folder], installed_models)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    out = tmp_path / "out"
    articles = {a["article"] for a in read_jsonl(out / "articles.jsonl")}
    assert articles == {"caf\\xe9", "a\\x01b", "new\\nline", 'back\\slash"'}
    records = read_jsonl(out / "records.jsonl")
    assert {r["status"] for r in records} == {"translated"}
    tmx = etree.parse(str(out / "records.tmx"))
    assert len(tmx.findall(".//tu")) == len(records)
    page = (out / "review.html").read_text("utf-8")
    data = json.loads(page.split('id="articles-data">', 1)[1].split("</script>", 1)[0])
    assert {row["article"] for row in data} == articles
    assert len(list((out / "review").glob("*.html"))) == 4


def test_special_files_are_refused_without_hanging(tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "random.txt").symlink_to("/dev/urandom")
    with deadline(120):
        result = run_cli(tmp_path, [folder, folder / "fifo.txt"], installed_models)
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert sorted(error_lines(result.output)) == sorted([
        f"Error: {folder / 'fifo.txt'}: a named pipe (FIFO), not a regular file",
        f"Error: {folder / 'random.txt'}: a character device, not a regular file",
        f"Error: {folder / 'zero.txt'}: a character device, not a regular file",
    ])
    assert f"Note: {folder / 'fifo.txt'}: same file as {folder / 'fifo.txt'}; taken once" \
        in result.output
    statuses = {r["article"]: r["status"] for r in read_jsonl(tmp_path / "out" / "records.jsonl")}
    assert statuses == {"good": "translated"}


def test_a_file_given_twice_is_taken_once(tmp_path, installed_models, monkeypatch):
    (tmp_path / "in").mkdir()
    article = tmp_path / "in" / "a.txt"
    article.write_text(GOOD, encoding="utf-8")
    (tmp_path / "in" / "link.txt").symlink_to(article)
    monkeypatch.chdir(tmp_path)
    result = run_cli(tmp_path, [Path("in/a.txt"), article, tmp_path / "in"], installed_models)
    assert result.exit_code == 0, result.output
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    keys = [(r["article"], r["index"]) for r in records]
    assert len(keys) == len(set(keys)) == 2
    assert result.output.count("taken once") == 3


def test_deeply_nested_folders_are_walked(tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    deep = folder
    for _ in range(1200):  # one level at a time: mkdir(parents=True) itself recurses
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.txt").write_text(GOOD, encoding="utf-8")
    try:
        result = run_cli(tmp_path, [folder], installed_models)
        assert result.exit_code == 0, result.output
        assert {r["article"] for r in read_jsonl(tmp_path / "out" / "records.jsonl")} == \
            {"deep"}
    finally:  # pytest's own clean-up recurses, so the tower comes down level by level
        (deep / "deep.txt").unlink()
        while deep != folder:
            deep.rmdir()
            deep = deep.parent


# --- archives and the models directory ------------------------------------------------------

def relabel(archive: Path, out: Path, folder: str) -> Path:
    """Copy an archive with its top folder renamed (metadata unchanged)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            rest = info.filename.split("/", 1)[1] if "/" in info.filename else ""
            target.writestr(f"{folder}/{rest}" if rest else f"{folder}/", source.read(info))
    return out


def test_mislabelled_archive_never_replaces_another_model(tmp_path, random_archives):
    models = tmp_path / "models"
    CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models),
                             str(random_archives["de"])])
    before = digest(models / "translate-de_en-1_0" / "model" / "model.bin")
    liar = relabel(random_archives["pl"], tmp_path / "liar.argosmodel", "translate-de_en-1_0")
    result = CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models),
                                      str(liar)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {liar}: archive folder 'translate-de_en-1_0' names de→en, "
                             "but its metadata.json says pl→en; refusing a mislabelled "
                             "package\n")
    assert digest(models / "translate-de_en-1_0" / "model" / "model.bin") == before
    # A folder name that says nothing is fine: the install folder comes from the metadata.
    odd = relabel(random_archives["pl"], tmp_path / "odd.argosmodel", "whatever")
    result = CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models),
                                      str(odd)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".")) == [
        "translate-de_en-1_0", "translate-pl_en-1_0"]
    assert digest(models / "translate-de_en-1_0" / "model" / "model.bin") == before


def test_models_dir_that_is_a_file(tmp_path, random_archives):
    models = tmp_path / "models"
    models.write_text("not a folder")
    result = CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models),
                                      str(random_archives["de"])])
    assert result.exit_code == 1
    assert result.output == f"Error: {models}: the models directory is a file, not a folder\n"
    listed = CliRunner().invoke(cli, ["models", "list", "--models-dir", str(models)])
    assert listed.exit_code == 0 and "No models installed" in listed.output


def test_unpacked_folder_installs_and_symlinked_package_is_unlinked(tmp_path, random_archives):
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(random_archives["sv"]) as archive:
        archive.extractall(unpacked)
    folder = next(unpacked.iterdir())
    models = tmp_path / "models"
    result = CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models),
                                      str(folder)])
    assert result.exit_code == 0, result.output
    assert (models / "translate-sv_en-1_0" / "model" / "model.bin").is_file()
    assert (folder / "model" / "model.bin").is_file()  # a copy: the original is untouched

    (models / "linked").symlink_to(folder)
    shutil.rmtree(models / "translate-sv_en-1_0")
    result = CliRunner().invoke(cli, ["models", "remove", "sv", "--models-dir", str(models)])
    assert result.exit_code == 0, result.output
    assert not (models / "linked").exists() and (folder / "model" / "model.bin").is_file()


# --- the cache ------------------------------------------------------------------------------

def test_foreign_database_with_a_translations_table_is_not_touched(tmp_path, installed_models):
    foreign = tmp_path / "cache.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table translations (id integer primary key, body text)")
    conn.execute("insert into translations (body) values ('theirs')")
    conn.commit()
    conn.close()
    before = digest(foreign)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models)
    assert result.exit_code == 1
    assert result.output == (f"Error: {foreign}: is an SQLite database but not a workbench "
                             "cache (tables: translations); refusing to modify it\n")
    assert digest(foreign) == before
    assert not (tmp_path / "cache.db-wal").exists()


def populated_cache(tmp_path, installed_models, seeds_dir) -> Path:
    result = run_cli(tmp_path, [seeds_dir], installed_models, out=tmp_path / "first")
    assert result.exit_code == 0, result.output
    return tmp_path / "cache.db"


def test_corrupt_cache_pages_give_one_line(tmp_path, installed_models, seeds_dir):
    cache = populated_cache(tmp_path, installed_models, seeds_dir)
    conn = sqlite3.connect(cache)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    data = bytearray(cache.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # every page after the schema's
        data[start:start + 64] = b"\xff" * 64
    cache.write_bytes(bytes(data))
    previous = (tmp_path / "first" / "records.jsonl").read_bytes()
    result = run_cli(tmp_path, [seeds_dir], installed_models, out=tmp_path / "first")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"Error: {cache}: ")
    assert "malformed" in result.output or "not a usable workbench cache" in result.output
    assert (tmp_path / "first" / "records.jsonl").read_bytes() == previous


@pytest.mark.parametrize("case", ["parent is a file", "cache is a folder", "lock is a folder",
                                  "read-only"])
def test_cache_location_problems_give_one_line(tmp_path, installed_models, case, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    cache = tmp_path / "c" / "cache.db"
    expected = f"Error: {cache}: "
    if case == "parent is a file":
        (tmp_path / "c").write_text("a file")
    elif case == "cache is a folder":
        cache.mkdir(parents=True)
        expected += "is not a file (a folder or a special file)"
    elif case == "lock is a folder":
        Path(f"{cache}.lock").mkdir(parents=True)
    else:
        # A read-only mount: we run as root here, so permissions cannot stand in for it.
        # The error is the one the OS gives when the lock file cannot be created.
        import filelock

        def read_only(*_args, **_kwargs):
            raise OSError(30, "Read-only file system", f"{cache}.lock")

        monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models, cache=cache)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(expected), result.output


# --- outputs --------------------------------------------------------------------------------

def test_output_under_a_file_gives_one_line(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "file").write_text("x")
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models, out=tmp_path / "file" / "o")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'file' / 'o'}")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_full_disk_keeps_cache_and_previous_outputs(tmp_path, installed_models, seeds_dir):
    """The file-size limit makes every write past 8 MB fail with EFBIG, as a full disk would
    with ENOSPC: a real failure from the OS, in a subprocess."""
    out = tmp_path / "out"
    first = run_cli(tmp_path, [seeds_dir], installed_models, out=out)
    assert first.exit_code == 0
    previous = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    big = tmp_path / "big"
    big.mkdir()
    (big / "big.txt").write_text(("Der Kanzler sprach lange über den Haushalt. " * 400 + "\n")
                                 * 600, encoding="utf-8")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, 8 << 20))

    command = [sys.executable, "-m", "workbench", "translate", str(seeds_dir), str(big), "-o",
               str(out), "--silent", "--models-dir", str(installed_models), "--cache",
               str(tmp_path / "cache.db"), "--no-glossary"]
    run = subprocess.run(command, capture_output=True, text=True, preexec_fn=limit,
                         timeout=600)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    errors = error_lines(run.stderr)
    assert len(errors) == 1 and "File too large" in errors[0], run.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == previous
    conn = sqlite3.connect(tmp_path / "cache.db")
    assert conn.execute("select count(*) from translations").fetchone()[0] > 0
    conn.close()


def test_jsonl_only_run_removes_stale_formats(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    assert run_cli(tmp_path, [tmp_path / "in"], installed_models).exit_code == 0
    assert (tmp_path / "out" / "review.html").exists()
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models, "--format", "jsonl")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "articles.jsonl", "records.jsonl", "run.json"]


def test_outputs_follow_the_umask(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert run_cli(tmp_path, [tmp_path / "in"], installed_models).exit_code == 0
    finally:
        os.umask(old)
    files = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*")
             if p.is_file()}
    folders = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*")
               if p.is_dir()}
    assert set(files.values()) == {0o644} and len(files) == 7, files
    assert folders == {"review": 0o755}


# --- the review loop --------------------------------------------------------------------------

def test_export_applies_corrections_made_after_the_run(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    assert run_cli(tmp_path, [tmp_path / "in"], installed_models).exit_code == 0
    first = read_jsonl(tmp_path / "out" / "records.jsonl")[0]
    corrections = tmp_path / "corrections.json"
    corrections.write_text(json.dumps({"corrections": [{
        "article": "a", "index": 0, "src_lang": first["src_lang"], "tgt_lang": "en",
        "src": first["src"], "tgt": "The government presented the budget today."}]}))
    applied = CliRunner().invoke(cli, ["corrections", "apply", str(corrections), "--cache",
                                       str(tmp_path / "cache.db")])
    assert applied.exit_code == 0, applied.output
    exported = CliRunner().invoke(cli, ["export", str(tmp_path / "out"), "--cache",
                                        str(tmp_path / "cache.db")])
    assert exported.exit_code == 0, exported.output
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert [r["status"] for r in records] == ["approved", "translated"]
    assert records[0]["tgt"] == "The government presented the budget today."
    assert "The government presented the budget today." in \
        (tmp_path / "out" / "records.tmx").read_text("utf-8")
    assert json.loads((tmp_path / "out" / "run.json").read_text())["statuses"] == {
        "approved": 1, "translated": 1}
    rerun = run_cli(tmp_path, [tmp_path / "in"], installed_models)
    assert "1 from cache, 1 approved" in rerun.output


def test_corrections_for_unknown_sentences_are_counted(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    assert run_cli(tmp_path, [tmp_path / "in"], installed_models).exit_code == 0
    corrections = tmp_path / "c.json"
    corrections.write_text(json.dumps({"corrections": [
        {"src_lang": "de", "tgt_lang": "en", "src": "Nie gesehen.", "tgt": "Never seen."},
        {"src_lang": "fi", "tgt_lang": "en", "src": "Hei.", "tgt": "Hi."}]}))
    result = CliRunner().invoke(cli, ["corrections", "apply", str(corrections), "--cache",
                                      str(tmp_path / "cache.db")])
    assert result.exit_code == 0
    assert "1 corrections are for language pairs this cache has never translated (fi→en)" \
        in result.output
    assert "1 corrections are for sentences this cache has never translated" in result.output


# --- text ----------------------------------------------------------------------------------

def test_hebrew_line_is_hebrew_and_emoji_joiners_survive(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        GOOD + "שר החוץ הגיע היום לביקור רשמי בהאנוי ונפגש עם ראש הממשלה.\n"
        "Familien 👨\u200d👩\u200d👧 var glad i dag.\n", encoding="utf-8")
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models)
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    hebrew = next(r for r in records if "שר" in r["src"])
    assert hebrew["src_lang"] == "he"
    assert any("👨\u200d👩\u200d👧" in r["src"] for r in records)
    assert result.exit_code == 3  # no he→en model: said, not hidden
    assert "Missing models for he→en" in result.output


def test_seeds_glossary_hits_have_one_state(tmp_path, installed_models, seeds_dir):
    glossary = Path(__file__).resolve().parent.parent / "glossary"
    result = CliRunner().invoke(cli, [
        "translate", str(seeds_dir), "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--glossary", str(glossary)])
    assert result.exit_code == 0, result.output
    hits = [h for r in read_jsonl(tmp_path / "out" / "records.jsonl") for h in r["glossary"]]
    assert hits
    assert all(h["found"] == (h["enforced"] != "missed") for h in hits)



def test_full_disk_under_the_cache_is_one_line(tmp_path, installed_models, seeds_dir):
    """Cache writes past 400 KB fail (RLIMIT_FSIZE); batches committed before are kept."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (400 << 10, 400 << 10))

    cache = tmp_path / "cache.db"
    command = [sys.executable, "-m", "workbench", "translate", str(seeds_dir), "-o",
               str(tmp_path / "out"), "--silent", "--models-dir", str(installed_models),
               "--cache", str(cache), "--no-glossary", "--batch-tokens", "64"]
    run = subprocess.run(command, capture_output=True, text=True, preexec_fn=limit,
                         timeout=600)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    errors = error_lines(run.stderr)
    assert len(errors) == 1 and errors[0].startswith(f"Error: {cache}: "), run.stderr
    assert "translations committed before this are kept" in errors[0]
    conn = sqlite3.connect(cache)
    kept = conn.execute("select count(*) from translations").fetchone()[0]
    conn.close()
    assert kept > 0
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{kept} from cache" in rerun.stderr


def test_an_unpacked_folder_whose_metadata_is_a_fifo_is_refused(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    os.mkfifo(folder / "metadata.json")
    with deadline(60):
        result = CliRunner().invoke(cli, ["models", "install", "--models-dir",
                                          str(tmp_path / "models"), str(folder)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder}: not an Argos package (no readable "
                             "metadata.json: a named pipe (FIFO), not a regular file)\n")
