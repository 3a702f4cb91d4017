"""Workbench projects: where a run finds its glossary and cache, from any folder.

A project is a folder marked by ``workbench.toml`` that holds ``glossary/`` and ``cache/``;
it is found from the current directory upwards, as git finds a repository. Its
``workbench.toml`` may also set the run defaults a user would otherwise retype or set in the
environment (``models_dir``, ``formats``, ``threads``, a ``[models]`` table of the model per
source language...: :data:`PROJECT_SETTINGS`); an option on the command line and a
``WORKBENCH_*`` variable win over them.

Outside any project a run still works: no glossary, and a cache in the user's cache
directory (platformdirs), so translations are never recomputed for want of a folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.files import read_config_text
from workbench.settings import PROJECT_SETTINGS, Setting, SettingError, Settings

MARKER = "workbench.toml"
GLOSSARY_DIR = "glossary"
#: Where ``init`` suggests putting the articles to translate.
INCOMING_DIR = "incoming"
CACHE_FILE = "cache/workbench.db"
#: The project's folder of site rules (label fixes per site), beside the glossary.
LABELS_DIR = "labels"
#: The project's default output formats when ``--format`` is not given (names checked by
#: the CLI, which knows the format registry).
FORMATS_KEY = "formats"
#: Whether runs find unseen Vietnamese names and protect them provisionally (true or false).
AUTO_NAMES_KEY = "auto_names"
_PATH_KEYS = ("glossary", "cache")
#: How the template describes the ``[models]`` table.
MODELS_HELP = ("The model per source language: a model's or a family's name (workbench "
               "models list); or a [models] table, after the other keys.")
#: Every key a ``workbench.toml`` may hold.
KEYS = (*_PATH_KEYS, FORMATS_KEY, *(s.name for s in PROJECT_SETTINGS), AUTO_NAMES_KEY)
_HEADER = """\
# A workbench project: `workbench translate` run here or in any sub-folder uses the
# glossary and the cache below (paths are relative to this file).
glossary = "glossary"
cache = "cache/workbench.db"

# Run defaults for this project: uncomment a line to set one. An option on the command
# line, then a WORKBENCH_* variable, wins over these; paths are relative to this file.
# Outputs when --format is not given. Default: jsonl, tmx, xliff, html.
# formats = ["jsonl", "tmx", "xliff", "html"]
# Find unseen Vietnamese names and protect them, marked name:unconfirmed. Default: true.
# auto_names = true
"""


def _template() -> str:
    """The ``workbench.toml`` that ``init`` writes: every project setting, commented out."""
    lines = [_HEADER]
    examples = {"models_dir": '"models"', "cluster": '"ray"',
                "models": '{ de = "opus-mt-de-en", ru = "nllb" }'}
    for setting in PROJECT_SETTINGS:
        default = Settings.__dataclass_fields__[setting.name].default
        value = examples.get(setting.name) or (
            str(default) if setting.kind is int else f'"{default}"')
        lines.append(f"# {MODELS_HELP if setting.kind is tuple else setting.help} Default: "
                     f"{setting.shown_default()}.\n# {setting.name} = {value}\n")
    return "".join(lines)


@dataclass(frozen=True)
class Project:
    """Where a project's glossary and cache live."""

    root: Path
    glossary_dir: Path
    cache_path: Path
    #: Run defaults its workbench.toml sets, checked: setting name to value.
    settings: Mapping[str, Any] = field(default_factory=dict)
    #: Output formats when ``--format`` is not given (None: the built-in default).
    formats: tuple[str, ...] | None = None

    @property
    def marker(self) -> Path:
        """The ``workbench.toml`` file."""
        return self.root / MARKER

    @property
    def labels_dir(self) -> Path:
        """Where the project's site rules live (``labels/``, made when the first is added)."""
        return self.root / LABELS_DIR


