"""Compose the steps: prepared articles in, records out, with the translation step batched.

Articles are processed in chunks so a folder of thousands is never held in memory at once.
Within a chunk every segment that needs translating is looked up in the cache together; the
misses of each language pair are de-duplicated, sorted by length and sent to the engine in
token-bounded batches, and each batch is committed to the cache as soon as it is done.
This module does no I/O of its own beyond the cache and engine it is given.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from workbench.cache.blobs import BlobBuffer
from workbench.cache.keys import cache_key, segment_key, text_key
from workbench.cache.store import CacheEntry, TranslationCache
from workbench.display import display_path, safe_text
from workbench.engines.base import Engine, Translation
from workbench.errors import InputError
from workbench.glossary.enforce import Protected, protect, verify_approved
from workbench.glossary.lemmas import lemma_matcher, ready_matcher
from workbench.glossary.match import Match, Matcher
from workbench.glossary.prefix import enforce_batch
from workbench.glossary.store import Glossary
from workbench.qa.memo import QAMemo
from workbench.records import (
    TRANSLATED_KINDS,
    ArticleInfo,
    GlossaryHit,
    Record,
    Segment,
    Status,
)
from workbench.run.preparer import MatchedArticle
from workbench.run.progress import NoProgress, Progress
from workbench.run.stats import RunStats
from workbench.text.detect import script_of_language

logger = logging.getLogger(__name__)

#: Languages whose segments are never sent to an xx→en model (Vietnamese quotes, say).
UNTRANSLATED_LANGUAGES = frozenset({"vi"})
#: Articles are translated this many segments at a time (bounded memory, good batches).
#: 10,000 holds 13 MB less than 20,000 at the same speed (1,000-article scale corpus, cold);
#: 5,000 saves 2 MB more but loads each model twice as often.
CHUNK_SEGMENTS = 10_000
#: Hypotheses asked for segments with glossary terms (within the beam, so nearly free).
GLOSSARY_N_BEST = 4

EngineLookup = Callable[[str, str], Engine | None]


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One article's metadata and records, in order."""

    info: ArticleInfo
    records: tuple[Record, ...]


@dataclass(slots=True)
class _Job:
    """A segment that needs English, what the engine will see for it, and the outcome."""

    segment: Segment
    protected: Protected
    text: str | None = None
    score: float | None = None
    glossary: tuple[GlossaryHit, ...] = ()
    status: Status = Status.NO_MODEL

    @property
    def key_text(self) -> str:
        """Engine input plus every glossary target it must carry: what the cache keys on."""
        key = self.protected.key
        return f"{self.protected.engine_input}\x1e{key}" if key else self.protected.engine_input

    def finish(self, text: str, score: float | None, glossary: tuple[GlossaryHit, ...],
               status: Status) -> None:
        """Record the outcome, with the forbidden renderings the glossary has now.

        A cached translation keeps the report made when it was stored; what the glossary
        forbids may have changed since without changing the translation.
        """
        forbidden = {term.match.target: term.match.term.forbidden
                     for term in self.protected.terms}
        self.glossary = tuple(replace(hit, forbidden=forbidden.get(hit.target, ()))
                              if hit.forbidden != forbidden.get(hit.target, ()) else hit
                              for hit in glossary)
        self.text, self.score, self.status = text, score, status


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

    def job(self, seg: Segment, matches: tuple[Match, ...] | None = None) -> _Job:
        """Protect a segment's glossary terms and make it a job (matching if not given)."""
        if matches is None:
            matches = self.find(seg)
        return _Job(seg, protect(seg.text, list(matches)))

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
    jobs: dict[tuple[str, str], list[_Job]] = defaultdict(list)
    for item in chunk:
        if isinstance(item, MatchedArticle):
            for seg in item.segments:
                if needs_translation(seg, t.tgt):
                    known = item.matches.get(seg.index, ()) if item.matches is not None \
                        else None
                    seg = _plausible_language(seg, item.info.lang, t)
                    jobs[(seg.src_lang, t.tgt)].append(t.job(seg, known))
    done: dict[tuple[str, int], _Job] = {}
    for number, (pair, pair_jobs) in enumerate(jobs.items(), 1):
        _translate_pair(pair, pair_jobs, t, f"pair {number} of {len(jobs)}")
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
        yield ArticleResult(item.info, records)
    t.qa.flush()


