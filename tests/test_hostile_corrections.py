"""Hostile inputs, round three: a reviewer's corrections files (``workbench corrections apply``).

Every format ``corrections apply`` reads (the review pages' JSON, JSON Lines, Workbench's own
XLIFF edited in a CAT tool, OmegaT's stateless target files, po2xliff's XLIFF 1.1, TMX 1.4 and
OmegaT's TMX 1.1) passes one place where corrections enter: English that the formats cannot
all hold is refused in one line naming its place while the other units are stored, one source
given different English twice is stored for neither, a unit with no id is named by its line,
JSON a reader cannot take is one line per line, and a large XLIFF is streamed. What reaches the
cache, ``records.jsonl``, TMX and XLIFF after ``workbench export`` is checked each time. The
runs use the TEST-DOUBLE engine (tests/fakes.py): only structure is checked.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from click.testing import CliRunner
from fakes import FakeEngines

from workbench.cache.store import CacheEntry, TranslationCache
from workbench.cli import cli
from workbench.review.apply import apply_file
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

ARTICLE = ("Regjeringen la fram budsjettet i dag.\nStatsministeren var fornøyd med forslaget.\n"
           "Opposisjonen kritiserte planen kraftig.\nAvstemningen skjer neste uke.\n")
GOOD = "The government presented the budget today."
#: English no format may carry as it is: every one is refused wherever it comes from.
HOSTILE = {"NUL": "\x00", "ESC": "\x1b", "BEL": "\x07", "DEL": "\x7f", "C1": "\x9b",
           "NEL": "\x85", "U+FFFE": "\ufffe", "U+FDD0": "\ufdd0", "RLO": "\u202e",
           "isolate": "\u2066", "newline": "\n", "lone surrogate": "\ud800"}
#: Of those, the ones XML 1.0 can carry at all (the others make a file that is not XML).
IN_XML = ("DEL", "C1", "NEL", "U+FDD0", "RLO", "isolate", "newline")
FORMATS = ("json", "jsonl", "xliff", "omegat", "po2xliff", "tmx", "tmx11")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def run(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    """A finished run of one Norwegian article: (output folder, cache, its records)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    cache = tmp_path / "c.db"
    settings = Settings(models_dir=tmp_path / "m", cache_path=cache, glossary_paths=())
    translate_inputs([folder], tmp_path / "out", settings, FakeEngines(["nb"]))
    rows = [r for r in records(tmp_path / "out") if r["tgt"]]
    assert len(rows) >= 3, rows
    return tmp_path / "out", cache, rows


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text("utf-8").splitlines()]


def unit_id(row: dict) -> str:
    return f"{row['article']}:{row['index']}"


def write(kind: str, path: Path, units: list[tuple[dict, str, str | None]]) -> Path:
    """A reviewer's file of ``kind`` holding (record, English, unit id) units, written raw
    (the English exactly as given, even what XML cannot hold). Returns its path."""
    if kind in ("json", "jsonl"):
        entries = [{"article": row["article"], "index": row["index"], "src_lang": "nb",
                    "tgt_lang": "en", "src": row["src"], "tgt": english}
                   for row, english, _ in units]
        if kind == "json":
            text = json.dumps({"workbench_corrections": 1, "corrections": entries})
        else:
            text = "".join(json.dumps(entry) + "\n" for entry in entries)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path
    if kind.startswith("tmx"):
        lang = "lang" if kind == "tmx11" else "xml:lang"
        body = "".join(
            f"<tu{'' if uid is None else ' tuid=' + quoteattr(uid)}>\n"
            f'<tuv {lang}="nb"><seg>{escape(row["src"])}</seg></tuv>\n'
            f'<tuv {lang}="en"><seg>{escape(english)}</seg></tuv></tu>\n'
            for row, english, uid in units)
        version = "1.1" if kind == "tmx11" else "1.4"
        text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="{version}">\n'
                '<header creationtool="t" creationtoolversion="1" segtype="sentence" '
                'o-tmf="t" adminlang="en" srclang="nb" datatype="plaintext"/>\n'
                f"<body>\n{body}</body></tmx>\n")
    else:
        version, source_lang = ("1.1", "en-US") if kind == "po2xliff" else ("1.2", "nb")
        state = "" if kind in ("omegat", "po2xliff") else ' state="translated"'
        body = "".join(
            f"<trans-unit{'' if uid is None else ' id=' + quoteattr(uid)}>\n"
            f"<source>{escape(row['src'])}</source>\n"
            f"<target{state}>{escape(english)}</target></trans-unit>\n"
            for row, english, uid in units)
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<xliff version="{version}" '
                f'xmlns="urn:oasis:names:tc:xliff:document:{version}">\n'
                f'<file original="a" source-language="{source_lang}" target-language="en" '
                f'datatype="plaintext"><body>\n{body}</body></file></xliff>\n')
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The line of ``path`` where ``text`` occurs for the n-th time (1-based)."""
    found = [n for n, line in enumerate(path.read_text("utf-8", "surrogatepass").splitlines(),
                                        1) if text in line]
    return found[occurrence - 1]


def approvals(cache: Path) -> dict[str, str]:
    with sqlite3.connect(cache) as db:
        return dict(db.execute("select source, target from approvals"))


def exported(out: Path, cache: Path) -> str:
    """``workbench export`` to JSONL, TMX and XLIFF; the three files' text."""
    result = invoke("export", str(out), "--cache", str(cache), "--format", "tmx,xliff")
    assert result.exit_code == 0, result.output
    return "".join((out / name).read_text("utf-8") for name in
                   ("records.jsonl", "records.tmx", "records.xlf"))


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.endswith(("not stored", "not added"))
            or "none of them stored" in line]


