"""Write a run's derived formats (``outputs.formats``) from its JSON Lines.

Reviewer corrections applied after the run (``workbench corrections apply``) are folded in
first: ``records.jsonl`` is rewritten with them as ``approved``, so every format agrees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.glossary.enforce import verify_approved
from workbench.glossary.exchange import omegat_rows
from workbench.glossary.store import load_glossary
from workbench.outputs.formats import FORMATS, OutputFormat, WriteOptions
from workbench.outputs.ownership import names_written
from workbench.outputs.parts import merge_parts, read_parts_manifest
from workbench.outputs.run_folder import (
    ARTICLES,
    RECORDS,
    RunWriter,
    raw_articles,
    read_articles,
    read_manifest,
    write_manifest,
)
from workbench.qa.checks import with_qa
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Record, Status
from workbench.run.progress import NoProgress, Progress
from workbench.text.normalize import json_without_surrogates

#: Statuses an approved correction may replace.
REPLACEABLE = frozenset({Status.TRANSLATED, Status.CACHED, Status.NO_MODEL, Status.FAILED,
                         Status.APPROVED})


def export(out_dir: Path, formats: Sequence[str], include_kept: bool = False,
           cache: TranslationCache | None = None, previous: dict | None = None,
           progress: Progress | None = None) -> list[Path]:
    """Write the requested formats next to the JSON Lines; return the files written.

    With a cache, approved corrections are applied to ``records.jsonl`` first. ``previous``
    is the run's manifest before this run: formats it had derived from the very same records
    (same digest, same options) and whose files are still there are not written again, so a
    re-run that changed nothing costs no rendering.
    """
    written = []
    if not (out_dir / RECORDS).is_file() and read_parts_manifest(out_dir) is not None:
        merge_run_parts(out_dir)
        written += [out_dir / RECORDS, out_dir / ARTICLES]
    if cache is not None and apply_approvals(out_dir, cache):
        written.append(out_dir / RECORDS)
    manifest = read_manifest(out_dir)
    current = {f for f in formats if _still_current(FORMATS[f], out_dir, manifest, previous,
                                                    include_kept)}
    todo = [FORMATS[name] for name in formats
            if name not in current and FORMATS[name].write is not None]
    # The glossary is read only for OmegaT projects about to be written, not current ones.
    options = WriteOptions(include_kept=include_kept,
                           glossary_rows=_glossary_rows(manifest)
                           if FORMATS["omegat"] in todo else None)
    progress = progress or NoProgress()
    if todo:
        progress.start("Writing outputs", len(todo))
    for fmt in todo:
        fmt.write(out_dir, options)  # type: ignore[misc]
        written.append(fmt.paths(out_dir)[0])
        progress.advance(1)
    if todo:
        progress.finish()
    if manifest:
        derived = set(manifest.get("derived") or []) | {
            f for f in formats if FORMATS[f].write is not None}
        write_manifest(out_dir, {**manifest, "derived": sorted(derived),
                                 "include_kept": include_kept,
                                 "written": names_written(out_dir)})
    return written


def merge_run_parts(out_dir: Path) -> None:
    """Join a cluster run's parts into ``records.jsonl`` and ``articles.jsonl``.

    ``run.json`` then names their digests, as a local run's does.
    """
    writer = merge_parts(out_dir)
    manifest = read_manifest(out_dir)
    if manifest:
        version = (manifest.get("glossary") or {}).get("version", "")
        write_manifest(out_dir, {**manifest, "records_sha256": writer.digest,
                                 "outputs_sha256": writer.outputs_digest(version),
                                 "written": names_written(out_dir)})


def _glossary_rows(manifest: dict) -> Callable[[str], list[tuple[str, str, str]]] | None:
    """The run's glossary as OmegaT rows per language (None: the run used none)."""
    paths = [Path(p) for p in (manifest.get("glossary") or {}).get("files", [])]
    paths = [p for p in paths if p.exists()]
    if not paths:
        return None
    glossary = load_glossary(paths)
    return lambda lang: omegat_rows(glossary, lang)


