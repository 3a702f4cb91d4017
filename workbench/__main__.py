"""``python -m workbench`` runs the CLI."""

from workbench.cli import cli

if __name__ == "__main__":  # not when a worker process re-imports the main module
    cli()
