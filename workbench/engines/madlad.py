"""MADLAD-400 (T5): the target tag ``<2en>`` goes inside the source text.

As its model card says (``"<2en> " + text``); the output is English with no prefix token.

Encoding the tag and the text apart gives the same pieces as encoding them together
(SentencePiece splits at the space first), and lets the alignment skip the tag.
"""

from __future__ import annotations

from functools import cached_property

from workbench.engines.ct2 import ModelEngine


class MadladEngine(ModelEngine):
    """An installed MADLAD-400 model (any source language)."""

    @cached_property
    def _tag_pieces(self) -> list[str]:
        return self.codec.encode(self.manifest["target_token"])

    def lead_tokens(self) -> list[str]:
        """The pieces of ``<2en>``."""
        return self._tag_pieces

    def trail_tokens(self) -> list[str]:
        """``</s>``, as T5's tokenizer appends it."""
        return ["</s>"] if self.manifest.get("add_eos", True) else []
