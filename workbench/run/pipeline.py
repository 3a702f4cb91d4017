"""Compose the steps: prepared articles in, records out, with the translation step batched.

Articles are processed in chunks so a folder of thousands is never held in memory at once.
Within a chunk every segment that needs translating is looked up in the cache together; the
misses of each language pair are de-duplicated, sorted by length and sent to the engine in
token-bounded batches, and each batch is committed to the cache as soon as it is done.
This module does no I/O of its own beyond the cache and engine it is given.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from workbench.cache.blobs import BlobBuffer
from workbench.cache.store import TranslationCache
from workbench.display import display_path, safe_text
from workbench.engines.base import Engine
from workbench.errors import InputError
from workbench.glossary.auto_names import AutoNames
from workbench.glossary.enforce import protect
from workbench.glossary.lemmas import lemma_matcher, ready_matcher
from workbench.glossary.match import Match, Matcher
from workbench.glossary.store import Glossary
from workbench.qa.memo import QAMemo
from workbench.records import (
    TRANSLATED_KINDS,
    ArticleInfo,
    Record,
    Segment,
    Status,
)
from workbench.run.batches import Job, translate_pair
from workbench.run.batches import token_batches as _token_batches  # noqa: F401 (tests)
from workbench.run.preparer import MatchedArticle
from workbench.run.progress import NoProgress, Progress
from workbench.run.stats import RunStats
from workbench.text.detect import script_of_language

#: Languages whose segments are never sent to an xx→en model (Vietnamese quotes, say).
UNTRANSLATED_LANGUAGES = frozenset({"vi"})
#: Articles are translated this many segments at a time (bounded memory, good batches).
#: 10,000 holds 13 MB less than 20,000 at the same speed (1,000-article scale corpus, cold);
#: 5,000 saves 2 MB more but loads each model twice as often.
CHUNK_SEGMENTS = 10_000

EngineLookup = Callable[[str, str], Engine | None]


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One article's metadata and records, in order."""

    info: ArticleInfo
    records: tuple[Record, ...]


@dataclass
class RunContext:
    """What the translation step works with: engines, cache, glossary, matchers, QA memo.

    Also the run's statistics, and where it reports progress.
    """

    engines: EngineLookup
    cache: TranslationCache
    stats: RunStats
    glossary: Glossary = field(default_factory=Glossary)
    tgt: str = "en"
    progress: Progress = field(default_factory=NoProgress)
    _matchers: dict[str, Matcher] = field(default_factory=dict)
    #: The run's unseen names, merged after the curated matches (None: no automatic names).
    auto: AutoNames | None = None
    _names_gate: re.Pattern[str] | None = None
    #: QA of each article's records, from the cache when they are unchanged.
    qa: QAMemo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.qa = QAMemo(self.cache)

    def matcher(self, lang: str) -> Matcher:
        """The glossary matcher of a language, built once."""
        if lang not in self._matchers:
            matcher, notice = lemma_matcher(self.glossary, lang, BlobBuffer(self.cache))
            if notice:
                self.stats.notices.append(notice)
            self._matchers[lang] = matcher
        return self._matchers[lang]

    def ready_matchers(self, languages: Iterable[str]) -> dict[str, Matcher]:
        """The matchers of those languages that need no dictionary lookup to build."""
        for lang in languages:
            if lang not in self._matchers and (ready := ready_matcher(self.glossary, lang,
                                                                      BlobBuffer(self.cache))):
                self._matchers[lang] = ready
        return {lang: self._matchers[lang] for lang in languages if lang in self._matchers}

    def job(self, seg: Segment, matches: tuple[Match, ...] | None = None) -> Job:
        """Protect a segment's glossary terms and make it a job (matching if not given)."""
        if matches is None:
            matches = self.find(seg)
        if self.auto is not None and self._may_hold_names(seg.text):
            # Curated matches win; the names no curated match overlaps join them.
            matches = tuple(self.auto.find(seg.text, seg.src_lang, matches))
        return Job(seg, protect(seg.text, list(matches)))

    def _may_hold_names(self, text: str) -> bool:
        """A cheap test first: the text has the first word of a form of the run's names.

        Most segments hold none; finding names costs far more than this one search.
        """
        if self._names_gate is None:
            assert self.auto is not None
            firsts = {form.split()[0] for name in self.auto.names for forms in
                      name.forms.values() for form in forms if form.split()}
            self._names_gate = re.compile("|".join(sorted(map(re.escape, firsts),
                                                          key=len, reverse=True)) or "(?!)")
        return self._names_gate.search(text) is not None

    def has_model(self, src: str) -> bool:
        """Whether a model for src→tgt is installed (never installs one to find out)."""
        installed = getattr(self.engines, "installed", None)
        return installed(src, self.tgt) if installed else self.engines(src, self.tgt) is not None

    def find(self, seg: Segment) -> tuple[Match, ...]:
        """The glossary terms in a segment."""
        return tuple(self.matcher(seg.src_lang).find(seg.text)) if self.glossary.terms else ()


