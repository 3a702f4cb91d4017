"""Operator mistakes: bad settings, glossaries, corrections and damaged run folders each get
one line (file:line where there is one) and the right exit code, never a traceback; plus
property tests that throw arbitrary names, bytes, JSON and TOML at the workbench."""

import json
import os
import re
from pathlib import Path

import pytest
import tomlkit
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import cli
from workbench.engines.base import Translation
from workbench.errors import InputError
from workbench.glossary.enforce import protect, restore
from workbench.glossary.match import Matcher
from workbench.glossary.store import Glossary, Term, load_glossary
from workbench.review.corrections import load_corrections

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def one_line_error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def article(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    return folder


def translate(tmp_path, inputs, models, *extra, env=None):
    return CliRunner().invoke(cli, [
        "translate", *map(str, inputs), "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(models), "--cache", str(tmp_path / "c.db"), *extra], env=env)


# --- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("variable", "value", "problem"), [
    ("WORKBENCH_BEAM_SIZE", "abc", "must be a whole number (got 'abc')"),
    ("WORKBENCH_BEAM_SIZE", "0", "must be between 1 and 32 (got '0')"),
    ("WORKBENCH_THREADS", "-1", "must be between 0 and 1024 (got '-1')"),
    ("WORKBENCH_BATCH_TOKENS", "-3", "must be between 16 and 1000000 (got '-3')"),
    ("WORKBENCH_DEVICE", "tpu", "must be one of auto, cpu, cuda (got 'tpu')"),
    ("WORKBENCH_COMPUTE_TYPE", "int3", "must be one of default"),
])
def test_bad_environment_settings_are_usage_errors(tmp_path, article, installed_models,
                                                   variable, value, problem):
    result = translate(tmp_path, [article], installed_models, "--no-glossary",
                       env={variable: value})
    line = one_line_error(result, 2)
    assert line.startswith(f"Error: {variable}: {problem}")
    assert not (tmp_path / "out").exists()


def test_huge_batch_tokens_option_is_a_usage_error(tmp_path, article, installed_models):
    result = translate(tmp_path, [article], installed_models, "--no-glossary",
                       "--batch-tokens", "99999999999999999999")
    line = one_line_error(result, 2)
    assert line == ("Error: --batch-tokens: must be between 16 and 1000000 "
                    "(got '99999999999999999999')")


# --- glossary ------------------------------------------------------------------------------

def glossary_file(tmp_path, text: str) -> Path:
    folder = tmp_path / "glossary"
    folder.mkdir(exist_ok=True)
    path = folder / "documents.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "problem", "line"), [
    ('[[term]]\ntarget = "Decree"\ntype = "document"\npattern.de = \'(a|aa)+$\'\n',
     "pattern.de takes too long on simple text", 4),
    ('[[term]]\ntarget = "Decree {number}"\ntype = "document"\n'
     "pattern.de = '(?P<number>\\d*)'\n", "pattern.de can match an empty string", 4),
    ("term = [1, 2]\n", "each term must be a [[term]] table (got int)", 1),
    ('[[term]]\ntarget = "X"\ntype = "person"\nde = "X"\npattern.de = 5\n',
     "pattern.de must be a regular expression in quotes", 5),
    ("a = " + "[" * 2000 + "]" * 2000 + "\n", "not valid TOML", 1),
])
def test_bad_glossary_stops_the_run_before_translating(tmp_path, article, installed_models,
                                                       text, problem, line):
    path = glossary_file(tmp_path, text)
    result = translate(tmp_path, [article], installed_models, "--glossary", str(path.parent))
    error = one_line_error(result, 1)
    assert error.startswith(f"Error: {path}:{line}: ")
    assert problem in error
    assert not (tmp_path / "out").exists()


