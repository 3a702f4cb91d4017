"""The glossary in the formats terminologists exchange: TBX-Basic, TSV and CSV, out and in.

TBX (ISO 30042; TBX-Basic in its v2 ``martif`` form, which translate-toolkit, Weblate,
memoQ, Trados and OmegaT read): one ``termEntry`` per entry, its type as ``subjectField``,
its note as ``note``, the English in an ``en`` ``langSet`` (``preferredTerm-admn-sts``, and
each forbidden rendering as ``deprecatedTerm-admn-sts``), each source form in the
``langSet`` of its language (``latin`` forms as ``und-Latn``). TSV and CSV hold one row per
source form: ``form, target, lang, type, note`` (OmegaT reads a TSV's first two columns as
source and target). Document-number patterns have no place in either and are not exported.

A TSV or CSV cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a single quote before it, as OWASP
recommends against CSV injection; so is one that starts with quotes and then one of those,
so that reading back is exact: import removes one quote from a cell that starts with quotes
followed by one of those characters, and from no other.

Import reads such a file and applies every entry as ``glossary add`` would, in one pass over
the glossary held in memory (``glossary.bulk``), validates the result as a whole, and
writes nothing unless every entry holds.
"""

from __future__ import annotations

import ast
import csv
import io
import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from workbench.display import display_path
from workbench.errors import InputError, WorkbenchError
from workbench.files import read_config_text
from workbench.glossary.bulk import Draft
from workbench.glossary.edit import write_validated
from workbench.glossary.store import LATIN, Glossary
from workbench.records import TERM_TYPES
from workbench.text.detect import script_of_language
from workbench.text.feed import first_repeated

FORMATS = ("tbx", "tsv", "csv")
_LATIN_TAG = "und-Latn"
_PREFERRED, _DEPRECATED = "preferredTerm-admn-sts", "deprecatedTerm-admn-sts"
_COLUMNS = ("form", "target", "lang", "type", "note")
#: A cell a spreadsheet would take for a formula, after any quotes that neutralise one.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


@dataclass
class Entry:
    """One concept as an exchange file carries it."""

    target: str
    type: str
    forms: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    forbidden: list[str] = field(default_factory=list)
    line: int | None = None  # where it starts in the file it was read from
    form_lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (lang, form): row


def export_glossary(glossary: Glossary, fmt: str) -> str:
    """The glossary as TBX, TSV or CSV text (entries with forms; patterns are left out)."""
    entries = [Entry(t.target, t.type, {k: list(v) for k, v in t.forms.items()}, t.note,
                     list(t.forbidden)) for t in glossary.terms if t.forms]
    if fmt == "tbx":
        return _tbx(entries)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(_COLUMNS)
    for entry in entries:
        for lang, forms in entry.forms.items():
            for form in forms:
                writer.writerow([neutralised(cell) for cell in
                                 (form, entry.target, lang, entry.type, entry.note)])
    return out.getvalue()


def neutralised(cell: str) -> str:
    """A table cell no spreadsheet runs as a formula: ``'`` before a formula's first character.

    Cells come from the glossary, which takes them from people, TBX and reviewers'
    corrections alike, so every cell is treated here, where they leave.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def restored(cell: str) -> str:
    """A cell as it was before :func:`neutralised`: exactly one such quote removed."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def _tbx(entries: list[Entry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">',
             '<martif type="TBX-Basic" xml:lang="en">',
             "  <martifHeader><fileDesc><sourceDesc><p>Workbench glossary</p></sourceDesc>"
             "</fileDesc></martifHeader>",
             "  <text><body>"]
    for n, entry in enumerate(entries, 1):
        lines.append(f'    <termEntry id="e{n}">')
        lines.append(f'      <descrip type="subjectField">{escape(entry.type)}</descrip>')
        if entry.note:
            lines.append(f"      <note>{escape(entry.note)}</note>")
        english = [(entry.target, _PREFERRED)] + [(f, _DEPRECATED) for f in entry.forbidden]
        lines.append('      <langSet xml:lang="en">')
        lines += [f"        <tig><term>{escape(term)}</term><termNote type="
                  f'"administrativeStatus">{status}</termNote></tig>' for term, status in english]
        lines.append("      </langSet>")
        for lang, forms in entry.forms.items():
            tag = _LATIN_TAG if lang == LATIN else lang
            lines.append(f"      <langSet xml:lang={quoteattr(tag)}>")
            lines += [f"        <tig><term>{escape(form)}</term></tig>" for form in forms]
            lines.append("      </langSet>")
        lines.append("    </termEntry>")
    lines += ["  </body></text>", "</martif>", ""]
    return "\n".join(lines)


