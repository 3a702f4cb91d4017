"""NLLB-200 and M2M100: one multilingual vocabulary with a token per language.

The source is ``[source language token] pieces </s>`` (``deu_Latn``/``__de__``), as the
Hugging Face tokenizers write it; the output is forced to start with the target's token
(``eng_Latn``/``__en__``), which is removed from the English.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from workbench.engines.ct2 import ModelEngine
from workbench.errors import UnknownPackage

if TYPE_CHECKING:
    from workbench.models.catalog import InstalledModel
    from workbench.settings import Settings


class MultilingualEngine(ModelEngine):
    """An installed NLLB-200 or M2M100 model for one source language."""

    def __init__(self, model: InstalledModel, src: str, tgt: str, settings: Settings) -> None:
        super().__init__(model, src, tgt, settings)
        token = model.manifest.get("source_tokens", {}).get(src)
        if token is None:
            raise UnknownPackage(f"model {model.name!r} has no token for {src}")
        self.source_token = token
        self.own_prefix = model.manifest["target_token"]

    def lead_tokens(self) -> list[str]:
        """The source language's token."""
        return [self.source_token]

    def trail_tokens(self) -> list[str]:
        """``</s>``, unless the model's config adds it."""
        return ["</s>"] if self.manifest.get("add_eos", True) else []

    @cached_property
    def special_tokens(self) -> frozenset[str]:
        """Every language token the model knows: never text in the English."""
        return frozenset([*self.manifest.get("source_tokens", {}).values(), self.own_prefix])
