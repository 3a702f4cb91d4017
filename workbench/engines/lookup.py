"""Engine lookup for a run: one lazily loaded engine per language pair.

A run loads an engine only for pairs that actually have something to translate, and with
``--install-missing`` installs a missing pair's package from the index first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Engine
from workbench.errors import IndexUnavailable, UnknownPackage, WorkbenchError
from workbench.models import index as package_index
from workbench.models.install import install_from_index
from workbench.models.packages import InstalledPackage, newest_packages
from workbench.settings import Settings


@dataclass
class ArgosEngines:
    """Engine lookup for a run: one lazily-loaded engine per pair, created on first request.

    With ``install_missing``, a pair without a package is installed from the index once;
    if that fails (offline, say) the reason is kept in ``problems`` and the pair stays
    missing.
    """

    settings: Settings
    install_missing: bool = False
    on_download: Callable[[str], package_index.ProgressCallback | None] | None = None
    problems: list[str] = field(default_factory=list)
    _engines: dict[tuple[str, str], Engine | None] = field(default_factory=dict)
    _packages: dict[tuple[str, str], InstalledPackage] | None = None
    _index: package_index.PackageIndex | None = None
    _index_failed: bool = False

    def __call__(self, src: str, tgt: str) -> Engine | None:
        """The engine for a pair, or ``None`` when no package is (or can be) installed."""
        pair = (src, tgt)
        if pair not in self._engines:
            package = self._installed().get(pair)
            if package is None and self.install_missing:
                package = self._install(src, tgt)
            self._engines[pair] = ArgosEngine(package, self.settings) if package else None
        return self._engines[pair]

    def installed(self, src: str, tgt: str) -> bool:
        """Whether a package for the pair is installed (nothing is installed to find out)."""
        return (src, tgt) in self._installed()

    def _installed(self) -> dict[tuple[str, str], InstalledPackage]:
        if self._packages is None:
            self._packages = newest_packages(self.settings.models_dir)
        return self._packages

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
        self._installed()[package.pair] = package
        return package


class KeptLoaded:
    """An engine lookup for a long-lived process (review desk, cluster worker): models stay.

    A run unloads each model when a chunk has no more segments for it; the desk translates a
    few segments per glossary change and a cluster worker one batch of articles at a time,
    and loading a model for each would cost more than the translating. Each model is loaded
    once, on first use, and kept.
    """

    def __init__(self, engines: ArgosEngines) -> None:
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