def translate_again(records: Iterable[Record], t: RunContext) -> dict[tuple[str, int], Record]:
    """Translate these records' sources again as a run would now, keyed (article, index).

    For a glossary edit made between runs (the review desk): the same matching, cache keys,
    engine batches and enforcement as a run, so the next run finds every one in the cache.
    Segments keep the language the run settled on; QA is left to the caller, which holds the
    whole article.
    """
    jobs: dict[tuple[str, str], list[_Job]] = defaultdict(list)
    for record in records:
        segment = Segment(record.article, record.index, record.kind, record.src,
                          record.src_lang, record.line, record.flags)
        jobs[(segment.src_lang, t.tgt)].append(t.job(segment))
    done: dict[tuple[str, int], Record] = {}
    for pair, pair_jobs in jobs.items():
        _translate_pair(pair, pair_jobs, t)
        done.update(((job.segment.article, job.segment.index), _record(job.segment, job, t.tgt))
                    for job in pair_jobs)
    return done


def _plausible_language(seg: Segment, article_lang: str | None, t: RunContext) -> Segment:
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


def _record(seg: Segment, job: _Job | None, tgt: str) -> Record:
    if job is None:
        english = seg.text if seg.src_lang == tgt and seg.kind in TRANSLATED_KINDS else None
        return Record.of(seg, tgt, english, Status.KEPT)
    # The job's segment: its language may have been corrected (see _plausible_language).
    return Record.of(job.segment, tgt, job.text, job.status, job.score, glossary=job.glossary)


def _translate_pair(pair: tuple[str, str], jobs: list[_Job], t: RunContext,
                    position: str = "") -> None:
    src, tgt = pair
    jobs = _use_approved(pair, jobs, t)
    if not jobs:
        return
    engine = t.engines(src, tgt)
    if engine is None:
        _reuse_any_engine(pair, jobs, t)
        return
    signature = engine.signature()
    t.stats.signatures[f"{src}-{tgt}"] = signature
    keys = {job.key_text: cache_key(signature, src, tgt, job.key_text) for job in jobs}
    hits = t.cache.get_many(list(keys.values()))
    misses: dict[str, list[_Job]] = defaultdict(list)
    for job in jobs:
        hit = hits.get(keys[job.key_text])
        if hit is not None:
            job.finish(hit.target, hit.score, hit.glossary, Status.CACHED)
        else:
            misses[job.key_text].append(job)
    if not misses:
        return
    _count_glossary_retranslations(misses, signature, pair, t)
    # Segments with glossary terms ask for n-best and alignments; the rest need neither.
    inputs = {k: jobs_[0].protected.engine_input for k, jobs_ in misses.items()}
    try:
        lengths = {k: max(1, engine.count_tokens(text)) for k, text in inputs.items()}
    except Exception as err:  # a tokenizer that cannot load fails this pair, not the run
        t.stats.errors.append(f"{src}→{tgt}: {err}")
        for waiting in misses.values():
            for job in waiting:
                job.status = Status.FAILED
        return
    plain = sorted((k for k in misses if not misses[k][0].protected.terms),
                   key=lambda k: (lengths[k], k))
    termed = sorted((k for k in misses if misses[k][0].protected.terms),
                    key=lambda k: (lengths[k], k))
    t.progress.start(f"Translating {src}→{tgt}" + (f" ({position})" if position else ""),
                     len(misses))
    started = time.perf_counter()
    try:
        for group, with_terms in ((plain, False), (termed, True)):
            batches = list(_token_batches(group, lengths, engine.batch_tokens))
            results = engine.translate_stream(
                ([inputs[k] for k in batch] for batch in batches),
                n_best=GLOSSARY_N_BEST if with_terms else 1, alignment=with_terms)
            for batch, outcome in zip(batches, results, strict=True):
                _finish_batch(batch, outcome, misses, signature, engine, t)
                t.progress.advance(len(batch))
    finally:
        t.stats.translate_seconds += time.perf_counter() - started
        t.progress.finish()
        if engine.loaded:
            t.stats.loaded_pairs.add(pair)
        engine.release()  # this chunk has no more segments for it


