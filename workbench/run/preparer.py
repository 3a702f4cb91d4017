"""Prepared articles and their glossary matches, cached by content.

Preparing an article (normalize, detect, label, segment, per-segment language) and matching
the glossary in it cost far more than looking up its translations. Both depend only on the
file's bytes and on code and settings that rarely change, so both are stored in the cache:

- ``prepared``: key = the file's bytes, the languages considered, and a fingerprint of the
  code that prepares (``workbench/text``) and of the workbench version;
- ``matched``: key = the prepared key, the glossary version and the matcher's code.

So an unchanged file costs a lookup; an edited file, a changed setting or a code change
prepares again exactly what it affects, and a glossary edit re-matches without re-preparing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from workbench.cache.blobs import BlobBuffer
from workbench.cache.fingerprint import code_fingerprint
from workbench.cache.keys import make_key
from workbench.cache.store import TranslationCache
from workbench.errors import InputError
from workbench.files import read_bytes
from workbench.glossary.lemmas import lemmas_version
from workbench.glossary.match import Match, Matcher
from workbench.glossary.store import Glossary
from workbench.records import ArticleInfo, Segment
from workbench.run.prepared_codec import (
    decode_matches,
    decode_prepared,
    encode_matches,
    encode_prepared,
)
from workbench.run.workers import (
    WORKERS_AFTER,
    PreparationWorkers,
    WorkerSetup,
    prepare_content,
)
from workbench.sites.preview import relabels
from workbench.sites.rules import SiteRules, article_site
from workbench.text.html_page import HTML_SUFFIXES, extract_page, looks_like_html
from workbench.text.prepare import PreparedArticle, Relabel, prepare_text
from workbench.text.reader import MAX_ARTICLE_BYTES, ArticleFile, decode_article

#: The code that decides a prepared article, and the glossary matches in it.
PREPARED_CODE = ("workbench.text", "workbench.records", "workbench.run.workers",
                 "workbench.run.prepared_codec")
#: The code that applies site rules to a prepared article.
RULES_CODE = ("workbench.sites",)
MATCHED_CODE = ("workbench.glossary.match", "workbench.glossary.store",
                "workbench.glossary.lemmas", "workbench.run.prepared_codec")


@dataclass(frozen=True, slots=True)
class MatchedArticle:
    """A prepared article and its glossary matches, ready to translate.

    ``matches`` maps a segment index to its matches; None means "not looked for yet" (the
    translation step then looks itself).
    """

    info: ArticleInfo
    segments: tuple[Segment, ...]
    matches: dict[int, tuple[Match, ...]] | None = None


@dataclass
class Pending:
    """An article on its way: prepared already (or failed), or being prepared by a worker."""

    file: ArticleFile
    key: str = ""
    article: PreparedArticle | None = None
    error: InputError | None = None
    future: Future[tuple[bytes, bytes, tuple[int, ...]]] | None = None
    fresh: bool = False  # prepared in this run: to be stored
    reader: str = ""
    data: bytes = b""  # kept only while a worker has it, to prepare here if the worker dies

    def done(self) -> bool:
        """Whether :meth:`Preparer.finish` will not wait."""
        return self.future is None or self.future.done()


@dataclass
class Preparer:
    """Prepare articles through the cache; ``find`` matches the glossary in one segment.

    ``start`` each article in input order, then ``finish`` each in the same order: new
    articles go to worker processes once a run has enough of them (``workers``: how many;
    0 or 1 keeps everything in this process). ``flush`` and ``stop_workers`` when done.
    """

    cache: TranslationCache
    languages: tuple[str, ...]
    glossary: Glossary
    find: Callable[[Segment], tuple[Match, ...]]
    wanted: Callable[[Segment], bool]  # which segments are translated (and so matched)
    target: str = "en"
    workers: int = 1
    matchers: Callable[[], Mapping[str, Matcher]] = dict  # the run's, for worker processes
    reused: int = 0  # articles whose preparation came from the cache
    matched: int = 0  # articles whose glossary matches were computed in this run
    seconds: float = 0.0  # time spent preparing (the caller measures it)
    rules: SiteRules = field(default_factory=SiteRules)  # the project's site rules
    relabelled: int = 0  # articles whose labels site rules changed

    def __post_init__(self) -> None:
        self._blobs = BlobBuffer(self.cache)  # prepared articles and matches, to store
        self._terms = {term.id: term for term in self.glossary.terms}
        self._code = code_fingerprint(*PREPARED_CODE)
        self._match_code = code_fingerprint(*MATCHED_CODE) + lemmas_version()
        self._rules_code = code_fingerprint(*RULES_CODE) if self.rules.sets else ""
        self._new = 0
        self._workers: PreparationWorkers | None = None

    @property
    def in_flight(self) -> int:
        """How many started articles may wait before the oldest must be finished."""
        return self._workers.in_flight if self._workers else 0

    def prepare(self, file: ArticleFile) -> PreparedArticle:
        """The prepared article with its matches, from the cache when the file is unchanged.

        Raises:
            InputError: the file cannot be read or decoded.
        """
        return self.finish(self.start(file))

    def start(self, file: ArticleFile, ahead: int | None = None) -> Pending:
        """Look the article up, or start preparing it (here, or in a worker).

        ``ahead`` is how many articles are known to follow (None: unknown). Workers start
        once the run has met ``WORKERS_AFTER`` new articles, and only when at least as many
        may follow: a run that is nearly over would wait for them to start.
        """
        try:
            reader = _reader(file, data := _content(file))
        except InputError as err:
            return Pending(file, error=err)
        key = make_key(self._code, ",".join(self.languages), reader, data)
        blob = self._blobs.get("prepared", key)
        if blob is not None:
            if (stored := decode_prepared(blob, file)) is not None:
                ruled = self._with_rules(Pending(file, key, article=stored), reader, data)
                self.reused += not ruled.fresh
                return ruled
            self.cache.damaged += 1  # prepared again, and stored over it
        self._new += 1
        if self._workers is None and self.workers > 1 and self._new > WORKERS_AFTER and (
                ahead is None or ahead >= WORKERS_AFTER):
            setup = WorkerSetup(self.languages, dict(self.matchers()), self.wanted)
            self._workers = PreparationWorkers(setup, self.workers)
        if self._workers is not None:
            try:
                return Pending(file, key, future=self._workers.submit(file, reader, data),
                               fresh=True, reader=reader, data=data)
            except Exception:  # a worker died, or its replacement could not start (Python
                # 3.11 may fail with "bad value(s) in fds_to_keep" while it notices a death):
                # this article and the rest are prepared here
                self._lost_workers()
        try:
            article = prepare_content(file, reader, data, self.languages)
        except InputError as err:
            return Pending(file, error=err)
        return self._with_rules(Pending(file, key, article=article, fresh=True), reader, data)

    def _with_rules(self, pending: Pending, reader: str, data: bytes) -> Pending:
        """The article as its site's rules label it.

        From the cache; as it is when no rule changes a line; or prepared again with the
        rules (and stored under its own key).
        """
        article = pending.article
        assert article is not None
        rules = self.rules.for_site(article_site(article.info.source_url, article.info.site))
        if rules is None:
            return pending
        key = make_key(pending.key, "site-rules", self._rules_code, rules.digest)
        blob = self._blobs.get("prepared", key)
        if blob is not None and (stored := decode_prepared(blob, pending.file)) is not None:
            self.relabelled += 1
            return Pending(pending.file, key, article=stored)
        if not relabels(article.segments, rules.kind_of):
            return pending
        if pending.fresh:  # the article without rules is what later runs look up first
            self._blobs.put("prepared", pending.key, encode_prepared(article))
        self.relabelled += 1
        ruled = prepare_ruled(pending.file, reader, data, self.languages, self.rules.for_article)
        return Pending(pending.file, key, article=ruled, fresh=True)

    def finish(self, pending: Pending) -> MatchedArticle:
        """The started article, prepared, with its glossary matches.

        Raises:
            InputError: the file cannot be read or decoded.
        """
        if pending.error is not None:
            raise pending.error
        if pending.future is not None:
            article_blob, matches, left = self._from_worker(pending)
            self._blobs.put("prepared", pending.key, article_blob)
            article = decode_prepared(article_blob, pending.file)
            assert article is not None  # made by this very code a moment ago
            ruled = self._with_rules(Pending(pending.file, pending.key, article=article),
                                     pending.reader, pending.data)
            if ruled.key == pending.key:
                return self._matched(pending.key, article, matches, left)
            pending = ruled  # relabelled here: the worker's matches are not its segments'
        article = pending.article
        assert article is not None
        if pending.fresh:
            self._blobs.put("prepared", pending.key, encode_prepared(article))
        blob = self._blobs.get("matched", self._match_key(pending.key))
        if blob is not None and (stored := self._stored_matches(blob)) is not None:
            return MatchedArticle(article.info, article.segments, stored)
        return self._matched(pending.key, article, None, ())

    def _match_key(self, key: str) -> str:
        return make_key(key, self.glossary.version, self._match_code, self.target)

    def _matched(self, key: str, article: PreparedArticle,
                 matches: dict[int, tuple[Match, ...]] | None, left: tuple[int, ...]
                 ) -> MatchedArticle:
        """The article with its matches, stored under the article's key.

        Those given, and the segments ``left`` matched here (``matches`` None: every one).
        """
        if matches is None:  # nothing matched yet: every segment is matched here
            matches, left = {}, tuple(seg.index for seg in article.segments if self.wanted(seg))
        matches = dict(sorted({**matches, **{
            index: found for index in left if (found := self.find(article.segments[index]))
        }}.items()))
        self._blobs.put("matched", self._match_key(key), encode_matches(matches))
        self.matched += 1
        return MatchedArticle(article.info, article.segments, matches)

    def _stored_matches(self, blob: bytes) -> dict[int, tuple[Match, ...]] | None:
        try:
            return decode_matches(blob, self._terms)
        except ValueError:
            self.cache.damaged += 1
            return None

    def _from_worker(self, pending: Pending
                     ) -> tuple[bytes, dict[int, tuple[Match, ...]] | None, tuple[int, ...]]:
        """The article as stored, its matches (None: none made), the segments left to match."""
        assert pending.future is not None
        try:
            article_blob, matches_blob, left = pending.future.result()
        except (BrokenProcessPool, CancelledError):  # a worker died (killed, out of memory),
            self._lost_workers()  # or the pool was stopped after one did: go on here
            article = prepare_content(pending.file, pending.reader, pending.data,
                                      self.languages)
            return encode_prepared(article), None, ()
        try:
            matches = decode_matches(matches_blob, self._terms)
        except ValueError:  # cannot happen for one glossary version: match here to be safe
            matches = None
        return article_blob, matches, left

    def flush(self) -> None:
        """Write what was prepared since the last flush."""
        self._blobs.flush()

    def _lost_workers(self) -> None:
        if self._workers is not None:
            self._workers.close(broken=True)
            self._workers = None
        self.workers = 1

    def stop_workers(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None


def prepare_ruled(file: ArticleFile, reader: str, data: bytes, languages: tuple[str, ...],
                  relabel: Relabel) -> PreparedArticle:
    """Prepare an article as ``run.workers.prepare_content`` does, with site rules applied.

    Raises:
        InputError: the bytes cannot be decoded.
    """
    if reader == "text":
        return prepare_text(file, decode_article(file.path, data), languages, relabel=relabel)
    parts = file.parts if reader == "feed" else extract_page(file.path, data)
    assert parts is not None
    return prepare_text(file, parts.text(), languages, parts, relabel)


def _content(file: ArticleFile) -> bytes:
    """What identifies an article's content: its bytes, or a feed entry's fields."""
    if file.parts is not None:
        return file.data or b""
    return file.data if file.data is not None else read_bytes(file.path, MAX_ARTICLE_BYTES)


def _reader(file: ArticleFile, data: bytes) -> str:
    """How an article is read: ``feed`` (structured), ``html`` (a page) or ``text``."""
    if file.parts is not None:
        return "feed"
    suffix = file.path.suffix.lower()
    if suffix in HTML_SUFFIXES or (suffix != ".txt" and looks_like_html(data)):
        return "html"
    return "text"
