"""Installing a model of any family atomically: fill a staging folder, verify it, rename it in.

A model that does not load (the CTranslate2 model, or any of its SentencePiece models) is
refused in one line and nothing is left in the models directory, as with Argos packages.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from workbench.errors import PackageError
from workbench.models.catalog import MANIFEST, InstalledModel, read_manifest
from workbench.models.packages import move_in, staging_folder

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def model_name(path: Path, given: str | None = None) -> str:
    """A model's name: the one given, else its file or folder name (``opus-mt-gmq-en``)."""
    stem = given or (path.name[: -len(".zip")] if path.name.endswith(".zip") else path.name)
    name = _UNSAFE.sub("_", stem).strip("._-")
    if not name or name.startswith("translate-"):
        raise PackageError(path, f"{stem!r} cannot name a model (letters, digits, '.', '_', "
                                 "'-'; 'translate-' is kept for Argos packages): give --name")
    return name[:100]


def verify_loads(folder: Path, origin: Path, tokenizers: Iterable[str]) -> None:
    """The CTranslate2 model in ``folder/model`` and each SentencePiece model load.

    Raises:
        PackageError: one line naming what does not load.
    """
    import sentencepiece

    for name in tokenizers:
        try:
            sentencepiece.SentencePieceProcessor(model_file=str(folder / name))
        except Exception as err:  # sentencepiece raises RuntimeError, OSError...
            raise PackageError(origin, f"{name} cannot be loaded as a SentencePiece model "
                                       f"({err})") from err
    import ctranslate2

    try:  # reads the whole model once: a junk model.bin is refused here, not mid-run
        ctranslate2.Translator(str(folder / "model"), device="cpu", inter_threads=1,
                               intra_threads=1).unload_model()
    except Exception as err:
        raise PackageError(origin, f"the CTranslate2 model cannot be loaded ({err})") from err


def install_staged(fill: Callable[[Path], dict[str, Any]], name: str, models_dir: Path,
                   origin: Path) -> InstalledModel:
    """Fill ``staging/package`` (``fill`` returns the manifest), verify, then rename it in.

    The manifest's ``tokenizers`` must all load, and so must the model; an existing model
    of the same name is swapped out only once the new one is known to work.
    """
    staging = staging_folder(models_dir)
    try:
        target = staging / "package"
        target.mkdir()
        manifest = {"format": 1, "name": name, **fill(target)}
        (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
        verify_loads(target, origin, manifest.get("tokenizers", {}).values())
        final = models_dir / name
        move_in(target, final, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(final)
