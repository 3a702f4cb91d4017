"""Build RANDOM-WEIGHT models of every family workbench installs, in their real on-disk formats.

No trained OPUS-MT, NLLB-200, M2M100 or MADLAD-400 model can be obtained on the machines this
project is developed on, so the tests and benchmarks build each family's real layout with
random weights:

- **OPUS-MT**: a Marian ``.npz`` (with its ``special:model.yml``), a YAML vocabulary,
  ``source.spm``/``target.spm``, ``decoder.yml``, ``README.md`` and ``LICENSE``, zipped as
  Helsinki-NLP releases them. Workbench converts it with CTranslate2's own
  ``OpusMTConverter``, so the converter runs for real.
- **NLLB-200** and **M2M100**: the folder ``ct2-transformers-converter --copy_files
  sentencepiece.bpe.model`` writes (``model.bin``, ``config.json``,
  ``shared_vocabulary.json``, the SentencePiece model), built with ``ctranslate2.specs`` the
  way the converter's ``M2M100Loader`` does: the fairseq vocabulary (``<s> <pad> </s> <unk>``,
  the pieces, then ``eng_Latn``/``__en__``-style language tokens).
- **MADLAD-400**: a T5-shaped CTranslate2 folder (relative attention bias, RMS norm, gated
  FFN), with a SentencePiece model whose user-defined pieces are the ``<2xx>`` tags.

Their English is MEANINGLESS: tests built on them check structure, the glossary guarantee,
prefix-token removal and caching, never wording. As in ``random_package``, ``</s>`` is made
likelier as the output grows (position encodings get ``0.1 * position * u``, the ``</s>`` row
of the output projection is ``3 * u``; OPUS-MT ties that row to the input embedding, so there it
is ``0.65 * u``: mean output 26 tokens); T5 has no position encodings, so its ``</s>`` gets a
constant logit bias instead (output lengths then vary widely: a few tokens to the limit).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import yaml
from random_package import (
    ENGLISH_COVERAGE,
    MAX_POSITIONS,
    TINY,
    ModelSize,
    _sinusoids,
    random_transformer,
    sentencepiece_vocabulary,
)

#: FLORES-200 codes for the NLLB-shaped vocabulary (a real one has 202).
NLLB_LANGUAGES = ("deu_Latn", "eng_Latn", "nob_Latn", "pol_Latn", "rus_Cyrl", "swe_Latn",
                  "dan_Latn", "fra_Latn")
#: M2M100's language tokens (a real one has 100).
M2M100_LANGUAGES = ("__de__", "__en__", "__no__", "__pl__", "__ru__", "__sv__", "__da__",
                    "__fr__")
#: MADLAD-400's target tags (a real one has over 400).
MADLAD_TAGS = ("<2en>", "<2de>", "<2nb>", "<2no>", "<2pl>", "<2ru>", "<2sv>", "<2da>")


def _train(corpus: Iterable[str], vocab_size: int, **options: object) -> bytes:
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(list(corpus)), model_writer=model, vocab_size=vocab_size,
        character_coverage=1.0, hard_vocab_limit=False, minloglevel=2, num_threads=2,
        max_sentence_length=1 << 16, **options)
    return model.getvalue()


# --- OPUS-MT (Marian) ----------------------------------------------------------------------

def _marian_config(size: ModelSize) -> dict:
    """The ``special:model.yml`` of a post-norm OPUS-MT transformer (as Marian writes it)."""
    return {
        "type": "transformer", "dim-emb": size.d_model, "enc-depth": size.layers,
        "dec-depth": size.layers, "transformer-heads": size.heads,
        "transformer-dim-ffn": size.ffn, "transformer-ffn-activation": "swish",
        "transformer-preprocess": "", "transformer-postprocess": "dan",
        "transformer-postprocess-top": "", "transformer-postprocess-emb": "d",
        "transformer-decoder-autoreg": "self-attention", "transformer-no-projection": False,
        "transformer-guided-alignment-layer": "last", "tied-embeddings-all": True,
        "version": "v1.7.6 02f4af4 2019-07-17 (random weights)",
    }


def marian_npz(vocab_size: int, size: ModelSize, eos: int, seed: int) -> dict[str, np.ndarray]:
    """Random Marian weights under Marian's own names (``encoder_l1_self_Wq``...)."""
    rng = np.random.default_rng(seed)
    d = size.d_model

    def matrix(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) / np.sqrt(rows)).astype(np.float32)

    unit = rng.standard_normal(d).astype(np.float32)
    unit /= np.linalg.norm(unit)
    weights: dict[str, np.ndarray] = {}
    embeddings = matrix(vocab_size, d)
    embeddings[eos] = 0.65 * unit  # tied with the input: 3 * u, as elsewhere, ends at once
    weights["Wemb"] = embeddings  # tied: source, target and output projection
    positions = _sinusoids(MAX_POSITIONS, d)
    positions += 0.1 * np.arange(MAX_POSITIONS, dtype=np.float32)[:, None] * unit[None, :]
    weights["Wpos"] = positions
    weights["decoder_ff_logit_out_b"] = np.zeros((1, vocab_size), np.float32)

    def attention(scope: str) -> None:
        for part in "qkvo":
            weights[f"{scope}_W{part}"] = matrix(d, d)
            weights[f"{scope}_b{part}"] = np.zeros((1, d), np.float32)
        weights[f"{scope}_Wo_ln_scale"] = np.ones((1, d), np.float32)
        weights[f"{scope}_Wo_ln_bias"] = np.zeros((1, d), np.float32)

    def ffn(scope: str) -> None:
        weights[f"{scope}_W1"] = matrix(d, size.ffn)
        weights[f"{scope}_b1"] = np.zeros((1, size.ffn), np.float32)
        weights[f"{scope}_W2"] = matrix(size.ffn, d)
        weights[f"{scope}_b2"] = np.zeros((1, d), np.float32)
        weights[f"{scope}_ffn_ln_scale"] = np.ones((1, d), np.float32)
        weights[f"{scope}_ffn_ln_bias"] = np.zeros((1, d), np.float32)

    for layer in range(1, size.layers + 1):
        attention(f"encoder_l{layer}_self")
        ffn(f"encoder_l{layer}_ffn")
        attention(f"decoder_l{layer}_self")
        attention(f"decoder_l{layer}_context")
        ffn(f"decoder_l{layer}_ffn")
    config = yaml.safe_dump(_marian_config(size)).encode() + b"\0"
    weights["special:model.yml"] = np.frombuffer(config, dtype=np.int8).copy()
    return weights


