"""The side-by-side review page: one self-contained HTML file, safe with untrusted text.

Rendered with Jinja2 and ``autoescape=True``: every piece of article text is escaped, so a
``<script>`` in an article shows as text. The page makes no network requests (inline CSS and
JS, no fonts or images). Reviewers filter by flag, kind and language, search text, and edit
the English; "Download corrections" saves their edits as JSON for
``workbench corrections apply`` (no server needed, nothing to keep running).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from workbench import __version__
from workbench.emit.atomic import atomic_write
from workbench.records import ArticleInfo, Record, Status

#: Mean log-probability per token below which a translation is flagged for review.
LOW_CONFIDENCE = -1.2


@dataclass(frozen=True)
class Fragment:
    """A piece of text, and whether it is a glossary term (to highlight)."""

    text: str
    term: bool


def fragments(text: str | None, terms: Iterable[str]) -> list[Fragment]:
    """Split text into plain and glossary-term pieces, longest terms first."""
    if not text:
        return []
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    if not wanted:
        return [Fragment(text, False)]
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    pieces, cursor = [], 0
    for match in pattern.finditer(text):
        if match.start() > cursor:
            pieces.append(Fragment(text[cursor:match.start()], False))
        pieces.append(Fragment(match.group(0), True))
        cursor = match.end()
    if cursor < len(text):
        pieces.append(Fragment(text[cursor:], False))
    return pieces


def review_flags(record: Record) -> list[str]:
    """What a reviewer should look at in a record."""
    flags = []
    if any(not hit.found for hit in record.glossary):
        flags.append("missed-term")
    if record.score is not None and record.score < LOW_CONFIDENCE:
        flags.append("low-confidence")
    if record.status == Status.NO_MODEL:
        flags.append("no-model")
    if record.status == Status.FAILED:
        flags.append("failed")
    if any("duplicate-of:" in f for f in record.flags):
        flags.append("duplicate")
    if "glued" in record.flags:
        flags.append("glued")
    if record.status == Status.APPROVED:
        flags.append("approved")
    return flags


def safe_link(url: str | None) -> str | None:
    """Only http(s) URLs become links (no ``javascript:``)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def write_review(articles: Iterable[tuple[ArticleInfo, list[Record]]], path: Path,
                 manifest: dict | None = None) -> int:
    """Render the review page; return the number of articles shown."""
    from jinja2 import Environment, PackageLoader, select_autoescape  # slow to import

    env = Environment(loader=PackageLoader("workbench", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    rows = []
    for info, records in articles:
        rows.append({
            "info": info, "link": safe_link(info.source_url),
            "records": [{
                "record": r, "flags": review_flags(r),
                "src": fragments(r.src, [h.term for h in r.glossary]),
                "tgt": fragments(r.tgt, [h.target for h in r.glossary if h.found]),
                "missed": [h for h in r.glossary if not h.found],
            } for r in records],
        })
    kinds = sorted({r["record"].kind.value for a in rows for r in a["records"]})
    langs = sorted({r["record"].src_lang for a in rows for r in a["records"]})
    html = env.get_template("review.html.j2").render(
        articles=rows, kinds=kinds, langs=langs, version=__version__,
        manifest=manifest or {}, low_confidence=LOW_CONFIDENCE)
    with atomic_write(path) as out:
        out.write(html)
    return len(rows)
