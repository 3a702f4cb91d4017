import sqlite3

import pytest

from workbench.cache.store import CacheEntry, TranslationCache, cache_key, text_key
from workbench.errors import CacheError


def test_store_and_find(tmp_path):
    with TranslationCache(tmp_path / "c.db") as cache:
        cache.put_many([CacheEntry("sig", "de", "en", "Hallo", "Hello", -0.25)])
        hit = cache.get_many([cache_key("sig", "de", "en", "Hallo")])
        assert [(h.target, h.score) for h in hit.values()] == [("Hello", -0.25)]
        assert cache.get_many([cache_key("other", "de", "en", "Hallo")]) == {}
        by_text = cache.get_by_text([text_key("de", "en", "Hallo")])
        assert [h.signature for h in by_text.values()] == ["sig"]
        assert cache.journal_mode == "wal"


def test_keys_separate_every_part():
    keys = {cache_key("s", "de", "en", "a b"), cache_key("s", "de", "en", "a  b"),
            cache_key("s2", "de", "en", "a b"), cache_key("s", "nb", "en", "a b")}
    assert len(keys) == 4


def test_reopen_keeps_rows_and_schema(tmp_path):
    with TranslationCache(tmp_path / "c.db") as cache:
        cache.put_many([CacheEntry("s", "de", "en", f"t{i}", f"e{i}", None) for i in range(700)])
    with TranslationCache(tmp_path / "c.db") as cache:
        assert cache.count() == 700
        keys = [cache_key("s", "de", "en", f"t{i}") for i in range(700)]
        assert len(cache.get_many(keys)) == 700


def test_refuses_a_foreign_database(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table customers (id integer)")
    conn.commit()
    conn.close()
    with pytest.raises(CacheError, match="is an SQLite database but not a workbench cache "
                                         r"\(tables: customers\); refusing to modify it"):
        TranslationCache(path)
    assert sqlite3.connect(path).execute("select name from sqlite_master").fetchall() == [
        ("customers",)]


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CacheError, match=f"{path}: is not an SQLite database; refusing"):
        TranslationCache(path)
    assert path.read_bytes() == b"this is not a database at all" * 100


def test_a_cache_from_an_earlier_version_migrates_in_place(tmp_path):
    """A cache made before the last migration keeps its rows and gains the new tables."""
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    from workbench.cache import schema as cache_schema

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations = Migrations(cache_schema.MIGRATION_SET)
    for migration in cache_schema.MIGRATIONS[:-1]:
        migrations()(migration)
    migrations.apply(db)
    db["translations"].insert({"key": cache_key("s", "de", "en", "Hallo"), "target": "Hello"})
    db.close()
    with TranslationCache(path) as cache:
        assert [h.target for h in cache.get_many([cache_key("s", "de", "en", "Hallo")]).values()
                ] == ["Hello"]
        cache.put_blobs("qa", {"k": b"[]"})  # the newest table
        assert cache.get_blob("qa", "k") == b"[]"
        assert cache_schema.applied(cache.conn) == {m.__name__ for m in cache_schema.MIGRATIONS}


def test_migrations_are_recorded_under_the_name_every_existing_cache_has(tmp_path):
    """Caches made before the cache moved into its own package recorded their migrations
    as 'workbench.cache': under any other name every migration would run again and fail."""
    with TranslationCache(tmp_path / "c.db") as cache:
        sets = {row[0] for row in cache.conn.execute(
            "select distinct migration_set from _sqlite_migrations")}
    assert sets == {"workbench.cache"}
