"""``workbench init``: make a folder a workbench project."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from workbench.cli.base import CONTEXT, cli, fail_on_errors
from workbench.display import display_path, safe_text
from workbench.project import INCOMING_DIR, init_project
from workbench.settings import SettingError, Settings


@cli.command("init", context_settings=CONTEXT)
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@fail_on_errors
def init(directory: Path) -> None:
    """Make DIRECTORY (default: here) a workbench project with the starter glossary.

    \b
    It gets workbench.toml, glossary/ (the curated starter terms: edit them freely), cache/
    and incoming/ (for your articles). Runs in DIRECTORY or any folder below it use that
    glossary and cache, as git finds its repository. workbench.toml can also set run
    defaults (models_dir, formats, threads, device...); an option or a WORKBENCH_* variable
    wins over them.
    """
    project = init_project(directory)
    root = shlex.quote(str(project.root))
    try:
        models_dir = str(Settings.from_env(os.environ, project).models_dir)
    except SettingError:  # a bad WORKBENCH_MODELS_DIR: the run will name it
        models_dir = "the models folder"
    shown = {name: display_path(path) for name, path in (
        ("root", project.root), ("glossary", project.glossary_dir),
        ("cache", project.cache_path), ("marker", project.marker),
        ("incoming", project.root / INCOMING_DIR))}  # a name may hold escapes: shown safe
    root = safe_text(root)
    click.echo(f"Created a workbench project in {shown['root']}: glossary in "
               f"{shown['glossary']}, cache in {shown['cache']}; project defaults "
               f"(models_dir, formats, threads...) go in {shown['marker']}.\n"
               f"Next:\n"
               f"  1. Install the models for your articles' languages, once (they go to "
               f"{safe_text(models_dir)}):\n"
               f"       cd {root} && workbench models install nb pl de ru sv   # online: "
               f"the Argos package index\n"
               f"       cd {root} && workbench models install FILE.argosmodel  # offline: "
               f"a downloaded file\n"
               f"     or add --install-missing to step 3's command (online).\n"
               f"  2. Put articles (.txt, .html, .jsonl, .csv) in "
               f"{shown['incoming']}.\n"
               f"  3. Translate them:\n"
               f"  cd {root} && workbench translate {INCOMING_DIR} -o out", err=True)
