"""Argos Translate packages run directly through CTranslate2.

We call ``ctranslate2.Translator.translate_batch`` ourselves instead of going through
``argostranslate.translate``: Argos re-splits text into sentences (pulling stanza/spaCy),
translates one paragraph at a time with 32-token batches, and hides scores. Here a segment is
exactly one input, batches are as large as the settings allow, and each output carries a
score. Tokenization reuses the package's own SentencePiece model or BPE codes.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from workbench.engines.base import Engine, Translation
from workbench.engines.malloc_arenas import limit_malloc_arenas
from workbench.errors import PackageError
from workbench.models.packages import InstalledPackage

if TYPE_CHECKING:
    from workbench.settings import Settings

logger = logging.getLogger(__name__)


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


def _piece_words(pieces: Sequence[str]) -> tuple[list[int], list[str]]:
    """Word index of each SentencePiece piece, and the words (a word starts at each ``▁``).

    Pieces that are only ``▁`` join the next word, so no word is empty.
    """
    ids: list[int] = []
    words: list[str] = []
    pending_space = True
    for piece in pieces:
        starts = piece.startswith("▁")
        body = piece.lstrip("▁")
        if (starts or pending_space or not words) and body:
            words.append(body)
            pending_space = False
        elif body:
            words[-1] += body
        else:
            pending_space = True
        ids.append(max(len(words) - 1, 0))
    return ids, words


def word_alignment(source: Sequence[str], target: Sequence[str],
                   attention: Sequence[Sequence[float]]) -> tuple[str, tuple[int, ...]] | None:
    """Rebuild the target text from its pieces and align its words to source words.

    Each target word gets the source word its pieces attend to most (summed over pieces).
    """
    source_ids, _ = _piece_words(source)
    target_ids, words = _piece_words(target)
    if not words:
        return None
    totals: list[dict[int, float]] = [{} for _ in words]
    for piece_index, weights in enumerate(attention[: len(target)]):
        bucket = totals[target_ids[piece_index]]
        for source_index, weight in enumerate(weights[: len(source)]):
            word = source_ids[source_index]
            bucket[word] = bucket.get(word, 0.0) + weight
    aligned = tuple(max(bucket, key=bucket.__getitem__) if bucket else 0 for bucket in totals)
    return " ".join(words), aligned


class SentencePieceCodec:
    """Encode and decode with a package's ``sentencepiece.model``.

    Argos's own ``SentencePieceTokenizer.decode`` turns every underscore into a space; we
    decode with SentencePiece alone so text like ``file_name`` survives.
    """

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text: str) -> list[str]:
        """Split text into pieces."""
        return self.processor.encode(text, out_type=str)

    def decode(self, tokens: list[str]) -> str:
        """Join pieces back into text."""
        return self.processor.decode_pieces(tokens)


class BPECodec:
    """Encode and decode with a package's ``bpe.model`` (Moses tokenization + subword-nmt)."""

    def __init__(self, model_file: str, src: str, tgt: str) -> None:
        from argostranslate.tokenizer import BPETokenizer

        self.tokenizer = BPETokenizer(model_file, src, tgt)

    def encode(self, text: str) -> list[str]:
        """Split text into subwords."""
        return self.tokenizer.encode(text)

    def decode(self, tokens: list[str]) -> str:
        """Join subwords back into text."""
        return self.tokenizer.decode(tokens)


#: Unload attempts, 10 ms apart, before a model is left loaded until its next use.
UNLOAD_TRIES = 100


class ArgosEngine(Engine):
    """One installed Argos package, loaded lazily: nothing is read until the first batch."""

    def __init__(self, package: InstalledPackage, settings: Settings) -> None:
        self.package = package
        self.src, self.tgt = package.pair
        self.settings = settings
        self.batch_tokens = settings.batch_tokens
        self.supports_prefix = True
        self.device = resolve_device(settings.device)
        self.compute_type = resolve_compute_type(settings.compute_type, self.device)
        self._translator: Any = None

    def signature(self) -> str:
        """E.g. ``argos:translate-de_en@1.0#3f2a9c|beam:4|lp:0.2|maxlen:256|int8``."""
        s = self.settings
        return (
            f"argos:{self.package.code}@{self.package.package_version}"
            f"#{self.package.fingerprint()}"
            f"|beam:{s.beam_size}|lp:{s.length_penalty}|maxlen:{s.max_decoding_length}"
            f"|maxin:{s.max_input_tokens}|{self.compute_type}"
        )

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

            logger.info("loading %s on %s (%s)", self.package.model_dir, self.device,
                        self.compute_type)
            replicas, threads = thread_layout(self.settings.threads, self.device)
            self._translator = ctranslate2.Translator(
                str(self.package.model_dir), device=self.device,
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
        return [self.codec.encode(text)[: self.settings.max_input_tokens] for text in texts]

    def prefix_problem(self, prefix: str) -> str | None:
        """Too long for ``max_decoding_length``, or not spellable in the model's vocabulary."""
        pieces = self.codec.encode(prefix)
        own = 1 if self.package.target_prefix else 0
        if len(pieces) + own + 1 >= self.settings.max_decoding_length:
            return "the forced prefix reaches the decoding length limit"
        if isinstance(self.codec, SentencePieceCodec):
            unknown = self.codec.processor.unk_id()
            if any(self.codec.processor.piece_to_id(p) == unknown for p in pieces):
                return "the model's vocabulary cannot spell the forced prefix"
        return None

    def _target_prefixes(self, count: int, forced: Sequence[str | None] | None
                         ) -> list[list[str]] | None:
        """Each output's forced start: the package's language token, then forced English."""
        own = [self.package.target_prefix] if self.package.target_prefix else []
        if not forced:
            return [own] * count if own else None
        return [own + (self.codec.encode(text) if text else []) for text in forced]

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
        prefix = self.package.target_prefix
        hypotheses = [h[1:] if prefix and h[:1] == [prefix] else h for h in result.hypotheses]
        texts = [self.codec.decode(h).strip() for h in hypotheses]
        best = hypotheses[0]
        # CTranslate2 divides the summed log-probability by length**length_penalty, where
        # length counts </s>; undo that to report the mean log-probability per token.
        length = len(best) + 1
        mean_log_prob = result.scores[0] * length**self.settings.length_penalty / length
        aligned = None
        if alignment and result.attention and isinstance(self.codec, SentencePieceCodec):
            offset = len(result.hypotheses[0]) - len(best)
            rebuilt = word_alignment(source, best, result.attention[0][offset:])
            if rebuilt is not None:
                # Decoding joins pieces the same way; the rebuilt text lines up word by word.
                texts[0], aligned = rebuilt
        return Translation(texts[0], mean_log_prob, tuple(texts[1:]), aligned)
