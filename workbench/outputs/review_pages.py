"""The review pages: an index of articles and one side-by-side page per article.

Each page is self-contained and safe with untrusted text.

Rendered with Jinja2 and ``autoescape=True``: every piece of article text is escaped, so a
``<script>`` in an article shows as text. The page makes no network requests (inline CSS and
JS, no fonts or images). The index lists every article with its counts per status and flag,
sortable and filterable; an article page filters by flag and kind, searches, and lets the
reviewer edit the English. Edits are kept in the browser's localStorage across pages, and
"Download corrections" on any page saves them all as JSON for ``workbench corrections apply``
(no server needed, nothing to keep running). Pages are written one article at a time, so a
run of any size is never held in memory.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from workbench import __version__
from workbench.cache.fingerprint import code_fingerprint
from workbench.cache.keys import key_of
from workbench.errors import OutputError
from workbench.outputs.atomic import _umask, atomic_write
from workbench.outputs.jsonl import dumps
from workbench.outputs.run_folder import REVIEW_PAGES as PAGES
from workbench.qa.checks import CHECKS, findings
from workbench.records import TERM_TYPES, ArticleInfo, Record, Status, shown_status


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
    if record.status == Status.NO_MODEL:
        flags.append("no-model")
    if record.status == Status.FAILED:
        flags.append("failed")
    if any("duplicate-of:" in f for f in record.flags):
        flags.append("duplicate")
    if "glued" in record.flags:
        flags.append("glued")
    if any(f.startswith("lang-guess:") for f in record.flags):
        flags.append("lang-guess")
    flags.extend(f for f in record.flags if f in CHECKS)  # QA's, set when records are made
    if record.status == Status.APPROVED:
        flags.append("approved")
    return flags


def safe_link(url: str | None) -> str | None:
    """Only http(s) URLs become links (no ``javascript:``)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


#: Every flag a page can filter on, in the order the filters list them.
FLAGS = ("missed-term", *CHECKS, "no-model", "failed", "duplicate", "glued", "lang-guess",
         "approved")


@dataclass
class ArticleSummary:
    """What the index shows of one article (small: the index holds one per article)."""

    info: ArticleInfo
    href: str
    segments: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    flags: list[tuple[str, int]] = field(default_factory=list)
    flagged: int = 0  # segments with a flag a reviewer should look at (approved is not one)


def summarize(info: ArticleInfo, records: list[Record], href: str) -> ArticleSummary:
    """Counts per status and per flag of one article."""
    flags: Counter[str] = Counter()
    flagged = 0
    for record in records:
        found = set(review_flags(record))
        flags.update(found)
        flagged += bool(found - {"approved"})
    return ArticleSummary(info, href, len(records),
                          dict(Counter(shown_status(r.status).value for r in records)),
                          [(f, flags[f]) for f in FLAGS if flags[f]], flagged)