def test_glossary_add_into_a_malformed_file_leaves_it_alone(tmp_path):
    path = glossary_file(tmp_path, '[[term]]\ntarget = "X\n')
    result = CliRunner().invoke(cli, ["glossary", "add", "Tô Lâm", "--type", "person",
                                      "--form", "latin=To Lam", "--file", str(path),
                                      "--glossary", str(path.parent)])
    error = one_line_error(result, 1)
    assert error.startswith(f"Error: {path}:2: not valid TOML")
    assert path.read_text(encoding="utf-8") == '[[term]]\ntarget = "X\n'


def test_glossary_add_of_a_duplicate_in_another_file_is_refused(tmp_path):
    folder = tmp_path / "glossary"
    folder.mkdir()
    people = folder / "people.toml"
    people.write_text('[[term]]\ntarget = "Tô Lâm"\ntype = "person"\nlatin = ["To Lam"]\n',
                      encoding="utf-8")
    extra = folder / "extra.toml"
    result = CliRunner().invoke(cli, ["glossary", "add", "Tô Lâm", "--type", "person",
                                      "--form", "ru=То Лам", "--file", str(extra),
                                      "--glossary", str(folder)])
    error = one_line_error(result, 1)
    assert "duplicate entry for 'Tô Lâm'" in error
    assert f"{people}:1" in error and f"{extra}:1" in error
    assert not extra.exists()
    assert len(load_glossary([folder])) == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["term", "target", "type", "note", "pattern", "latin", "de", "ru", "x",
                         "person", "document"]), children, max_size=4),
    max_leaves=12))
def test_glossary_loader_fuzz(tmp_path_factory, value):
    document = {"term": value} if not isinstance(value, dict) else value
    try:
        text = tomlkit.dumps(document)
    except Exception:
        return
    path = tmp_path_factory.mktemp("g") / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        glossary = load_glossary([path])
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))
        return
    for lang in ("de", "ru"):
        Matcher(glossary, lang).find("Dekret Nr. 12/2025 von To Lam")


# --- corrections ---------------------------------------------------------------------------

@pytest.mark.parametrize("index", ['"abc"', "null", "[1]", "1e400", "true", "-7"])
def test_correction_with_a_bad_index_is_one_line(tmp_path, index):
    path = tmp_path / "c.json"
    path.write_text('{"corrections": [{"src_lang": "de", "tgt_lang": "en", "src": "A.", '
                    f'"tgt": "B.", "index": {index}}}]}}')
    result = CliRunner().invoke(cli, ["corrections", "apply", str(path), "--cache",
                                      str(tmp_path / "cache.db")])
    error = one_line_error(result, 3)  # a file not read: incomplete, the others would go on
    assert error.startswith(f"Error: {path}: correction 1: index must be a segment number")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["corrections", "src_lang", "tgt_lang", "src", "tgt", "index",
                         "article", "x"]), children, max_size=6),
    max_leaves=15)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_corrections_loader_fuzz(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("c") / "c.json"
    path.write_text(json.dumps({"corrections": value} if not isinstance(value, dict) else value))
    try:
        corrections = load_corrections(path)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))
        return
    for c in corrections:
        assert isinstance(c.index, int) and c.src.strip() and c.tgt.strip()


# --- damaged run folders -------------------------------------------------------------------

@pytest.fixture
def finished_run(tmp_path, article, installed_models) -> Path:
    assert translate(tmp_path, [article], installed_models, "--no-glossary").exit_code == 0
    return tmp_path / "out"


@pytest.mark.parametrize(("name", "damage", "problem"), [
    ("records.jsonl", lambda t: t.replace("}\n", "\n", 1), "records.jsonl:1: not valid JSON"),
    ("records.jsonl", lambda t: t.replace('"kind":"body"', '"kind":"poem"', 1),
     "records.jsonl:1: kind: must be one of title, body, caption"),
    ("articles.jsonl", lambda t: "[1]\n" + t, "articles.jsonl:1: expected a JSON object"),
    ("articles.jsonl", lambda t: t.replace('"path"', '"file"'),
     "articles.jsonl:1: path: missing"),
    ("run.json", lambda t: t[:-5], "run.json:"),
])
@pytest.mark.parametrize("command", [["export"], ["review", "--no-open"], ["glossary", "check"]])
def test_damaged_run_files_are_named_with_their_line(finished_run, name, damage, problem,
                                                     command):
    path = finished_run / name
    path.write_text(damage(path.read_text("utf-8")), encoding="utf-8")
    (finished_run / "review.html").unlink()
    result = CliRunner().invoke(cli, [*command, str(finished_run)])
    if command[0] == "glossary" and name != "records.jsonl":
        assert result.exit_code == 0  # glossary check reads only the records
        return
    error = one_line_error(result, 1)
    assert error.startswith(f"Error: {finished_run}/{problem}"), error