def translate_articles(
    articles: Iterable[MatchedArticle | InputError],
    translator: RunContext,
    chunk_segments: int | None = None,
) -> Iterator[ArticleResult]:
    """Translate prepared articles; yield each article's records in input order.

    Input errors are counted and reported in ``stats`` (and yield an article with no
    records and its error), never raised: one bad file does not stop the others.
    """
    chunk_segments = chunk_segments or CHUNK_SEGMENTS
    chunk: list[MatchedArticle | InputError] = []
    size, progress = 0, translator.progress
    for item in articles:
        if not chunk:
            progress.start("Reading and preparing", 0)
        chunk.append(item)
        progress.advance(1)
        size += len(item.segments) if isinstance(item, MatchedArticle) else 0
        if size >= chunk_segments:
            progress.finish()
            yield from _translate_chunk(chunk, translator)
            chunk, size = [], 0
    if chunk:
        progress.finish()
    yield from _translate_chunk(chunk, translator)


def _translate_chunk(chunk: list[MatchedArticle | InputError], t: RunContext
                     ) -> Iterator[ArticleResult]:
    jobs: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for item in chunk:
        if isinstance(item, MatchedArticle):
            for seg in item.segments:
                if needs_translation(seg, t.tgt):
                    known = item.matches.get(seg.index, ()) if item.matches is not None \
                        else None
                    seg = plausible_language(seg, item.info.lang, t)
                    jobs[(seg.src_lang, t.tgt)].append(t.job(seg, known))
    done: dict[tuple[str, int], Job] = {}
    for number, (pair, pair_jobs) in enumerate(jobs.items(), 1):
        translate_pair(pair, pair_jobs, t, f"pair {number} of {len(jobs)}")
        done.update(((job.segment.article, job.segment.index), job) for job in pair_jobs)
    stats = t.stats
    for item in chunk:
        if isinstance(item, InputError):
            stats.failed_articles += 1
            stats.errors.append(str(item))
            where = f":{item.line}" if item.line else ""  # a feed's bad line
            yield ArticleResult(ArticleInfo(article=safe_text(item.path.stem) + where,
                                            path=display_path(item.path) + where,
                                            error=item.problem), ())
            continue
        stats.articles += 1
        records = t.qa.checked([_record(seg, done.get((seg.article, seg.index)), t.tgt)
                                for seg in item.segments])
        stats.statuses.update(r.status for r in records)
        stats.glossary_missed += sum(not hit.found for r in records for hit in r.glossary)
        stats.auto_names.update(hit.target for r in records for hit in r.glossary if hit.auto)
        yield ArticleResult(item.info, records)
    t.qa.flush()


def translate_again(records: Iterable[Record], t: RunContext) -> dict[tuple[str, int], Record]:
    """Translate these records' sources again as a run would now, keyed (article, index).

    For a glossary edit made between runs (the review desk): the same matching, cache keys,
    engine batches and enforcement as a run, so the next run finds every one in the cache.
    Segments keep the language the run settled on; QA is left to the caller, which holds the
    whole article.
    """
    jobs: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for record in records:
        segment = Segment(record.article, record.index, record.kind, record.src,
                          record.src_lang, record.line, record.flags)
        jobs[(segment.src_lang, t.tgt)].append(t.job(segment))
    done: dict[tuple[str, int], Record] = {}
    for pair, pair_jobs in jobs.items():
        translate_pair(pair, pair_jobs, t)
        done.update(((job.segment.article, job.segment.index), _record(job.segment, job, t.tgt))
                    for job in pair_jobs)
    return done


def plausible_language(seg: Segment, article_lang: str | None, t: RunContext) -> Segment:
    """A segment langid moved to a language with no model goes back to its article's.

    langid misreads some sentences (a Norwegian one as Danish, say); when no model exists for
    its guess but one may for the article's language, the article's language is the better
    bet, and the segment is flagged ``lang-guess:XX`` instead of ending up without a model.
    A different script (Hebrew in a Norwegian article) is no guess, and stays.
    """
    lang = seg.src_lang
    if not article_lang or lang == article_lang or lang in (t.tgt, *UNTRANSLATED_LANGUAGES) \
            or script_of_language(lang) != script_of_language(article_lang) \
            or t.has_model(lang):
        return seg
    return replace(seg, src_lang=article_lang, flags=(*seg.flags, f"lang-guess:{lang}"))


def needs_translation(seg: Segment, tgt: str) -> bool:
    """Whether a segment is meant to be sent to an xx→tgt model."""
    return (seg.kind in TRANSLATED_KINDS and seg.src_lang != tgt
            and seg.src_lang not in UNTRANSLATED_LANGUAGES)


def _record(seg: Segment, job: Job | None, tgt: str) -> Record:
    if job is None:
        english = seg.text if seg.src_lang == tgt and seg.kind in TRANSLATED_KINDS else None
        return Record.of(seg, tgt, english, Status.KEPT)
    # The job's segment: its language may have been corrected (see plausible_language).
    return Record.of(job.segment, tgt, job.text, job.status, job.score, glossary=job.glossary)


