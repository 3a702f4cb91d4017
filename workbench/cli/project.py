"""``workbench init``: make a folder a workbench project."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from workbench.cli.base import CONTEXT, cli, fail_on_errors
from workbench.project import INCOMING_DIR, init_project


@cli.command("init", context_settings=CONTEXT)
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@fail_on_errors
def init(directory: Path) -> None:
    """Make DIRECTORY (default: here) a workbench project with the starter glossary.

    \b
    It gets workbench.toml, glossary/ (the curated starter terms: edit them freely), cache/
    and incoming/ (for your articles). Runs in DIRECTORY or any folder below it use that
    glossary and cache, as git finds its repository.
    """
    project = init_project(directory)
    root = shlex.quote(str(project.root))
    click.echo(f"Created a workbench project in {project.root}: glossary in "
               f"{project.glossary_dir}, cache in {project.cache_path}.\n"
               f"Next: put articles (.txt, .html, .jsonl, .csv) in "
               f"{project.root / INCOMING_DIR}, then run:\n"
               f"  cd {root} && workbench translate {INCOMING_DIR} -o out", err=True)
