"""The ``workbench`` command line. Each command's module is imported when the command is used."""

from workbench.cli.base import cli

__all__ = ["cli"]
