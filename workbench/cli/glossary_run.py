"""``workbench glossary check`` and ``suggest``: what a run's records say about the glossary."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from workbench.cache.blobs import BlobBuffer
from workbench.cache.store import TranslationCache
from workbench.cli.base import (
    CONTEXT,
    EXIT_INCOMPLETE,
    build_settings,
    count,
    fail_on_errors,
    json_option,
    setting_options,
)
from workbench.cli.glossary import glossary_folder, glossary_group
from workbench.display import safe_text
from workbench.glossary.check import check_run
from workbench.glossary.store import Glossary, load_glossary
from workbench.glossary.suggest import add_command, example_around, suggest_run
from workbench.outputs.run_folder import read_records
from workbench.run.auto import accept_command, covered, used_names


@glossary_group.command("check", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option()
@fail_on_errors
def glossary_check(out_dir: Path, json_: bool) -> None:
    """Report glossary terms that a run missed, and concepts rendered inconsistently.

    Exits with code 3 when any term was missed.
    """
    reports = check_run(out_dir)
    missed = sum(len(r.missed) for r in reports)
    forbidden = sum(len(r.forbidden) for r in reports)
    if json_:
        click.echo(json.dumps([{
            "target": r.target, "occurrences": len(r.occurrences), "missed": [
                {"article": o.article, "index": o.index, "term": o.term} for o in r.missed],
            "forbidden": [{"article": o.article, "index": o.index, "rendering": o.forbidden}
                          for o in r.forbidden],
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
            for o in r.forbidden:
                click.echo(f"  forbidden {o.forbidden!r} used in {o.article} #{o.index}")
        click.echo(f"{len(reports)} terms, {missed} missed occurrences, {forbidden} forbidden "
                   "renderings.", err=True)
    if missed or forbidden:
        raise SystemExit(EXIT_INCOMPLETE)


@glossary_group.command("suggest", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option("Output JSON: a list of candidates.")
@click.option("--min-articles", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only candidates found in at least this many articles.")
@click.option("--min-occurrences", type=click.IntRange(min=1), default=2, show_default=True,
              help="Only candidates found at least this many times in all.")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show at most this many (0: all).")
@click.option("--glossary", "glossary_dir", type=click.Path(path_type=Path),
              help="Glossary whose terms are not proposed again. [default: the project's]")
@setting_options("cache_path")
@fail_on_errors
def glossary_suggest(out_dir: Path, json_: bool, min_articles: int, min_occurrences: int,
                     limit: int, glossary_dir: Path | None, cache_path: Path | None) -> None:
    """Propose glossary terms: the run's automatic names, then names and titles that recur.

    First the automatic names the run protected (unseen Vietnamese names, flagged
    name:unconfirmed), most frequent first, each with the command that accepts it with every
    form the run has. Then capitalised sequences of two or more words (Latin or Cyrillic),
    and title words that stand before names. Inflected forms are one candidate; nothing the
    glossary already matches is proposed. Each shows its forms, languages, articles, an
    example and the English the model wrote for it, so inconsistent renderings stand out.
    Most widespread first. The last line is the command that adds the top candidate.

    \b
    Examples:
      workbench glossary suggest out/
      workbench glossary suggest out/ --min-articles 3 --json > candidates.json
    """
    folder = glossary_folder(glossary_dir)
    glossary = load_glossary([folder]) if folder is not None else Glossary()
    settings = build_settings(cache_path=cache_path)
    with TranslationCache(settings.cache_path) as cache:
        candidates = suggest_run(out_dir, glossary, BlobBuffer(cache), min_articles,
                                 min_occurrences)
    used = used_names(read_records(out_dir), glossary)
    automatic = {id(c) for c in used}
    candidates = [*used, *(c for c in candidates if not covered(c, used))]
    shown = candidates[:limit] if limit else candidates
    if json_:
        click.echo(json.dumps([{**c.to_dict(), **({"auto": True, "add_command": accept_command(
            c)} if id(c) in automatic else {})} for c in shown], ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(candidates)} candidates in {out_dir}"
               + (f", the first {len(shown)}" if len(shown) < len(candidates) else "")
               + (f"; {count(len(used), 'automatic name')} first, most frequent first; then "
                  if used else ", ") + "most widespread first:\n")
    for n, c in enumerate(shown, 1):
        click.echo(f"{n:2}. {c.source}  ({'automatic name, ' if id(c) in automatic else ''}"
                   f"{c.type}; {count(len(c.articles), 'article')}, "
                   f"{count(c.occurrences, 'occurrence')}; {', '.join(sorted(c.languages))})")
        click.echo(f"    forms: {', '.join(f for f, _ in c.forms.most_common())}")
        english = ", ".join(f"{t or '(not in the English)'} ×{k}"
                            for t, k in c.english.most_common(4))
        flag = "  INCONSISTENT" if len([t for t in c.english if t]) > 1 else ""
        click.echo(f"    English: {english}{flag}")
        if c.example is not None:
            click.echo(f"    e.g. {safe_text(c.example.article)} #{c.example.index}: "
                       f"{example_around(safe_text(c.example.src), list(c.forms))}")
        if id(c) in automatic:
            click.echo(f"    accept: {accept_command(c)}")
    if shown and id(shown[0]) not in automatic:
        click.echo(f"\nTo add the top candidate (check its English first):\n"
                   f"  {add_command(shown[0])}")
