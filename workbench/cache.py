"""The translation cache: SQLite through sqlite-utils, content-addressed.

A translation's key is the hash of the engine signature, the language pair and exactly the
text the engine saw. So a re-run with nothing changed finds everything, and any change to
the model, the decoding settings or the engine input (a glossary edit, say) misses only where
it matters. Writes are committed batch by batch; a crash loses at most the batch in flight.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlite_utils
from filelock import FileLock, Timeout
from sqlite_utils.migrations import Migrations

from workbench.corrections import Correction
from workbench.errors import CacheError
from workbench.records import GlossaryHit

migrations = Migrations("workbench.cache")
P = ParamSpec("P")
R = TypeVar("R")
#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 60
#: SQLite limits the number of bound parameters; look up in chunks below it.
LOOKUP_CHUNK = 500


@migrations()
def m001_translations(db: sqlite_utils.Database) -> None:
    """One row per (engine signature, pair, engine input)."""
    db["translations"].create(
        {"key": str, "text_key": str, "signature": str, "src_lang": str, "tgt_lang": str,
         "source": str, "target": str, "score": float, "created": str},
        pk="key",
    )
    db["translations"].create_index(["text_key"])


@migrations()
def m002_glossary(db: sqlite_utils.Database) -> None:
    """Keep each translation's verified glossary report, and a key of the plain segment.

    The segment key lets a run tell re-translations caused by a glossary edit from new text.
    """
    table = db["translations"]
    table.add_column("glossary", str)
    table.add_column("segment_key", str)
    table.create_index(["segment_key"])


@migrations()
def m003_approvals(db: sqlite_utils.Database) -> None:
    """Reviewer-approved English, keyed by pair and source text, whatever the engine."""
    db["approvals"].create(
        {"text_key": str, "src_lang": str, "tgt_lang": str, "source": str, "target": str,
         "article": str, "idx": int, "created": str},
        pk="text_key",
    )


@migrations()
def m004_source_segments(db: sqlite_utils.Database) -> None:
    """Key each translation by its plain source segment, so corrections can be matched.

    Rows without glossary terms were stored under their plain text, so they are backfilled.
    """
    table = db["translations"]
    table.add_column("segment_text_key", str)
    rows = db.execute("select key, src_lang, tgt_lang, source from translations "
                      "where glossary is null or glossary = '[]'").fetchall()
    for key, src, tgt, source in rows:
        table.update(key, {"segment_text_key": text_key(src, tgt, source)})
    table.create_index(["segment_text_key"])


@migrations()
def m005_prepared(db: sqlite_utils.Database) -> None:
    """Prepared articles by content, and glossary matches by content and glossary version.

    A warm re-run then costs a lookup per unchanged file instead of reading, normalizing,
    labelling, segmenting, detecting and matching it again.
    """
    for table in ("prepared", "matched"):
        db[table].create({"key": str, "data": bytes, "created": str}, pk="key")


def _sha256(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def cache_key(signature: str, src: str, tgt: str, engine_input: str) -> str:
    """Key of a translation made by a given engine."""
    return _sha256(signature, src, tgt, engine_input)


def text_key(src: str, tgt: str, engine_input: str) -> str:
    """Key of a text regardless of engine: finds a translation when no model is installed."""
    return _sha256(src, tgt, engine_input)


def segment_key(signature: str, src: str, tgt: str, segment: str) -> str:
    """Key of the plain segment (before glossary protection) for one engine."""
    return _sha256("segment", signature, src, tgt, segment)


@dataclass(frozen=True, slots=True)
class CachedTranslation:
    """A stored translation and its verified glossary report."""

    target: str
    score: float | None
    signature: str
    glossary: tuple[GlossaryHit, ...] = ()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A translation to store."""

    signature: str
    src_lang: str
    tgt_lang: str
    source: str
    target: str
    score: float | None
    glossary: tuple[GlossaryHit, ...] = ()
    segment: str | None = None  # the segment before glossary protection, when different


