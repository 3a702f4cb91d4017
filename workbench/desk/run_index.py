"""An index of a run's records: where each article's lines are, and what the index page shows.

The desk never holds the records of a whole run: ``records.jsonl`` is read once to note each
article's byte range, headline, counts per status and flag, and the keys of its reviewable
sources (to count progress against the cache's approvals). An article is read back from its
range when it is opened. The index is built again when ``records.jsonl`` changes on disk (a
``translate`` or ``export`` while the desk runs).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from workbench.cache.keys import text_key
from workbench.errors import InputError
from workbench.outputs.review_pages import review_flags
from workbench.outputs.run_folder import (
    ARTICLES,
    RECORDS,
    placed_records,
    read_article_infos,
    records_between,
)
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Kind, Record, Status


def short_key(key: str) -> int:
    """A text key as a 64-bit int: a run's worth of them fits in a few megabytes."""
    return int(key[:16], 16)


def review_key(record: Record) -> int | None:
    """The approval key of a record a reviewer can approve (None: nothing to review)."""
    if record.kind not in TRANSLATED_KINDS or record.status is Status.KEPT:
        return None
    return short_key(text_key(record.src_lang, record.tgt_lang, record.src))


@dataclass(slots=True)
class ArticleEntry:
    """One article of the run, as the index page lists it."""

    article: str
    position: int
    info: ArticleInfo
    start: int = 0  # byte range of its records in records.jsonl
    end: int = 0
    headline: str = ""
    titled: bool = False  # the headline is the article's title (not its first line)
    statuses: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    keys: tuple[int, ...] = ()  # review keys of its reviewable records

    def reviewed(self, approved: set[int]) -> int:
        """How many of its reviewable records have approved English."""
        return sum(key in approved for key in self.keys)


def _shortened(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from err
    return st.st_ino, st.st_size, st.st_mtime_ns


@dataclass
class RunIndex:
    """Every article of a run, in run order, and how to read one back."""

    out_dir: Path
    articles: dict[str, ArticleEntry]
    stamp: tuple[int, int, int]
    #: How many reviewable records of the run have each review key (repeats share one).
    occurrences: Counter[int] = field(default_factory=Counter)

    @classmethod
    def build(cls, out_dir: Path) -> RunIndex:
        """Read ``records.jsonl`` and ``articles.jsonl`` once.

        Raises:
            InputError: a file is missing or a line is damaged (``file:line: problem``).
        """
        stamp = _stamp(out_dir / RECORDS)
        entries: dict[str, ArticleEntry] = {}
        for info in read_article_infos(out_dir):
            entries.setdefault(info.article, ArticleEntry(info.article, len(entries), info))
        current: ArticleEntry | None = None
        keys: list[int] = []
        occurrences: Counter[int] = Counter()
        for start, end, record in placed_records(out_dir):
            if current is None or record.article != current.article:
                if current is not None:
                    current.keys = tuple(keys)
                    occurrences.update(keys)
                current = entries.get(record.article)
                if current is None:
                    raise InputError(out_dir / RECORDS, f"record of article "
                                     f"{record.article[:60]!r} is not in {ARTICLES} (the two "
                                     "files are from different runs?)")
                current.start, keys = start, []
            current.end = end
            current.statuses[record.status.value] += 1
            current.flags.update(review_flags(record))
            if record.tgt and record.kind in TRANSLATED_KINDS and (
                    not current.headline or (record.kind is Kind.TITLE and not current.titled)):
                # The English title; an article without one shows its first English line.
                current.headline = record.tgt if record.kind is Kind.TITLE \
                    else _shortened(record.tgt)
                current.titled = record.kind is Kind.TITLE
            if (key := review_key(record)) is not None:
                keys.append(key)
        if current is not None:
            current.keys = tuple(keys)
            occurrences.update(keys)
        return cls(out_dir, entries, stamp, occurrences)

    def is_current(self) -> bool:
        """Whether ``records.jsonl`` is still the file this index was built from."""
        try:
            return _stamp(self.out_dir / RECORDS) == self.stamp
        except InputError:
            return False

    def records(self, article: str) -> list[Record]:
        """One article's records, read back from its byte range.

        Raises:
            KeyError: no such article in the run.
        """
        entry = self.articles[article]
        return records_between(self.out_dir, entry.start, entry.end) if entry.end else []