def read_exchange(path: Path) -> list[Entry]:
    """The entries of a TBX, TSV or CSV file (by its ending).

    Raises:
        InputError: the file cannot be read or is not of its format; names file and line.
    """
    text = read_config_text(path)
    suffix = path.suffix.lower()
    if suffix == ".tbx" or text.lstrip().startswith("<"):
        return list(_tbx_entries(path, text))
    if suffix not in (".tsv", ".csv", ".txt"):
        raise InputError(path, "not a glossary exchange file (expected .tbx, .tsv or .csv)")
    return list(_table_entries(path, text, "\t" if suffix in (".tsv", ".txt") else ","))


def _tbx_entries(path: Path, text: str) -> Iterator[Entry]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as err:
        raise InputError(path, f"not valid TBX ({err.msg})", err.lineno) from err
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    for element in root.iter("{*}termEntry", "termEntry"):
        kind = (element.findtext(".//{*}descrip[@type='subjectField']") or
                element.findtext(".//descrip[@type='subjectField']") or "").strip()
        note = (element.findtext("{*}note") or element.findtext("note") or "").strip()
        entry = Entry("", kind, note=note, line=element.sourceline)
        for lang_set in element.iter("{*}langSet", "langSet"):
            lang = (lang_set.get(lang_attr) or lang_set.get("lang") or "").strip()
            for tig in lang_set.iter("{*}tig", "tig", "{*}ntig", "ntig"):
                term = " ".join("".join(tig.findtext(".//{*}term") or
                                        tig.findtext(".//term") or "").split())
                status = (tig.findtext(".//{*}termNote") or tig.findtext(".//termNote") or "")
                if not term:
                    continue
                if lang.lower().startswith("en"):
                    if _DEPRECATED in status or "forbidden" in status.lower():
                        entry.forbidden.append(term)
                    elif not entry.target:
                        entry.target = term
                else:
                    key = LATIN if lang == _LATIN_TAG else lang.lower().split("-")[0]
                    entry.forms.setdefault(key, []).append(term)
        yield _checked(entry, path, element.sourceline)


def _table_entries(path: Path, text: str, delimiter: str) -> Iterator[Entry]:
    rows = _table_rows(path, text, delimiter)
    names = [c.strip().lower() for c in rows[0][1]] if rows else []
    if not {"form", "target", "lang", "type"} <= set(names):
        raise InputError(path, f"the header must name the columns {', '.join(_COLUMNS)}", 1)
    if twice := first_repeated(names):
        raise InputError(path, f"the header names the column {twice!r} twice", rows[0][0])
    grouped: dict[tuple[str, str], Entry] = {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(names, (restored(c.strip()) for c in row), strict=False))
        key = (cells.get("target", ""), cells.get("type", ""))
        entry = grouped.setdefault(key, _checked(Entry(*key, note=cells.get("note", ""),
                                                       line=number),
                                                 path, number, forms_needed=False))
        if not cells.get("form") or not cells.get("lang"):
            raise InputError(path, "a row needs a form and a language", number)
        entry.forms.setdefault(cells["lang"], []).append(cells["form"])
        entry.form_lines.setdefault((cells["lang"], cells["form"]), number)
    yield from grouped.values()


#: The longest cell a glossary file may hold (the csv module's default limit, 128 KB).
_MAX_CELL = 128 * 1024
#: What the csv module's errors mean to someone who saved the file.
_CSV_PROBLEMS = (
    ("new-line character", "a carriage return (CR) ends a line or stands in an unquoted field; "
                           "save the file with LF or CRLF line ends"),
    ("unexpected end of data", "a quoted field is not closed: its opening quote (\") has no "
                               "closing one"),
    ("field larger than field limit", "a field is over 128 KB, more than any glossary cell"),
    ("expected after", "text follows a quoted field's closing quote (a quote inside a quoted "
                       "field is written twice: \"\")"),
)


