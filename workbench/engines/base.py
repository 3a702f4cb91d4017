"""The engine interface every translator implements.

An engine translates for one language pair. It receives one segment per input and never
re-splits or re-joins, so output *i* always belongs to input *i*.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Translation:
    """An engine's output for one segment.

    ``score`` is the mean log-probability per target token (0 is certain; around -0.5 is
    typical of a confident model); ``None`` when the engine cannot say.
    """

    text: str
    score: float | None = None
    #: Other n-best outputs, best first (when asked for).
    alternatives: tuple[str, ...] = ()
    #: For each whitespace-separated word of ``text``, the index of the whitespace-separated
    #: source word it attends to most (when asked for and the engine can tell).
    alignment: tuple[int, ...] | None = None


class Engine(ABC):
    """Translates batches of segments for one language pair."""

    src: str
    tgt: str
    #: Source tokens per call to :meth:`translate_batch`; each call's results are cached
    #: together, so this also bounds what a crash can lose.
    batch_tokens: int = 1024
    #: Whether :meth:`translate_batch` honours ``prefixes`` (forced starts of the output).
    supports_prefix: bool = False

    def translate(self, text: str, n_best: int = 1, alignment: bool = False) -> Translation:
        """Translate a single segment."""
        return self.translate_batch([text], n_best=n_best, alignment=alignment)[0]

    @abstractmethod
    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list[Translation]:
        """Translate each text independently; ``len(result) == len(texts)``.

        Arguments:
            texts: One segment each; never re-split or joined.
            n_best: How many hypotheses to return (the best in ``text``, the others in
                ``alternatives``); the glossary uses them to prefer one that keeps its terms.
            alignment: Also return a word alignment from attention, when the engine can.
            prefixes: For each text, English the output must start with (the model goes on
                from there), or None; only when :attr:`supports_prefix`.
        """

    def prefix_problem(self, prefix: str) -> str | None:
        """Why a forced prefix cannot be decoded from (too long, unspellable), or None."""
        return None

    @abstractmethod
    def signature(self) -> str:
        """Everything that changes the output: model id, version, content and decoding settings.

        It goes into the cache key and the output header, so a record can be reproduced.
        Computing it must not load the model.
        """

    def translate_stream(self, batches: Iterable[Sequence[str]], n_best: int = 1,
                         alignment: bool = False) -> Iterator[list[Translation] | Exception]:
        """Translate batches in order, yielding each batch's results as soon as it is done.

        A batch that fails yields its exception instead, and the others go on. Engines that
        can work on several batches at once override this to keep all their workers busy.
        """
        for batch in batches:
            try:
                yield self.translate_batch(batch, n_best=n_best, alignment=alignment)
            except Exception as err:  # reported per batch by the caller
                yield err

    def count_tokens(self, text: str) -> int:
        """How many source tokens the engine sees for a text (for batching by tokens)."""
        return len(text.split())

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded into memory."""
        return False

    def release(self) -> None:  # noqa: B027 - optional: engines without a model keep nothing
        """Free the model's memory until the next batch (which loads it again)."""
