"""The translation cache: SQLite, content-addressed (schema in ``cache.schema``).

A translation's key is the hash of the engine signature, the language pair and exactly the
text the engine saw. So a re-run with nothing changed finds everything, and any change to
the model, the decoding settings or the engine input (a glossary edit, say) misses only where
it matters. Writes are committed batch by batch; a crash loses at most the batch in flight.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.cache.approvals import ReviewerApprovals, guarded
from workbench.cache.keys import cache_key, segment_key, text_key
from workbench.cache.opening import check_is_ours, check_tables, read_only_connection
from workbench.cache.schema import NewerCache, migrate
from workbench.errors import CacheError
from workbench.files import hold_database, release_database
from workbench.records import GlossaryHit

#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 60
#: SQLite limits the number of bound parameters; look up in chunks below it.
LOOKUP_CHUNK = 500
#: What the cache is for: never pruned.
KEPT_TABLES = ("translations", "approvals", "lemmas")
#: Made again from an article when it is met again: prepared articles, matches, QA flags.
#: Every changed file adds entries, so these are what grows; ``prune_derived`` trims them.
DERIVED_TABLES = ("prepared", "matched", "qa")
#: What a cluster worker adds to its copy of the cache, merged back into the run's cache.
MERGED_TABLES = ("translations", "lemmas", *DERIVED_TABLES)


@dataclass(frozen=True, slots=True)
class CachedTranslation:
    """A stored translation and its verified glossary report."""

    target: str
    score: float | None
    signature: str
    glossary: tuple[GlossaryHit, ...] = ()


def _translation(target: object, score: object, signature: object, glossary: object
                 ) -> CachedTranslation | None:
    """A stored row as a translation; None when it is damaged (a miss, never a null)."""
    if not isinstance(target, str) or not isinstance(signature, str | None) or not (
            score is None or type(score) in (int, float)):
        return None
    try:
        hits = json.loads(glossary or "[]") if isinstance(glossary, str | None) else None
        return CachedTranslation(target, score, signature or "",  # type: ignore[arg-type]
                                 tuple(GlossaryHit.from_dict(hit) for hit in hits))
    except (ValueError, TypeError):  # FieldError is a ValueError
        return None


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


def _blob_table(table: str) -> str:
    if table not in (*DERIVED_TABLES, "lemmas"):
        raise ValueError(f"no blob table {table!r}")
    return table


class TranslationCache(ReviewerApprovals):
    """Open (creating if needed) the cache database at ``path``.

    Raises:
        CacheError: the file is not an SQLite database, or is one that is not a workbench
            cache; it is never overwritten.
    """

    def __init__(self, path: Path, read_only: bool = False, shared: bool = False) -> None:
        """``shared``: threads may take turns with the connection (the caller serialises them)."""
        self.path = path
        #: Rows found damaged or foreign since opening (each was treated as a miss).
        self.damaged = 0
        self._held: tuple[int, int] | None = None
        if path.exists() and not path.is_file():
            raise CacheError(path, "is not a file (a folder or a special file)")
        if read_only:
            self._open_read_only(path, shared)
            self._held = hold_database(path)
            return
        from filelock import FileLock, Timeout  # imported when a cache is opened, not at start

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Two runs may open a new cache at once: only one may create or migrate it.
            with FileLock(f"{path}.lock", timeout=BUSY_TIMEOUT_SECONDS):
                check_is_ours(path)  # read-only: nothing is written to a foreign file
                # Autocommit: every write below takes its own BEGIN IMMEDIATE.
                self.conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS,
                                            isolation_level=None, check_same_thread=not shared)
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
                if self.journal_mode != "wal":
                    self.conn.execute("PRAGMA journal_mode = wal")
                migrate(self.conn)
            self._held = hold_database(path)
        except NewerCache as err:
            raise CacheError(path, f"made by a newer Workbench (migration {err} is unknown "
                                   "here); upgrade Workbench, or use another --cache") from err
        except sqlite3.DatabaseError as err:
            raise CacheError(path, f"not a usable workbench cache ({err})") from err
        except Timeout as err:
            raise CacheError(path, "another run has held the cache lock for over "
                                   f"{BUSY_TIMEOUT_SECONDS} s") from err
        except OSError as err:
            where = err.filename or path
            raise CacheError(path, f"cannot open the cache ({where}: "
                                   f"{err.strerror or err})") from err

    def _open_read_only(self, path: Path, shared: bool = False) -> None:
        """Open for reading only: no lock file, no migration, nothing written.

        For ``cache info`` on a cache someone else owns, or on a read-only disk.
        """
        try:
            self.conn = read_only_connection(path, shared)
            check_tables(self.conn, path)
        except sqlite3.DatabaseError as err:
            raise CacheError(path, f"not a usable workbench cache ({err})") from err

    def close(self) -> None:
        """Close the database."""
        self.conn.close()
        if self._held is not None:
            release_database(self._held)
            self._held = None

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode (``wal`` for a workbench cache)."""
        return self.conn.execute("PRAGMA journal_mode").fetchone()[0]

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @guarded
    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up translations by :func:`cache_key`."""
        return self._lookup("key", keys)

    @guarded
    def get_by_text(self, text_keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up the newest translation of each text by any engine (:func:`text_key`)."""
        return self._lookup("text_key", text_keys)

    def _rows(self, query: str, keys: Iterable[str]) -> Iterator[tuple]:
        """Rows of ``query`` (whose ``{marks}`` takes the keys) in chunks SQLite accepts."""
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            yield from self.conn.execute(query.format(marks=",".join("?" * len(chunk))),
                                         chunk).fetchall()

    def _lookup(self, column: str, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        found: dict[str, CachedTranslation] = {}
        query = (f"select {column}, target, score, signature, glossary from translations "
                 f"where {column} in ({{marks}}) order by created")
        for key, target, score, signature, glossary in self._rows(query, keys):
            entry = _translation(target, score, signature, glossary)
            if entry is None:
                self.damaged += 1  # a miss: translated again, and stored over it
            else:
                found[key] = entry
        return found

    @guarded
    def known_segments(self, keys: Sequence[str]) -> set[str]:
        """Which :func:`segment_key` values have any translation (under any glossary)."""
        return {key for (key,) in self._rows(
            "select distinct segment_key from translations where segment_key in ({marks})",
            keys)}

    @guarded
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
        columns = list(rows[0])
        statement = (f"insert or replace into {table} ({', '.join(columns)}) "
                     f"values ({', '.join('?' * len(columns))})")
        with self._immediate():
            self.conn.executemany(statement, [[row[c] for c in columns] for row in rows])

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[None]:
        """One write transaction, taken up front (see ``_write``); rolled back on error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @guarded
    def machine_translations(self, src: str, tgt: str, sources: Sequence[str]
                             ) -> dict[str, str]:
        """The newest machine translation of each source segment that has one."""
        keys = {text_key(src, tgt, s): s for s in sources}
        # Rows come oldest first, so the newest translation of a source is the one kept.
        return {keys[key]: target for key, target in self._rows(
            "select segment_text_key, target from translations "
            "where segment_text_key in ({marks}) order by created", keys)}

    @guarded
    def language_pairs(self) -> set[tuple[str, str]]:
        """Every (source, target) language pair the cache has translated."""
        return set(self.conn.execute(
            "select distinct src_lang, tgt_lang from translations").fetchall())

    @guarded
    def get_blob(self, table: str, key: str) -> bytes | None:
        """A stored blob of the ``prepared``, ``matched``, ``lemmas`` or ``qa`` table."""
        row = self.conn.execute(f"select data from {_blob_table(table)} where key = ?",
                              [key]).fetchone()
        return row[0] if row else None

    @guarded
    def put_blobs(self, table: str, blobs: dict[str, bytes]) -> None:
        """Store blobs (in one transaction)."""
        now = datetime.now(UTC).isoformat()
        self._write(_blob_table(table), [{"key": key, "data": data, "created": now}
                                         for key, data in blobs.items()])

    @guarded
    def table_rows(self) -> dict[str, int]:
        """Rows per table: what the cache holds (``DERIVED_TABLES`` can be pruned)."""
        present = {name for (name,) in self.conn.execute(
            "select name from sqlite_master where type = 'table'")}
        return {table: self.conn.execute(f"select count(*) from {table}").fetchone()[0]
                if table in present else 0 for table in (*KEPT_TABLES, *DERIVED_TABLES)}

    @guarded
    def prune_derived(self, created_before: datetime) -> dict[str, int]:
        """Delete derived entries made before a time; return how many per table.

        Prepared articles, glossary matches and QA flags are made again when a file is met
        again; translations, approvals and dictionary forms are never touched.
        """
        cutoff = created_before.astimezone(UTC).isoformat()
        with self._immediate():
            removed = {table: self.conn.execute(f"delete from {table} where created < ?",
                                                [cutoff]).rowcount for table in DERIVED_TABLES}
            # Which rows each article used on a cluster: made again by its next run.
            self.conn.execute("delete from article_rows where created < ?", [cutoff])
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the deletions, into the file
        return removed

    @guarded
    def vacuum(self) -> None:
        """Rebuild the file without its free pages (it needs as much free disk again)."""
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rebuilt pages, into the file

    @guarded
    def copy_to(self, path: Path) -> None:
        """Write a consistent copy of the whole cache to ``path``, one file, WAL included.

        SQLite's backup API copies the database as one transaction sees it, committed WAL
        frames and all; copying the file alone would lose whatever is still in ``-wal``.
        """
        copy = sqlite3.connect(str(path))
        try:
            self.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = delete")  # one file, readable anywhere
        finally:
            copy.close()

    @guarded
    def high_water(self) -> dict[str, int]:
        """The last row id of each merged table: rows added later come after it."""
        return {table: self.conn.execute(f"select coalesce(max(rowid), 0) from {table}"
                                         ).fetchone()[0] for table in MERGED_TABLES}

    @guarded
    def rows_after(self, marks: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
        """(columns, rows) of each merged table added after ``marks`` (:meth:`high_water`).

        A row replaced since (``insert or replace``) has a new row id, so it is included.
        """
        found = {}
        for table in MERGED_TABLES:
            cursor = self.conn.execute(f"select * from {table} where rowid > ? order by rowid",
                                       [marks.get(table, 0)])
            rows = cursor.fetchall()
            if rows:
                found[table] = ([d[0] for d in cursor.description], rows)
        return found

    @guarded
    def merge_rows(self, tables: dict[str, tuple[list[str], list[tuple]]]) -> int:
        """Store rows :meth:`rows_after` took from another copy, in one transaction."""
        count = 0
        with self._immediate():
            for table, (columns, rows) in tables.items():
                if table not in MERGED_TABLES or not all(c.isidentifier() for c in columns):
                    raise ValueError(f"not a mergeable table or columns: {table} {columns}")
                self.conn.executemany(
                    f"insert or replace into {table} ({', '.join(columns)}) "
                    f"values ({', '.join('?' * len(columns))})", rows)
                count += len(rows)
        return count

    @guarded
    def count(self) -> int:
        """Number of stored translations."""
        return self.conn.execute("select count(*) from translations").fetchone()[0]
