"""The cache's schema, as sqlite-utils migrations, applied only when some are pending.

sqlite-utils (and the numpy it imports) costs a fifth of a second to import; a run on a
cache that is up to date never imports it. Migration names are the function names, as
sqlite-utils records them, so caches made by earlier versions migrate in place.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from workbench.cache.keys import text_key

if TYPE_CHECKING:
    import sqlite_utils

#: The name every existing cache records its migrations under: never change it.
MIGRATION_SET = "workbench.cache"



def m001_translations(db: sqlite_utils.Database) -> None:
    """One row per (engine signature, pair, engine input)."""
    db["translations"].create(
        {"key": str, "text_key": str, "signature": str, "src_lang": str, "tgt_lang": str,
         "source": str, "target": str, "score": float, "created": str},
        pk="key",
    )
    db["translations"].create_index(["text_key"])



def m002_glossary(db: sqlite_utils.Database) -> None:
    """Keep each translation's verified glossary report, and a key of the plain segment.

    The segment key lets a run tell re-translations caused by a glossary edit from new text.
    """
    table = db["translations"]
    table.add_column("glossary", str)
    table.add_column("segment_key", str)
    table.create_index(["segment_key"])



def m003_approvals(db: sqlite_utils.Database) -> None:
    """Reviewer-approved English, keyed by pair and source text, whatever the engine."""
    db["approvals"].create(
        {"text_key": str, "src_lang": str, "tgt_lang": str, "source": str, "target": str,
         "article": str, "idx": int, "created": str},
        pk="text_key",
    )



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



def m005_prepared(db: sqlite_utils.Database) -> None:
    """Prepared articles by content, and glossary matches by content and glossary version.

    A warm re-run then costs a lookup per unchanged file instead of reading, normalizing,
    labelling, segmenting, detecting and matching it again.
    """
    for table in ("prepared", "matched"):
        db[table].create({"key": str, "data": bytes, "created": str}, pk="key")


def m006_lemmas(db: sqlite_utils.Database) -> None:
    """Every inflected form of the glossary's words, per language (see glossary/lemmas.py)."""
    db["lemmas"].create({"key": str, "data": bytes, "created": str}, pk="key")


def m007_qa(db: sqlite_utils.Database) -> None:
    """Each article's QA flags by what the checks read (see qa/memo.py)."""
    db["qa"].create({"key": str, "data": bytes, "created": str}, pk="key")


def m008_article_rows(db: sqlite_utils.Database) -> None:
    """The keys each article used in its last cluster run (see cache/subset.py)."""
    db["article_rows"].create({"key": str, "data": bytes, "created": str}, pk="key")


MIGRATIONS = (m001_translations, m002_glossary, m003_approvals, m004_source_segments,
              m005_prepared, m006_lemmas, m007_qa, m008_article_rows)


def applied(conn: sqlite3.Connection) -> set[str]:
    """Names of the migrations already applied to a database."""
    if not conn.execute("select 1 from sqlite_master where type = 'table' and "
                        "name = '_sqlite_migrations'").fetchone():
        return set()
    return {name for (name,) in conn.execute(
        "select name from _sqlite_migrations where migration_set = ?", (MIGRATION_SET,))}


@contextlib.contextmanager
def _without(module: str) -> Iterator[None]:
    """Hide an optional module from imports made here, unless something already loaded it.

    sqlite-utils imports pandas when it is installed (the ``ray`` extra brings it) only to
    map its timestamp type, which the cache never stores: 0.4-1.4 s on a new cache.
    """
    if module in sys.modules:
        yield
        return
    sys.modules[module] = None  # type: ignore[assignment]  # import now raises ImportError
    try:
        yield
    finally:
        del sys.modules[module]


class NewerCache(Exception):
    """The cache has migrations this version does not know: a newer Workbench made it."""


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations (importing sqlite-utils only if there are any).

    Raises:
        NewerCache: a newer version migrated the cache; this one must not write to it.
    """
    done, known = applied(conn), {m.__name__ for m in MIGRATIONS}
    if done - known:
        raise NewerCache(", ".join(sorted(done - known)))
    if done >= known:
        return
    with _without("pandas"):
        import sqlite_utils
        from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for migration in MIGRATIONS:
        migrations()(migration)
    migrations.apply(sqlite_utils.Database(conn))
