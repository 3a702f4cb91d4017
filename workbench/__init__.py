"""Workbench: offline translation and normalization of news articles into aligned records."""

#: Kept equal to pyproject.toml's version by a test; a literal, because reading package
#: metadata costs more start-up time than the rest of this package's imports.
__version__ = "0.1.0"

__all__ = ["__version__"]