def check_is_ours(path: Path) -> None:
    """Refuse a file that is not a workbench cache, opening it read-only.

    A workbench cache records our migration set in ``_sqlite_migrations``; an empty file or
    no file at all is a new cache. Anything else (another program's database, even one with a
    ``translations`` table) is refused before a single byte of it is changed.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise CacheError(path, "is not an SQLite database; refusing to overwrite it")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in conn.execute(
            "select name from sqlite_master where type = 'table'")}
        ours = "_sqlite_migrations" in tables and conn.execute(
            "select count(*) from _sqlite_migrations where migration_set = ?",
            (migrations.name,)).fetchone()[0] > 0
    finally:
        conn.close()
    if tables and not ours:
        raise CacheError(path, "is an SQLite database but not a workbench cache "
                         f"(tables: {', '.join(sorted(tables)) or 'none'}); refusing to "
                         "modify it")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn SQLite failures mid-run (a corrupt page, a full disk) into one-line CacheErrors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as err:
            cache = args[0]
            assert isinstance(cache, TranslationCache)
            raise CacheError(cache.path, f"{err}; translations committed before this are "
                                         "kept") from err

    return wrapper


def _blob_table(table: str) -> str:
    if table not in ("prepared", "matched"):
        raise ValueError(f"no blob table {table!r}")
    return table


class TranslationCache:
    """Open (creating if needed) the cache database at ``path``.

    Raises:
        CacheError: the file is not an SQLite database, or is one that is not a workbench
            cache; it is never overwritten.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists() and not path.is_file():
            raise CacheError(path, "is not a file (a folder or a special file)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Two runs may open a new cache at once: only one may create or migrate it.
            with FileLock(f"{path}.lock", timeout=BUSY_TIMEOUT_SECONDS):
                check_is_ours(path)  # read-only: nothing is written to a foreign file
                conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
                self.db = sqlite_utils.Database(conn)
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
                if self.db.journal_mode != "wal":
                    self.db.enable_wal()
                migrations.apply(self.db)
        except sqlite3.DatabaseError as err:
            raise CacheError(path, f"not a usable workbench cache ({err})") from err
        except Timeout as err:
            raise CacheError(path, "another run has held the cache lock for over "
                                   f"{BUSY_TIMEOUT_SECONDS} s") from err
        except OSError as err:
            where = err.filename or path
            raise CacheError(path, f"cannot open the cache ({where}: "
                                   f"{err.strerror or err})") from err

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_guarded
    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up translations by :func:`cache_key`."""
        return self._lookup("key", keys)

    @_guarded
    def get_by_text(self, text_keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up the newest translation of each text by any engine (:func:`text_key`)."""
        return self._lookup("text_key", text_keys)

    def _lookup(self, column: str, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        found: dict[str, CachedTranslation] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"select {column}, target, score, signature, glossary from translations "
                f"where {column} in ({marks}) order by created", chunk)
            for key, target, score, signature, glossary in rows.fetchall():
                hits = tuple(GlossaryHit(**hit) for hit in json.loads(glossary or "[]"))
                found[key] = CachedTranslation(target, score, signature, hits)
        return found

    @_guarded
    def known_segments(self, keys: Sequence[str]) -> set[str]:
        """Which :func:`segment_key` values have any translation (under any glossary)."""
        known: set[str] = set()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"select distinct segment_key from translations where segment_key in ({marks})",
                chunk)
            known.update(key for (key,) in rows.fetchall())
        return known

    @_guarded
    def put_many(self, entries: Iterable[CacheEntry]) -> int:
        """Store translations in one transaction; return how many."""
        now = datetime.now(UTC).isoformat()
        rows = [
            {"key": cache_key(e.signature, e.src_lang, e.tgt_lang, e.source),
             "text_key": text_key(e.src_lang, e.tgt_lang, e.source),
             "signature": e.signature, "src_lang": e.src_lang, "tgt_lang": e.tgt_lang,
             "source": e.source, "target": e.target, "score": e.score, "created": now,
             "glossary": json.dumps([hit.to_dict() for hit in e.glossary], ensure_ascii=False),
             "segment_key": segment_key(e.signature, e.src_lang, e.tgt_lang,
                                        e.segment if e.segment is not None else e.source),
             "segment_text_key": text_key(e.src_lang, e.tgt_lang,
                                          e.segment if e.segment is not None else e.source)}
            for e in entries
        ]
        self._write("translations", rows)
        return len(rows)

    def _write(self, table: str, rows: list[dict]) -> None:
        """Insert rows in one write transaction, taken up front (BEGIN IMMEDIATE).

        A deferred transaction that has read and then wants to write can fail at once with
        "database is locked" while another run writes; an immediate one waits its turn.
        """
        if not rows:
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            self.db[table].insert_all(rows, replace=True)
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    @_guarded
    def approve(self, corrections: Iterable[Correction]) -> int:
        """Store reviewer corrections (replacing earlier ones for the same source)."""
        now = datetime.now(UTC).isoformat()
        rows = [{"text_key": text_key(c.src_lang, c.tgt_lang, c.src), "src_lang": c.src_lang,
                 "tgt_lang": c.tgt_lang, "source": c.src, "target": c.tgt,
                 "article": c.article, "idx": c.index, "created": now} for c in corrections]
        self._write("approvals", rows)
        return len(rows)

    @_guarded
    def unmatched(self, corrections: Sequence[Correction]) -> tuple[list[Correction],
                                                                     list[Correction]]:
        """Corrections for a language pair, or a sentence, this cache never translated."""
        pairs = {(src, tgt) for src, tgt in self.db.execute(
            "select distinct src_lang, tgt_lang from translations").fetchall()}
        unknown_pair = [c for c in corrections if (c.src_lang, c.tgt_lang) not in pairs]
        rest = [c for c in corrections if (c.src_lang, c.tgt_lang) in pairs]
        keys = {text_key(c.src_lang, c.tgt_lang, c.src) for c in rest}
        known: set[str] = set()
        unique = list(keys)
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            known.update(k for (k,) in self.db.execute(
                "select distinct segment_text_key from translations "
                f"where segment_text_key in ({marks})", chunk).fetchall())
            known.update(k for (k,) in self.db.execute(
                f"select text_key from approvals where text_key in ({marks})", chunk))
        unknown_segment = [c for c in rest
                           if text_key(c.src_lang, c.tgt_lang, c.src) not in known]
        return unknown_pair, unknown_segment

    @_guarded
    def approved(self, src: str, tgt: str, sources: Sequence[str]) -> dict[str, str]:
        """Approved English for those source texts that have one."""
        keys = {text_key(src, tgt, s): s for s in sources}
        found: dict[str, str] = {}
        unique = list(keys)
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"select text_key, target from approvals where text_key in ({marks})", chunk)
            for key, target in rows.fetchall():
                found[keys[key]] = target
        return found

    @_guarded
    def has_approvals(self) -> bool:
        """Whether any reviewer correction is stored."""
        return self.db.execute("select exists(select 1 from approvals)").fetchone()[0] == 1

    @_guarded
    def get_blob(self, table: str, key: str) -> bytes | None:
        """A stored blob of the ``prepared`` or ``matched`` table."""
        row = self.db.execute(f"select data from {_blob_table(table)} where key = ?",
                              [key]).fetchone()
        return row[0] if row else None

    @_guarded
    def put_blobs(self, table: str, blobs: dict[str, bytes]) -> None:
        """Store blobs (in one transaction)."""
        now = datetime.now(UTC).isoformat()
        self._write(_blob_table(table), [{"key": key, "data": data, "created": now}
                                         for key, data in blobs.items()])

    @_guarded
    def count(self) -> int:
        """Number of stored translations."""
        return self.db["translations"].count
