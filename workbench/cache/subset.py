"""The cache rows one batch of articles can use: found by key, packed for a cluster worker.

A cluster worker holds no copy of the cache. The driver sends each batch the rows its
articles used in their last run, found through ``article_rows``: per article (by its path),
the keys it looked up or wrote in each table, 32 bytes a key. The worker puts them in a small
SQLite store of its own and looks everything up there; what it misses it makes and sends
back (``rows_after``), and the keys its articles used come back too, for the next run.

Only the columns a lookup reads travel: a translation goes without its source text (the
worker has the article) and without the keys the worker never looks up by. A key the index
does not name, or a row no longer stored, is a miss on the worker, never a wrong answer:
every row is still found by the same content key as in a local run.
"""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from workbench.cache.keys import make_key
from workbench.cache.store import LOOKUP_CHUNK, TranslationCache

#: What the index names per article, in this order: rows by key, and translations by
#: ``text_key`` (an engine-less worker reuses any engine's, as a local run does).
INDEXED = ("prepared", "matched", "qa", "translations", "by_text")
#: The translation columns a worker's lookups by key read (``get_many``; ``known_segments``
#: on a miss): no source text, no other keys, no date.
TRANSLATION_COLUMNS = ("key", "signature", "target", "score", "glossary", "segment_key")
#: Looked up by ``text_key`` (``get_by_text``, newest first) they need both.
BY_TEXT_COLUMNS = (*TRANSLATION_COLUMNS, "text_key", "created")
#: What a batch's rows are: (table, columns, rows), a table possibly twice.
Shipment = list[tuple[str, tuple[str, ...], list[tuple]]]
#: Tables a worker's store empties before each batch (approvals and lemmas stay).
PER_BATCH = ("translations", "prepared", "matched", "qa")
_DIGEST = 32


def article_index_key(tgt: str, path: Path | str, line: int = 0) -> str:
    """The index entry of an article: its input path (and a feed entry's line), target."""
    return make_key("cluster-article", tgt, str(path), str(line))


def pack_keys(keys: Mapping[str, Iterable[str]]) -> bytes:
    """An index entry: for each of ``INDEXED``, a count then 32-byte keys (hex ones only)."""
    out = bytearray()
    for table in INDEXED:
        digests = [bytes.fromhex(k) for k in dict.fromkeys(keys.get(table, ()))
                   if len(k) == 2 * _DIGEST]
        out += len(digests).to_bytes(4, "big") + b"".join(digests)
    return bytes(out)


def unpack_keys(blob: bytes) -> dict[str, list[str]] | None:
    """The keys of an index entry; None when it is damaged (the batch then misses)."""
    found, at = {}, 0
    try:
        for table in INDEXED:
            count = int.from_bytes(blob[at:at + 4], "big")
            at += 4
            end = at + count * _DIGEST
            if end > len(blob):
                return None
            found[table] = [blob[i:i + _DIGEST].hex() for i in range(at, end, _DIGEST)]
            at = end
    except (TypeError, ValueError):
        return None
    return found if at == len(blob) else None


def pack_rows(rows: Shipment) -> bytes:
    """Rows for the wire: pickled, compressed (level 1: the driver's CPU is the ceiling)."""
    return zlib.compress(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL), 1) if rows else b""


def unpack_rows(blob: bytes) -> Shipment:
    """The rows :func:`pack_rows` packed (only ever from this run's own driver)."""
    return pickle.loads(zlib.decompress(blob)) if blob else []


def _select(conn: sqlite3.Connection, query: str, keys: Sequence[str]) -> list[tuple]:
    rows: list[tuple] = []
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start:start + LOOKUP_CHUNK]
        rows += conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
    return rows