# --- 1. English a format cannot hold: one line, the other units stored ---------------------

@pytest.mark.parametrize(("name", "kind"), [
    (name, kind) for name in HOSTILE for kind in FORMATS
    if kind in ("json", "jsonl") or name in IN_XML])  # else not XML: see the next tests
def test_hostile_english_is_refused_in_one_line_and_the_rest_is_stored(run, tmp_path, kind,
                                                                       name):
    out, cache, rows = run
    bad = f"The Prime{HOSTILE[name]} Minister was pleased."
    path = write(kind, tmp_path / f"edited.{kind}", [(rows[0], GOOD, unit_id(rows[0])),
                                                     (rows[1], bad, unit_id(rows[1]))])
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output  # incomplete: a unit was refused
    assert "Traceback" not in result.output
    if kind == "json":
        place = f"{path}: correction 2"
    elif kind == "jsonl":
        place = f"{path}:2"
    else:
        tag = "tuid=" if kind.startswith("tmx") else "id="
        place = f"{path}:{line_of(path, tag, 2)} (unit {unit_id(rows[1])})"
    assert problem_lines(result.output) == [
        next(line for line in result.output.splitlines() if line.startswith(place + ": English"))]
    assert "approved 1," in result.output and "refused 1 that cannot be stored" in result.output
    assert approvals(cache) == {rows[0]["src"]: GOOD}
    text = exported(out, cache)
    assert HOSTILE[name] not in text.replace("\n", "") or name == "newline"
    assert "\ufffd" not in text and "Prime" not in text
    after = {unit_id(r): r for r in records(out)}
    assert (after[unit_id(rows[0])]["status"], after[unit_id(rows[0])]["tgt"]) == ("approved",
                                                                                  GOOD)
    assert after[unit_id(rows[1])]["status"] != "approved"


def test_invisible_characters_are_removed_and_nothing_visible_is_refused(run, tmp_path):
    _out, cache, rows = run
    path = write("xliff", tmp_path / "edited.xlf", [
        (rows[0], "The govern\u200bment pre\u00adsented\tthe budget today.", unit_id(rows[0])),
        (rows[1], "\u200b\u2060\ufeff", unit_id(rows[1]))])
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    assert problem_lines(result.output) == [
        f"{path}:{line_of(path, 'id=', 2)} (unit {unit_id(rows[1])}): English is empty (or "
        "only invisible characters); not stored"]
    assert approvals(cache) == {rows[0]["src"]: "The government presented the budget today."}


@pytest.mark.parametrize("name", [n for n in HOSTILE if n not in IN_XML])
def test_a_file_that_is_not_xml_is_one_line(run, tmp_path, name):
    _out, cache, rows = run
    path = write("xliff", tmp_path / "edited.xlf", [(rows[0], GOOD, unit_id(rows[0]))])
    text = path.read_text("utf-8").replace(escape(GOOD), f"x&#x{ord(HOSTILE[name]):X};y")
    path.write_text(text, encoding="utf-8")
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    assert result.output.startswith(f"Error: {path}:{line_of(path, '&#x')}: not a corrections "
                                    "file (not JSON, and not XML: ")
    assert len(result.output.splitlines()) == 1 and approvals(cache) == {}


