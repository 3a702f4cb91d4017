"""The run's unseen Vietnamese names, found once over all of its sources.

Names are found per run, not per chunk: a first pass over the prepared articles collects the
text of every segment the run will translate, in the language it will be translated from,
so a Russian name takes the Latin spelling any article of the run has for it. Preparation is
cached, so the second pass (the one that translates) reads each article back from the cache.
The review desk finds the same names in a run's records (:func:`names_in_records`), so what
it translates again has the run's cache keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.errors import InputError
from workbench.glossary.auto_names import AutoNames, auto_terms
from workbench.glossary.store import Glossary
from workbench.records import Record, Segment
from workbench.run.pipeline import RunContext, needs_translation, plausible_language
from workbench.run.preparer import MatchedArticle


def source_texts(items: Iterable[MatchedArticle | InputError], t: RunContext
                 ) -> dict[str, list[str]]:
    """Each source language's texts of the segments a run translates (errors skipped).

    The same segments, in the same language, as the translation step sends to a model.
    """
    texts: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, MatchedArticle):
            for seg in item.segments:
                if needs_translation(seg, t.tgt):
                    seg = plausible_language(seg, item.info.lang, t)
                    texts.setdefault(seg.src_lang, []).append(seg.text)
    return texts


def names_in_records(records: Iterable[Record], glossary: Glossary, tgt: str
                     ) -> AutoNames | None:
    """The automatic names a run of these records finds (None: none).

    Records carry the language the run settled on, so the texts are the run's own.
    """
    texts: dict[str, list[str]] = {}
    for r in records:
        seg = Segment(r.article, r.index, r.kind, r.src, r.src_lang, r.line)
        if needs_translation(seg, tgt):
            texts.setdefault(r.src_lang, []).append(r.src)
    return run_names(texts, glossary)


def run_names(texts: dict[str, list[str]], glossary: Glossary) -> AutoNames | None:
    """The names of a run's texts; None when there are none, so the run is as without."""
    names = auto_terms(texts, glossary) if texts else None
    return names if names is not None and names.names else None
