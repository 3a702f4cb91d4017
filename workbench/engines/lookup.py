"""Engine lookup for a run: one lazily loaded engine per language pair, of any family.

A run loads an engine only for pairs that actually have something to translate, and with
``--install-missing`` installs a missing pair's Argos package from the index first. Which
installed model serves a pair: the one chosen for its source language (``choices``, e.g.
``{"de": "opus-mt-de-en", "ru": "nllb"}``; by default ``settings.models``, so the run, the
desk and a cluster worker all choose as the user did), else the default order of
``models.families.DEFAULT_ORDER``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Engine
from workbench.engines.madlad import MadladEngine
from workbench.engines.nllb import MultilingualEngine
from workbench.engines.opus_mt import OpusMTEngine
from workbench.errors import IndexUnavailable, UnknownPackage, WorkbenchError
from workbench.models import index as package_index
from workbench.models.catalog import InstalledModel, choose, from_package, installed_models
from workbench.models.install import install_from_index
from workbench.models.packages import InstalledPackage
from workbench.settings import Settings

#: The engine class of each non-Argos family.
FAMILY_ENGINES = {"opus-mt": OpusMTEngine, "nllb": MultilingualEngine,
                  "m2m100": MultilingualEngine, "madlad": MadladEngine}


def engine_for(model: InstalledModel, src: str, tgt: str, settings: Settings) -> Engine:
    """The engine that runs an installed model of any family for one pair."""
    if model.package is not None:
        return ArgosEngine(model.package, settings)
    return FAMILY_ENGINES[model.family](model, src, tgt, settings)


@dataclass
class Engines:
    """Engine lookup for a run: one lazily-loaded engine per pair, created on first request.

    ``choices`` maps a source language to the model that translates it (a model's name, or
    a family's: ``{"de": "opus-mt-de-en", "ru": "nllb"}``; not given: ``settings.models``,
    from ``--model``, ``WORKBENCH_MODELS`` or the project's ``[models]``); other languages
    take the default order. A choice that names no model able to translate the pair is a
    problem (kept in ``problems``; :meth:`check` raises it before a run). With
    ``install_missing``, a pair no model serves gets its Argos package from the index once;
    if that fails (offline, say) the reason is kept in ``problems`` and the pair stays
    missing.
    """

    settings: Settings
    install_missing: bool = False
    on_download: Callable[[str], package_index.ProgressCallback | None] | None = None
    choices: Mapping[str, str] | None = None
    problems: list[str] = field(default_factory=list)
    _engines: dict[tuple[str, str], Engine | None] = field(default_factory=dict)
    _models: list[InstalledModel] | None = None
    _index: package_index.PackageIndex | None = None
    _index_failed: bool = False

    def __post_init__(self) -> None:
        if self.choices is None:  # pairs; a run.json read back gives lists: both work
            self.choices = {str(lang): str(name) for lang, name in self.settings.models}

    def __call__(self, src: str, tgt: str) -> Engine | None:
        """The engine for a pair, or ``None`` when no model is (or can be) installed."""
        pair = (src, tgt)
        if pair not in self._engines:
            try:
                model = self.model(src, tgt)
            except UnknownPackage as err:
                self.problems.append(str(err))
                model = None
            else:
                if model is None and self.install_missing and src not in self.choices:
                    package = self._install(src, tgt)
                    model = from_package(package) if package else None
            self._engines[pair] = engine_for(model, src, tgt, self.settings) if model else None
        return self._engines[pair]

    def model(self, src: str, tgt: str) -> InstalledModel | None:
        """The installed model that serves a pair (the chosen one, else the default order).

        Raises:
            UnknownPackage: the choice for ``src`` cannot translate the pair.
        """
        return choose(self._installed(), src, tgt, self.choices.get(src))

    def check(self, tgt: str) -> None:
        """Raise the first choice that names no model able to translate into ``tgt``."""
        for src in self.choices:
            self.model(src, tgt)

    def installed(self, src: str, tgt: str) -> bool:
        """Whether a model for the pair is installed (nothing is installed to find out)."""
        try:
            return self.model(src, tgt) is not None
        except UnknownPackage:
            return False

    def _installed(self) -> list[InstalledModel]:
        if self._models is None:
            self._models = installed_models(self.settings.models_dir)
        return self._models

    def _install(self, src: str, tgt: str) -> InstalledPackage | None:
        if self._index_failed:
            return None
        try:
            if self._index is None:
                self._index = package_index.fetch_index(self.settings.index_url)
            progress = self.on_download(f"{src}_{tgt}") if self.on_download else None
            package = install_from_index(f"{src}_{tgt}", self.settings, self._index, progress)
        except IndexUnavailable as err:
            self._index_failed = self._index is None
            self.problems.append(str(err))
            return None
        except (UnknownPackage, WorkbenchError) as err:
            self.problems.append(str(err))
            return None
        self._installed().append(from_package(package))
        return package


#: The name the run, the desk and the cluster worker know it by.
ArgosEngines = Engines


class KeptLoaded:
    """An engine lookup for a long-lived process (review desk, cluster worker): models stay.

    A run unloads each model when a chunk has no more segments for it; the desk translates a
    few segments per glossary change and a cluster worker one batch of articles at a time,
    and loading a model for each would cost more than the translating. Each model is loaded
    once, on first use, and kept.
    """

    def __init__(self, engines: Engines) -> None:
        self.engines = engines
        self._kept: dict[tuple[str, str], Engine | None] = {}

    def __call__(self, src: str, tgt: str) -> Engine | None:
        """The engine for a pair, never unloaded by the pipeline."""
        if (src, tgt) not in self._kept:
            engine = self.engines(src, tgt)
            self._kept[(src, tgt)] = _NeverReleased(engine) if engine is not None else None
        return self._kept[(src, tgt)]

    def installed(self, src: str, tgt: str) -> bool:
        """Whether a package for the pair is installed."""
        return self.engines.installed(src, tgt)


class _NeverReleased:
    """An engine whose ``release`` keeps the model; everything else is the engine's own."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)

    def release(self) -> None:
        """Keep the model loaded (see :class:`KeptLoaded`)."""
