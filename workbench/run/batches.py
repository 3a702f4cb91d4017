"""One language pair's jobs through approvals, the cache and the engine, batch by batch.

A job is a segment, what the engine sees for it (its glossary terms protected) and its
outcome. Reviewer-approved English wins; the rest is looked up in the cache together, and the
misses are sorted by length, sent in token-bounded batches (segments with glossary terms ask
for n-best and alignments), enforced, and committed to the cache batch by batch.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from workbench.cache.keys import cache_key, segment_key, text_key
from workbench.cache.store import CacheEntry
from workbench.engines.base import Engine, Translation
from workbench.glossary.auto_names import is_auto
from workbench.glossary.enforce import Protected, verify_approved
from workbench.glossary.prefix import enforce_batch
from workbench.records import GlossaryHit, Segment, Status

if TYPE_CHECKING:  # the context holds engines, cache and stats; it makes the jobs
    from workbench.run.pipeline import RunContext

logger = logging.getLogger(__name__)

#: Hypotheses asked for segments with glossary terms (within the beam, so nearly free).
GLOSSARY_N_BEST = 4


@dataclass(slots=True)
class Job:
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


def translate_pair(pair: tuple[str, str], jobs: list[Job], t: RunContext,
                   position: str = "") -> None:
    """Give every job of one language pair its English: approved, cached or translated.

    ``position`` says which of the chunk's pairs this is, for the progress line.
    """
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
    misses: dict[str, list[Job]] = defaultdict(list)
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
            batches = list(token_batches(group, lengths, engine.batch_tokens))
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


def _use_approved(pair: tuple[str, str], jobs: list[Job], t: RunContext) -> list[Job]:
    """Reviewer-approved English wins; return the jobs still needing a translation."""
    approved = t.cache.approved(*pair, [job.segment.text for job in jobs])
    remaining = []
    for job in jobs:
        text = approved.get(job.segment.text)
        if text is None:
            remaining.append(job)
            continue
        hits = verify_approved(text, (GlossaryHit(term.match.surface, term.match.target,
                                                  False, "missed",
                                                  auto=is_auto(term.match.term))
                                      for term in job.protected.terms))
        job.finish(text, None, hits, Status.APPROVED)
    return remaining


def _count_glossary_retranslations(misses: dict[str, list[Job]], signature: str,
                                   pair: tuple[str, str], t: RunContext) -> None:
    src, tgt = pair
    keys = {k: segment_key(signature, src, tgt, jobs[0].segment.text)
            for k, jobs in misses.items()}
    known = t.cache.known_segments(list(keys.values()))
    t.stats.glossary_retranslated += sum(keys[k] in known for k in misses)


def token_batches(keys: list[str], lengths: dict[str, int], budget: int
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
                  misses: dict[str, list[Job]], signature: str, engine: Engine,
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


def _reuse_any_engine(pair: tuple[str, str], jobs: list[Job], t: RunContext) -> None:
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
