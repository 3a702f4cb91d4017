"""Run settings, declared as data, built once by the CLI and passed down.

Library code never reads ``os.environ``: :meth:`Settings.from_env` is the single place the
environment is consulted, and the CLI calls it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
PIVOT_LANGUAGE = "en"


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


@dataclass(frozen=True)
class Setting:
    """One user-facing setting: its name, default, environment variable and help text."""

    name: str
    env: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("models_dir", "WORKBENCH_MODELS_DIR",
            "Directory of installed Argos packages (default: Argos's own packages directory)."),
    Setting("cache_path", "WORKBENCH_CACHE", "SQLite translation cache."),
    Setting("index_url", "WORKBENCH_PACKAGE_INDEX", "URL of the Argos package index JSON."),
    Setting("device", "WORKBENCH_DEVICE", "cpu, cuda or auto (CUDA when present)."),
    Setting("compute_type", "WORKBENCH_COMPUTE_TYPE",
            "CTranslate2 compute type; 'default' is int8 on CPU, int8_float16 on CUDA."),
    Setting("beam_size", "WORKBENCH_BEAM_SIZE", "Beam size for decoding."),
    Setting("batch_tokens", "WORKBENCH_BATCH_TOKENS", "Source tokens per engine batch."),
    Setting("threads", "WORKBENCH_THREADS", "CPU threads per translation (0: all cores)."),
    Setting("glossary_paths", None, "Glossary files or folders (default: glossary/)."),
)


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; immutable, so it can be shared freely."""

    models_dir: Path = field(default_factory=lambda: argos_packages_dir(os.environ))
    cache_path: Path = Path("cache/workbench.db")
    index_url: str = DEFAULT_INDEX_URL
    device: str = "auto"
    compute_type: str = "default"
    beam_size: int = 4
    length_penalty: float = 0.2
    max_decoding_length: int = 256
    max_input_tokens: int = 400
    batch_tokens: int = 2048
    threads: int = 0
    tgt_lang: str = PIVOT_LANGUAGE
    glossary_paths: tuple[Path, ...] = (Path("glossary"),)

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> Settings:
        """Build settings from environment variables, then explicit overrides (CLI options).

        ``None`` overrides are ignored, so the CLI can pass every option through unchanged.
        """
        values: dict[str, Any] = {"models_dir": argos_packages_dir(env)}
        types = {f.name: f.type for f in fields(cls)}
        for setting in SETTINGS:
            if setting.env and env.get(setting.env):
                values[setting.name] = _coerce(types[setting.name], env[setting.env])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


def _coerce(type_name: Any, raw: str) -> Any:
    if type_name in ("int", int):
        return int(raw)
    if type_name in ("Path", Path):
        return Path(raw)
    return raw
