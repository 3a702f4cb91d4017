"""``workbench cache info`` and ``prune``: derived entries go, translations stay, and a run
after a prune makes them again and writes the same records (REAL engine, random weights)."""

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from conftest import ROOT

from workbench.cache.store import DERIVED_TABLES, TranslationCache
from workbench.cli import cli

SEEDS = ROOT / "seeds"


def run(tmp_path, models, cache):
    result = CliRunner().invoke(cli, [
        "translate", str(SEEDS), "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(models), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    return (tmp_path / "out" / "records.jsonl").read_bytes()


def test_prune_keeps_translations_and_a_later_run_rebuilds_the_rest(tmp_path,
                                                                   installed_models):
    cache = tmp_path / "c.db"
    run(tmp_path, installed_models, cache)
    records = run(tmp_path, installed_models, cache)  # warm: "cached", as after the prune
    with TranslationCache(cache) as opened:
        rows = opened.table_rows()
        assert all(rows[table] > 0 for table in ("translations", *DERIVED_TABLES)), rows
        # Nothing derived is that old yet: a prune by age keeps it all.
        assert opened.prune_derived(datetime.now(UTC) - timedelta(days=1)) == dict.fromkeys(
            DERIVED_TABLES, 0)
    info = CliRunner().invoke(cli, ["cache", "info", "--cache", str(cache)])
    assert info.exit_code == 0 and f"translations {rows['translations']:>10,}" in info.output
    pruned = CliRunner().invoke(cli, ["cache", "prune", "--older-than", "0", "--vacuum",
                                      "--cache", str(cache)])
    assert pruned.exit_code == 0, pruned.output
    assert f"Deleted {rows['prepared']:,} prepared" in pruned.output
    with TranslationCache(cache) as opened:
        after = opened.table_rows()
    assert after == {**rows, **dict.fromkeys(DERIVED_TABLES, 0)}
    assert run(tmp_path, installed_models, cache) == records  # all from cache, rebuilt
    with TranslationCache(cache) as opened:
        assert opened.table_rows() == rows


def test_cache_commands_name_a_missing_cache(tmp_path):
    for command in (["info"], ["prune"]):
        result = CliRunner().invoke(cli, ["cache", *command, "--cache", str(tmp_path / "no.db")])
        assert result.exit_code == 1
        assert f"{tmp_path / 'no.db'}: no cache here" in result.output
    assert not (tmp_path / "no.db").exists()  # not created by looking


def test_prune_refuses_an_age_out_of_range(tmp_path):
    for days in ("-1", "999999999", "ten"):
        result = CliRunner().invoke(cli, ["cache", "prune", "--older-than", days, "--cache",
                                          str(tmp_path / "c.db")])
        assert result.exit_code == 2 and "--older-than" in result.output, days
