"""``workbench glossary`` and ``workbench corrections``: what people curate by hand."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from workbench.cli.base import (
    CONTEXT,
    EXIT_INCOMPLETE,
    cli,
    count,
    current_project,
    fail_on_errors,
    json_option,
)
from workbench.display import safe_text
from workbench.glossary import edit as glossary_edit
from workbench.glossary.check import TermReport, check_run
from workbench.glossary.exchange import FORMATS as EXCHANGE_FORMATS
from workbench.glossary.exchange import export_glossary, import_glossary
from workbench.glossary.preview import edited_glossary, preview
from workbench.glossary.store import Glossary, load_glossary
from workbench.outputs.atomic import atomic_write
from workbench.records import TERM_TYPES


@cli.group("glossary", context_settings=CONTEXT)
def glossary_group() -> None:
    """List, edit and check the curated glossary (glossary/*.toml).

    Each entry is one concept: the English target, its forms per source language (base
    forms: inflected forms match too), a type and an optional note. A re-run after an edit
    re-translates only the segments that contain the edited term.
    """


def preview_option(func: Callable) -> Callable:
    """``--preview OUT_DIR``: say what the edit would re-translate in a run, write nothing."""
    return click.option("--preview", "preview_dir", metavar="OUT_DIR",
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="List the segments of the run in OUT_DIR this change would "
                             "translate again, per article, and write nothing.")(func)


def _preview(out_dir: Path, glossary_dir: Path, edit: Callable[[], object]) -> None:
    """Print what ``edit`` would re-translate in the run in ``out_dir``; write nothing."""
    before = load_glossary([glossary_dir]) if glossary_dir.exists() else Glossary()
    _, after = edited_glossary(edit)
    shown = preview(out_dir, before, after)
    click.echo(f"This change would translate again {count(len(shown.segments), 'segment')} "
               f"of {out_dir}, in {count(len(shown.per_article), 'article')}:")
    for article, n in shown.per_article.most_common():
        click.echo(f"  {safe_text(article)}: {count(n, 'segment')}")
    for article, index, src in shown.segments:
        click.echo(f"  {safe_text(article)} #{index}: {safe_text(src)[:100]}")
    click.echo("Nothing was written (--preview).", err=True)


def glossary_dir_option(func: Callable) -> Callable:
    """The glossary location option shared by the glossary commands."""
    return click.option("--glossary", "glossary_dir", type=click.Path(path_type=Path),
                        callback=_default_glossary,
                        help="Glossary folder (or file). [default: the project's glossary/]"
                        )(func)


def _default_glossary(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    folder = glossary_folder(value)
    if folder is None:
        raise click.UsageError("not in a workbench project (no workbench.toml here or above): "
                               "run `workbench init`, or pass --glossary FOLDER", ctx)
    return folder


@glossary_group.command("list", context_settings=CONTEXT)
@glossary_dir_option
@click.option("--type", "kind", type=click.Choice(TERM_TYPES), help="Only terms of this type.")
@click.option("--usage", "usage_dir", metavar="OUT_DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Show how the run in OUT_DIR used each entry.")
@json_option()
@fail_on_errors
def glossary_list(glossary_dir: Path, kind: str | None, usage_dir: Path | None,
                  json_: bool) -> None:
    """List glossary terms with their source forms.

    With --usage OUT_DIR, each entry also shows how the run in OUT_DIR used it: hits per
    language, how each was enforced, how many were missed, and in which articles.
    """
    terms = [t for t in load_glossary([glossary_dir]).terms if kind in (None, t.type)]
    reports = {r.target: r for r in check_run(usage_dir)} if usage_dir is not None else {}
    usage = {t.target: reports.get(t.target, TermReport(t.target)).usage() for t in terms}
    if json_:
        click.echo(json.dumps([{**t.to_dict(), **({"usage": usage[t.target]} if usage_dir
                                                   else {})} for t in terms],
                              ensure_ascii=False, indent=2))
        return
    for t in terms:
        forms = "; ".join(f"{lang}: {', '.join(values)}" for lang, values in t.forms.items())
        click.echo(f"{t.target}\t{t.type}\t{forms or 'patterns: ' + ', '.join(t.patterns)}")
        if usage_dir is not None:
            u = usage[t.target]
            if not u["hits"]:
                click.echo("\tnot found in the run")
                continue
            langs = ", ".join(f"{lang} {n}" for lang, n in u["languages"].items())
            how = ", ".join(f"{way} {n}" for way, n in u["enforced"].items())
            click.echo(f"\t{count(u['hits'], 'hit')} ({langs}); {how}; {u['missed']} missed; "
                       f"{count(len(u['articles']), 'article')}: {', '.join(u['articles'][:5])}"
                       + (" ..." if len(u["articles"]) > 5 else ""))


def parse_forms(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``ru=Лыонг Кыонг`` options into {language: [forms]}."""
    forms: dict[str, list[str]] = {}
    for value in values:
        lang, sep, form = value.partition("=")
        if not sep or not lang.strip() or not form.strip():
            raise click.BadParameter(f"{value!r}: write LANG=FORM, e.g. ru='Лыонг Кыонг'",
                                     param_hint="--form")
        forms.setdefault(lang.strip(), []).append(form.strip())
    return forms


@glossary_group.command("add", context_settings=CONTEXT)
@click.argument("target")
@click.option("--type", "kind", type=click.Choice(TERM_TYPES), required=True,
              help="What the term is.")
@click.option("--form", "forms", multiple=True, required=True, metavar="LANG=FORM",
              help="A source form; LANG is a language code or 'latin' (every Latin-script "
                   "language). Repeat for more.")
@click.option("--note", default="", help="A note for people editing the glossary.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="File to add to. [default: glossary/<type>s.toml, e.g. people.toml]")
@click.option("--move", is_flag=True,
              help="Take a form another entry owns away from it (else such a form is refused).")
@preview_option
@glossary_dir_option
@fail_on_errors
def glossary_add(target: str, kind: str, forms: tuple[str, ...], note: str, file: Path | None,
                 move: bool, preview_dir: Path | None, glossary_dir: Path) -> None:
    """Add TARGET (the English) with its source forms, or add forms to an existing entry.

    \b
    Examples:
      workbench glossary add "Lương Cường" --type person --form latin="Luong Cuong" \\
          --form ru="Лыонг Кыонг"
      workbench glossary add "General Secretary" --type title --form nb=generalsekretær

    A form that another entry owns is refused with both entries named; --move takes it
    from the other entry instead.
    """
    path = file or glossary_edit.default_file(glossary_dir, kind)

    def edit() -> glossary_edit.Added:
        return glossary_edit.add_term(path, target, kind, parse_forms(forms), note,
                                      [glossary_dir, path], move=move)

    if preview_dir is not None:
        _preview(preview_dir, glossary_dir, edit)
        return
    done = edit()
    moved = "".join(f"; moved {form!r} ({lang}) from {owner!r}"
                    for owner, lang, form in done.moved)
    click.echo(f"{done.outcome.capitalize()} {target!r} in {path}{moved}", err=True)


@glossary_group.command("remove", context_settings=CONTEXT)
@click.argument("target")
@click.option("--type", "kind", type=click.Choice(TERM_TYPES), help="Only the entry of this type.")
@preview_option
@glossary_dir_option
@fail_on_errors
def glossary_remove(target: str, kind: str | None, preview_dir: Path | None,
                    glossary_dir: Path) -> None:
    """Remove the entry whose English is TARGET."""
    if preview_dir is not None:
        _preview(preview_dir, glossary_dir,
                 lambda: glossary_edit.remove_term([glossary_dir], target, kind))
        return
    removed = glossary_edit.remove_term([glossary_dir], target, kind)
    if not removed:
        raise glossary_edit.no_entry([glossary_dir], target)
    for term in removed:
        click.echo(f"Removed {term.target!r} ({term.type}) from {term.file}", err=True)


@glossary_group.command("rename", context_settings=CONTEXT)
@click.argument("old_target")
@click.argument("new_target")
@click.option("--type", "kind", type=click.Choice(TERM_TYPES), help="Only the entry of this type.")
@preview_option
@glossary_dir_option
@fail_on_errors
def glossary_rename(old_target: str, new_target: str, kind: str | None,
                    preview_dir: Path | None, glossary_dir: Path) -> None:
    """Change the English of the entry whose English is OLD_TARGET to NEW_TARGET.

    \b
    Its source forms stay. The next run re-translates exactly the segments holding it:
      workbench glossary rename "Politburo" "Political Bureau"
    """
    if preview_dir is not None:
        _preview(preview_dir, glossary_dir,
                 lambda: glossary_edit.rename_term([glossary_dir], old_target, new_target, kind))
        return
    term = glossary_edit.rename_term([glossary_dir], old_target, new_target, kind)
    click.echo(f"Renamed {term.target!r} ({term.type}) to {new_target!r} in {term.file}",
               err=True)


@glossary_group.command("export", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(EXCHANGE_FORMATS), default="tbx",
              show_default=True, help="TBX-Basic (for CAT and terminology tools), or one row "
                                      "per source form as TSV or CSV (for spreadsheets).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write.")
@glossary_dir_option
@fail_on_errors
def glossary_export(fmt: str, output: Path, glossary_dir: Path) -> None:
    """Write the glossary as TBX, TSV or CSV (document-number patterns are not exported).

    \b
      workbench glossary export -o terms.tbx
      workbench glossary export --format tsv -o terms.tsv   # form, target, lang, type, note
    """
    with atomic_write(output) as out:
        out.write(export_glossary(load_glossary([glossary_dir]), fmt))
    click.echo(f"Wrote {output}", err=True)


@glossary_group.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@glossary_dir_option
@fail_on_errors
def glossary_import(file: Path, glossary_dir: Path) -> None:
    """Add the entries of a TBX, TSV or CSV file to the glossary, as glossary add would.

    Every entry is validated against the whole glossary first, and nothing is written if any
    is refused. The entries added or extended are listed, each refused one is named with its
    line in FILE and why, and a last line counts them all (added, extended, unchanged,
    refused). Importing what `glossary export` wrote changes nothing. On a terminal, a bar
    shows the progress.

    Exit codes: 0 imported; 1 FILE or the glossary cannot be read (nothing is read further);
    3 incomplete: an entry was refused, so nothing was written (as `corrections apply` and
    `glossary check` use 3).
    """
    with _import_progress() as progress:
        report = import_glossary(file, glossary_dir, progress)
    for entry, outcome in report.outcomes:
        if outcome != "unchanged":
            click.echo(f"{safe_text(entry.target)!r} ({entry.type}): {outcome}", err=True)
    for line in report.refusals():
        click.secho(safe_text(line), fg="red", err=True)
    n = report.counts()
    counts = f"{n['added']} added, {n['extended']} extended, {n['unchanged']} unchanged"
    if report.refused:
        click.echo(f"Nothing written: {count(n['refused'], 'entry', 'entries')} refused "
                   f"({counts}).", err=True)
        raise SystemExit(EXIT_INCOMPLETE)
    click.echo(f"{count(n['added'] + n['extended'], 'entry', 'entries')} added or extended "
               f"in {glossary_dir} ({counts}).", err=True)


@contextlib.contextmanager
def _import_progress() -> Iterator[Callable[[int, int], None] | None]:
    """The import's progress callback: a bar on stderr, only when it is a terminal.

    Meanwhile SIGTERM unwinds like an exception (exit 143), so every ``finally`` runs:
    Python's default dies at once, leaving temporary files beside the glossary files.
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum)) \
        if main else None
    bar: list[Any] = []

    def shown(done: int, total: int) -> None:
        if not bar:
            bar.append(click.progressbar(length=total, label="Importing", file=sys.stderr,
                                         show_pos=True))
        if done == total or done % max(1, total // 200) == 0:
            bar[0].update(done - bar[0].pos)

    try:
        yield shown if sys.stderr.isatty() else None
    finally:
        if bar:
            bar[0].render_finish()
        if main:
            signal.signal(signal.SIGTERM, previous)


def glossary_folder(given: Path | None) -> Path | None:
    """The glossary given, else the project's, else None (outside any project)."""
    if given is not None:
        return given
    project = current_project()
    return project.glossary_dir if project else None


# The commands that read a run's records (check, suggest) live beside: importing them here
# registers them with the group.
from workbench.cli import glossary_run  # noqa: E402, F401
