"""Every installed model of every family, and which one translates a pair.

Argos packages are folders with a ``metadata.json``; the other families are folders that
workbench wrote with a ``workbench-model.json`` manifest beside the CTranslate2 ``model/``
and the tokenizers. Both become an :class:`InstalledModel`, so listing, choosing and
evaluating treat every family alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import PackageError, UnknownPackage
from workbench.models.families import DEFAULT_ORDER, FAMILIES
from workbench.models.packages import InstalledPackage, model_fingerprint, newest_packages
from workbench.text.normalize import parse_json

MANIFEST = "workbench-model.json"
#: ``sources`` of a model that translates from any language (MADLAD-400).
ANY = "*"


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """An installed model of any family: what it is called, what it translates, where it is."""

    name: str
    family: str
    path: Path
    sources: tuple[str, ...]
    target: str
    licence: str
    version: str = ""
    #: The Argos package behind an ``argos`` model.
    package: InstalledPackage | None = None
    #: The manifest of any other family (its tokens and tokenizer files).
    manifest: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model_dir(self) -> Path:
        """The CTranslate2 model directory."""
        return self.path / "model"

    def serves(self, src: str, tgt: str) -> bool:
        """Whether the model translates ``src`` into ``tgt``."""
        return tgt == self.target and src != tgt and (src in self.sources or ANY in self.sources)

    def size_on_disk(self) -> int:
        """Bytes of every file in the model's folder."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def fingerprint(self) -> str:
        """A cheap content fingerprint (manifest, model config, the model file's edges).

        It goes into the engine signature, so replacing a model under the same name
        invalidates its cached translations, without hashing gigabytes.
        """
        if self.package is not None:
            return self.package.fingerprint()
        return model_fingerprint((self.path / MANIFEST, self.model_dir / "config.json"),
                                 self.model_dir / "model.bin")

    def describe(self) -> dict[str, Any]:
        """The fields ``models list --json`` prints.

        ``code``, ``from`` and ``name`` keep the meaning they had when only Argos packages
        were listed (package code, source language, language name); ``model`` is the name
        to choose a model by and ``sources`` every language it translates (``*``: any).
        """
        described = {"model": self.name, "family": self.family, "sources": list(self.sources),
                     "to": self.target, "licence": self.licence, "version": self.version,
                     "size": self.size_on_disk(), "path": str(self.path)}
        if self.package is not None:
            return {**self.package.describe(), **described}
        return {"code": self.name, "from": self.sources[0], "name": "", **described}


def from_package(package: InstalledPackage) -> InstalledModel:
    """An Argos package as a model (named by its package code)."""
    return InstalledModel(package.code, "argos", package.path, (package.from_code,),
                          package.to_code, FAMILIES["argos"].licence, package.package_version,
                          package=package)


def read_manifest(folder: Path) -> InstalledModel:
    """Read a non-Argos model folder's manifest.

    Raises:
        PackageError: no manifest, or one that is not what workbench writes.
    """
    path = folder / MANIFEST
    try:
        manifest = parse_json(path.read_text(encoding="utf-8"))
        family = manifest["family"]
        if family not in FAMILIES or family == "argos":
            raise ValueError(f"unknown family {family!r}")
        return InstalledModel(
            str(manifest["name"]), family, folder, tuple(manifest["sources"]),
            str(manifest["target"]), str(manifest.get("licence") or FAMILIES[family].licence),
            str(manifest.get("version", "")), manifest=manifest)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise PackageError(path, f"not a workbench model manifest ({err})") from err


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Every usable model: the newest Argos package per pair, and every other family's.

    A folder whose manifest is broken is skipped (it cannot be used).
    """
    found = [from_package(p) for p in newest_packages(models_dir).values()]
    if models_dir.is_dir():
        for child in sorted(models_dir.iterdir()):
            if child.is_dir() and not child.name.startswith(".") and (child / MANIFEST).is_file():
                try:
                    found.append(read_manifest(child))
                except PackageError:
                    continue
    return sorted(found, key=lambda m: (DEFAULT_ORDER.index(m.family), m.name))


def _rank(model: InstalledModel, src: str) -> tuple[int, int, str]:
    """Default order: family, then naming the language over any-language, then name."""
    return DEFAULT_ORDER.index(model.family), 0 if src in model.sources else 1, model.name


def choose(models: list[InstalledModel], src: str, tgt: str,
           choice: str | None = None) -> InstalledModel | None:
    """The model that translates ``src`` into ``tgt``: the chosen one, else the default order.

    Arguments:
        models: What is installed (:func:`installed_models`).
        src: The source language.
        tgt: The target language.
        choice: A model's name (``opus-mt-gmq-en``, ``translate-de_en``) or a family's
            (``nllb``: its best model for the pair), or None for the default order.

    Raises:
        UnknownPackage: ``choice`` names no installed model, or one that cannot translate
            the pair; the message lists those that can.
    """
    serving = sorted((m for m in models if m.serves(src, tgt)), key=lambda m: _rank(m, src))
    if choice is None:
        return serving[0] if serving else None
    picked = [m for m in serving if choice in (m.name, m.family)]
    if picked:
        return picked[0]
    offered = ", ".join(m.name for m in serving) or "none"
    known = any(choice in (m.name, m.family) for m in models)
    why = "cannot translate" if known else "is not installed for"
    raise UnknownPackage(f"model {choice!r} {why} {src}→{tgt}; installed for {src}→{tgt}: "
                         f"{offered}")
