"""Score every installed model for a pair on a reference set: chrF, BLEU, speed and size.

This is what ``workbench models evaluate`` runs so a user can pick a model on their own
text. Each model translates the same source lines in batches of ``batch_tokens`` (loading
is timed apart from translating); sacrebleu scores the output against the references, with
its signature, so a figure can be reproduced by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from workbench.engines.base import Engine
from workbench.engines.lookup import engine_for
from workbench.models.catalog import InstalledModel
from workbench.settings import Settings


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One model's scores on a reference set."""

    model: InstalledModel
    chrf: float
    bleu: float
    chrf_signature: str
    bleu_signature: str
    segments_per_second: float
    seconds: float
    size: int
    outputs: tuple[str, ...]
    failed: int = 0

    def to_dict(self) -> dict:
        """The ``--json`` shape."""
        return {"model": self.model.name, "family": self.model.family,
                "licence": self.model.licence, "chrf": round(self.chrf, 2),
                "bleu": round(self.bleu, 2), "chrf_signature": self.chrf_signature,
                "bleu_signature": self.bleu_signature,
                "segments_per_second": round(self.segments_per_second, 2),
                "seconds": round(self.seconds, 3), "size": self.size, "failed": self.failed}


def token_batches(engine: Engine, texts: Sequence[str]) -> Iterator[list[str]]:
    """Consecutive batches of at most ``engine.batch_tokens`` source tokens (one at least)."""
    batch: list[str] = []
    tokens = 0
    for text in texts:
        count = max(1, engine.count_tokens(text))
        if batch and tokens + count > engine.batch_tokens:
            yield batch
            batch, tokens = [], 0
        batch.append(text)
        tokens += count
    if batch:
        yield batch


def translate_all(engine: Engine, texts: Sequence[str]) -> tuple[list[str], int]:
    """Every text's English ('' for a batch that failed) and how many failed."""
    outputs: list[str] = []
    failed = 0
    batches = list(token_batches(engine, texts))
    for batch, result in zip(batches, engine.translate_stream(batches), strict=True):
        if isinstance(result, Exception):
            outputs += [""] * len(batch)
            failed += len(batch)
        else:
            outputs += [t.text for t in result]
    return outputs, failed


def score(outputs: Sequence[str], references: Sequence[str]) -> tuple[float, float, str, str]:
    """Corpus chrF and BLEU (sacrebleu's defaults) and their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    chrf, bleu = CHRF(), BLEU()
    refs = [list(references)]
    return (chrf.corpus_score(list(outputs), refs).score,
            bleu.corpus_score(list(outputs), refs).score,
            str(chrf.get_signature()), str(bleu.get_signature()))


def evaluate(models: Sequence[InstalledModel], sources: Sequence[str],
             references: Sequence[str], src: str, tgt: str, settings: Settings,
             on_model: Callable[[InstalledModel], None] | None = None) -> list[Evaluation]:
    """Translate ``sources`` with each model and score it; best chrF first.

    Raises:
        ValueError: the source and reference sets differ in length.
    """
    if len(sources) != len(references):
        raise ValueError(f"{len(sources)} source lines but {len(references)} references")
    results = []
    for model in models:
        if on_model:
            on_model(model)
        engine = engine_for(model, src, tgt, settings)
        translator = getattr(engine, "translator", None)
        if translator is not None:
            translator()  # load first: the speed is the translating alone
        started = time.perf_counter()
        outputs, failed = translate_all(engine, sources)
        seconds = time.perf_counter() - started
        engine.release()
        chrf, bleu, chrf_sig, bleu_sig = score(outputs, references)
        results.append(Evaluation(model, chrf, bleu, chrf_sig, bleu_sig,
                                  len(sources) / seconds if seconds else 0.0, seconds,
                                  model.size_on_disk(), tuple(outputs), failed))
    return sorted(results, key=lambda e: (-e.chrf, -e.bleu, e.model.name))
