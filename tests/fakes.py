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
        self.supports_prefix = True
        self.prefixed: list[str] = []

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list[Translation]:
        """Reversed words; word i of the output 'aligns' to source word n-1-i. With a prefix:
        the prefix, then the reversed words from where the prefix's length leaves off."""
        self.calls.append(list(texts))
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError(f"fake engine told to fail on {self.fail_on!r}")
        results = []
        for n, text in enumerate(texts):
            words = [f"{self.tgt}:" + w if i == 0 else w
                     for i, w in enumerate(reversed(text.split()))]
            aligned = list(range(len(words) - 1, -1, -1))
            prefix = prefixes[n] if prefixes else None
            if prefix:
                self.prefixed.append(prefix)
                forced = prefix.split()
                words = forced + words[len(forced):]
                aligned = [0] * len(forced) + aligned[len(forced):]
            results.append(Translation(" ".join(words), -0.5, (),
                                       tuple(aligned) if alignment else None))
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
