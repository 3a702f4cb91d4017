"""The engine interface every translator implements.

An engine translates for one language pair. It receives one segment per input and never
re-splits or re-joins, so output *i* always belongs to input *i*.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Translation:
    """An engine's output for one segment.

    ``score`` is the mean log-probability per target token (0 is certain; around -0.5 is
    typical of a confident model); ``None`` when the engine cannot say.
    """

    text: str
    score: float | None = None


class Engine(ABC):
    """Translates batches of segments for one language pair."""

    src: str
    tgt: str
    #: Source tokens per call to :meth:`translate_batch`; each call's results are cached
    #: together, so this also bounds what a crash can lose.
    batch_tokens: int = 2048

    def translate(self, text: str) -> Translation:
        """Translate a single segment."""
        return self.translate_batch([text])[0]

    @abstractmethod
    def translate_batch(self, texts: Sequence[str]) -> list[Translation]:
        """Translate each text independently; ``len(result) == len(texts)``."""

    @abstractmethod
    def signature(self) -> str:
        """Everything that changes the output: model id, version, content and decoding settings.

        It goes into the cache key and the output header, so a record can be reproduced.
        Computing it must not load the model.
        """

    def count_tokens(self, text: str) -> int:
        """How many source tokens the engine sees for a text (for batching by tokens)."""
        return len(text.split())

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded into memory."""
        return False