# --- placeholders --------------------------------------------------------------------------

def test_placeholders_never_collide_with_numbers_in_targets():
    terms = (Term("Decree 7301", "document", {"de": ("Dekret Sieben",)}),
             Term("Tô Lâm", "person", {"latin": ("To Lam",)}))
    matches = Matcher(Glossary(terms, "t"), "de").find("Dekret Sieben und To Lam, Seite 7302.")
    protected = protect("Dekret Sieben und To Lam, Seite 7302.", matches)
    placeholders = [t.placeholder for t in protected.terms]
    assert "7301" not in placeholders and "7302" not in placeholders
    english = protected.engine_input.replace("und", "and").replace("Seite", "page")
    text, hits = restore(protected, Translation(english, -0.1))
    assert text == "Decree 7301 and Tô Lâm, page 7302."
    assert [(h.found, h.enforced) for h in hits] == [(True, "placeholder")] * 2


# --- arbitrary file names and contents next to a good article -------------------------------

names = st.binary(min_size=1, max_size=40).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")).filter(
    lambda b: b not in (b".", b"..") and not b.startswith(b"."))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(names, st.binary(max_size=300)), min_size=1, max_size=4,
                      unique_by=lambda f: f[0]))
def test_arbitrary_names_and_bytes_never_stop_a_good_article(tmp_path_factory, installed_models,
                                                              files):
    root = tmp_path_factory.mktemp("fuzz")
    folder = os.path.join(os.fsencode(root), b"in")
    os.mkdir(folder)
    with open(os.path.join(folder, b"good.txt"), "wb") as handle:
        handle.write(GOOD.encode())
    for name, data in files:
        if name == b"good.txt":
            continue
        with open(os.path.join(folder, name + b".txt"), "wb") as handle:
            handle.write(data)
    result = CliRunner().invoke(cli, [
        "translate", os.fsdecode(folder), "-o", str(root / "out"), "--silent", "--models-dir",
        str(installed_models), "--cache", str(root / "c.db"), "--no-glossary"])
    assert result.exit_code in (0, 3), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    records = [json.loads(line) for line in (root / "out" / "records.jsonl").open()]
    good = [r for r in records if r["article"] == "good"]
    assert good and {r["status"] for r in good} <= {"translated", "cached"}
    assert all(not re.search(r"[\x00-\x1f]", r["article"]) for r in records)
    assert (root / "out" / "review.html").is_file() and (root / "out" / "records.tmx").is_file()



def test_a_fifo_for_a_glossary_or_corrections_file_is_refused(tmp_path, article,
                                                              installed_models):
    folder = tmp_path / "glossary"
    folder.mkdir()
    os.mkfifo(folder / "people.toml")
    result = translate(tmp_path, [article], installed_models, "--glossary", str(folder))
    assert one_line_error(result, 1) == (f"Error: {folder / 'people.toml'}: a named pipe "
                                         "(FIFO), not a regular file")
    os.mkfifo(tmp_path / "corrections.json")
    result = CliRunner().invoke(cli, ["corrections", "apply", str(tmp_path / "corrections.json"),
                                      "--cache", str(tmp_path / "c.db")])
    assert one_line_error(result, 3) == (f"Error: {tmp_path / 'corrections.json'}: a named "
                                         "pipe (FIFO), not a regular file")