def marian_vocabulary_yaml(tokens: Sequence[str]) -> str:
    """A Marian ``.yml`` vocabulary (``token: id`` per line, quoted where YAML needs it)."""
    return yaml.safe_dump({token: i for i, token in enumerate(tokens)}, allow_unicode=True,
                          sort_keys=False, width=1 << 20)


def build_opus_mt(out_dir: Path, name: str, source_corpus: Iterable[str], *,
                  source_languages: Sequence[str] = ("deu",), target_tokens: Sequence[str] = (),
                  size: ModelSize = TINY, seed: int = 0, as_zip: bool = True,
                  leave_out: Sequence[str] = ()) -> Path:
    """A RANDOM-WEIGHT OPUS-MT release (``name.zip`` or folder ``name/``); return its path.

    ``target_tokens`` (``>>eng<<``...) make it a multilingual-target model, whose vocabulary
    holds them and whose README says a sentence-initial token is required. ``leave_out``
    names files to omit (for tests of incomplete releases).
    """
    source_corpus = list(source_corpus)
    source_spm = _train([*source_corpus, *ENGLISH_COVERAGE[:3]], size.vocab // 2)
    target_spm = _train([*ENGLISH_COVERAGE * 3, *source_corpus], size.vocab // 2)
    pieces: list[str] = ["</s>", "<unk>", *target_tokens]
    for model in (source_spm, target_spm):
        for piece in sentencepiece_vocabulary(model)[3:]:
            if piece not in pieces:
                pieces.append(piece)
    from ctranslate2.converters.marian import load_vocab

    vocab_text = marian_vocabulary_yaml(pieces)
    stem = "opus.spm32k-spm32k"
    readme = [f"# {name} (RANDOM WEIGHTS: output is meaningless)", "",
              f"* source language(s): {' '.join(source_languages)}",
              "* target language(s): eng", "* model: transformer", ""]
    if target_tokens:
        readme.insert(5, "* a sentence initial language token is required in the form of "
                         "`>>id<<` (id = valid target language ID)")
    files: dict[str, bytes] = {
        "decoder.yml": yaml.safe_dump({
            "models": [f"{stem}.transformer.model1.npz.best-perplexity.npz"],
            "vocabs": [f"{stem}.vocab.yml", f"{stem}.vocab.yml"],
            "beam-size": 6, "normalize": 0.6, "relative-paths": True}).encode(),
        f"{stem}.vocab.yml": vocab_text.encode("utf-8"),
        "source.spm": source_spm, "target.spm": target_spm,
        "README.md": "\n".join(readme).encode(),
        "LICENSE": b"Creative Commons Attribution 4.0 International (test fixture)\n",
    }
    npz = io.BytesIO()
    np.savez(npz, **marian_npz(len(pieces), size, eos=0, seed=seed))
    files[f"{stem}.transformer.model1.npz.best-perplexity.npz"] = npz.getvalue()
    for missing in leave_out:
        files.pop(missing)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:  # the converter's own parser reads it back
        check = Path(work) / "vocab.yml"
        check.write_text(vocab_text, encoding="utf-8")
        assert load_vocab(str(check)) == pieces
    if as_zip:
        archive = out_dir / f"{name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for file, data in files.items():
                zf.writestr(file, data)
        return archive
    folder = out_dir / name
    folder.mkdir()
    for file, data in files.items():
        (folder / file).write_bytes(data)
    return folder


# --- NLLB-200 and M2M100 (CTranslate2 folders as ct2-transformers-converter writes them) ---

def fairseq_vocabulary(spm: bytes, language_tokens: Sequence[str], extra: Sequence[str] = ()
                       ) -> list[str]:
    """The Hugging Face NLLB/M2M100 vocabulary: fairseq's four specials, the pieces, languages."""
    pieces = sentencepiece_vocabulary(spm)[3:]  # the model's own <unk> <s> </s> come first
    return ["<s>", "<pad>", "</s>", "<unk>", *pieces, *language_tokens, *extra]


def build_ct2_seq2seq(out_dir: Path, family: str, corpus: Iterable[str], *,
                      size: ModelSize = TINY, seed: int = 0, quantization: str | None = None,
                      leave_out: Sequence[str] = ()) -> Path:
    """A RANDOM-WEIGHT NLLB-200 (``family="nllb"``) or M2M100 CTranslate2 folder; its path."""
    spm = _train([*corpus, *ENGLISH_COVERAGE], size.vocab, model_type="bpe")
    if family == "nllb":
        vocabulary = fairseq_vocabulary(spm, NLLB_LANGUAGES, ["<mask>"])
        name = "nllb-200-random"
    else:
        vocabulary = fairseq_vocabulary(spm, M2M100_LANGUAGES,
                                        [f"madeupword{i}" for i in range(4)])
        name = "m2m100-random"
    spec = random_transformer(vocabulary, size, seed)  # pre-norm, ReLU, as M2M100Loader
    spec.config.bos_token, spec.config.eos_token = "<s>", "</s>"
    spec.config.unk_token, spec.config.decoder_start_token = "<unk>", "</s>"
    spec.validate()
    spec.optimize(quantization=quantization)
    folder = out_dir / name
    folder.mkdir(parents=True)
    spec.save(str(folder))
    (folder / "sentencepiece.bpe.model").write_bytes(spm)
    (folder / "README.md").write_text(f"RANDOM WEIGHTS: a {family}-shaped model for tests.\n")
    for missing in leave_out:
        (folder / missing).unlink()
    return folder


# --- MADLAD-400 (T5) -------------------------------------------------------------------------

def random_t5(vocabulary: list[str], size: ModelSize, seed: int, eos_bias: float = 2.5):
    """A T5-shaped TransformerSpec (relative attention bias, RMS norm, gated GELU FFN)."""
    from ctranslate2.specs import common_spec, model_spec, transformer_spec

    rng = np.random.default_rng(seed)
    d, vocab = size.d_model, len(vocabulary)
    spec = transformer_spec.TransformerSpec.from_config(
        (size.layers, size.layers), size.heads, pre_norm=True,
        activation=common_spec.Activation.GELUTanh, ffn_glu=True,
        relative_attention_bias=True, rms_norm=True)

    def fill(layer, name: str, value: object) -> None:
        if value is not None:
            return
        leaf = name.rsplit("/", 1)[-1]
        parent = name.rsplit("/", 2)[-2]
        if leaf == "gamma":
            array = np.ones((d,), np.float32)
        elif leaf == "relative_attention_bias":
            array = rng.standard_normal((32, size.heads)).astype(np.float32)
        elif leaf == "relative_attention_max_distance":
            setattr(layer, leaf, np.dtype("int32").type(128))
            return
        elif "embeddings" in name or "projection" in name:
            array = (rng.standard_normal((vocab, d)) / np.sqrt(d)).astype(np.float32)
        elif "ffn" in name:
            shape = (d, size.ffn) if parent == "linear_1" else (size.ffn, d)
            array = (rng.standard_normal(shape) / np.sqrt(shape[1])).astype(np.float32)
        else:
            rows = {"linear_0": 3 * d if "self_attention" in name else d,
                    "linear_1": d if "self_attention" in name else 2 * d}.get(parent, d)
            array = (rng.standard_normal((rows, d)) / np.sqrt(d)).astype(np.float32)
        setattr(layer, leaf, array)

    model_spec.visit_spec(spec, fill)
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False
    bias = np.zeros((vocab,), np.float32)
    bias[vocabulary.index("</s>")] = eos_bias
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.bos_token, spec.config.eos_token = "<pad>", "</s>"
    spec.config.unk_token, spec.config.decoder_start_token = "<unk>", "<pad>"
    return spec


def build_madlad(out_dir: Path, corpus: Iterable[str], *, size: ModelSize = TINY,
                 seed: int = 0, quantization: str | None = None) -> Path:
    """A RANDOM-WEIGHT MADLAD-400-shaped (T5) CTranslate2 folder with its SentencePiece model."""
    spm = _train([*corpus, *ENGLISH_COVERAGE], size.vocab, pad_id=0, eos_id=1, unk_id=2,
                 bos_id=-1, user_defined_symbols=list(MADLAD_TAGS))
    vocabulary = sentencepiece_vocabulary(spm)
    spec = random_t5(vocabulary, size, seed)
    spec.validate()
    spec.optimize(quantization=quantization)
    folder = out_dir / "madlad400-random"
    folder.mkdir(parents=True)
    spec.save(str(folder))
    (folder / "spiece.model").write_bytes(spm)
    return folder


def describe(folder: Path) -> dict:
    """The CTranslate2 ``config.json`` of a built folder (for assertions)."""
    return json.loads((folder / "config.json").read_text())
