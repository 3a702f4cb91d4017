"""Argos Translate packages run directly through CTranslate2 (see :mod:`workbench.engines.ct2`).

We do not go through ``argostranslate.translate``: Argos re-splits text into sentences
(pulling stanza/spaCy), translates one paragraph at a time with 32-token batches, and hides
scores. Tokenization reuses the package's own SentencePiece model or BPE codes.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from workbench.engines.codecs import BPECodec, SentencePieceCodec, word_alignment
from workbench.engines.ct2 import (
    UNLOAD_TRIES,
    CT2Engine,
    cpu_threads,
    resolve_compute_type,
    resolve_device,
    thread_layout,
)
from workbench.errors import PackageError
from workbench.models.packages import InstalledPackage

if TYPE_CHECKING:
    from workbench.settings import Settings

__all__ = ["UNLOAD_TRIES", "ArgosEngine", "BPECodec", "SentencePieceCodec", "cpu_threads",
           "resolve_compute_type", "resolve_device", "thread_layout", "word_alignment"]


class ArgosEngine(CT2Engine):
    """One installed Argos package, loaded lazily: nothing is read until the first batch."""

    def __init__(self, package: InstalledPackage, settings: Settings) -> None:
        super().__init__(package.model_dir, *package.pair, settings)
        self.package = package
        self.own_prefix = package.target_prefix

    def signature(self) -> str:
        """E.g. ``argos:translate-de_en@1.0#3f2a9c|beam:4|lp:0.2|maxlen:256|int8``."""
        return (f"argos:{self.package.code}@{self.package.package_version}"
                f"#{self.package.fingerprint()}|{self.decoding_settings()}")

    @cached_property
    def codec(self) -> SentencePieceCodec | BPECodec:
        """The package's tokenizer.

        Raises:
            PackageError: the tokenizer file cannot be loaded; names the package.
        """
        sp_model = self.package.path / "sentencepiece.model"
        try:
            if sp_model.is_file():
                return SentencePieceCodec(str(sp_model))
            return BPECodec(str(self.package.path / "bpe.model"), self.src, self.tgt)
        except Exception as err:  # sentencepiece raises RuntimeError, a BPE file OSError...
            raise PackageError(self.package.path, f"its tokenizer cannot be loaded ({err}); "
                                                  "install the package again") from err
