"""``workbench corrections``: reviewers' English and proposed terms, into the run's cache."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import click

from workbench.cache.store import TranslationCache
from workbench.cli.base import (
    CONTEXT,
    EXIT_INCOMPLETE,
    build_settings,
    cli,
    fail_on_errors,
    setting_options,
)
from workbench.cli.glossary import glossary_folder
from workbench.display import safe_text
from workbench.errors import InputError
from workbench.glossary import edit as glossary_edit
from workbench.glossary.edit import TermProposal
from workbench.outputs.run_folder import run_cache
from workbench.review.apply import ApplyReport, apply_file
from workbench.review.corrections import (
    ReviewFileInfo,
    describe_review_file,
    review_source,
)

#: Embeddings, overrides and isolates: a unit id holding one would reorder the line shown.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@cli.group("corrections", context_settings=CONTEXT)
def corrections_group() -> None:
    """Reviewer corrections: approved English that wins over machine translation."""


@corrections_group.command("apply", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@setting_options("cache_path")
@click.option("--glossary", "glossary_dir", type=click.Path(path_type=Path),
              help="Glossary that proposed terms go to. [default: the project's glossary/]")
@fail_on_errors
def corrections_apply(files: tuple[Path, ...], cache_path: Path | None,
                      glossary_dir: Path | None) -> None:
    """Store reviewers' corrections as approved translations, and their proposed terms.

    \b
    FILES are any of:
      corrections.json   downloaded from the review pages (every edit is stored)
      records.xlf        XLIFF 1.2 edited in a CAT tool (OmegaT, memoQ, Trados, Okapi),
                         or written back by translate-toolkit's po2xliff
      omegat/xx-en/target/records.xx.xlf
                         what OmegaT wrote for a project of `export --format omegat`
      project_save.tmx   OmegaT's memory, or any TMX 1.1/1.4 a CAT tool exports
      omegat/xx-en/      an OmegaT project folder (its omegat/project_save.tmx is read)
      corrections.jsonl  one correction object per line (as in corrections.json)

    From XLIFF, a unit is approved when its English differs from the machine translation and
    it is marked done (state translated, signed-off or final, or approved="yes"); a file
    with no state at all (OmegaT's) counts every edit as done. From TMX, when its English
    differs. Untouched units are counted as unchanged; a unit whose "English" is its source
    text is refused; units whose source this cache never translated are reported. A file
    that cannot be read is named in one line, the others go on, and the exit code is 3.
    So is a unit whose English holds a control character, a lone surrogate, a
    noncharacter, a bidirectional control or a line break, or one that gives a source
    other English than another unit of the file (neither is stored): each is one line
    naming its file and line (or entry), and the others are stored.
    The next `workbench translate` or `workbench export` shows
    the approved ones with status "approved".

    Glossary terms proposed in the review pages (the "terms" of corrections.json) are added
    as `workbench glossary add` adds them, each validated against the whole glossary; the
    next run re-translates exactly the segments they occur in. A refused proposal is named
    and the others go on (exit code 3).
    """
    infos = {file: describe_review_file(file) for file in files}
    proposing = next((f for f, info in infos.items() if info.proposed_terms), None)
    if proposing is not None and glossary_folder(glossary_dir) is None:
        raise click.UsageError(  # refused before anything is stored
            f"{proposing}: proposes {infos[proposing].proposed_terms} glossary terms but there "
            "is no glossary here; run in a workbench project or pass --glossary FOLDER")
    settings = build_settings(cache_path=cache_path or _run_cache(infos.values()))
    total = refused = unreadable = 0
    with TranslationCache(settings.cache_path) as cache:
        for file in files:
            try:
                report = apply_file(review_source(file), cache)
            except InputError as err:  # one bad file does not stop the others
                click.secho(f"Error: {_shown(str(err))}", fg="red", err=True)
                unreadable += 1
                continue
            total += report.approved
            _say_problems(report)
            click.echo(_summary(file, report), err=True)
            _warn_unmatched(report)
            refused += _add_proposed_terms(file, report.terms, glossary_dir)
            refused += not report.complete
    if unreadable < len(files):
        click.echo(f"Approved {total} corrections in {settings.cache_path}. Re-run "
                   "`workbench translate` (or `workbench export`) to see them in the "
                   "outputs.", err=True)
    if refused or unreadable:
        raise SystemExit(EXIT_INCOMPLETE)


def _shown(line: str) -> str:
    """A line as it can be shown: controls escaped, bidirectional controls too."""
    return _BIDI.sub(lambda found: f"\\u{ord(found.group()):04x}", safe_text(line))


def _say_problems(report: ApplyReport) -> None:
    """One line per refused unit or conflict (the first few hundred, then a count)."""
    for line in report.problems:
        click.secho(_shown(line), fg="red", err=True)
    if report.problem_count > len(report.problems):
        click.secho(f"... and {report.problem_count - len(report.problems)} more such "
                    "lines.", fg="red", err=True)


def _summary(file: Path, report: ApplyReport) -> str:
    """The file's counts in one line; the rarer ones only when there are any."""
    extra = [(report.source_as_english, f"refused {report.source_as_english} whose English "
                                        "is the source text"),
             (report.refused, f"refused {report.refused} that cannot be stored"),
             (report.conflicting, f"left out {report.conflicting} that give one source "
                                  "different English"),
             (report.repeated, f"stored {report.repeated} repeated units once")]
    return (f"{_shown(str(file))}: approved {report.approved}, left unchanged "
            f"{report.unchanged}, edited but not marked done {report.not_done}, could not "
            f"match {report.unmatched}" + "".join(f", {text}" for count, text in extra if count)
            + ".")


def _run_cache(infos: Iterable[ReviewFileInfo]) -> Path | None:
    """The cache the first reviewed run that names one used (None: not known)."""
    return next((cache for info in infos if info.run_dir is not None
                 and (cache := run_cache(info.run_dir)) is not None), None)


def _add_proposed_terms(file: Path, proposals: list[TermProposal],
                        glossary_dir: Path | None) -> int:
    """Add a corrections file's proposed terms; return how many were refused."""
    if not proposals:
        return 0
    glossary = glossary_folder(glossary_dir)
    if glossary is None:
        raise click.UsageError(f"{safe_text(str(file))} proposes {len(proposals)} glossary "
                               "terms but there is no glossary here: run in a workbench "
                               "project or pass --glossary FOLDER")
    refused = 0
    for done in glossary_edit.add_proposals(proposals, glossary):
        proposal = done.proposal
        term = f"{proposal.target!r} ({proposal.type}, {proposal.lang}: {proposal.form!r})"
        if done.refused is not None:
            refused += 1
            click.secho(f"{safe_text(str(file))}: term {term} refused: {done.refused}",
                        fg="red", err=True)
        else:
            click.echo(f"{safe_text(str(file))}: glossary term {term} {done.outcome}",
                       err=True)
    return refused


def _warn_unmatched(report: ApplyReport) -> None:
    unknown_pair = sum(report.unknown_pairs.values())
    unknown_segment = report.unmatched - unknown_pair
    if unknown_pair:
        pairs = sorted(f"{src}→{tgt}" for src, tgt in report.unknown_pairs)
        click.secho(f"Warning: {unknown_pair} corrections are for language pairs this "
                    f"cache has never translated ({', '.join(pairs)}).", fg="yellow", err=True)
    if unknown_segment:
        click.secho(f"Warning: {unknown_segment} corrections are for sentences this "
                    f"cache has never translated (first: {_shown(report.first_unmatched)}). "
                    "Is this the cache of the run they were made on?", fg="yellow", err=True)
