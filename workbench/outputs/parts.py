"""A cluster run's outputs in parts, written by the workers, and their manifest.

Each batch of articles is written by the worker that translated it; the manifest lists the
parts in input order.

Layout, in ``OUT/parts/`` (N: the part's number, five digits or more, from 00001)::

    N.records.jsonl    the part's records, as records.jsonl holds them
    N.articles.jsonl   the part's articles, as articles.jsonl holds them
    N.tmx              a complete TMX 1.4b document of the part's units
    N.xlf              a complete XLIFF 1.2 document of the part's articles
    manifest.json      {"layout": 1, "parts": [{"part", "files", "articles", "records",
                       "sha256"}, ...]}, in input order

Each part is written atomically, so a part file is whole or absent; a part written twice (its
worker was lost after writing it) is written the same again. ``merge_parts`` joins the parts
into the single ``records.jsonl`` and ``articles.jsonl`` (``workbench export`` does this),
checking each part against the digest its worker reported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from workbench.errors import InputError
from workbench.outputs.atomic import atomic_write
from workbench.outputs.run_folder import (
    PARTS,
    PARTS_MANIFEST,
    RunWriter,
    hash_article,
    raw_articles,
)
from workbench.outputs.tmx import write_tmx
from workbench.outputs.xliff import write_xliff
from workbench.records import ArticleInfo, Record
from workbench.text.normalize import json_without_surrogates

#: The files of one part: kind -> suffix.
PART_SUFFIXES = {"records": "records.jsonl", "articles": "articles.jsonl", "tmx": "tmx",
                 "xliff": "xlf"}
LAYOUT = 1
#: What Workbench writes in ``parts/``: part files, the manifest, the cache copy workers
#: start from (while a run lasts), and atomic writes' temporary files.
SNAPSHOT = "cache-snapshot.db"
_SUFFIXES = "|".join(re.escape(suffix) for suffix in PART_SUFFIXES.values())
OUR_PART_FILE = re.compile(rf"\d{{5,}}\.(?:{_SUFFIXES})|{re.escape(PARTS_MANIFEST)}|"
                           rf"{re.escape(SNAPSHOT)}|\..+\.tmp")


def part_files(number: int) -> dict[str, str]:
    """The part's file names, relative to the run folder."""
    return {kind: f"{PARTS}/{number:05d}.{suffix}" for kind, suffix in PART_SUFFIXES.items()}


def write_part(out_dir: Path, number: int,
               articles: Sequence[tuple[ArticleInfo, Sequence[Record]]],
               include_kept: bool = False) -> dict:
    """Write one part's four files; return its manifest entry."""
    files = part_files(number)
    (out_dir / PARTS).mkdir(exist_ok=True)
    with RunWriter(out_dir, files["records"], files["articles"]) as writer:
        for info, records in articles:
            writer.write(info, list(records))
    write_tmx((r for _, records in articles for r in records), out_dir / files["tmx"],
              include_kept)
    write_xliff(((info, list(records)) for info, records in articles), out_dir / files["xliff"])
    return {"part": number, "files": files, "articles": len(articles),
            "records": sum(len(records) for _, records in articles), "sha256": writer.digest}


def write_parts_manifest(out_dir: Path, entries: Sequence[dict]) -> None:
    """Write ``parts/manifest.json``: the parts in input order."""
    with atomic_write(out_dir / PARTS / PARTS_MANIFEST) as out:
        json.dump({"layout": LAYOUT, "parts": sorted(entries, key=lambda e: e["part"])},
                  out, ensure_ascii=False, indent=1)
        out.write("\n")


def read_parts_manifest(out_dir: Path) -> dict | None:
    """``parts/manifest.json``, or None when the run wrote no parts."""
    path = out_dir / PARTS / PARTS_MANIFEST
    if not path.is_file():
        return None
    try:
        data = json_without_surrogates(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(path, f"cannot read the parts manifest ({err})") from err
    if not isinstance(data, dict) or not isinstance(data.get("parts"), list) or \
            data.get("layout") != LAYOUT:
        raise InputError(path, f"not a parts manifest of layout {LAYOUT}")
    return data


def merge_parts(out_dir: Path) -> RunWriter:
    """Join the parts into ``records.jsonl`` and ``articles.jsonl``; return their writer.

    The writer's digests are the run's (``run.json``'s ``records_sha256``).

    Raises:
        InputError: no parts manifest, a part missing, or one changed since it was written.
    """
    manifest = read_parts_manifest(out_dir)
    if manifest is None:
        raise InputError(out_dir / PARTS / PARTS_MANIFEST, "missing: this run wrote no parts")
    with RunWriter(out_dir) as writer:
        for entry in manifest["parts"]:
            files = entry["files"]
            digest = hashlib.sha256()
            for _, info_line, lines in raw_articles(out_dir, files["records"],
                                                    files["articles"]):
                record_lines = [line for line, _ in lines]
                hash_article(digest, info_line, record_lines)
                writer.write_lines(info_line, record_lines)
            if digest.hexdigest() != entry["sha256"]:
                raise InputError(out_dir / files["records"], "changed since the run wrote it "
                                 "(its digest differs from parts/manifest.json); translate "
                                 "again to make it afresh")
    return writer


def remove_stale_parts(out_dir: Path, keep: Sequence[dict] = ()) -> list[Path]:
    """Delete what Workbench wrote in ``parts/`` besides the parts of ``keep`` (entries).

    Only names of ours are touched; the folder goes when nothing else is left in it.
    """
    folder = out_dir / PARTS
    kept = {Path(name).name for entry in keep for name in entry["files"].values()}
    if keep:
        kept.add(PARTS_MANIFEST)
    removed = []
    if not folder.is_dir() or folder.is_symlink():
        return removed
    for path in sorted(folder.iterdir()):
        if OUR_PART_FILE.fullmatch(path.name) and path.name not in kept and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty
    return removed
