"""Any sequence-to-sequence CTranslate2 model, run directly: the machinery every family shares.

We call ``ctranslate2.Translator.translate_batch`` ourselves: a segment is exactly one input,
batches are as large as the settings allow, every output carries a score, several batches
are in flight at once (one per replica), and a forced English prefix continues from where
the glossary needs it. A family (Argos, OPUS-MT, NLLB-200, M2M100, MADLAD-400) says only
how text becomes source pieces (language tokens, tags) and which target token opens the
output; :class:`CT2Engine` does the rest.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.engines.base import Engine, Translation
from workbench.engines.codecs import BPECodec, SentencePieceCodec, word_alignment
from workbench.engines.malloc_arenas import limit_malloc_arenas
from workbench.errors import PackageError

if TYPE_CHECKING:
    from workbench.models.catalog import InstalledModel
    from workbench.settings import Settings

logger = logging.getLogger(__name__)

Codec = SentencePieceCodec | BPECodec


def resolve_device(device: str) -> str:
    """``auto`` means CUDA when CTranslate2 sees a GPU, else CPU."""
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def resolve_compute_type(compute_type: str, device: str) -> str:
    """``default`` means int8 on CPU (fastest, as Argos ships models) and int8_float16 on CUDA."""
    if compute_type != "default":
        return compute_type
    return "int8_float16" if device == "cuda" else "int8"


def cpu_threads(requested: int) -> int:
    """Threads per translation; 0 means one per core.

    CTranslate2's own default (4) oversubscribes small machines: measured on 2 cores, 197
    target tokens/s with 2 threads against 168 with the default.
    """
    return requested or os.cpu_count() or 1


def thread_layout(requested: int, device: str) -> tuple[int, int]:
    """(replicas, threads per replica) for CTranslate2's inter_threads and intra_threads.

    On CPU, parallel replicas with few threads each beat one replica with many: on 2 cores,
    2 replicas x 1 thread translated 162-168 target tokens/s against 147-150 for 1 x 2
    (benchmarks/throughput.py model, 250 WMT21 sentences, repeated). CUDA uses one replica.
    """
    if device == "cuda":
        return 1, 0
    threads = cpu_threads(requested)
    replicas = min(4, threads)
    return replicas, max(1, threads // replicas)


#: Unload attempts, 10 ms apart, before a model is left loaded until its next use.
UNLOAD_TRIES = 100




class CT2Engine(Engine):
    """A CTranslate2 model for one pair, loaded lazily: nothing is read until the first batch.

    Subclasses give :attr:`codec` (the source tokenizer), and may give
    :attr:`target_codec`, :attr:`own_prefix` (a token the output must start with, removed
    from the English), :meth:`lead_tokens`/:meth:`trail_tokens` (around each source) and
    :attr:`special_tokens` (never decoded as text).
    """

    #: A token every output is forced to start with (NLLB's ``eng_Latn``), or "".
    own_prefix: str = ""

    def __init__(self, model_dir: Path, src: str, tgt: str, settings: Settings) -> None:
        self.model_dir = model_dir
        self.src, self.tgt = src, tgt
        self.settings = settings
        self.batch_tokens = settings.batch_tokens
        self.supports_prefix = True
        self.device = resolve_device(settings.device)
        self.compute_type = resolve_compute_type(settings.compute_type, self.device)
        self._translator: Any = None

    @cached_property
    def codec(self) -> Codec:
        """The source tokenizer."""
        raise NotImplementedError

    @cached_property
    def target_codec(self) -> Codec:
        """The target tokenizer (the source one unless the family has two)."""
        return self.codec

    @cached_property
    def special_tokens(self) -> frozenset[str]:
        """Tokens that are never text (language tokens), dropped from outputs."""
        return frozenset()

    def lead_tokens(self) -> list[str]:
        """Tokens before each source's pieces (a language token)."""
        return []

    def trail_tokens(self) -> list[str]:
        """Tokens after each source's pieces (``</s>`` where the model wants it given)."""
        return []

    def decoding_settings(self) -> str:
        """The signature's tail: what decoding does to the output."""
        s = self.settings
        return (f"beam:{s.beam_size}|lp:{s.length_penalty}|maxlen:{s.max_decoding_length}"
                f"|maxin:{s.max_input_tokens}|{self.compute_type}")

    @property
    def loaded(self) -> bool:
        """Whether the CTranslate2 model was loaded in this run."""
        return self._translator is not None

    def release(self) -> None:
        """Unload the model (the pipeline does when a chunk has no more segments for it).

        A run over five languages kept all five models and their replicas' workspace in
        memory (1.5 GB with Argos-sized models); one at a time bounds it by the largest.
        """
        # CTranslate2 skips the unload while a replica is still finishing a batch (its
        # results were already handed over): try again for a moment.
        for _ in range(UNLOAD_TRIES):
            if self._translator is None or not self._translator.model_is_loaded:
                return
            self._translator.unload_model()
            if self._translator.model_is_loaded:
                time.sleep(0.01)

    def translator(self) -> Any:
        """The CTranslate2 translator, created on first use (and reloaded after release)."""
        if self._translator is not None and not self._translator.model_is_loaded:
            self._translator.load_model()
        if self._translator is None:
            import ctranslate2

            limit_malloc_arenas()

            logger.info("loading %s on %s (%s)", self.model_dir, self.device, self.compute_type)
            replicas, threads = thread_layout(self.settings.threads, self.device)
            self._translator = ctranslate2.Translator(
                str(self.model_dir), device=self.device,
                compute_type=self.compute_type, inter_threads=replicas, intra_threads=threads,
            )
        return self._translator

    def count_tokens(self, text: str) -> int:
        """Number of source pieces the model sees."""
        return min(len(self.codec.encode(text)), self.settings.max_input_tokens)

    def translate_stream(self, batches: Iterable[Sequence[str]], n_best: int = 1,
                         alignment: bool = False) -> Iterator[list[Translation] | Exception]:
        """Keep every replica busy: submit batches asynchronously, yield them in order.

        Up to one batch per replica (plus one queued) is in flight, so no replica waits for
        another at a batch boundary, and each batch still comes back, and is cached, alone.
        """
        replicas, _ = thread_layout(self.settings.threads, self.device)
        in_flight: deque[tuple[list[list[str]], Any]] = deque()
        for texts in batches:
            try:
                tokens = self._encode(texts)
                in_flight.append((tokens, self._submit(tokens, n_best, alignment, True)))
            except Exception as err:  # a batch that cannot even be submitted fails alone
                in_flight.append(([], err))
            while len(in_flight) > replicas:
                yield self._collect(*in_flight.popleft(), alignment)
        while in_flight:
            yield self._collect(*in_flight.popleft(), alignment)

    def _collect(self, tokens: list[list[str]], pending: Any, alignment: bool
                 ) -> list[Translation] | Exception:
        if isinstance(pending, Exception):
            return pending
        try:
            results = [item.result() for item in pending]
        except Exception as err:  # reported per batch by the caller
            return err
        return [self._finish(source, result, alignment)
                for source, result in zip(tokens, results, strict=True)]

    def _encode(self, texts: Sequence[str]) -> list[list[str]]:
        lead, trail, limit = self.lead_tokens(), self.trail_tokens(), self.settings.max_input_tokens
        return [lead + self.codec.encode(text)[:limit] + trail for text in texts]

    def prefix_problem(self, prefix: str) -> str | None:
        """Too long for ``max_decoding_length``, or not spellable in the model's vocabulary."""
        pieces = self.target_codec.encode(prefix)
        own = 1 if self.own_prefix else 0
        if len(pieces) + own + 1 >= self.settings.max_decoding_length:
            return "the forced prefix reaches the decoding length limit"
        if isinstance(self.target_codec, SentencePieceCodec):
            processor = self.target_codec.processor
            unknown = processor.unk_id()
            if any(processor.piece_to_id(p) == unknown for p in pieces):
                return "the model's vocabulary cannot spell the forced prefix"
        return None

    def _target_prefixes(self, count: int, forced: Sequence[str | None] | None
                         ) -> list[list[str]] | None:
        """Each output's forced start: the model's own target token, then forced English."""
        own = [self.own_prefix] if self.own_prefix else []
        if not forced:
            return [own] * count if own else None
        return [own + (self.target_codec.encode(text) if text else []) for text in forced]

    def _submit(self, tokens: list[list[str]], n_best: int, alignment: bool,
                asynchronous: bool, prefixes: Sequence[str | None] | None = None) -> Any:
        s = self.settings
        return self.translator().translate_batch(
            tokens,
            target_prefix=self._target_prefixes(len(tokens), prefixes),
            max_batch_size=s.batch_tokens,
            batch_type="tokens",
            asynchronous=asynchronous,
            beam_size=max(s.beam_size, n_best),
            num_hypotheses=n_best,
            length_penalty=s.length_penalty,
            max_decoding_length=s.max_decoding_length,
            replace_unknowns=True,
            return_scores=True,
            return_attention=alignment,
        )

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list[Translation]:
        """Translate segments; inputs longer than ``max_input_tokens`` are truncated.

        n-best hypotheses come from the same beam (``n_best`` <= beam size costs nothing
        extra); the alignment is the attention of CTranslate2's alignment layer; a prefix is
        CTranslate2's ``target_prefix`` (the output starts with it, the model continues).
        """
        if not texts:
            return []
        tokens = self._encode(texts)
        results = self._submit(tokens, n_best, alignment, False, prefixes)
        return [self._finish(source, result, alignment)
                for source, result in zip(tokens, results, strict=True)]

    def _finish(self, source: list[str], result: Any, alignment: bool) -> Translation:
        prefix, special = self.own_prefix, self.special_tokens
        hypotheses = [h[1:] if prefix and h[:1] == [prefix] else h for h in result.hypotheses]
        # CTranslate2 divides the summed log-probability by length**length_penalty, where
        # length counts </s>; undo that to report the mean log-probability per token.
        length = len(hypotheses[0]) + 1
        mean_log_prob = result.scores[0] * length**self.settings.length_penalty / length
        if special:
            hypotheses = [[t for t in h if t not in special] for h in hypotheses]
        texts = [self.target_codec.decode(h).strip() for h in hypotheses]
        best = hypotheses[0]
        aligned = None
        if (alignment and result.attention and len(best) == length - 1
                and isinstance(self.codec, SentencePieceCodec)
                and isinstance(self.target_codec, SentencePieceCodec)):
            offset = len(result.hypotheses[0]) - len(best)
            lead, trail = len(self.lead_tokens()), len(self.trail_tokens())
            words = source[lead: len(source) - trail]
            attention = [row[lead: lead + len(words)] for row in result.attention[0][offset:]]
            rebuilt = word_alignment(words, best, attention)
            if rebuilt is not None:
                # Decoding joins pieces the same way; the rebuilt text lines up word by word.
                texts[0], aligned = rebuilt
        return Translation(texts[0], mean_log_prob, tuple(texts[1:]), aligned)


