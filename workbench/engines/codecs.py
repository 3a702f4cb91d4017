"""Tokenizers an engine encodes and decodes with, and word alignment from attention.

Every family uses SentencePiece (one model, or OPUS-MT's separate source and target ones);
older Argos packages use Moses + subword-nmt BPE. Word alignment maps SentencePiece pieces
back to whitespace-separated words on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence


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
