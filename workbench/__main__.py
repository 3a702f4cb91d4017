"""``python -m workbench`` runs the CLI."""

from workbench.cli import cli

cli()
