"""OPUS-MT (Marian) releases: check one, convert it with CTranslate2's ``OpusMTConverter``.

A release (Helsinki-NLP's zip, or its unpacked folder) holds ``decoder.yml``, which names
the ``.npz`` weights and the ``.yml`` vocabularies, and ``source.spm``/``target.spm``. The
languages come from its README (``source language(s): dan nob swe``), else from its name
(``opus-mt-gmq-en``), else from ``--lang``. A model trained for several target languages has
``>>xxx<<`` tokens and must be told ``>>eng<<`` before every sentence.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from workbench.errors import PackageError
from workbench.models.archive import check_crcs, check_members, extract
from workbench.models.catalog import InstalledModel
from workbench.models.families import FAMILIES, opus_languages, opus_target_tokens
from workbench.models.staging import install_staged, model_name

SPM_FILES = ("source.spm", "target.spm")
#: Copied beside the converted model, for the user (the licence above all).
KEPT_FILES = ("README.md", "LICENSE", "LICENSE.txt")
_README_SOURCES = re.compile(r"source language\(s\):\s*(.+)", re.IGNORECASE)
_NAME_PAIR = re.compile(r"(?:^|[-_.])([a-z]{2,3})[-_]([a-z]{2,3})$")


def is_release(path: Path) -> bool:
    """Whether a file or folder is an OPUS-MT release (it has a ``decoder.yml``)."""
    if path.is_dir():
        return (path / "decoder.yml").is_file()
    if path.suffix != ".zip" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.rsplit("/", 1)[-1] == "decoder.yml" for n in zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read_decoder(release: Path, origin: Path) -> tuple[Path, list[Path]]:
    """The weights and vocabularies ``decoder.yml`` names, each checked to exist.

    Raises:
        PackageError: one line naming every missing file.
    """
    import yaml

    try:
        config = yaml.safe_load((release / "decoder.yml").read_text(encoding="utf-8"))
        weights = release / str(config["models"][0])
        vocabularies = [release / str(v) for v in config["vocabs"]]
    except FileNotFoundError as err:
        raise PackageError(origin, "not an OPUS-MT release (no decoder.yml)") from err
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError) as err:
        raise PackageError(origin, f"decoder.yml does not name the model and its "
                                   f"vocabularies ({err})") from err
    wanted = [weights, *vocabularies, *(release / name for name in SPM_FILES)]
    missing = sorted({p.name for p in wanted if not p.is_file()})
    if missing:
        raise PackageError(origin, f"incomplete OPUS-MT release: missing {', '.join(missing)}")
    return weights, vocabularies


def source_languages(release: Path, name: str, given: list[str] | None) -> list[str]:
    """What the model translates from: ``--lang``, the README's list, or the name's."""
    if given:
        return given
    readme = release / "README.md"
    if readme.is_file():
        found = _README_SOURCES.search(readme.read_text(encoding="utf-8", errors="replace"))
        if found and (langs := opus_languages(found.group(1))):
            return langs
    pair = _NAME_PAIR.search(name.lower())
    return opus_languages(pair.group(1)) if pair else []


def install_release(path: Path, models_dir: Path, tgt: str = "en", *, name: str | None = None,
                    langs: list[str] | None = None) -> InstalledModel:
    """Convert and install an OPUS-MT release (zip or folder); verified, atomic.

    The weights are converted to int8 (as Argos ships its models; a quarter of the float32
    size), the tokenizers and the README/LICENSE are kept.

    Raises:
        PackageError: not a release, a missing file, languages that cannot be told, a model
            that cannot write ``tgt``, or a conversion or load that fails; nothing is left.
    """
    name = model_name(path, name)
    with tempfile.TemporaryDirectory(prefix=".unpacking-", dir=_scratch(models_dir)) as work:
        release = _unpack(path, Path(work)) if path.is_file() else path
        weights, vocabularies = read_decoder(release, path)
        sources = [s for s in source_languages(release, name, langs) if s != tgt]
        if not sources:
            raise PackageError(path, "cannot tell which languages it translates from (no "
                                     "README list, no xx-en name): give --lang")
        from ctranslate2.converters.marian import load_vocab

        multilingual, token = opus_target_tokens(load_vocab(str(vocabularies[-1])), tgt)
        if multilingual and token is None:
            raise PackageError(path, f"a multilingual-target model without a >>{tgt}<< token: "
                                     f"it cannot write {tgt}")

        def fill(target: Path) -> dict[str, Any]:
            from ctranslate2.converters import OpusMTConverter

            try:
                OpusMTConverter(str(release)).convert(str(target / "model"),
                                                      quantization="int8")
            except Exception as err:  # the converter raises ValueError, KeyError, OSError...
                raise PackageError(path, f"CTranslate2 cannot convert it ({err})") from err
            for file in (*SPM_FILES, *KEPT_FILES):
                if (release / file).is_file():
                    shutil.copyfile(release / file, target / file)
            return {"family": "opus-mt", "sources": sources, "target": tgt,
                    "licence": FAMILIES["opus-mt"].licence, "version": weights.name,
                    "target_token": token or "",
                    "tokenizers": {"source": "source.spm", "target": "target.spm"}}

        return install_staged(fill, name, models_dir, path)


def _scratch(models_dir: Path) -> Path:
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PackageError(models_dir, f"cannot write the models directory: "
                                       f"{err.strerror or err}") from err
    return models_dir


def _unpack(archive: Path, work: Path) -> Path:
    """Unpack a verified release zip; its one top folder, if it has one, is the release."""
    try:
        zip_file = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise PackageError(archive, f"not a readable zip archive ({err})") from err
    with zip_file:
        root = check_members(zip_file, archive)
        check_crcs(zip_file, archive)
        extract(zip_file, root, work / "release", archive)
    return work / "release"