class ModelEngine(CT2Engine):
    """A model of a non-Argos family, as installed by workbench (see ``models.catalog``)."""

    def __init__(self, model: InstalledModel, src: str, tgt: str, settings: Settings) -> None:
        super().__init__(model.model_dir, src, tgt, settings)
        self.model = model
        self.manifest = model.manifest

    def signature(self) -> str:
        """E.g. ``nllb:nllb-200-distilled-600M#3f2a9c0d1e2f|nob_Latn|beam:4|...|int8``.

        It names the model, so switching models re-translates, and switching back finds
        the first model's translations still cached.
        """
        lead = "+".join(self.lead_tokens()) or "-"
        return (f"{self.model.family}:{self.model.name}#{self.model.fingerprint()}"
                f"|{lead}|{self.decoding_settings()}")

    @cached_property
    def codec(self) -> SentencePieceCodec:
        """The source SentencePiece model the manifest names."""
        return self._load(self.manifest["tokenizers"]["source"])

    @cached_property
    def target_codec(self) -> SentencePieceCodec:
        """The target SentencePiece model (OPUS-MT has its own; the others share one)."""
        name = self.manifest["tokenizers"]["target"]
        return self.codec if name == self.manifest["tokenizers"]["source"] else self._load(name)

    def _load(self, name: str) -> SentencePieceCodec:
        try:
            return SentencePieceCodec(str(self.model.path / name))
        except Exception as err:  # sentencepiece raises RuntimeError, OSError...
            raise PackageError(self.model.path, f"its tokenizer {name} cannot be loaded "
                                                f"({err}); install the model again") from err
