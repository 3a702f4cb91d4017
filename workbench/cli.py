"""The ``workbench`` command line: parse options, call the library, render the result.

Exit codes: 0 the run is complete; 1 an error stopped the command; 3 the run finished but is
incomplete (a file could not be read, a model is missing, a segment failed).
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workbench import __version__, models
from workbench import index as package_index
from workbench.errors import WorkbenchError
from workbench.glossary import edit as glossary_edit
from workbench.glossary.check import check_run
from workbench.glossary.store import TYPES, load_glossary
from workbench.packages import installed_packages
from workbench.records import Status
from workbench.run import count_articles, translate_inputs
from workbench.settings import Settings

EXIT_INCOMPLETE = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ClickProgress:
    """Draw the pipeline's progress with click progress bars on stderr."""

    def __init__(self, silent: bool) -> None:
        self.silent = silent
        self._bar: Any = None

    def start(self, label: str, total: int) -> None:
        """Open a bar."""
        if not self.silent:
            self._bar = click.progressbar(length=total, label=label, file=click.get_text_stream(
                "stderr"), show_pos=True, show_eta=True)
            self._bar.__enter__()

    def advance(self, n: int) -> None:
        """Move the bar."""
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def download_bar(silent: bool) -> Callable[[str], package_index.ProgressCallback | None]:
    """A factory of download-progress callbacks drawing a byte bar per package."""

    def for_package(name: str) -> package_index.ProgressCallback | None:
        if silent:
            return None
        state: dict[str, Any] = {}

        def report(received: int, total: int | None) -> None:
            if "bar" not in state:
                state["bar"] = click.progressbar(length=total or 0, label=f"Downloading {name}",
                                                 file=click.get_text_stream("stderr"))
                state["bar"].__enter__()
                state["seen"] = 0
            state["bar"].update(received - state["seen"])
            state["seen"] = received
            if total is not None and received >= total:
                state["bar"].__exit__(None, None, None)

        return report

    return for_package