def _table_rows(path: Path, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every row with the line it starts on; the csv module's errors as one line each.

    Raises:
        InputError: names the file, the line the row starts on and what is wrong.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as err:
            problem = next((said for known, said in _CSV_PROBLEMS if known in str(err)),
                           f"not valid {'TSV' if delimiter == chr(9) else 'CSV'} ({err})")
            raise InputError(path, problem, start) from err
        if row is None:
            return rows
        if any(len(cell) > _MAX_CELL for cell in row):  # the csv module's limit is global
            raise InputError(path, _CSV_PROBLEMS[2][1], start)
        rows.append((start, row))


def _checked(entry: Entry, path: Path, line: int | None, forms_needed: bool = True) -> Entry:
    if not entry.target:
        raise InputError(path, "an entry has no English term", line)
    if entry.type not in TERM_TYPES:
        raise InputError(path, f"entry {entry.target!r}: type must be one of "
                               f"{', '.join(TERM_TYPES)} (got {entry.type!r})", line)
    if forms_needed and not entry.forms:
        raise InputError(path, f"entry {entry.target!r} has no source forms", line)
    return entry


@dataclass
class ImportReport:
    """What became of each entry of an imported file."""

    outcomes: list[tuple[Entry, str]] = field(default_factory=list)  # added/extended/unchanged
    refused: list[tuple[Entry, str]] = field(default_factory=list)  # and why
    path: Path = Path()  # the imported file

    @property
    def written(self) -> bool:
        """Whether the glossary was changed (only when no entry was refused)."""
        return not self.refused and any(o != "unchanged" for _, o in self.outcomes)

    def counts(self) -> dict[str, int]:
        """How many entries were added, extended, left unchanged and refused."""
        found = Counter(outcome for _, outcome in self.outcomes)
        return {**{o: found[o] for o in ("added", "extended", "unchanged")},
                "refused": len(self.refused)}

    def refusals(self) -> list[str]:
        """One line per refused entry: the file and line it is on, and why."""
        return [f"{display_path(self.path)}{f':{line}' if line else ''}: {entry.target!r} "
                f"({entry.type}): refused: {why}" for entry, why, line in
                ((e, w, _line_of(e, w)) for e, w in self.refused)]


#: How a refusal names a form that another entry owns.
_CLASH = re.compile(r"form (?P<form>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") "
                    r"\((?P<lang>[^()]+)\) of ")
_MOVE_HINT = " (glossary add --move moves it)"


def _line_of(entry: Entry, why: str) -> int | None:
    """The line of the row holding the form a refusal names, else the entry's first line."""
    if (found := _CLASH.search(why)) is not None:
        form = ast.literal_eval(found["form"])
        return entry.form_lines.get((found["lang"], form), entry.line)
    return entry.line


def _import_refusal(entry: Entry, err: WorkbenchError) -> str:
    """Why an entry was refused, with what an import user can do about a form clash."""
    why = err.problem if isinstance(err, InputError) else str(err)
    found = _CLASH.search(why)
    if found is None or not why.endswith(_MOVE_HINT):
        return why
    if ", added by this import); " in why:
        return f"{why.removesuffix(_MOVE_HINT)}: change or drop one of the two rows"
    move = shlex.join(["workbench", "glossary", "add", entry.target, "--type", entry.type,
                       "--form", f"{found['lang']}={ast.literal_eval(found['form'])}",
                       "--move"])
    return (f"{why.removesuffix(_MOVE_HINT)}: change or drop that row, or move the form to "
            f"this entry first with `{move}`")


def import_glossary(path: Path, glossary_dir: Path,
                    progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Apply a TBX, TSV or CSV file to the glossary folder, entry by entry.

    Every entry is applied to the glossary held in memory, in time that does not grow with
    the glossary; the result is validated as a whole, and nothing is written if any entry is
    refused. Files are written as every glossary edit writes them (``edit.writable_file``),
    each beside itself and renamed into place: no temporary folder is left behind.

    Arguments:
        path: the file to import.
        glossary_dir: the glossary folder (created if missing).
        progress: called with (entries done, entries in all) after each entry.

    Raises:
        InputError: the file or the glossary cannot be read or is not valid.
        WorkbenchError: ``glossary_dir`` is not a folder, or a file cannot be written.
    """
    if glossary_dir.exists() and not glossary_dir.is_dir():
        raise WorkbenchError(f"{glossary_dir} is not a folder; glossary import adds to a "
                             "glossary folder")
    entries = read_exchange(path)
    report = ImportReport(path=path)
    draft = Draft(glossary_dir)
    for done, entry in enumerate(entries, 1):
        try:
            outcome = draft.add(entry.target, entry.type, entry.forms, entry.note,
                                entry.forbidden)
        except WorkbenchError as err:
            report.refused.append((entry, _import_refusal(entry, err)))
        else:
            report.outcomes.append((entry, outcome))
        if progress is not None:
            progress(done, len(entries))
    if report.written:
        write_validated(draft.texts(), [glossary_dir])
    return report


def omegat_rows(glossary: Glossary, lang: str) -> list[tuple[str, str, str]]:
    """A language's terms as OmegaT glossary rows: source form, English, comment.

    The forms are those a run matches for the language (its own and, in Latin script, the
    ``latin`` ones); the comment is the entry's type and note.
    """
    latin = script_of_language(lang) == "latin"
    return [(form, term.target, " ".join(filter(None, (term.type, term.note))))
            for term in glossary.terms for form in term.forms_for(lang, latin)]
