"""Write a run's other formats (TMX, review page) from its JSON Lines outputs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from workbench.emit.jsonl import read_lines
from workbench.emit.review import write_review
from workbench.emit.tmx import write_tmx
from workbench.errors import InputError
from workbench.records import ArticleInfo, Record

FORMATS = ("jsonl", "tmx", "html")
TMX = "records.tmx"
REVIEW = "review.html"


def read_run(out_dir: Path) -> Iterator[tuple[ArticleInfo, list[Record]]]:
    """Articles and their records, in order, from a run's output directory."""
    records_path, articles_path = out_dir / "records.jsonl", out_dir / "articles.jsonl"
    for path in (records_path, articles_path):
        if not path.is_file():
            raise InputError(path, "missing; run `workbench translate` first")
    by_article: dict[str, list[Record]] = {}
    for data in read_lines(records_path):
        record = Record.from_dict(data)
        by_article.setdefault(record.article, []).append(record)
    for data in read_lines(articles_path):
        info = ArticleInfo.from_dict(data)
        yield info, by_article.get(info.article, [])


def export(out_dir: Path, formats: Sequence[str], include_kept: bool = False) -> list[Path]:
    """Write the requested formats next to the JSON Lines; return the files written."""
    written = []
    if "tmx" in formats:
        path = out_dir / TMX
        write_tmx((r for _, records in read_run(out_dir) for r in records), path, include_kept)
        written.append(path)
    if "html" in formats:
        manifest_path = out_dir / "run.json"
        manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() \
            else {}
        path = out_dir / REVIEW
        write_review(read_run(out_dir), path, manifest)
        written.append(path)
    return written
