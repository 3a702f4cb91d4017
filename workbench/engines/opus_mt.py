"""OPUS-MT (Marian) models converted by CTranslate2's ``OpusMTConverter``.

Two SentencePiece models (``source.spm``, ``target.spm``); the converter sets
``add_source_eos``, so CTranslate2 adds ``</s>`` itself. A multilingual-target model gets its
``>>eng<<`` token before every source.
"""

from __future__ import annotations

from functools import cached_property

from workbench.engines.ct2 import ModelEngine


class OpusMTEngine(ModelEngine):
    """An installed OPUS-MT model for one source language."""

    def lead_tokens(self) -> list[str]:
        """``>>eng<<`` for a multilingual-target model, else nothing."""
        token = self.manifest.get("target_token")
        return [token] if token else []

    @cached_property
    def special_tokens(self) -> frozenset[str]:
        """Its ``>>xxx<<`` language tokens, should a random or odd model write one."""
        token = self.manifest.get("target_token")
        return frozenset([token]) if token else frozenset()