def _use_approved(pair: tuple[str, str], jobs: list[_Job], t: RunContext) -> list[_Job]:
    """Reviewer-approved English wins; return the jobs still needing a translation."""
    approved = t.cache.approved(*pair, [job.segment.text for job in jobs])
    remaining = []
    for job in jobs:
        text = approved.get(job.segment.text)
        if text is None:
            remaining.append(job)
            continue
        hits = verify_approved(text, (GlossaryHit(term.match.surface, term.match.target,
                                                  False, "missed")
                                      for term in job.protected.terms))
        job.finish(text, None, hits, Status.APPROVED)
    return remaining


def _count_glossary_retranslations(misses: dict[str, list[_Job]], signature: str,
                                   pair: tuple[str, str], t: RunContext) -> None:
    src, tgt = pair
    keys = {k: segment_key(signature, src, tgt, jobs[0].segment.text)
            for k, jobs in misses.items()}
    known = t.cache.known_segments(list(keys.values()))
    t.stats.glossary_retranslated += sum(keys[k] in known for k in misses)


def _token_batches(keys: list[str], lengths: dict[str, int], budget: int
                   ) -> Iterator[list[str]]:
    """Consecutive groups of keys whose source tokens add up to at most ``budget``."""
    batch: list[str] = []
    used = 0
    for key in keys:
        if batch and used + lengths[key] > budget:
            yield batch
            batch, used = [], 0
        batch.append(key)
        used += lengths[key]
    if batch:
        yield batch


def _finish_batch(batch: list[str], outcome: list[Translation] | Exception,
                  misses: dict[str, list[_Job]], signature: str, engine: Engine,
                  t: RunContext) -> None:
    """Enforce the glossary on a finished batch, cache it at once, and fill its jobs."""
    src, tgt = engine.src, engine.tgt
    if not isinstance(outcome, Exception) and len(outcome) != len(batch):
        outcome = RuntimeError(f"engine returned {len(outcome)} outputs for {len(batch)} inputs")
    if isinstance(outcome, Exception):  # an engine failure fails its batch, not the run
        logger.debug("translation failed for a batch of %d %s→%s segments", len(batch), src,
                     tgt, exc_info=outcome)
        t.stats.errors.append(f"{src}→{tgt}: engine failed on {len(batch)} segments ({outcome})")
        for key in batch:
            for job in misses[key]:
                job.status = Status.FAILED
        return
    entries = []
    enforced = enforce_batch(engine, [misses[key][0].protected for key in batch], outcome)
    t.stats.glossary_redecoded += enforced.redecoded
    for key, result, (text, glossary) in zip(batch, outcome, enforced.outputs, strict=True):
        first = misses[key][0]
        entries.append(CacheEntry(signature, src, tgt, key, text, result.score, glossary,
                                  first.segment.text))
        for job in misses[key]:
            job.finish(text, result.score, glossary, Status.TRANSLATED)
    t.cache.put_many(entries)


def _reuse_any_engine(pair: tuple[str, str], jobs: list[_Job], t: RunContext) -> None:
    """No model installed: use the newest cached translation from any engine, if there is one."""
    src, tgt = pair
    keys = {job.key_text: text_key(src, tgt, job.key_text) for job in jobs}
    hits = t.cache.get_by_text(list(keys.values()))
    for job in jobs:
        hit = hits.get(keys[job.key_text])
        if hit is not None:
            job.finish(hit.target, hit.score, hit.glossary, Status.CACHED)
            t.stats.signatures.setdefault(f"{src}-{tgt}", hit.signature)
        else:
            job.status = Status.NO_MODEL
            t.stats.missing_pairs.add(pair)
