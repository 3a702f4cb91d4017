"""Build Argos-format packages whose model has RANDOM WEIGHTS, for tests and benchmarks.

Real Argos models cannot be downloaded on the machines this project is developed on, so tests
and benchmarks build packages with the exact on-disk format of a real one (``metadata.json``,
a CTranslate2 ``model/``, a trained ``sentencepiece.model``, zipped as ``.argosmodel``) and
run them through the real CTranslate2 engine. Their English is MEANINGLESS: tests built on
them check structure, alignment, counts, caching and speed, never wording.

Random weights never choose ``</s>``, so every output would run to the decoding limit. As
the models README suggests, we make ``</s>`` likelier with each decoder position: the
decoder position encodings get ``0.1 * position * u`` added (``u`` a random unit vector) and
the output projection row of ``</s>`` is set to ``3 * u``.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LANGUAGE_NAMES = {"nb": "Norwegian", "pl": "Polish", "de": "German", "ru": "Russian",
                  "sv": "Swedish", "da": "Danish", "en": "English", "ar": "Arabic"}
MAX_POSITIONS = 1024


@dataclass(frozen=True)
class ModelSize:
    """Transformer dimensions. ``TINY`` for tests; ``ARGOS`` matches a real Argos model."""

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab: int


#: English written for the tokenizer's target side: every ASCII letter, digit and common sign.
ENGLISH_COVERAGE = [
    "The quick brown fox jumps over the lazy dog, said the 12 judges at 3:45.",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG (No. 67/890 - \"Quiz\"; 100%!)",
    "Wizards vex jumpy Xhosa kings: 0 1 2 3 4 5 6 7 8 9 & # @ ? / + = [ ] '",
] * 4
TINY = ModelSize(layers=2, d_model=64, heads=4, ffn=128, vocab=1000)
ARGOS = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab=16000)


def train_sentencepiece(corpus: Iterable[str], vocab_size: int, model_type: str = "unigram",
                        add_dummy_prefix: bool = True) -> bytes:
    """Train a SentencePiece model on some text; return the serialized model."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(list(corpus)), model_writer=model, vocab_size=vocab_size,
        model_type=model_type, character_coverage=1.0, hard_vocab_limit=False,
        add_dummy_prefix=add_dummy_prefix, minloglevel=2, num_threads=2,
        max_sentence_length=1 << 16,
    )
    return model.getvalue()