def _still_current(fmt: OutputFormat, out_dir: Path, manifest: dict, previous: dict | None,
                   include_kept: bool) -> bool:
    if fmt.write is None:
        return True  # the run itself wrote it
    return (bool(previous) and previous.get("outputs_sha256") is not None
            and previous.get("outputs_sha256") == manifest.get("outputs_sha256")
            and fmt.name in (previous.get("derived") or [])
            and previous.get("include_kept") == include_kept
            and all(path.exists() for path in fmt.paths(out_dir)))


def apply_approvals(out_dir: Path, cache: TranslationCache) -> int:
    """Rewrite the run's records with the cache's approved English; return how many changed."""
    if not cache.has_approvals():
        return 0
    changed = Counter[str]()
    _rewrite(out_dir, _approved_articles(read_articles(out_dir), cache, changed), changed)
    return changed["records"]


def replace_records(out_dir: Path, new: Mapping[tuple[str, int], Record],
                    checked: Callable[[list[Record]], list[Record]],
                    glossary_version: str) -> int:
    """Rewrite the run's records with some replaced, keyed (article, index); return how many.

    For segments translated again after a glossary edit (the review desk): each article with
    a replaced record has its QA run again by ``checked``, and ``run.json`` names the
    glossary version the records now follow.
    """
    changed = Counter[str]()
    touched = {article for article, _ in new}
    statuses: Counter[str] = Counter()
    with RunWriter(out_dir) as writer:
        # Untouched articles are copied line for line (a 5,000-article run has 5 touched).
        for article, info_line, lines in raw_articles(out_dir):
            if article not in touched:
                statuses.update(str(data.get("status")) for _, data in lines)
                writer.write_lines(info_line, [line for line, _ in lines])
                continue
            info = ArticleInfo.from_dict(json_without_surrogates(info_line))
            records = [Record.from_dict(data) for _, data in lines]
            changed["records"] += sum((r.article, r.index) in new for r in records)
            records = checked([new.get((r.article, r.index), r) for r in records])
            statuses.update(r.status.value for r in records)
            writer.write(info, records)
    _update_manifest(out_dir, writer, statuses, changed, glossary_version)
    return changed["records"]



def _rewrite(out_dir: Path, articles: Iterator[tuple[ArticleInfo, list[Record]]],
             changed: Counter[str], glossary_version: str | None = None) -> None:
    """Write ``records.jsonl`` again from ``articles``; ``run.json`` follows if any changed."""
    statuses: Counter[str] = Counter()
    with RunWriter(out_dir) as writer:
        for info, records in articles:
            statuses.update(r.status.value for r in records)
            writer.write(info, records)
    _update_manifest(out_dir, writer, statuses, changed, glossary_version)


def _update_manifest(out_dir: Path, writer: RunWriter, statuses: Counter[str],
                     changed: Counter[str], glossary_version: str | None) -> None:
    """``run.json`` follows a rewrite that changed records: counts, digests, glossary."""
    manifest = read_manifest(out_dir)
    if manifest and changed["records"]:
        glossary = dict(manifest.get("glossary") or {})
        if glossary_version is not None:
            glossary["version"] = glossary_version
        manifest.update(statuses=dict(sorted(statuses.items())), records_sha256=writer.digest,
                        outputs_sha256=writer.outputs_digest(glossary.get("version", "")),
                        glossary=glossary, derived=[])
        write_manifest(out_dir, manifest)


def _approved_articles(articles: Iterator[tuple[ArticleInfo, list[Record]]],
                       cache: TranslationCache, changed: Counter[str]
                       ) -> Iterator[tuple[ArticleInfo, list[Record]]]:
    for info, records in articles:
        wanted: dict[tuple[str, str], list[str]] = {}
        for r in records:
            if r.status in REPLACEABLE and r.kind in TRANSLATED_KINDS:
                wanted.setdefault((r.src_lang, r.tgt_lang), []).append(r.src)
        approved = {pair: cache.approved(*pair, sources) for pair, sources in wanted.items()}
        out = []
        for r in records:
            text = approved.get((r.src_lang, r.tgt_lang), {}).get(r.src) \
                if r.status in REPLACEABLE else None
            if text is not None and (text != r.tgt or r.status != Status.APPROVED):
                r = with_qa(replace(r, tgt=text, status=Status.APPROVED, score=None,
                                    glossary=verify_approved(text, r.glossary)))
                changed["records"] += 1
            out.append(r)
        yield info, out
