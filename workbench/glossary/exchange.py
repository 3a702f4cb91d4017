"""The glossary in the formats terminologists exchange: TBX-Basic, TSV and CSV, out and in.

TBX (ISO 30042; TBX-Basic in its v2 ``martif`` form, which translate-toolkit, Weblate,
memoQ, Trados and OmegaT read): one ``termEntry`` per entry, its type as ``subjectField``,
its note as ``note``, the English in an ``en`` ``langSet`` (``preferredTerm-admn-sts``, and
each forbidden rendering as ``deprecatedTerm-admn-sts``), each source form in the
``langSet`` of its language (``latin`` forms as ``und-Latn``). TSV and CSV hold one row per
source form: ``form, target, lang, type, note`` (OmegaT reads a TSV's first two columns as
source and target). Document-number patterns have no place in either and are not exported.

Import reads such a file, applies every entry to a copy of the glossary as ``glossary add``
would (validated against the whole glossary), and writes nothing unless all of them hold.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from workbench.errors import InputError, WorkbenchError
from workbench.files import read_config_text
from workbench.glossary.edit import add_term, default_file
from workbench.glossary.store import LATIN, Glossary, glossary_files
from workbench.outputs.atomic import atomic_write
from workbench.records import TERM_TYPES
from workbench.text.detect import script_of_language

FORMATS = ("tbx", "tsv", "csv")
_LATIN_TAG = "und-Latn"
_PREFERRED, _DEPRECATED = "preferredTerm-admn-sts", "deprecatedTerm-admn-sts"
_COLUMNS = ("form", "target", "lang", "type", "note")


@dataclass
class Entry:
    """One concept as an exchange file carries it."""

    target: str
    type: str
    forms: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    forbidden: list[str] = field(default_factory=list)


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
                writer.writerow((form, entry.target, lang, entry.type, entry.note))
    return out.getvalue()


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
        entry = Entry("", kind, note=note)
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
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [c.strip().lower() for c in next(rows, [])]
    if not {"form", "target", "lang", "type"} <= set(header):
        raise InputError(path, f"the header must name the columns {', '.join(_COLUMNS)}", 1)
    grouped: dict[tuple[str, str], Entry] = {}
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        key = (cells.get("target", ""), cells.get("type", ""))
        entry = grouped.setdefault(key, _checked(Entry(*key, note=cells.get("note", "")),
                                                 path, number, forms_needed=False))
        if not cells.get("form") or not cells.get("lang"):
            raise InputError(path, "a row needs a form and a language", number)
        entry.forms.setdefault(cells["lang"], []).append(cells["form"])
    yield from grouped.values()


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

    @property
    def written(self) -> bool:
        """Whether the glossary was changed (only when no entry was refused)."""
        return not self.refused and any(o != "unchanged" for _, o in self.outcomes)


def import_glossary(path: Path, glossary_dir: Path) -> ImportReport:
    """Apply a TBX, TSV or CSV file to the glossary folder, entry by entry.

    Every entry is tried on a copy of the glossary first; nothing is written if any is refused.
    """
    entries = read_exchange(path)
    report = ImportReport()
    with tempfile.TemporaryDirectory(prefix="workbench-import-") as work:
        trial = Path(work) / "glossary"
        if glossary_dir.is_dir():
            shutil.copytree(glossary_dir, trial)
        else:
            trial.mkdir()
        for entry in entries:
            try:
                outcome = add_term(default_file(trial, entry.type), entry.target, entry.type,
                                   entry.forms, entry.note, [trial],
                                   forbidden=entry.forbidden).outcome
            except WorkbenchError as err:
                report.refused.append((entry, str(err).replace(str(trial), str(glossary_dir))))
            else:
                report.outcomes.append((entry, outcome))
        if report.written:
            glossary_dir.mkdir(parents=True, exist_ok=True)
            for file in glossary_files([trial]):
                target = glossary_dir / file.name
                text = file.read_text("utf-8")
                if not target.exists() or target.read_text("utf-8") != text:
                    with atomic_write(target) as out:
                        out.write(text)
    return report


def omegat_rows(glossary: Glossary, lang: str) -> list[tuple[str, str, str]]:
    """A language's terms as OmegaT glossary rows: source form, English, comment.

    The forms are those a run matches for the language (its own and, in Latin script, the
    ``latin`` ones); the comment is the entry's type and note.
    """
    latin = script_of_language(lang) == "latin"
    return [(form, term.target, " ".join(filter(None, (term.type, term.note))))
            for term in glossary.terms for form in term.forms_for(lang, latin)]
