"""The translation cache: SQLite through sqlite-utils, content-addressed.

A translation's key is the hash of the engine signature, the language pair and exactly the
text the engine saw. So a re-run with nothing changed finds everything, and any change to
the model, the decoding settings or the engine input (a glossary edit, say) misses only where
it matters. Writes are committed batch by batch; a crash loses at most the batch in flight.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from filelock import FileLock, Timeout
from sqlite_utils.migrations import Migrations

from workbench.corrections import Correction
from workbench.errors import CacheError
from workbench.records import GlossaryHit

migrations = Migrations("workbench.cache")
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


class TranslationCache:
    """Open (creating if needed) the cache database at ``path``.

    Raises:
        CacheError: the file is not an SQLite database, or is one that is not a workbench
            cache; it is never overwritten.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            # Two runs may open a new cache at once: only one may create or migrate it.
            with FileLock(f"{path}.lock", timeout=BUSY_TIMEOUT_SECONDS):
                self._check_is_ours()
                if self.db.journal_mode != "wal":
                    self.db.enable_wal()
                migrations.apply(self.db)
        except sqlite3.DatabaseError as err:
            raise CacheError(path, f"not a usable workbench cache ({err})") from err
        except Timeout as err:
            raise CacheError(path, "another run has held the cache lock for over "
                                   f"{BUSY_TIMEOUT_SECONDS} s") from err

    def _check_is_ours(self) -> None:
        tables = set(self.db.table_names())
        if tables and "translations" not in tables and "_sqlite_migrations" not in tables:
            raise CacheError(self.path, "is an SQLite database but not a workbench cache "
                             f"(tables: {', '.join(sorted(tables))}); refusing to modify it")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up translations by :func:`cache_key`."""
        return self._lookup("key", keys)

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

    def approve(self, corrections: Iterable[Correction]) -> int:
        """Store reviewer corrections (replacing earlier ones for the same source)."""
        now = datetime.now(UTC).isoformat()
        rows = [{"text_key": text_key(c.src_lang, c.tgt_lang, c.src), "src_lang": c.src_lang,
                 "tgt_lang": c.tgt_lang, "source": c.src, "target": c.tgt,
                 "article": c.article, "idx": c.index, "created": now} for c in corrections]
        self._write("approvals", rows)
        return len(rows)

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

    def count(self) -> int:
        """Number of stored translations."""
        return self.db["translations"].count