def sentencepiece_vocabulary(model: bytes) -> list[str]:
    """The pieces of a SentencePiece model, in id order (``<unk>``, ``<s>``, ``</s>`` first)."""
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _sinusoids(positions: int, depth: int) -> np.ndarray:
    half = depth // 2
    scale = np.log(10000.0) / max(1, half - 1)
    timescales = np.exp(np.arange(half) * -scale)
    angles = np.arange(positions)[:, None] * timescales[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


def random_transformer(vocabulary: list[str], size: ModelSize, seed: int):
    """A CTranslate2 TransformerSpec with random weights and the ``</s>`` bias described above."""
    from ctranslate2.specs import model_spec, transformer_spec

    rng = np.random.default_rng(seed)
    d, vocab = size.d_model, len(vocabulary)
    spec = transformer_spec.TransformerSpec.from_config((size.layers, size.layers), size.heads)
    unit = rng.standard_normal(d).astype(np.float32)
    unit /= np.linalg.norm(unit)

    def shape_of(name: str) -> tuple[int, ...]:
        leaf = name.rsplit("/", 1)[-1]
        parent = name.rsplit("/", 2)[-2] if name.count("/") >= 1 else ""
        if "embeddings" in name:
            return (vocab, d)
        if "projection" in name:
            return (vocab, d) if leaf == "weight" else (vocab,)
        if leaf in ("gamma", "beta"):
            return (d,)
        rows = d
        if "ffn" in name:
            rows = size.ffn if parent == "linear_0" else d
            cols = d if parent == "linear_0" else size.ffn
            return (rows, cols) if leaf == "weight" else (rows,)
        if "self_attention" in name and parent == "linear_0":
            rows = 3 * d
        elif "/attention/" in name and parent == "linear_1":
            rows = 2 * d
        return (rows, d) if leaf == "weight" else (rows,)

    def fill(layer, name: str, value: object) -> None:
        if value is not None:
            return
        shape = shape_of(name)
        leaf = name.rsplit("/", 1)[-1]
        if leaf == "gamma":
            array = np.ones(shape, dtype=np.float32)
        elif leaf == "beta" or len(shape) == 1:
            array = np.zeros(shape, dtype=np.float32)
        else:
            array = (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)
        setattr(layer, leaf, array)

    model_spec.visit_spec(spec, fill)
    positions = _sinusoids(MAX_POSITIONS, d)
    positions += 0.1 * np.arange(MAX_POSITIONS, dtype=np.float32)[:, None] * unit[None, :]
    spec.decoder.position_encodings.encodings = positions
    spec.decoder.projection.weight[vocabulary.index("</s>")] = 3 * unit
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def write_package(out_dir: Path, src: str, tgt: str, model_dir: Path, tokenizer: bytes,
                  version: str = "1.0", note: str = "") -> Path:
    """Zip a CTranslate2 model and a SentencePiece model as an ``.argosmodel``; return its path."""
    name = f"translate-{src}_{tgt}"
    metadata = {
        "package_version": version, "argos_version": "1.9", "type": "translate",
        "code": name, "from_code": src, "from_name": LANGUAGE_NAMES.get(src, src),
        "to_code": tgt, "to_name": LANGUAGE_NAMES.get(tgt, tgt),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{name}-{version.replace('.', '_')}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
        zf.writestr(f"{name}/README.md", note or f"{src}→{tgt} test package.\n")
        zf.writestr(f"{name}/sentencepiece.model", tokenizer)
        for file in sorted(model_dir.iterdir()):
            zf.write(file, f"{name}/model/{file.name}")
    return archive


def build_random_package(out_dir: Path, src: str, corpus: Iterable[str], *, tgt: str = "en",
                         size: ModelSize = TINY, seed: int = 0, quantization: str | None = None,
                         version: str = "1.0") -> Path:
    """Build a random-weight ``src→tgt`` package; return the ``.argosmodel`` path.

    The SentencePiece model is trained on ``corpus`` (text in the source language) plus a few
    English lines that cover the letters and digits, as a real model's joint source/target
    vocabulary does, with up to ``size.vocab`` pieces. The output is meaningless by design.
    """
    tokenizer = train_sentencepiece([*corpus, *ENGLISH_COVERAGE], size.vocab)
    vocabulary = sentencepiece_vocabulary(tokenizer)
    spec = random_transformer(vocabulary, size, seed)
    spec.validate()
    spec.optimize(quantization=quantization)
    with tempfile.TemporaryDirectory() as work:
        model_dir = Path(work) / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        note = (f"RANDOM WEIGHTS: a {src}→{tgt} package for tests and benchmarks. "
                "Its output is meaningless.\n")
        return write_package(out_dir, src, tgt, model_dir, tokenizer, version, note)


def wrap_ctranslate2_model(out_dir: Path, model_dir: Path, src: str, tgt: str,
                           version: str = "1.0") -> Path:
    """Package a trained character-level CTranslate2 model as an Argos package.

    The tokenizer is a character SentencePiece model whose pieces are the model's own source
    and target symbols, so SentencePiece splits text exactly as the model was trained.
    """
    symbols = []
    for vocab_file in ("source_vocabulary.txt", "target_vocabulary.txt"):
        for symbol in (model_dir / vocab_file).read_text(encoding="utf-8").splitlines():
            if symbol and not symbol.startswith("<") and not symbol.isspace():
                symbols.append(symbol)
    corpus = ["".join(symbols)] * 4 + list(symbols)
    tokenizer = train_sentencepiece(corpus, vocab_size=len(set("".join(symbols))) + 4,
                                    model_type="char", add_dummy_prefix=False)
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "model"
        copy.mkdir()
        for file in model_dir.iterdir():
            if file.name != "LICENSE":
                shutil.copy(file, copy / file.name)
        note = f"A trained {src}→{tgt} character model (OpenNMT/CTranslate2 test data, MIT).\n"
        return write_package(out_dir, src, tgt, copy, tokenizer, version, note)
