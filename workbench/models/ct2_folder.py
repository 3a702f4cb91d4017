"""NLLB-200, M2M100 and MADLAD-400: CTranslate2 folders converted from Hugging Face.

``ct2-transformers-converter --model facebook/nllb-200-distilled-600M --copy_files
sentencepiece.bpe.model`` writes ``model.bin``, ``config.json``, the vocabulary
(``shared_vocabulary.json`` or ``.txt``) and the SentencePiece model. The family is named
(``--family nllb|m2m100|madlad``), and its language tokens must be in the vocabulary: the
target's, and for NLLB-200 and M2M100 each source's (the sources are every language of ours
whose token is there). MADLAD-400 writes the target tag into the text, so it takes any source.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from workbench.errors import PackageError
from workbench.models.catalog import ANY, InstalledModel
from workbench.models.families import (
    FAMILIES,
    NLLB_CODES,
    m2m100_token,
    madlad_tag,
    nllb_token,
)
from workbench.models.staging import install_staged, model_name
from workbench.text.normalize import parse_json

#: The SentencePiece model, under the names the Hugging Face repositories use.
SPM_NAMES = ("sentencepiece.bpe.model", "spiece.model", "sentencepiece.model", "spm.model")
VOCABULARIES = ("shared_vocabulary.json", "shared_vocabulary.txt", "source_vocabulary.json",
                "source_vocabulary.txt")
MODEL_FILES = ("model.bin", "config.json", *VOCABULARIES, "target_vocabulary.json",
               "target_vocabulary.txt", "vocabulary.json", "vocabulary.txt")
KEPT_FILES = ("README.md", "LICENSE", "LICENSE.txt", "LICENSE.md")
CT2_FAMILIES = ("nllb", "m2m100", "madlad")


def is_ct2_folder(path: Path) -> bool:
    """Whether a folder holds a CTranslate2 model (``model.bin`` beside ``config.json``)."""
    return path.is_dir() and (path / "model.bin").is_file() and (path / "config.json").is_file()


def read_vocabulary(folder: Path) -> list[str]:
    """The model's (source) vocabulary, from the JSON list or one token per line."""
    for name in VOCABULARIES:
        path = folder / name
        if path.is_file():
            text = _text(path)
            if not name.endswith(".json"):
                return text.splitlines()
            tokens = _json(path, text)
            if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                raise PackageError(path, "not a vocabulary (expected a JSON list of tokens)")
            return tokens
    return []


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PackageError(path, f"cannot read ({getattr(err, 'strerror', None) or err})"
                           ) from err


def _json(path: Path, text: str) -> Any:
    """The one JSON reader's answer, or one line naming the file."""
    try:
        return parse_json(text)
    except ValueError as err:
        raise PackageError(path, f"not valid JSON ({err})") from err


def guess_family(vocabulary: list[str]) -> str | None:
    """The family whose target token the vocabulary has (for a hint when none was named)."""
    tokens = set(vocabulary)
    for family, token in (("nllb", "eng_Latn"), ("m2m100", "__en__"), ("madlad", "<2en>")):
        if token in tokens:
            return family
    return None


def languages(family: str, vocabulary: list[str], tgt: str) -> tuple[list[str], dict[str, str]]:
    """The sources a model serves and each one's token (MADLAD-400: any source, no token)."""
    if family == "madlad":
        return [ANY], {}
    tokens = set(vocabulary)
    found: dict[str, str] = {}
    for lang in sorted({*NLLB_CODES, *(t[2:-2] for t in tokens
                                       if t.startswith("__") and t.endswith("__"))}):
        token = nllb_token(lang) if family == "nllb" else m2m100_token(lang)
        if lang != tgt and token in tokens and len(lang) == 2:
            found[lang] = token
    return sorted(found), found


def install_ct2_folder(folder: Path, family: str, models_dir: Path, tgt: str = "en", *,
                       name: str | None = None) -> InstalledModel:
    """Install a converted NLLB-200, M2M100 or MADLAD-400 folder (a copy); verified, atomic.

    Raises:
        PackageError: a missing file (named), no language tokens of the family, or a model
            or tokenizer that does not load; nothing is left in ``models_dir``.
    """
    if family not in CT2_FAMILIES:
        raise PackageError(folder, f"unknown family {family!r} (one of {', '.join(CT2_FAMILIES)})")
    if not folder.is_dir():
        raise PackageError(folder, f"a {FAMILIES[family].title} model installs from a "
                                   "CTranslate2 folder (ct2-transformers-converter's output)")
    spm = next((n for n in SPM_NAMES if (folder / n).is_file()), None)
    missing = [n for n in ("model.bin", "config.json") if not (folder / n).is_file()]
    vocabulary = read_vocabulary(folder)
    if not vocabulary:
        missing.append("shared_vocabulary.json")
    if spm is None:
        missing.append(f"the SentencePiece model ({' or '.join(SPM_NAMES[:2])}; convert "
                       "with --copy_files)")
    if missing:
        raise PackageError(folder, f"incomplete {FAMILIES[family].title} folder: missing "
                                   f"{', '.join(missing)}")
    target_token = {"nllb": nllb_token(tgt), "m2m100": m2m100_token(tgt),
                    "madlad": madlad_tag(tgt)}[family]
    if target_token not in set(vocabulary):
        guess = guess_family(vocabulary)
        hint = f"; is it --family {guess}?" if guess and guess != family else ""
        raise PackageError(folder, f"no {target_token} token in its vocabulary: not a "
                                   f"{FAMILIES[family].title} model into {tgt}{hint}")
    sources, source_tokens = languages(family, vocabulary, tgt)
    if not sources:
        raise PackageError(folder, "none of our languages has a token in its vocabulary")
    config = _json(folder / "config.json", _text(folder / "config.json"))
    if not isinstance(config, dict):
        raise PackageError(folder / "config.json", "not a CTranslate2 model configuration "
                                                   "(expected a JSON object)")

    def fill(target: Path) -> dict[str, Any]:
        (target / "model").mkdir()
        try:
            for file in MODEL_FILES:
                if (folder / file).is_file():
                    shutil.copyfile(folder / file, target / "model" / file)
            shutil.copyfile(folder / spm, target / spm)
            for file in KEPT_FILES:
                if (folder / file).is_file():
                    shutil.copyfile(folder / file, target / file)
        except OSError as err:
            raise PackageError(folder, f"cannot copy: {err.strerror or err}") from err
        return {"family": family, "sources": sources, "target": tgt,
                "licence": FAMILIES[family].licence, "version": "",
                "source_tokens": source_tokens,
                "target_token": target_token,
                # ct2-transformers-converter leaves </s> to the tokenizer, as Hugging Face's
                # tokenizers add it; a model whose config adds it itself must not get two.
                "add_eos": not config.get("add_source_eos", False),
                "tokenizers": {"source": spm, "target": spm}}

    return install_staged(fill, model_name(folder, name), models_dir, folder)
