"""Guarantee glossary terms by re-decoding with a forced target prefix.

When the chosen hypothesis lacks a term, the decoder is run again with ``target_prefix`` set
to the hypothesis with every missing term inserted where attention says it belongs, cut
right after the last term; the model writes the rest of the sentence after it (Post &
Vilar's constraint, placed by attention instead of searched for). Every term is inside the
forced prefix, so it is in the English by construction, as often as the source has it; a
copy the model writes again later is removed by ``tidy``. Only segments that miss a term
are decoded again, once each, all of a batch in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.engines.base import Engine, Translation
from workbench.glossary.enforce import (
    Draft,
    Protected,
    accept,
    choose,
    finish,
    forced_prefix,
    present,
)
from workbench.records import GlossaryHit


@dataclass
class Enforced:
    """A batch's final English and term reports, and how many re-decodings it took."""

    outputs: list[tuple[str, tuple[GlossaryHit, ...]]]
    redecoded: int = 0


def enforce_batch(engine: Engine, protected: Sequence[Protected],
                  translations: Sequence[Translation]) -> Enforced:
    """Final English for each segment of a batch, every term placed that can be."""
    drafts = [choose(p, t) if p.terms else None
              for p, t in zip(protected, translations, strict=True)]
    work: list[tuple[int, str]] = []
    for i, draft in enumerate(drafts):
        if draft is None or len(present(draft.text, protected[i])) == len(protected[i].terms):
            continue
        prefix = forced_prefix(draft, protected[i])
        problem = engine.prefix_problem(prefix) if engine.supports_prefix else \
            "the engine cannot decode from a forced prefix"
        if problem:
            _blame(draft, protected[i], problem)
        else:
            work.append((i, prefix))
    if work:
        try:
            results = engine.translate_batch([protected[i].engine_input for i, _ in work],
                                             alignment=True,
                                             prefixes=[prefix for _, prefix in work])
        except Exception as err:  # the first pass's English stands; the cause is recorded
            for i, _ in work:
                _blame(drafts[i], protected[i], f"re-decoding failed ({err})")
        else:
            for (i, prefix), result in zip(work, results, strict=True):
                accept(drafts[i], protected[i], result, prefix)  # type: ignore[arg-type]
    outputs = [finish(d, p) if d is not None else (t.text, ())
               for d, p, t in zip(drafts, protected, translations, strict=True)]
    return Enforced(outputs, len(work))


def _blame(draft: Draft | None, protected: Protected, cause: str) -> None:
    if draft is None:
        return
    for n in set(range(len(protected.terms))) - present(draft.text, protected):
        draft.causes[n] = cause
