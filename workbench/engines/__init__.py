"""Translation engines: an abstract interface and the Argos/CTranslate2 implementation."""

from workbench.engines.base import Engine, Translation

__all__ = ["Engine", "Translation"]
