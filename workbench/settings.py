"""Run settings, declared once as data: their option, environment variable, type and limits.

The CLI builds its options from :data:`SETTINGS`, and :meth:`Settings.from_env` validates
every value the same way whether it came from an option or the environment, so a bad
``WORKBENCH_BEAM_SIZE`` is refused as clearly as a bad ``--beam-size``. Library code never
reads ``os.environ``: ``from_env`` is the single place the environment is consulted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError

if TYPE_CHECKING:  # project.py reads its defaults with the settings declared here
    from workbench.project import Project

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
PIVOT_LANGUAGE = "en"
DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16",
                 "int16", "float16", "bfloat16", "float32")


class SettingError(WorkbenchError):
    """A setting has a value we cannot use; names the option or variable it came from."""


def check_cluster(value: str) -> str:
    """``ray`` (``RAY_ADDRESS``, else a local instance) or ``ray://HOST:PORT`` (Ray Client).

    Raises:
        ValueError: anything else.
    """
    if value == "ray" or (value.startswith("ray://") and len(value) > len("ray://")):
        return value
    raise ValueError("must be 'ray' (RAY_ADDRESS, else a local Ray instance) or "
                     "'ray://HOST:PORT'")


def argos_packages_dir(env: Mapping[str, str]) -> Path:
    """Where argostranslate/argospm install packages, computed as its settings module does.

    We compute it rather than import ``argostranslate.settings``, which creates five
    directories in the user's home at import time.
    """
    if env.get("ARGOS_PACKAGES_DIR"):
        return Path(env["ARGOS_PACKAGES_DIR"])
    home = Path(env["SNAP_USER_DATA"]) if "SNAP" in env else Path.home()
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return data_home / "argos-translate" / "packages"


#: A source language as detection and the models name it: ``de``, ``nb``, ``zh_Hant``...
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?")
#: A model's or a family's name as ``workbench models list`` shows it.
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")
#: What a ``--model`` value looks like.
CHOICE_EXAMPLE = "write LANG=MODEL, e.g. de=opus-mt-de-en or ru=nllb"


def parse_choices(raw: object, source: str) -> tuple[tuple[str, str], ...]:
    """Model choices per source language, as sorted ``(lang, name)`` pairs.

    ``raw``: text of ``LANG=MODEL`` items separated by commas (``WORKBENCH_MODELS``), several
    such texts (``--model``, repeated), a mapping (the ``[models]`` table), or pairs.

    Raises:
        SettingError: an item is not ``LANG=MODEL``, or gives a language twice; one line
            naming ``source`` (for a table, ``source.LANG``).
    """
    def refuse(where: str, problem: str, got: object) -> SettingError:
        shown = str(got)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return SettingError(f"{where}: {problem} (got {shown!r})")

    items: list[tuple[str, object, str, object]] = []  # lang, name, where, as written
    if isinstance(raw, Mapping):
        items = [(str(k), v, f"{source}.{k}", v) for k, v in raw.items()]
    else:
        texts: Iterable[object] = [raw] if isinstance(raw, str) else raw  # type: ignore[assignment]
        for text in texts:
            if isinstance(text, tuple | list) and len(text) == 2:
                items.append((str(text[0]), text[1], source, "=".join(map(str, text))))
                continue
            parts = [p.strip() for p in str(text).split(",")]
            if not any(parts):
                raise refuse(source, CHOICE_EXAMPLE, text)
            for part in filter(None, parts):
                lang, sep, name = part.partition("=")
                if not sep or not lang.strip() or not name.strip():
                    raise refuse(source, CHOICE_EXAMPLE, part)
                items.append((lang.strip(), name.strip(), source, part))
    chosen: dict[str, str] = {}
    for lang, name, where, written in items:
        if not LANGUAGE_CODE.fullmatch(lang):
            raise refuse(where, f"{lang!r} is not a language code (two or three lower-case "
                                "letters, e.g. de)", written)
        if not isinstance(name, str) or not MODEL_NAME.fullmatch(name):
            raise refuse(where, "must be a model's or a family's name, as `workbench models "
                                "list` shows it" + (" (in quotes)" if where != source
                                                   else ""), written)
        if lang in chosen:
            raise refuse(where, f"a model is chosen for {lang} twice", written)
        chosen[lang] = name
    return tuple(sorted(chosen.items()))


@dataclass(frozen=True)
class Setting:
    """One user-facing setting: option, environment variable, type, limits and help."""

    name: str
    option: str
    env: str | None
    kind: type
    help: str
    #: How ``--help`` describes a default that is not a plain value (else: the value).
    default_text: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    #: Checks a text value; raises ValueError with the problem.
    check: Callable[[str], str] | None = None

    def parse(self, raw: Any, source: str) -> Any:
        """Check and convert one value; ``source`` names where it came from."""
        if self.kind is tuple:
            return parse_choices(raw, source)
        def refuse(problem: str) -> SettingError:
            shown = str(raw)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            return SettingError(f"{source}: {problem} (got {shown!r})")

        if self.kind is int:
            try:
                value = int(str(raw).strip(), 10)
            except ValueError:
                raise refuse("must be a whole number") from None
            if (self.minimum is not None and value < self.minimum) or \
                    (self.maximum is not None and value > self.maximum):
                raise refuse(f"must be between {self.minimum} and {self.maximum}")
            return value
        text = str(raw)
        if not text.strip() or "\x00" in text:
            raise refuse("must not be empty")
        if self.choices and text not in self.choices:
            raise refuse(f"must be one of {', '.join(self.choices)}")
        if self.check is not None:
            try:
                text = self.check(text)
            except ValueError as err:
                raise refuse(str(err)) from None
        return Path(text) if self.kind is Path else text

    def shown_default(self) -> str:
        """The default as ``--help`` shows it: written once, in :class:`Settings`."""
        if self.default_text:
            return self.default_text
        return str(Settings.__dataclass_fields__[self.name].default)


SETTINGS: tuple[Setting, ...] = (
    Setting("models_dir", "--models-dir", "WORKBENCH_MODELS_DIR", Path,
            "Installed Argos packages.",
            "Argos's own packages directory, so argospm installs just work"),
    Setting("cache_path", "--cache", "WORKBENCH_CACHE", Path, "SQLite translation cache.",
            "the project's cache/workbench.db; outside a project, the user's cache folder"),
    Setting("index_url", "--index-url", "WORKBENCH_PACKAGE_INDEX", str,
            "Argos package index JSON.", "the official argospm-index"),
    Setting("device", "--device", "WORKBENCH_DEVICE", str,
            "Where to run the models.", "auto, CUDA when present", choices=DEVICES),
    Setting("compute_type", "--compute-type", "WORKBENCH_COMPUTE_TYPE", str,
            "CTranslate2 compute type.", "int8 on CPU, int8_float16 on CUDA",
            choices=COMPUTE_TYPES),
    Setting("beam_size", "--beam-size", "WORKBENCH_BEAM_SIZE", int, "Beam size.",
            minimum=1, maximum=32),
    Setting("batch_tokens", "--batch-tokens", "WORKBENCH_BATCH_TOKENS", int,
            "Source tokens per batch (times the beam in decoding memory).",
            minimum=16, maximum=1_000_000),
    Setting("threads", "--threads", "WORKBENCH_THREADS", int,
            "CPU threads per model (0: all cores).", minimum=0, maximum=1024),
    Setting("cluster", "--cluster", "WORKBENCH_CLUSTER", str,
            "Translate on Ray: 'ray' (the cluster RAY_ADDRESS names, else a local Ray "
            "instance) or 'ray://HOST:PORT' (Ray Client). Needs workbench[ray].",
            "none: in this process", check=check_cluster),
    Setting("models", "--model", "WORKBENCH_MODELS", tuple,
            "The model for a source language, LANG=MODEL: a model's name or a family's "
            "(`workbench models list`), e.g. de=opus-mt-de-en or ru=nllb. Repeat for several "
            "(the variable: comma-separated).",
            "the first installed of OPUS-MT, NLLB-200, MADLAD-400, M2M100, Argos"),
)
BY_NAME = {s.name: s for s in SETTINGS}
#: Settings a project's ``workbench.toml`` may give (the cache is its ``cache`` key).
PROJECT_SETTINGS = tuple(s for s in SETTINGS if s.name != "cache_path")


def _user_cache_path() -> Path:
    from workbench.project import user_cache_path

    return user_cache_path()


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; immutable, so it can be shared freely."""

    models_dir: Path = field(default_factory=lambda: argos_packages_dir(os.environ))
    cache_path: Path = field(default_factory=_user_cache_path)
    index_url: str = DEFAULT_INDEX_URL
    device: str = "auto"
    compute_type: str = "default"
    beam_size: int = 4
    length_penalty: float = 0.2
    max_decoding_length: int = 256
    max_input_tokens: int = 400
    #: Measured on 2 cores (benchmarks/throughput.py, Argos-sized model): 1024 and 2048 run
    #: the same (8.1 vs 8.2 s), and a run over five languages peaks at 901 MB against 1,303.
    batch_tokens: int = 1024
    threads: int = 0
    cluster: str | None = None
    #: The model chosen per source language, as sorted ``(lang, name)`` pairs (a name may be
    #: a family's); a language not here takes the default order.
    models: tuple[tuple[str, str], ...] = ()
    tgt_lang: str = PIVOT_LANGUAGE
    glossary_paths: tuple[Path, ...] = ()
    #: The project's site rules folder (None: outside any project, no site rules).
    labels_dir: Path | None = None
    #: The workbench project the defaults came from (None: outside any project).
    project: Path | None = None
    #: Find unseen Vietnamese names and protect them provisionally (``--no-auto-names``,
    #: ``auto_names = false`` in workbench.toml turn it off).
    auto_names: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str], project: Project | None = None,
                 **overrides: Any) -> Settings:
        """Build settings from the project, environment variables, then explicit overrides.

        A project gives the default glossary and cache, and any run defaults its
        ``workbench.toml`` sets (already checked when it was read); outside one there is no
        glossary and the cache is in the user's cache directory. Precedence: an override (a
        command-line option) over the environment over the project over the built-in
        default. ``None`` overrides are ignored, so the CLI can pass every option through
        unchanged. Every declared setting is validated, wherever its value came from. Model
        choices merge per language: ``--model ru=nllb`` keeps the project's choice for de.

        Raises:
            SettingError: a value is malformed or out of range; names its option or variable.
        """
        values: dict[str, Any] = {"models_dir": argos_packages_dir(env)}
        if project is not None:
            values.update(project=project.root, cache_path=project.cache_path,
                          glossary_paths=(project.glossary_dir,), labels_dir=project.labels_dir)
            values.update(project.settings)
        def put(name: str, value: Any) -> None:
            if name in values and BY_NAME[name].kind is tuple:  # choices: per language
                value = tuple(sorted({**dict(values[name]), **dict(value)}.items()))
            values[name] = value

        for setting in SETTINGS:
            if setting.env and env.get(setting.env):
                put(setting.name, setting.parse(env[setting.env], setting.env))
        for name, value in overrides.items():
            if value is None:
                continue
            declared = BY_NAME.get(name)
            if declared:
                put(name, declared.parse(value, declared.option))
            else:
                values[name] = value
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)