def rows_for_articles(cache: TranslationCache, index_keys: Sequence[str]) -> Shipment:
    """The rows the articles of these index entries used in their last run, as stored now."""
    wanted: dict[str, list[str]] = {table: [] for table in INDEXED}
    for _, blob in _select(cache.conn, "select key, data from article_rows "
                                       "where key in ({marks})", index_keys):
        for table, keys in (unpack_keys(blob) or {}).items():
            wanted[table] += keys
    shipment: Shipment = []
    for table in ("prepared", "matched", "qa"):
        if wanted[table]:
            rows = _select(cache.conn, f"select key, data, created from {table} "
                                       "where key in ({marks})", wanted[table])
            shipment.append((table, ("key", "data", "created"), rows))
    for column, table, columns in (("key", "translations", TRANSLATION_COLUMNS),
                                   ("text_key", "by_text", BY_TEXT_COLUMNS)):
        if wanted[table]:
            rows = _select(cache.conn, f"select {', '.join(columns)} from translations "
                                       f"where {column} in ({{marks}})", wanted[table])
            shipment.append(("translations", columns, rows))
    return [entry for entry in shipment if entry[2]]


def rows_by_key(cache: TranslationCache, table: str, keys: Sequence[str]) -> Shipment:
    """Rows of a blob table (``lemmas``, say) by key."""
    if table not in ("lemmas", "prepared", "matched", "qa"):
        raise ValueError(f"no blob table {table!r}")
    rows = _select(cache.conn, f"select key, data, created from {table} "
                               "where key in ({marks})", keys)
    return [(table, ("key", "data", "created"), rows)] if rows else []


def every_approval(cache: TranslationCache) -> Shipment:
    """The approvals table whole: reviewers make thousands, not millions (see approvals)."""
    cursor = cache.conn.execute("select * from approvals")
    rows = cursor.fetchall()
    return [("approvals", tuple(d[0] for d in cursor.description), rows)] if rows else []


def put_article_keys(cache: TranslationCache, entries: Mapping[str, bytes]) -> None:
    """Store index entries (:func:`pack_keys`), replacing each article's last ones."""
    now = datetime.now(UTC).isoformat()
    with cache._immediate():  # the cache's own write transaction
        cache.conn.executemany("insert or replace into article_rows (key, data, created) "
                               "values (?, ?, ?)",
                               [(key, blob, now) for key, blob in entries.items()])


def article_keys(cache: TranslationCache, index_key: str) -> dict[str, list[str]]:
    """The keys of one index entry (nothing when there is none or it is damaged)."""
    row = cache.conn.execute("select data from article_rows where key = ?",
                             [index_key]).fetchone()
    return (unpack_keys(row[0]) or {}) if row else {}


def load(cache: TranslationCache, shipment: Shipment, empty_first: bool = True) -> None:
    """Put shipped rows in a worker's store, in one transaction (emptying the batch's tables).

    Tables and columns are checked against the store's own: the rows come from the driver,
    but a column name is never trusted into SQL unchecked.
    """
    with cache._immediate():  # the cache's own write transaction
        if empty_first:
            for table in PER_BATCH:
                cache.conn.execute(f"delete from {table}")
        for table, columns, rows in shipment:
            known = {c[1] for c in cache.conn.execute(f"pragma table_info({table})")} \
                if table.isidentifier() else set()
            if not known or not set(columns) <= known:
                raise ValueError(f"not a table and columns of the cache: {table} {columns}")
            cache.conn.executemany(f"insert or replace into {table} ({', '.join(columns)}) "
                                   f"values ({', '.join('?' * len(columns))})", rows)


def empty_copy(cache: TranslationCache, path: Path) -> bytes:
    """The bytes of an empty cache with this one's schema and migrations (no rows).

    A worker writes them to its node and opens them: no migration to run there, and the
    same start-up whatever the size of the cache.
    """
    path.unlink(missing_ok=True)
    copy = sqlite3.connect(str(path))
    try:
        for (sql,) in cache.conn.execute(
                "select sql from sqlite_master where sql is not null and name not like "
                "'sqlite_%' order by type = 'index', rowid"):
            copy.execute(sql)
        cursor = cache.conn.execute("select * from _sqlite_migrations")
        names = ", ".join(d[0] for d in cursor.description)
        copy.executemany(f"insert into _sqlite_migrations ({names}) values "
                         f"({', '.join('?' * len(cursor.description))})", cursor.fetchall())
        copy.commit()
    finally:
        copy.close()
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
