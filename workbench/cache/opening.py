"""Opening a cache file: is it ours, and a connection that writes nothing.

Through SQLite only, never a plain ``open()``: closing any descriptor of a database file
drops every POSIX lock the process holds on it, and another process may then delete the WAL
a connection of ours still writes to.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.cache.schema import MIGRATION_SET
from workbench.errors import CacheError


def check_is_ours(path: Path) -> None:
    """Refuse a file that is not a workbench cache, opening it read-only.

    A workbench cache records our migration set in ``_sqlite_migrations``; an empty file or
    no file at all is a new cache. Anything else (another program's database, even one with a
    ``translations`` table) is refused before a single byte of it is changed.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    # Through SQLite only: a plain open() and close() of a database this process has open
    # (the desk's own cache) drops its POSIX locks, and another run may then delete its WAL.
    try:
        conn = read_only_connection(path)
        try:
            check_tables(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        if str(err) == "file is not a database":
            raise CacheError(path, "is not an SQLite database; refusing to overwrite it"
                             ) from err
        raise CacheError(path, f"not a usable workbench cache ({err})") from err


def read_only_connection(path: Path, shared: bool = False) -> sqlite3.Connection:
    """A connection that writes nothing, not even the WAL index (a read-only disk)."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=not shared)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError:  # WAL needs a writable -shm: read the file as it is
        conn.close()
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=not shared)
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def check_tables(conn: sqlite3.Connection, path: Path) -> set[str]:
    """The cache's tables; CacheError when the database is not a workbench cache."""
    tables = {name for (name,) in conn.execute(
        "select name from sqlite_master where type = 'table'")}
    ours = "_sqlite_migrations" in tables and conn.execute(
        "select count(*) from _sqlite_migrations where migration_set = ?",
        (MIGRATION_SET,)).fetchone()[0] > 0
    if tables and not ours:
        raise CacheError(path, "is an SQLite database but not a workbench cache "
                         f"(tables: {', '.join(sorted(tables)) or 'none'}); refusing to "
                         "modify it")
    return tables