@pytest.mark.parametrize("field", ["target", "form", "note"])
def test_a_proposed_term_with_hostile_text_is_refused_and_the_others_added(run, tmp_path,
                                                                          field):
    _out, cache, _rows = run
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    terms = [{"target": "Prime Minister", "type": "title", "lang": "nb",
              "form": "statsministeren", "note": "okay"},
             {"target": "Opposition", "type": "body", "lang": "nb", "form": "opposisjonen",
              "note": "fine"}]
    terms[0][field] = terms[0][field][:3] + "\x1b" + terms[0][field][3:]
    path = tmp_path / "corrections.json"
    path.write_text(json.dumps({"corrections": [], "terms": terms}), encoding="utf-8")
    result = invoke("corrections", "apply", str(path), "--cache", str(cache), "--glossary",
                    str(glossary))
    assert result.exit_code == 3, result.output
    what = {"target": "English", "form": "form", "note": "note"}[field]
    assert problem_lines(result.output) == [
        f"{path}: term 1: {what} holds a control character (U+001B at character 4); "
        "not added"]
    stored = "".join(p.read_text("utf-8") for p in glossary.rglob("*") if p.is_file())
    assert "Opposition" in stored and "Prime" not in stored and "\x1b" not in stored


# --- 2. One source, different English: neither stored -------------------------------------

@pytest.mark.parametrize("kind", FORMATS)
def test_one_source_given_different_english_twice_stores_neither(run, tmp_path, kind):
    out, cache, rows = run
    path = write(kind, tmp_path / f"edited.{kind}", [
        (rows[0], "First reviewer's English.", unit_id(rows[0])),
        (rows[1], GOOD, unit_id(rows[1])),
        (rows[0], "Second reviewer's English.", unit_id(rows[0]))])
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    if kind == "json":
        first, second = f"{path}: correction 1", f"{path}: correction 3"
    elif kind == "jsonl":
        first, second = f"{path}:1", f"{path}:3"
    else:
        tag = "tuid=" if kind.startswith("tmx") else "id="
        first, second = (f"{path}:{line_of(path, tag, n)} (unit {unit_id(rows[0])})"
                         for n in (1, 3))
    assert problem_lines(result.output) == [
        f"{first} and {second}: different English for the same source text; none of them "
        "stored"]
    assert "approved 1," in result.output
    assert "left out 2 that give one source different English" in result.output
    assert approvals(cache) == {rows[1]["src"]: GOOD}
    after = {unit_id(r): r for r in records(out)} if exported(out, cache) else {}
    assert after[unit_id(rows[0])]["status"] != "approved"


@pytest.mark.parametrize("kind", FORMATS)
def test_one_source_given_the_same_english_twice_is_stored_once(run, tmp_path, kind):
    _out, cache, rows = run
    path = write(kind, tmp_path / f"edited.{kind}", [(rows[0], GOOD, unit_id(rows[0])),
                                                     (rows[0], GOOD, unit_id(rows[0]))])
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    assert "approved 1," in result.output and "stored 1 repeated units once" in result.output
    assert f"Approved 1 corrections in {cache}" in result.output
    assert approvals(cache) == {rows[0]["src"]: GOOD}


# --- 3. A unit with no id is named by its file and line ------------------------------------

@pytest.mark.parametrize("kind", ["xliff", "omegat", "tmx", "tmx11", "json", "jsonl"])
def test_an_unmatched_unit_with_no_id_is_named_by_file_and_line(run, tmp_path, kind):
    _out, cache, rows = run
    stranger = {**rows[0], "src": "Denne setningen fantes aldri i kjøringen."}
    path = write(kind, tmp_path / f"edited.{kind}", [(rows[1], GOOD, None),
                                                     (stranger, "Never in the run.", None)])
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    if kind == "json":
        place = f"{path}: correction 2"
    elif kind == "jsonl":
        place = f"{path}:2"
    else:
        place = f"{path}:{line_of(path, '<tu>' if kind.startswith('tmx') else '<trans-unit>', 2)}"
    assert (f"1 corrections are for sentences this cache has never translated (first: "
            f"{place}).") in result.output
    assert ":-1" not in result.output


# --- 4. A large XLIFF is streamed ----------------------------------------------------------

def _large_run(tmp_path: Path, units: int) -> tuple[Path, Path]:
    """A cache that knows ``units`` sources and an XLIFF editing every other one."""
    cache = tmp_path / f"large-{units}.db"
    sources = [f"Setning nummer {n} om budsjettet." for n in range(units)]
    with TranslationCache(cache) as store:
        store.put_many(CacheEntry("engine:fake|nb-en|v:1", "nb", "en", s, f"en:{s}", -0.5)
                       for s in sources)
    path = tmp_path / f"large-{units}.xlf"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
                     'xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
                     '<file original="a" source-language="nb" target-language="en" '
                     'datatype="plaintext"><body>\n')
        for n, source in enumerate(sources):
            english = f"Sentence number {n} on the budget." if n % 2 else f"en:{source}"
            handle.write(f'<trans-unit id="a:{n}"><source>{source}</source><target state='
                         f'"translated">{english}</target><note>kind: body</note>'
                         "</trans-unit>\n")
        handle.write("</body></file></xliff>\n")
    return path, cache


