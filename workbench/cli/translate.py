"""``workbench translate``, ``export`` and ``review``: a run and its outputs."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from workbench.cache.store import TranslationCache
from workbench.cli.base import (
    CONTEXT,
    EXIT_INCOMPLETE,
    ClickProgress,
    build_settings,
    cli,
    count,
    current_project,
    download_bar,
    fail_on_errors,
    format_options,
    setting_options,
)
from workbench.engines.lookup import ArgosEngines
from workbench.outputs.formats import (
    DEFAULT_FORMATS,
    DERIVED_FORMATS,
    FORMATS,
    present_formats,
    remove_stale,
)
from workbench.outputs.ownership import claimed
from workbench.outputs.run_folder import RECORDS
from workbench.records import Status
from workbench.run.export import export
from workbench.run.runner import RunResult, count_articles, translate_inputs
from workbench.settings import Settings
from workbench.text.feed import field_names
from workbench.text.reader import MAX_ARTICLE_BYTES, ArticleFile


def _parse_fields(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
                  ) -> dict[str, tuple[str, ...]]:
    overrides = {}
    for value in values:
        name, sep, feed_field = value.partition("=")
        if not sep or not name.strip() or not feed_field.strip():
            raise click.BadParameter(f"{value!r}: write NAME=FEEDFIELD, e.g. text=maintext")
        overrides[name.strip()] = feed_field.strip()
    try:
        return field_names(overrides)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


def _stdin_article() -> ArticleFile:
    """The article piped in (``-``), read up to the size limit of any article."""
    if sys.stdin.isatty():
        raise click.UsageError("'-' reads an article from standard input, which is a "
                               "terminal here: pipe one in (cat article.txt | workbench "
                               "translate - -o out)")
    data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise click.ClickException(f"standard input: too large (over {MAX_ARTICLE_BYTES} "
                                   "bytes)")
    return ArticleFile("stdin", Path("-"), data)


@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory for records.jsonl, articles.jsonl and run.json; - writes the "
                   "records as JSON Lines to standard output (messages go to standard "
                   "error).")
@setting_options("models_dir", "models", "index_url", "cache_path")
@click.option("--install-missing", is_flag=True,
              help="Install missing language models from the package index before "
                   "translating (needs the network).")
@setting_options("device", "compute_type", "beam_size", "batch_tokens", "threads", "cluster")
@click.option("--glossary", "glossary_paths", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Glossary file or folder; repeat for several. [default: the project's "
                   "glossary/; none outside a project]")
@click.option("--no-glossary", is_flag=True, help="Translate without any glossary.")
@click.option("--no-auto-names", is_flag=True,
              help="Leave unseen Vietnamese names to the model. By default they are found "
                   "(any case, Latin or Cyrillic), protected like glossary terms in their "
                   "English form and flagged name:unconfirmed. [workbench.toml: auto_names]")
@format_options(tuple(FORMATS), DEFAULT_FORMATS)
@click.option("--field", "fields", multiple=True, metavar="NAME=FEEDFIELD",
              callback=_parse_fields,
              help="Read an article field of JSONL/CSV feeds from another feed field, e.g. "
                   "--field text=maintext. Names: id, url, title, text, date, author, lang "
                   "(defaults: text, body or content; date or published; the others as "
                   "named). Repeat for several.")
@click.option("--silent", is_flag=True, help="Don't show progress bars.")
@fail_on_errors
def translate(inputs: tuple[Path, ...], out_dir: Path, silent: bool, install_missing: bool,
              glossary_paths: tuple[Path, ...], no_glossary: bool, no_auto_names: bool,
              formats: list[str], include_kept: bool, fields: dict[str, tuple[str, ...]],
              **options: Any) -> None:
    """Translate every article in INPUTS to English.

    \b
    INPUTS are any of:
      article.txt         plain text, one paragraph per line (UTF-8 or UTF-16 with BOM)
      page.html / .htm    a saved news page: its article text, headline, captions and
                          metadata are taken; the page around it is left out
      feed.jsonl / .csv   one article per line or row (fields: see --field)
      FOLDER              every such file below it
      -                   one article from standard input (text or HTML)

    Writes OUT_DIR/records.jsonl (one line per segment, in article order, with its English,
    status and score), OUT_DIR/articles.jsonl (one line per file: language, source URL,
    counts), OUT_DIR/run.json (engine signatures and a summary), and the other outputs
    --format names (by default TMX, XLIFF and the review pages). With -o -, the records
    go to standard output as JSON Lines instead, and no folder is written.

    Every line of every article becomes a record: boilerplate, captions and source lines are
    labelled and kept, not dropped. An article whose language has no installed model still
    gets all its records, with status "no-model"; the command then exits with code 3 and
    says how to install the missing models.

    \b
    Exit codes: 0 complete, 1 error, 2 wrong usage (an unknown option, a bad value),
    3 incomplete (bad files, missing models, failures).
    """
    settings = build_settings(
        glossary_paths=() if no_glossary else (glossary_paths or None),
        auto_names=False if no_auto_names else None, **options)
    explicit = _given("formats")
    if not explicit:
        chosen = _project_formats(tuple(FORMATS))
        formats = list(DEFAULT_FORMATS if chosen is None else chosen)
    absent = [str(item) for item in inputs if str(item) != "-" and not os.path.lexists(item)]
    if len(absent) == len(inputs):  # a typo: nothing to read, so nothing is made
        click.secho(f"Error: {', '.join(absent)}: no such file or directory; nothing written",
                    fg="red", err=True)
        raise SystemExit(EXIT_INCOMPLETE)
    to_stdout = str(out_dir) == "-"
    if to_stdout:
        if settings.cluster:
            raise click.UsageError("-o - (records to standard output) runs here; a cluster "
                                   "run writes parts into a folder: give -o DIR")
        if explicit and set(formats) != {"jsonl"}:
            raise click.UsageError("-o - writes the records as JSON Lines to standard "
                                   "output; the other formats need a folder: give -o DIR")
        formats = ["jsonl"]
    engines = ArgosEngines(settings, install_missing=install_missing,
                           on_download=download_bar(silent))
    engines.check(settings.tgt_lang)  # a chosen model that is not there: one line, exit 1
    progress = ClickProgress(silent)
    if settings.project is None:
        click.echo(f"Note: not in a workbench project (no workbench.toml here or above): "
                   f"{'no glossary' if not settings.glossary_paths else 'glossary as given'}, "
                   f"cache in {settings.cache_path}. `workbench init` makes a project.",
                   err=True)
    if not silent:
        files = count_articles([i for i in inputs if str(i) != "-"]) + \
            sum(str(i) == "-" for i in inputs)
        click.echo(f"Reading {count(files, 'article file')}...", err=True)
    articles = [_stdin_article() if str(item) == "-" else item for item in inputs]
    with tempfile.TemporaryDirectory(prefix="workbench-stdout-") if to_stdout else \
            contextlib.nullcontext() as folder:
        run_dir = Path(folder) / "run" if folder else out_dir
        with claimed(run_dir, inputs, new_run=True) as previous:
            # A plain re-run keeps every format already here current; --format says exactly.
            present = present_formats(run_dir)
            if not explicit:
                formats += [f for f in present if f not in formats]
            if settings.cluster:
                result = _on_cluster(settings, articles, run_dir, progress, fields,
                                     include_kept, install_missing,
                                     formats if explicit else present)
            else:
                result = translate_inputs(articles, run_dir, settings, engines, progress,
                                          fields=fields)
                remove_stale(run_dir, formats)
                export(run_dir, formats, include_kept, previous=previous, progress=progress)
        if to_stdout:  # JSON Lines on standard output; every message is on standard error
            with (run_dir / RECORDS).open("rb") as records:
                for chunk in iter(lambda: records.read(1 << 16), b""):
                    click.echo(chunk, nl=False)
    for name in present:
        if name not in formats and FORMATS[name].workspace:
            click.echo(f"Note: {out_dir / FORMATS[name].files[0]} was left as it was (not in "
                       f"--format); `workbench export {out_dir} --format {name}` brings it "
                       "up to date.", err=True)
    stats = result.stats
    for notice in stats.notices:
        click.echo(f"Note: {notice}", err=True)
    for problem in stats.errors:
        click.secho(f"Error: {problem}", fg="red", err=True)
    s = stats.statuses
    click.echo(
        f"{count(stats.articles, 'article')} ({stats.failed_articles} unreadable), "
        f"{count(stats.segments, 'segment')}: {s[Status.TRANSLATED]:,} translated, "
        f"{s[Status.CACHED]:,} from cache, {s[Status.APPROVED]:,} approved, "
        f"{s[Status.KEPT]:,} kept, {s[Status.NO_MODEL]:,} without a model, "
        f"{s[Status.FAILED]:,} failed.\n"
        f"Models loaded: {stats.models_loaded}. Glossary: "
        f"{count(stats.glossary_redecoded, 'segment')} re-decoded to place a term, "
        f"{stats.glossary_retranslated:,} re-translated for glossary changes, "
        f"{count(stats.glossary_missed, 'term')} missed.\n" + (
            f"Automatic names: {count(len(stats.auto_names), 'unseen name')} protected "
            f"({count(sum(stats.auto_names.values()), 'occurrence')}), flagged "
            f"name:unconfirmed; `workbench glossary suggest "
            f"{'OUT_DIR' if to_stdout else out_dir}` lists them.\n"
            if stats.auto_names else "") +
        f"Output: {'standard output' if to_stdout else result.out_dir}" + (
            f" (in parts; `workbench export {result.out_dir}` merges them)"
            if settings.cluster else ""), err=True)
    if stats.missing_pairs:
        pairs = sorted(stats.missing_pairs)
        codes = " ".join(src for src, _ in pairs)
        click.secho(
            f"Missing models for {', '.join(f'{a}→{b}' for a, b in pairs)} in "
            f"{settings.models_dir}. Install them with: workbench models install {codes} "
            f"(online), or: workbench models install FILE.argosmodel (offline).",
            fg="yellow", err=True)
    if not stats.complete:
        raise SystemExit(EXIT_INCOMPLETE)


@cli.command("export", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@format_options(DERIVED_FORMATS, tuple(f for f in DEFAULT_FORMATS if f != "jsonl"))
@setting_options("cache_path")
@fail_on_errors
def export_command(out_dir: Path, formats: list[str], include_kept: bool,
                   cache_path: Path | None) -> None:
    """Write the derived outputs (TMX, XLIFF, review pages, SQLite) of a finished run in OUT_DIR.

    Corrections stored with `workbench corrections apply` since the run are applied first:
    records.jsonl is rewritten with them as "approved", and every format shows them. Formats
    already in OUT_DIR are written again too, so none is left behind the records.
    """
    settings = build_settings(cache_path=cache_path)
    chosen = None if _given("formats") else _project_formats(DERIVED_FORMATS)
    formats = formats if chosen is None else chosen
    cache = TranslationCache(settings.cache_path) if settings.cache_path.exists() else None
    try:
        with claimed(out_dir):
            present = [f for f in DERIVED_FORMATS if f not in formats
                       and any(p.exists() for p in FORMATS[f].paths(out_dir))]
            for path in export(out_dir, [*formats, *present], include_kept, cache):
                click.echo(f"Wrote {path}", err=True)
    finally:
        if cache is not None:
            cache.close()


def _given(param: str) -> bool:
    """Whether an option was given on the command line (not left to its default)."""
    return click.get_current_context().get_parameter_source(param) not in (
        click.core.ParameterSource.DEFAULT, None)


def _project_formats(allowed: tuple[str, ...]) -> list[str] | None:
    """The project's ``formats`` (its workbench.toml), checked; None when it sets none.

    ``allowed``: the command's formats (export writes only the derived ones; ``jsonl`` is
    the run's own and dropped there).
    """
    project = current_project()
    if project is None or project.formats is None:
        return None
    unknown = [f for f in project.formats if f not in FORMATS]
    if unknown:
        raise click.ClickException(f"{project.marker}: formats: unknown format "
                                   f"{unknown[0]!r}; choose from {', '.join(FORMATS)}")
    return [f for f in project.formats if f in allowed]


def _on_cluster(settings: Settings, articles: list, out_dir: Path, progress: ClickProgress,
                fields: dict[str, tuple[str, ...]], include_kept: bool, install_missing: bool,
                formats: list[str]) -> RunResult:
    """A cluster run: the workers write parts; formats asked for beyond them are merged."""
    if install_missing:
        raise click.UsageError("--install-missing installs on this machine only, not on the "
                               "cluster's nodes: install the models on every node first "
                               "(workbench models install CODE), then run without it")
    from workbench.cluster.driver import PART_FORMATS, translate_on_cluster  # imports Ray
    from workbench.cluster.pool import RayCluster

    target = os.environ.get("RAY_ADDRESS") if settings.cluster == "ray" \
        else settings.cluster  # None: a local Ray instance
    cluster = RayCluster(settings.cluster or "ray", settings, target=target)
    _stop_cleanly_on_sigterm()  # Ray put in a handler that dumps C++ stacks instead
    click.echo(f"Cluster: {target or 'a local Ray instance'}, {cluster.cpus} CPUs on "
               f"{count(len(cluster.nodes()), 'node')}.", err=True)
    try:
        result = translate_on_cluster(cluster, articles, out_dir, settings, progress,
                                      fields=fields, include_kept=include_kept)
    finally:
        cluster.close()
    merged = [f for f in formats if f not in PART_FORMATS]
    remove_stale(out_dir, merged)  # the single TMX and XLIFF files are in parts now
    if merged:
        export(out_dir, merged, include_kept, progress=progress)
    return result


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM ends the run as Ctrl-C does: the cluster is let go, one line says so.

    What was translated is in the cache already (each batch is stored as it finishes); a
    re-run picks up from there. The exit code is the shell's for SIGTERM, 143.
    """
    import signal

    def stop(signum: int, frame: object) -> None:
        click.echo("Stopped by SIGTERM: what was translated is cached; run again to finish.",
                   err=True)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
