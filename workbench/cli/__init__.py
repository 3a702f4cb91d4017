"""The ``workbench`` command line. Importing the command modules registers their commands."""

from workbench.cli import glossary, models, project, qa, translate  # noqa: F401  (registers commands)
from workbench.cli.base import cli

__all__ = ["cli"]