def test_a_large_xliff_is_read_in_flat_memory(tmp_path):
    peaks = {}
    for units in (10_000, 30_000):
        path, cache = _large_run(tmp_path, units)
        with TranslationCache(cache) as store:
            tracemalloc.start()
            report = apply_file(path, store)
            peaks[units] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert (report.units, report.unchanged) == (units, units // 2)
        assert len(approvals(cache)) == units // 2
    # Three times the units, about the same memory (one tree of it all grew with the file).
    assert peaks[30_000] < 1.5 * peaks[10_000], peaks


# --- 5. JSON a reader cannot take ----------------------------------------------------------

LONG_NUMBER = "1" * 4301
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("long number", LONG_NUMBER, "not valid JSON: a number of over 4,300 digits"),
    ("deep nesting", DEEP, "not valid JSON: nested too deeply")])
def test_jsonl_a_line_json_cannot_take_is_one_line_and_the_others_are_stored(
        run, tmp_path, name, value, problem):
    _out, cache, rows = run
    path = tmp_path / "corrections.jsonl"
    entries = [{"src_lang": "nb", "tgt_lang": "en", "src": row["src"], "tgt": english,
                "article": row["article"], "index": row["index"]}
               for row, english in ((rows[0], GOOD), (rows[2], "The opposition objected."))]
    path.write_text(json.dumps(entries[0]) + "\n"
                    + json.dumps({**entries[0], "index": 0}).replace('"index": 0',
                                                                     f'"index": {value}')
                    + "\n\n" + json.dumps(entries[1]) + "\n", encoding="utf-8")
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    lines = problem_lines(result.output)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:2: {problem}"), result.output
    assert approvals(cache) == {rows[0]["src"]: GOOD,
                                rows[2]["src"]: "The opposition objected."}


@pytest.mark.parametrize(("value", "problem"), [
    (LONG_NUMBER, "a number of over 4,300 digits"), (DEEP, "nested too deeply")])
def test_json_that_cannot_be_read_is_one_line_and_the_other_files_go_on(run, tmp_path, value,
                                                                        problem):
    _out, cache, rows = run
    bad = tmp_path / "bad.json"
    bad.write_text('{"corrections": [\n{"src_lang": "nb", "tgt_lang": "en", "src": "A.", '
                   f'"tgt": "B.", "index": {value}}}]}}\n', encoding="utf-8")
    good = write("json", tmp_path / "good.json", [(rows[0], GOOD, None)])
    result = invoke("corrections", "apply", str(bad), str(good), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    # The shared reader places a number exactly; nesting past the stack at the file's start.
    where = f"{bad}:2" if value is LONG_NUMBER else f"{bad}:"
    assert len(errors) == 1 and errors[0].startswith(f"Error: {where}"), result.output
    assert f": not a corrections file (not valid JSON: {problem}" in errors[0]
    assert approvals(cache) == {rows[0]["src"]: GOOD}


@pytest.mark.parametrize(("line", "problem"), [
    ('{"src_lang": "nb", "tgt_lang": "en", "src": "A."}', "entry has no tgt (text expected)"),
    ("[1, 2]", "entry is not an object"),
    ('{"src_lang": "nb", "tgt_lang": "en", "src": "A.", "tgt": "B.", "index": "x"}',
     "entry: index must be a segment number (got 'x')"),
    ("{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
    ('{"src": "' + "x" * 2_000_000 + '"}', "longer than 1,048,576 bytes")])
def test_jsonl_a_malformed_line_is_one_line_and_the_others_are_stored(run, tmp_path, line,
                                                                     problem):
    _out, cache, rows = run
    path = write("jsonl", tmp_path / "c.jsonl", [(rows[0], GOOD, None)])
    path.write_text(line + "\n" + path.read_text("utf-8"), encoding="utf-8")
    result = invoke("corrections", "apply", str(path), "--cache", str(cache))
    assert result.exit_code == 3, result.output
    lines = problem_lines(result.output)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:1: {problem}"), result.output
    assert approvals(cache) == {rows[0]["src"]: GOOD}
