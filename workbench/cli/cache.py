"""``workbench cache``: what the translation cache holds, and pruning what can be made again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from workbench.cache.store import DERIVED_TABLES, TranslationCache
from workbench.cli.base import CONTEXT, build_settings, cli, fail_on_errors, setting_options
from workbench.errors import CacheError


@cli.group("cache", context_settings=CONTEXT)
def cache_group() -> None:
    """Show what the translation cache holds, and prune what can be made again.

    \b
    Translations, reviewer approvals and dictionary forms are kept. Prepared articles,
    glossary matches and QA flags are derived: a run makes them again for a file it meets,
    and every changed file adds new ones, so they are what grows.
    """


def _open(cache_path: Path | None, read_only: bool = False) -> TranslationCache:
    path = build_settings(cache_path=cache_path).cache_path
    if not path.exists():
        raise CacheError(path, "no cache here (a run creates it; see --cache)")
    return TranslationCache(path, read_only=read_only)


def _megabytes(path: Path) -> str:
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
               if p.is_file())
    return f"{size / 1e6:.1f} MB"


@cache_group.command("info", context_settings=CONTEXT)
@setting_options("cache_path")
@fail_on_errors
def info(cache_path: Path | None) -> None:
    """Rows per table and the size on disk."""
    with _open(cache_path, read_only=True) as cache:
        rows = cache.table_rows()
        click.echo(f"{cache.path} ({_megabytes(cache.path)})")
    for table, count in rows.items():
        click.echo(f"  {table:<13}{count:>10,}{'  (derived)' if table in DERIVED_TABLES else ''}")


@cache_group.command("prune", context_settings=CONTEXT)
@click.option("--older-than", "days", type=click.IntRange(0, 36_500), default=30,
              show_default=True, metavar="DAYS",
              help="Delete derived entries made more than DAYS days ago (0: all of them).")
@click.option("--vacuum", is_flag=True,
              help="Then rebuild the file to give the space back to the disk (needs as much "
                   "free space again; without it, SQLite reuses the space for new entries).")
@setting_options("cache_path")
@fail_on_errors
def prune(days: int, vacuum: bool, cache_path: Path | None) -> None:
    """Delete derived entries (prepared articles, matches, QA flags) older than DAYS days.

    \b
    Nothing is lost: a later run prepares, matches and checks an article again when it
    meets it (a first run's preparation cost, for those files only). Translations and
    approvals are never deleted.
      workbench cache prune --older-than 90
      workbench cache prune --older-than 0 --vacuum   # all derived entries, file shrunk
    """
    with _open(cache_path) as cache:
        before = _megabytes(cache.path)
        removed = cache.prune_derived(datetime.now(UTC) - timedelta(days=days))
        if vacuum:
            cache.vacuum()
        after = _megabytes(cache.path)
    counts = ", ".join(f"{count:,} {table}" for table, count in removed.items())
    click.echo(f"Deleted {counts}; {before} -> {after}" +
               ("" if vacuum else " (space reused by later runs; --vacuum gives it back)"))
