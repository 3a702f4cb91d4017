"""Every output format, declared once: its name, its files, its writer and its help.

A new format is one entry here and its writer module: the CLI's ``--format`` choices and
help, ``workbench export``, stale-output removal and the writers' contract test all read
this registry. Every writer has one shape: it reads the run folder it is given and writes
the format's first file (a folder beside it, if the format has one), atomically.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import OutputError
from workbench.outputs.run_folder import (
    ARTICLES,
    OMEGAT,
    RECORDS,
    RECORDS_DB,
    REVIEW,
    REVIEW_PAGES,
    TMX,
    XLIFF,
    read_articles,
    read_manifest,
    read_records,
)


@dataclass(frozen=True)
class WriteOptions:
    """What a writer may be asked besides the run itself."""

    include_kept: bool = False  # kept segments go into the TMX too, with their source only
    #: The glossary's (source form, English, comment) rows of a language: OmegaT projects
    #: carry them (the caller reads the run's glossary; outputs never load one).
    glossary_rows: Callable[[str], Iterable[tuple[str, str, str]]] | None = None


@dataclass(frozen=True)
class OutputFormat:
    """One output format of a run."""

    name: str
    files: tuple[str, ...]  # what it writes in the run folder, its main file first
    help: str  # one line for ``--help``: what the file is for
    write: Callable[[Path, WriteOptions], int] | None  # None: the run itself writes it
    #: A folder people work in (OmegaT projects): written into, never removed as stale.
    workspace: bool = False

    def paths(self, out_dir: Path) -> list[Path]:
        """The format's files in a run folder."""
        return [out_dir / name for name in self.files]


def _tmx(out_dir: Path, options: WriteOptions) -> int:
    from workbench.outputs.tmx import write_tmx

    return write_tmx(read_records(out_dir), out_dir / TMX, options.include_kept)


def _xliff(out_dir: Path, options: WriteOptions) -> int:
    from workbench.outputs.xliff import write_xliff

    return write_xliff(read_articles(out_dir), out_dir / XLIFF)


def _html(out_dir: Path, options: WriteOptions) -> int:
    from workbench.outputs.review_pages import write_review

    return write_review(lambda: read_articles(out_dir), out_dir / REVIEW,
                        read_manifest(out_dir))


def _omegat(out_dir: Path, options: WriteOptions) -> int:
    from workbench.outputs.omegat import write_omegat

    return write_omegat(read_articles(out_dir), out_dir, options.glossary_rows)


def _sqlite(out_dir: Path, options: WriteOptions) -> int:
    from workbench.outputs.sqlite_db import write_sqlite

    return write_sqlite(read_articles(out_dir), out_dir / RECORDS_DB)


FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("jsonl", (RECORDS, ARTICLES),
                 "records.jsonl and articles.jsonl, always written", None),
    OutputFormat("tmx", (TMX,), "records.tmx, TMX 1.4b for translation memories", _tmx),
    OutputFormat("xliff", (XLIFF,), "records.xlf, XLIFF 1.2 for CAT tools", _xliff),
    OutputFormat("html", (REVIEW, REVIEW_PAGES),
                 "review.html and review/, side-by-side review pages", _html),
    OutputFormat("sqlite", (RECORDS_DB,),
                 "records.db, SQLite with full-text search, for SQL and Datasette", _sqlite),
    OutputFormat("omegat", (OMEGAT,),
                 "omegat/<src>-en/, one ready OmegaT project per language pair", _omegat,
                 workspace=True),
)}
#: Written when no ``--format`` is given (the database is asked for).
DEFAULT_FORMATS = ("jsonl", "tmx", "xliff", "html")
#: Formats written from the JSON Lines (what ``workbench export`` can redo).
DERIVED_FORMATS = tuple(name for name, f in FORMATS.items() if f.write is not None)


def present_formats(out_dir: Path) -> list[str]:
    """The derived formats that have files in a run folder now, in registry order.

    A re-run keeps these current (as ``workbench export`` does): a database Datasette
    serves, or an OmegaT project a translator has open, is never dropped or left behind.
    """
    return [name for name in DERIVED_FORMATS
            if any(path.exists() for path in FORMATS[name].paths(out_dir))]


def remove_stale(out_dir: Path, formats: list[str] | tuple[str, ...]) -> list[Path]:
    """Delete outputs of formats this run does not write, so none sits beside new records."""
    removed = []
    for fmt in FORMATS.values():
        if fmt.name in formats or fmt.write is None or fmt.workspace:
            continue
        for path in fmt.paths(out_dir):
            if path.is_file() or path.is_dir():
                try:
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                except OSError as err:
                    raise OutputError(path, f"cannot remove a stale output: "
                                            f"{err.strerror or err}") from err
                removed.append(path)
    return removed