def find_project(start: Path) -> Project | None:
    """The project holding ``start`` (or ``None``), looking in it and each parent folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        marker = folder / MARKER
        if marker.is_file():
            return load_project(marker)
    return None


def load_project(marker: Path) -> Project:
    """Read a ``workbench.toml``.

    Raises:
        InputError: it is not valid TOML, or names its paths wrongly.
    """
    try:
        data = tomllib.loads(read_config_text(marker, 1 << 20))
    except tomllib.TOMLDecodeError as err:
        raise InputError(marker, f"not valid TOML: {err}") from err
    except (ValueError, RecursionError) as err:  # a 4,301-digit integer; deep nesting
        raise InputError(marker, "not valid TOML: " + ("nested too deeply" if isinstance(
            err, RecursionError) else "an integer longer than Python converts")) from err
    unknown = [key for key in data if key not in KEYS]
    if unknown:
        raise InputError(marker, f"unknown key {unknown[0]!r} (expected one of "
                                 f"{', '.join(KEYS)})")
    root = marker.parent
    paths = {}
    for key, default in (("glossary", GLOSSARY_DIR), ("cache", CACHE_FILE)):
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise InputError(marker, f"{key} must be a path in quotes")
        paths[key] = root / value
    settings = {s.name: _setting(marker, s, data[s.name]) for s in PROJECT_SETTINGS
                if s.name in data}
    if AUTO_NAMES_KEY in data:
        if not isinstance(data[AUTO_NAMES_KEY], bool):
            raise InputError(marker, f"{AUTO_NAMES_KEY}: must be true or false, without "
                                     f"quotes (got {_shown(data[AUTO_NAMES_KEY])})")
        settings[AUTO_NAMES_KEY] = data[AUTO_NAMES_KEY]
    formats = _formats(marker, data[FORMATS_KEY]) if FORMATS_KEY in data else None
    return Project(root, paths["glossary"], paths["cache"], settings, formats)


def _setting(marker: Path, setting: Setting, raw: object) -> Any:
    """One run default, checked as the same option or variable would be; paths from the file.

    Raises:
        InputError: one line naming the file and the key.
    """
    if setting.kind is tuple:  # the [models] table: language = "model"
        if not isinstance(raw, dict):
            raise InputError(marker, f'{setting.name}: must be a table, e.g. [{setting.name}] '
                                     f'then de = "opus-mt-de-en" (got {_shown(raw)})')
        try:
            return setting.parse(raw, setting.name)
        except SettingError as err:
            raise InputError(marker, str(err)) from None
    if setting.kind is int and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise InputError(marker, f"{setting.name}: must be a whole number, without quotes "
                                 f"(got {_shown(raw)})")
    if setting.kind is not int and not isinstance(raw, str):
        what = "a path" if setting.kind is Path else "text"
        raise InputError(marker, f"{setting.name}: must be {what} in quotes (got "
                                 f"{_shown(raw)})")
    try:
        value = setting.parse(raw, setting.name)
    except SettingError as err:
        raise InputError(marker, str(err)) from None
    return marker.parent / value.expanduser() if isinstance(value, Path) else value


def _formats(marker: Path, raw: object) -> tuple[str, ...]:
    """``formats``: a list of format names (or one comma-separated string)."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items) or \
            not any(i.strip() for i in items):
        raise InputError(marker, f'{FORMATS_KEY}: must be a list of format names, e.g. '
                                 f'["jsonl", "html"] (got {_shown(raw)})')
    return tuple(i.strip() for i in items if i.strip())


def _shown(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def init_project(directory: Path) -> Project:
    """Create a project with the starter glossary; an existing one is left as it is.

    Raises:
        WorkbenchError: the folder is already a project, or cannot be written.
    """
    marker = directory / MARKER
    if marker.exists():
        raise WorkbenchError(f"{marker} already exists: {directory} is a workbench project")
    # Every folder is checked before any is made: a refused init leaves nothing behind.
    for name in (GLOSSARY_DIR, "cache", INCOMING_DIR):
        folder = directory / name
        if folder.is_symlink():  # init writes only into folders it can vouch for
            raise WorkbenchError(f"{folder} is a symbolic link; init writes no files "
                                 "through one (replace it with a folder, or init elsewhere)")
        if folder.exists() and not folder.is_dir():
            raise WorkbenchError(f"{folder} is a file, where init makes a folder (move it, "
                                 "or init elsewhere)")
    try:
        (directory / GLOSSARY_DIR).mkdir(parents=True, exist_ok=True)
        (directory / "cache").mkdir(exist_ok=True)
        (directory / INCOMING_DIR).mkdir(exist_ok=True)
        for name, text in starter_glossary().items():
            target = directory / GLOSSARY_DIR / name
            if not target.exists():
                target.write_text(text, encoding="utf-8")
        marker.write_text(_template(), encoding="utf-8")
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        raise WorkbenchError(f"cannot create a project in {directory}{where}: "
                             f"{err.strerror or err}") from err
    return load_project(marker)


def starter_glossary() -> dict[str, str]:
    """The curated starter glossary shipped with the package: file name to text."""
    folder = resources.files("workbench") / "starter" / "glossary"
    return {entry.name: entry.read_text(encoding="utf-8") for entry in folder.iterdir()
            if entry.name.endswith(".toml")}


def user_cache_path() -> Path:
    """The cache used outside any project: the user's cache directory."""
    import platformdirs

    return platformdirs.user_cache_path("workbench", appauthor=False) / "workbench.db"