def write_review(articles: Callable[[], Iterable[tuple[ArticleInfo, list[Record]]]],
                 path: Path, manifest: dict | None = None) -> int:
    """Write the index page at ``path`` and one page per article beside it in ``review/``.

    ``articles`` is called twice (a first pass counts, the second renders), so neither the
    run nor a rendered page is ever held in memory whole. The pages folder is replaced in one
    rename; the index is written last. Returns the number of articles.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape  # slow to import

    env = Environment(loader=PackageLoader("workbench.outputs", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    manifest = manifest or {}
    run_id = f"{manifest.get('started', '')}|{path.parent.resolve()}"
    summaries = [summarize(info, records, f"{PAGES}/{_page_name(n)}")
                 for n, (info, records) in enumerate(articles())]
    flagged = [i for i, s in enumerate(summaries) if s.flagged]  # ascending, for bisect
    page = env.get_template("review_article.html.j2")
    bodies = _Bodies(env.get_template("review_article_body.html.j2"), path.parent / PAGES)
    with staged_folder(path.parent / PAGES) as folder:
        for n, (info, records) in enumerate(articles()):
            after = bisect.bisect_right(flagged, n)
            next_flagged = flagged[after] if after < len(flagged) else None
            context = {
                "article": info.article, "body": bodies.body(n, info, records),
                "run_id": run_id, "flags": FLAGS,
                "term_types": TERM_TYPES,
                "kinds": sorted({r.kind.value for r in records}),
                "position": n + 1, "total": len(summaries),
                "prev": _page_name(n - 1) if n > 0 else None,
                "next": _page_name(n + 1) if n + 1 < len(summaries) else None,
                "next_flagged": _page_name(next_flagged) if next_flagged is not None else None,
            }
            # One small page: render() beats stream() (which yields thousands of pieces),
            # and a plain write will do, since the whole folder is swapped in at the end.
            (folder / _page_name(n)).write_text(page.render(**context), encoding="utf-8")
    totals = Counter[str]()
    for summary in summaries:
        totals.update(dict(summary.flags))
    index = env.get_template("review_index.html.j2")
    with atomic_write(path) as out:
        index.stream(
            articles=summaries, rows=[_row(n, s) for n, s in enumerate(summaries, 1)],
            run_id=run_id, version=__version__, manifest=manifest,
            flags=FLAGS, langs=sorted({s.info.lang for s in summaries if s.info.lang}),
            statuses=[s.value for s in Status if s is not Status.CACHED],
            totals={"segments": sum(s.segments for s in summaries),
                    "flags": [(f, totals[f]) for f in FLAGS if totals[f]]},
        ).dump(out)
    return len(summaries)


def _row(n: int, summary: ArticleSummary) -> dict:
    """One article of the index, as data its script renders (escaped by ``tojson``)."""
    info = summary.info
    return {"n": n, "article": info.article, "href": summary.href, "lang": info.lang or "",
            "site": info.site or "", "date": info.date or "", "segments": summary.segments,
            "statuses": summary.statuses, "flagged": summary.flagged,
            "flags": summary.flags, "error": info.error or ""}


def _page_name(n: int) -> str:
    return f"{n + 1:05d}.html"


class _Bodies:
    """Article bodies, kept from the previous pages when their article has not changed.

    The body of a page (its table) is most of the rendering; what surrounds it (run,
    position, links to neighbours) is rendered every time. A body is reused only when the old
    page at the same position carries the same digest: of the article as shown, and of the
    code and templates that render it.
    """

    def __init__(self, template: Any, old_folder: Path) -> None:
        self._template = template
        self._old = old_folder
        self._code = code_fingerprint(*PAGE_CODE)

    def body(self, n: int, info: ArticleInfo, records: list[Record]) -> Markup:
        key = key_of([self._code, dumps(info.to_dict()),
                      *(dumps({**r.to_dict(), "status": shown_status(r.status).value})
                        for r in records)])
        old = self._old_body(self._old / _page_name(n), key)
        if old is not None:
            return Markup(old)
        return Markup(self._template.render(a=_article_context(info, records), digest=key))

    @staticmethod
    def _old_body(path: Path, key: str) -> str | None:
        start = f"<!--body:{key}-->"
        try:
            # None yet; a special file, which could block a read; or one too large to be ours.
            if not path.is_file() or path.stat().st_size > MAX_REUSED_PAGE_BYTES:
                return None
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None  # gone meanwhile, or not text we wrote
        begin = text.find(start)
        end = text.find(_BODY_END, begin)
        if begin < 0 or end < 0:
            return None
        return text[begin:end + len(_BODY_END)]


_BODY_END = "<!--/body-->"
#: Larger old pages are not read back (their article is rendered again).
MAX_REUSED_PAGE_BYTES = 16 * 1024 * 1024
#: The code and templates that render a page body.
PAGE_CODE = ("workbench.outputs:templates", "workbench.outputs.review_pages",
             "workbench.qa.checks", "workbench.records")


def _article_context(info: ArticleInfo, records: list[Record]) -> dict:
    return {
        "info": info, "link": safe_link(info.source_url),
        "records": [{
            "record": r, "status": shown_status(r.status).value, "flags": review_flags(r),
            "src": fragments(r.src, [h.term for h in r.glossary]),
            "tgt": fragments(r.tgt, [h.target for h in r.glossary if h.found]),
            "missed": [h for h in r.glossary if not h.found],
            "qa": findings(r) if any(f.startswith("qa:") for f in r.flags) else [],
        } for r in records],
    }


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Fill a new folder, then swap it in for ``final`` (old pages never mix with new).

    Raises:
        OutputError: the folder cannot be written.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    except OSError as err:
        raise OutputError(final, f"cannot write: {err.strerror or err}") from err
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())
        if final.exists():
            old = final.with_name(f".{final.name}-old-{os.getpid()}")
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except OSError as err:
        raise OutputError(final, f"cannot write: {err.strerror or err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
