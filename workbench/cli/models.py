"""``workbench models``: install, list and browse Argos packages."""

from __future__ import annotations

import json
from typing import Any

import click

from workbench.cli.base import (
    CONTEXT,
    build_settings,
    cli,
    download_bar,
    fail_on_errors,
    json_option,
    settings_options,
)
from workbench.errors import WorkbenchError
from workbench.models import index as package_index
from workbench.models import install as models
from workbench.models.packages import installed_packages


@cli.group("models", context_settings=CONTEXT)
def models_group() -> None:
    """Install and list Argos translation models (xx→en packages)."""



@models_group.command("install", context_settings=CONTEXT)
@click.argument("packages", nargs=-1, required=True, metavar="CODE_OR_FILE...")
@settings_options
@click.option("--silent", is_flag=True, help="Don't show download progress.")
@fail_on_errors
def models_install(packages: tuple[str, ...], silent: bool, **options: Any) -> None:
    """Install models from the package index by language code, or from local files or folders.

    \b
    Examples:
      workbench models install de ru sv          # de→en, ru→en, sv→en from the index
      workbench models install translate-nb_en   # full package codes work too
      workbench models install ~/Downloads/translate-pl_en-1_9.argosmodel
      workbench models install ./translate-pl_en-1_9/   # an unpacked package folder

    Every archive is verified before anything is moved into place: a corrupt or unsafe
    archive is refused and the models directory is left as it was.
    """
    settings = build_settings(**options)
    fetched: list[package_index.PackageIndex] = []

    def index() -> package_index.PackageIndex:
        if not fetched:
            fetched.append(package_index.fetch_index(settings.index_url))
        return fetched[0]

    failed = 0
    for spec in packages:
        try:
            done = models.install(spec, settings, index, download_bar(silent)(spec))
        except WorkbenchError as err:
            click.secho(f"Error: {err}", fg="red", err=True)
            failed += 1
            continue
        package = done.package
        what = (f"{package.code} {package.package_version} ({package.from_code}→"
                f"{package.to_code}) in {package.path}")
        if done.already:
            click.echo(f"Already installed: {what} (`workbench models remove "
                       f"{package.from_code}` first to replace it)", err=True)
        else:
            click.echo(f"Installed {what}", err=True)
    if failed:
        raise SystemExit(1)


@models_group.command("list", context_settings=CONTEXT)
@settings_options
@json_option()
@fail_on_errors
def models_list(json_: bool, **options: Any) -> None:
    """List installed translate packages."""
    settings = build_settings(**options)
    found = installed_packages(settings.models_dir)
    if json_:
        click.echo(json.dumps([{**p.describe(), "path": str(p.path)} for p in found],
                              ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"No models installed in {settings.models_dir}", err=True)
        return
    for p in found:
        click.echo(f"{p.from_code}→{p.to_code}\t{p.code}\t{p.package_version}\t{p.path}")


@models_group.command("available", context_settings=CONTEXT)
@settings_options
@json_option()
@fail_on_errors
def models_available(json_: bool, **options: Any) -> None:
    """List what the package index offers into English (needs the network)."""
    settings = build_settings(**options)
    index = package_index.fetch_index(settings.index_url)
    installed = {p.pair for p in installed_packages(settings.models_dir)}
    offered = index.to_english(settings.tgt_lang)
    if json_:
        click.echo(json.dumps([{**p.describe(), "installed": p.pair in installed}
                               for p in offered], ensure_ascii=False, indent=2))
        return
    for p in offered:
        mark = "installed" if p.pair in installed else ""
        click.echo(f"{p.from_code}\t{p.from_name}\t{p.package_version}\t{mark}".rstrip())




@models_group.command("remove", context_settings=CONTEXT)
@click.argument("codes", nargs=-1, required=True, metavar="CODE...")
@settings_options
@fail_on_errors
def models_remove(codes: tuple[str, ...], **options: Any) -> None:
    """Remove installed packages by language code (de), pair (de_en) or package code."""
    settings = build_settings(**options)
    for code in codes:
        for package in models.remove(code, settings):
            click.echo(f"Removed {package.code} {package.package_version} ({package.path})",
                       err=True)
