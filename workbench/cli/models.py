"""``workbench models``: install, list, evaluate and browse models of every family."""

from __future__ import annotations

import json
from pathlib import Path
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
from workbench.errors import InputError, WorkbenchError
from workbench.models import index as package_index
from workbench.models import install as models
from workbench.models.catalog import ANY, InstalledModel, installed_models
from workbench.models.families import DEFAULT_ORDER, FAMILIES


@cli.group("models", context_settings=CONTEXT)
def models_group() -> None:
    """Install, list and compare models into English (Argos, OPUS-MT, NLLB-200, M2M100, MADLAD)."""


def _size(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size < 1e9 else f"{size / 1e9:,.2f} GB"


def _pairs(model: InstalledModel) -> str:
    sources = "any" if ANY in model.sources else " ".join(model.sources)
    return f"{sources}→{model.target}"


def _langs(value: str | None) -> list[str] | None:
    return [v.strip().lower() for v in value.split(",") if v.strip()] if value else None


@models_group.command("install", context_settings=CONTEXT)
@click.argument("packages", nargs=-1, required=True, metavar="CODE_OR_FILE...")
@settings_options
@click.option("--silent", is_flag=True, help="Don't show download progress.")
@click.option("--family", type=click.Choice(DEFAULT_ORDER),
              help="The model family of a CTranslate2 folder (nllb, m2m100, madlad); "
                   "Argos packages and OPUS-MT releases are recognised.")
@click.option("--name", help="Install under this name (default: the file or folder name).")
@click.option("--lang", "langs", metavar="LANGS",
              help="Source languages of an OPUS-MT release whose README and name do not "
                   "say (comma-separated: nb,sv,da).")
@fail_on_errors
def models_install(packages: tuple[str, ...], silent: bool, family: str | None,
                   name: str | None, langs: str | None, **options: Any) -> None:
    """Install models from the package index by language code, or from local files or folders.

    \b
    Examples:
      workbench models install de ru sv          # de→en, ru→en, sv→en from the index
      workbench models install translate-nb_en   # full package codes work too
      workbench models install ~/Downloads/translate-pl_en-1_9.argosmodel
      workbench models install ./translate-pl_en-1_9/   # an unpacked package folder
      workbench models install opus-mt-gmq-en.zip       # OPUS-MT, converted (or its folder)
      workbench models install --family nllb ./nllb-200-distilled-600M-ct2/
      workbench models install --family m2m100 ./m2m100_418M-ct2/
      workbench models install --family madlad ./madlad400-3b-mt-ct2/

    NLLB-200, M2M100 and MADLAD-400 install from the folder ct2-transformers-converter
    writes, with the SentencePiece model copied in (--copy_files sentencepiece.bpe.model).
    Every model is verified before anything is moved into place (the model and its
    tokenizers must load): a corrupt, incomplete or unsafe one is refused in one line and
    the models directory is left as it was. Nothing is downloaded except codes from the
    Argos package index.
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
            done = models.install(spec, settings, index, download_bar(silent)(spec),
                                  family=family, name=name, langs=_langs(langs))
        except WorkbenchError as err:
            click.secho(f"Error: {err}", fg="red", err=True)
            failed += 1
            continue
        model, package = done.model, done.package
        if package is not None:
            what = (f"{package.code} {package.package_version} ({package.from_code}→"
                    f"{package.to_code}) in {package.path}")
        else:
            what = (f"{model.name} ({FAMILIES[model.family].title}, {_pairs(model)}, "
                    f"licence {model.licence}) in {model.path}")
        if done.unchecked:
            click.echo(f"Already installed: {what}; the package index could not be reached "
                       "(or lacks the pair) to look for another version", err=True)
        elif done.already:
            click.echo(f"Already installed (same version): {what}; nothing changed", err=True)
        else:
            replaced = f" (replacing {', '.join(done.replaced)})" if done.replaced else ""
            click.echo(f"Installed {what}{replaced}", err=True)
    if failed:
        raise SystemExit(1)


@models_group.command("list", context_settings=CONTEXT)
@settings_options
@json_option()
@fail_on_errors
def models_list(json_: bool, **options: Any) -> None:
    """List installed models: name, family, pairs, size on disk and licence.

    When several models translate a language, the one used is the one chosen for it, else
    the first by family in this order: OPUS-MT, NLLB-200, MADLAD-400, M2M100, Argos.
    NLLB-200 is licensed CC-BY-NC 4.0: non-commercial use only.
    """
    settings = build_settings(**options)
    found = installed_models(settings.models_dir)
    if json_:
        click.echo(json.dumps([m.describe() for m in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"No models installed in {settings.models_dir}", err=True)
        return
    for m in found:
        version = f" {m.version}" if m.package is not None and m.version else ""
        click.echo(f"{m.name}{version}\t{m.family}\t{_pairs(m)}\t"
                   f"{_size(m.size_on_disk())}\t{m.licence}\t{m.path}")


@models_group.command("available", context_settings=CONTEXT)
@settings_options
@json_option()
@fail_on_errors
def models_available(json_: bool, **options: Any) -> None:
    """List what the package index offers into English (needs the network)."""
    settings = build_settings(**options)
    index = package_index.fetch_index(settings.index_url)
    installed = {(m.sources[0], m.target) for m in installed_models(settings.models_dir)
                 if m.package is not None}
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
    """Remove a model by name, or Argos packages by language code (de), pair (de_en) or code."""
    settings = build_settings(**options)
    for code in codes:
        for model in models.remove(code, settings):
            version = f" {model.version}" if model.package is not None else ""
            click.echo(f"Removed {model.name}{version} ({model.path})", err=True)


@models_group.command("evaluate", context_settings=CONTEXT)
@click.argument("src_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("ref_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", required=True, help="The language of SRC_FILE (de, nb, pl...).")
@settings_options
@json_option()
@fail_on_errors
def models_evaluate(src_file: Path, ref_file: Path, lang: str, json_: bool,
                    **options: Any) -> None:
    """Translate a reference set with every installed model for a pair, and compare them.

    SRC_FILE holds one source sentence a line and REF_FILE its English, line for line
    (WMT's plain-text sets, say). Prints chrF and BLEU (sacrebleu, with its signature),
    segments per second and size on disk for each model, best chrF first.

    \b
    Example:
      workbench models evaluate newstest2021.de-en.de newstest2021.de-en.en --lang de
    """
    from workbench.engines.evaluate import evaluate

    settings = build_settings(**options)
    lang = lang.strip().lower()
    sources, references = _lines(src_file), _lines(ref_file)
    if len(sources) != len(references):
        raise InputError(ref_file, f"{len(references)} lines, but {src_file} has "
                                   f"{len(sources)}; a reference set is line for line")
    tgt = settings.tgt_lang
    serving = [m for m in installed_models(settings.models_dir) if m.serves(lang, tgt)]
    if not serving:
        raise WorkbenchError(f"no installed model translates {lang}→{tgt} "
                             f"(models in {settings.models_dir})")

    def say(model: InstalledModel) -> None:
        if not json_:
            click.echo(f"Translating {len(sources)} lines with {model.name}...", err=True)

    results = evaluate(serving, sources, references, lang, tgt, settings, say)
    if json_:
        click.echo(json.dumps({"lang": lang, "segments": len(sources),
                               "results": [r.to_dict() for r in results]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{'model':<28} {'family':<8} {'chrF':>6} {'BLEU':>6} {'seg/s':>8} {'size':>10}")
    for r in results:
        failed = f"  ({r.failed} failed)" if r.failed else ""
        click.echo(f"{r.model.name:<28} {r.model.family:<8} {r.chrf:6.2f} {r.bleu:6.2f} "
                   f"{r.segments_per_second:8.2f} {_size(r.size):>10}{failed}")
    click.echo(f"chrF: {results[0].chrf_signature}")
    click.echo(f"BLEU: {results[0].bleu_signature}")
    if any(r.model.family == "nllb" for r in results):
        click.echo("NLLB-200 is CC-BY-NC 4.0: non-commercial use only.", err=True)


def _lines(path: Path) -> list[str]:
    from workbench.files import read_bytes

    try:
        text = read_bytes(path, 1 << 30).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 ({err})") from err
    return text.splitlines()