def settings_options(func: Callable) -> Callable:
    """Options shared by every command that touches models or the cache."""
    options = [
        click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Installed Argos packages. [env: WORKBENCH_MODELS_DIR; default: "
                          "Argos's own packages directory, so argospm installs just work]"),
        click.option("--index-url", metavar="URL",
                     help="Argos package index JSON. [env: WORKBENCH_PACKAGE_INDEX; default: "
                          "the official argospm-index]"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def fail_on_errors(func: Callable) -> Callable:
    """Turn our exceptions into one-line errors; anything else is a bug and keeps its trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WorkbenchError as err:
            if os.environ.get("WORKBENCH_RAISE_ERRORS"):
                raise
            raise click.ClickException(str(err)) from err

    return wrapper


def build_settings(**options: Any) -> Settings:
    """Settings from the environment, overridden by whatever options were given."""
    return Settings.from_env(os.environ, **options)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version")
@click.option("--debug", is_flag=True, help="Log what happens (model loads, batches) to stderr.")
def cli(debug: bool) -> None:
    """Translate folders of news articles into sentence-aligned English records, offline.

    \b
    Typical use:
      workbench models install de ru           # from the Argos package index (online)
      workbench models install de_en.argosmodel  # or from a file (offline)
      workbench translate seeds/ -o out/       # records.jsonl, articles.jsonl, run.json

    Translations are cached in SQLite, so a re-run only translates what changed.
    """
    logging.basicConfig(level=logging.INFO if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory for records.jsonl, articles.jsonl and run.json.")
@settings_options
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite translation cache. [env: WORKBENCH_CACHE; default: "
                   "cache/workbench.db]")
@click.option("--install-missing", is_flag=True,
              help="Install missing language models from the package index before "
                   "translating (needs the network).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]),
              help="Where to run the models. [default: auto, CUDA when present]")
@click.option("--compute-type", metavar="TYPE",
              help="CTranslate2 compute type, e.g. int8, int8_float16, float32. "
                   "[default: int8 on CPU, int8_float16 on CUDA]")
@click.option("--beam-size", type=click.IntRange(1, 32), help="Beam size. [default: 4]")
@click.option("--batch-tokens", type=click.IntRange(16), metavar="N",
              help="Source tokens per batch; larger is faster until memory runs out. "
                   "[default: 2048]")
@click.option("--threads", type=click.IntRange(0), metavar="N",
              help="CPU threads per model (0: all cores). [default: 0]")
@click.option("--glossary", "glossary_paths", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Glossary file or folder; repeat for several. [default: glossary/]")
@click.option("--no-glossary", is_flag=True, help="Translate without any glossary.")
@click.option("--silent", is_flag=True, help="Don't show progress bars.")
@fail_on_errors
def translate(inputs: tuple[Path, ...], out_dir: Path, silent: bool, install_missing: bool,
              glossary_paths: tuple[Path, ...], no_glossary: bool, **options: Any) -> None:
    """Translate every article in INPUTS (files, or folders of .txt files) to English.

    Writes OUT_DIR/records.jsonl (one line per segment, in article order, with its English,
    status and score), OUT_DIR/articles.jsonl (one line per file: language, source URL,
    counts) and OUT_DIR/run.json (engine signatures and a summary).

    Every line of every article becomes a record: boilerplate, captions and source lines are
    labelled and kept, not dropped. An article whose language has no installed model still
    gets all its records, with status "no-model"; the command then exits with code 3 and
    says how to install the missing models.

    \b
    Exit codes: 0 complete, 1 error, 3 incomplete (bad files, missing models, failures).
    """
    settings = build_settings(
        glossary_paths=() if no_glossary else (glossary_paths or None), **options)
    engines = models.ArgosEngines(settings, install_missing=install_missing,
                                  on_download=download_bar(silent))
    progress = ClickProgress(silent)
    if not silent:
        click.echo(f"Reading {count_articles(inputs)} article files...", err=True)
    result = translate_inputs(list(inputs), out_dir, settings, engines, progress)
    stats = result.stats
    for problem in [*engines.problems, *stats.errors]:
        click.secho(f"Error: {problem}", fg="red", err=True)
    s = stats.statuses
    click.echo(
        f"{stats.articles} articles ({stats.failed_articles} unreadable), {stats.segments} "
        f"segments: {s[Status.TRANSLATED]} translated, {s[Status.CACHED]} from cache, "
        f"{s[Status.KEPT]} kept, {s[Status.NO_MODEL]} without a model, "
        f"{s[Status.FAILED]} failed. Models loaded: {stats.models_loaded}. "
        f"Glossary: {stats.glossary_retranslated} re-translated because of glossary changes, "
        f"{stats.glossary_missed} terms missed. Output: {result.out_dir}", err=True)
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


@cli.group(context_settings=CONTEXT)
def models_group() -> None:
    """Install and list Argos translation models (xx→en packages)."""


cli.add_command(models_group, "models")


@models_group.command("install", context_settings=CONTEXT)
@click.argument("packages", nargs=-1, required=True, metavar="CODE_OR_FILE...")
@settings_options
@click.option("--silent", is_flag=True, help="Don't show download progress.")
@fail_on_errors
def models_install(packages: tuple[str, ...], silent: bool, **options: Any) -> None:
    """Install models from the package index by language code, or from .argosmodel files.

    \b
    Examples:
      workbench models install de ru sv          # de→en, ru→en, sv→en from the index
      workbench models install translate-nb_en   # full package codes work too
      workbench models install ~/Downloads/translate-pl_en-1_9.argosmodel

    Every archive is verified before anything is moved into place: a corrupt or unsafe
    archive is refused and the models directory is left as it was.
    """
    settings = build_settings(**options)
    index = None
    failed = 0
    for spec in packages:
        try:
            if models.is_archive_path(spec):
                package = models.install_file(Path(spec), settings)
            else:
                index = index or package_index.fetch_index(settings.index_url)
                package = models.install_from_index(spec, settings, index,
                                                    download_bar(silent)(spec))
        except WorkbenchError as err:
            click.secho(f"Error: {err}", fg="red", err=True)
            failed += 1
            continue
        click.echo(f"Installed {package.code} {package.package_version} "
                   f"({package.from_code}→{package.to_code}) in {package.path}", err=True)
    if failed:
        raise SystemExit(1)


@models_group.command("list", context_settings=CONTEXT)
@settings_options
@click.option("json_", "--json", is_flag=True, help="Output JSON.")
@fail_on_errors
def models_list(json_: bool, **options: Any) -> None:
    """List installed translate packages."""
    settings = build_settings(**options)
    found = installed_packages(settings.models_dir)
    if json_:
        click.echo(json.dumps([{"code": p.code, "from": p.from_code, "to": p.to_code,
                                "version": p.package_version, "path": str(p.path)}
                               for p in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"No models installed in {settings.models_dir}", err=True)
        return
    for p in found:
        click.echo(f"{p.from_code}→{p.to_code}\t{p.code}\t{p.package_version}\t{p.path}")


@models_group.command("available", context_settings=CONTEXT)
@settings_options
@click.option("json_", "--json", is_flag=True, help="Output JSON.")
@fail_on_errors
def models_available(json_: bool, **options: Any) -> None:
    """List what the package index offers into English (needs the network)."""
    settings = build_settings(**options)
    index = package_index.fetch_index(settings.index_url)
    installed = {p.pair for p in installed_packages(settings.models_dir)}
    offered = index.to_english(settings.tgt_lang)
    if json_:
        click.echo(json.dumps([{"code": p.code, "from": p.from_code, "to": p.to_code,
                                "version": p.package_version, "name": p.from_name,
                                "installed": (p.from_code, p.to_code) in installed}
                               for p in offered], ensure_ascii=False, indent=2))
        return
    for p in offered:
        mark = "installed" if (p.from_code, p.to_code) in installed else ""
        click.echo(f"{p.from_code}\t{p.from_name}\t{p.package_version}\t{mark}".rstrip())


@cli.group("glossary", context_settings=CONTEXT)
def glossary_group() -> None:
    """List, edit and check the curated glossary (glossary/*.toml).

    Each entry is one concept: the English target, its forms per source language (base
    forms: inflected forms match too), a type and an optional note. A re-run after an edit
    re-translates only the segments that contain the edited term.
    """


def glossary_dir_option(func: Callable) -> Callable:
    """The glossary location option shared by the glossary commands."""
    return click.option("--glossary", "glossary_dir", default=Path("glossary"),
                        show_default=True, type=click.Path(path_type=Path),
                        help="Glossary folder (or file).")(func)


@glossary_group.command("list", context_settings=CONTEXT)
@glossary_dir_option
@click.option("--type", "kind", type=click.Choice(TYPES), help="Only terms of this type.")
@click.option("json_", "--json", is_flag=True, help="Output JSON.")
@fail_on_errors
def glossary_list(glossary_dir: Path, kind: str | None, json_: bool) -> None:
    """List glossary terms with their source forms."""
    terms = [t for t in load_glossary([glossary_dir]).terms if kind in (None, t.type)]
    if json_:
        click.echo(json.dumps([{"target": t.target, "type": t.type, "note": t.note,
                                "forms": {k: list(v) for k, v in t.forms.items()},
                                "patterns": t.patterns, "file": t.file, "line": t.line}
                               for t in terms], ensure_ascii=False, indent=2))
        return
    for t in terms:
        forms = "; ".join(f"{lang}: {', '.join(values)}" for lang, values in t.forms.items())
        click.echo(f"{t.target}\t{t.type}\t{forms or 'patterns: ' + ', '.join(t.patterns)}")


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
@click.option("--type", "kind", type=click.Choice(TYPES), required=True,
              help="What the term is.")
@click.option("--form", "forms", multiple=True, required=True, metavar="LANG=FORM",
              help="A source form; LANG is a language code or 'latin' (every Latin-script "
                   "language). Repeat for more.")
@click.option("--note", default="", help="A note for people editing the glossary.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="File to add to. [default: glossary/<type>s.toml, e.g. people.toml]")
@glossary_dir_option
@fail_on_errors
def glossary_add(target: str, kind: str, forms: tuple[str, ...], note: str, file: Path | None,
                 glossary_dir: Path) -> None:
    """Add TARGET (the English) with its source forms, or add forms to an existing entry.

    \b
    Examples:
      workbench glossary add "Lương Cường" --type person --form latin="Luong Cuong" \\
          --form ru="Лыонг Кыонг"
      workbench glossary add "General Secretary" --type title --form nb=generalsekretær
    """
    path = file or glossary_edit.default_file(glossary_dir, kind)
    outcome = glossary_edit.add_term(path, target, kind, parse_forms(forms), note)
    click.echo(f"{outcome.capitalize()} {target!r} in {path}", err=True)


@glossary_group.command("remove", context_settings=CONTEXT)
@click.argument("target")
@click.option("--type", "kind", type=click.Choice(TYPES), help="Only the entry of this type.")
@glossary_dir_option
@fail_on_errors
def glossary_remove(target: str, kind: str | None, glossary_dir: Path) -> None:
    """Remove the entry whose English is TARGET."""
    removed = glossary_edit.remove_term([glossary_dir], target, kind)
    if not removed:
        raise click.ClickException(f"no glossary entry with target {target!r} in {glossary_dir}")
    for term in removed:
        click.echo(f"Removed {term.target!r} ({term.type}) from {term.file}", err=True)


@glossary_group.command("check", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("json_", "--json", is_flag=True, help="Output JSON.")
@fail_on_errors
def glossary_check(out_dir: Path, json_: bool) -> None:
    """Report glossary terms that a run missed, and concepts rendered inconsistently.

    Exits with code 3 when any term was missed.
    """
    reports = check_run(out_dir)
    missed = sum(len(r.missed) for r in reports)
    if json_:
        click.echo(json.dumps([{
            "target": r.target, "occurrences": len(r.occurrences), "missed": [
                {"article": o.article, "index": o.index, "term": o.term} for o in r.missed],
            "inconsistent": r.inconsistent,
            "enforced": dict(Counter(o.enforced for o in r.occurrences))}
            for r in reports], ensure_ascii=False, indent=2))
    else:
        for r in reports:
            how = ", ".join(f"{k} {v}" for k, v in Counter(o.enforced for o in r.occurrences)
                            .most_common())
            flag = "  INCONSISTENT" if r.inconsistent else ""
            click.echo(f"{r.target}: {len(r.occurrences)} occurrences ({how}){flag}")
            for o in r.missed:
                click.echo(f"  missed {o.term!r} in {o.article} #{o.index}")
        click.echo(f"{len(reports)} terms, {missed} missed occurrences.", err=True)
    if missed:
        raise SystemExit(EXIT_INCOMPLETE)
