"""TEST DOUBLES. Nothing here translates; each class says what it does instead."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.engines.base import Engine, Translation


class FakeEngine(Engine):
    """TEST DOUBLE: not a translator. Output is '<tgt>:' + reversed words, so tests can tell it
    apart from real output; it records every batch it is asked to translate."""

    def __init__(self, src: str, tgt: str = "en", fail_on: str | None = None) -> None:
        self.src, self.tgt = src, tgt
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self.batch_tokens = 64

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False
                        ) -> list[Translation]:
        """Reversed words; word i of the output 'aligns' to source word n-1-i."""
        self.calls.append(list(texts))
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError(f"fake engine told to fail on {self.fail_on!r}")
        results = []
        for text in texts:
            words = text.split()
            output = f"{self.tgt}:" + " ".join(reversed(words))
            aligned = tuple(range(len(words) - 1, -1, -1)) if alignment else None
            results.append(Translation(output, -0.5, (), aligned))
        return results

    def signature(self) -> str:
        return f"engine:fake|{self.src}-{self.tgt}|v:1"

    @property
    def segments_sent(self) -> int:
        return sum(len(call) for call in self.calls)


class FakeEngines:
    """TEST DOUBLE engine lookup: a FakeEngine for each listed source language, None otherwise."""

    def __init__(self, languages: Sequence[str], fail_on: str | None = None) -> None:
        self.engines = {lang: FakeEngine(lang, fail_on=fail_on) for lang in languages}

    def __call__(self, src: str, tgt: str) -> Engine | None:
        return self.engines.get(src)

    @property
    def segments_sent(self) -> int:
        return sum(e.segments_sent for e in self.engines.values())
