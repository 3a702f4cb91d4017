"""The package's rooms: a few shared vocabulary modules at the root, one folder per concept,
and no import from a room to one above it (so a change finds its room in one guess)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"
#: Lowest first: a room may import the vocabulary and the rooms before it, never after.
LAYERS = ("text", "models", "engines", "cache", "qa", "outputs", "glossary", "sites", "run",
          "cluster", "review", "desk", "cli")
VOCABULARY = {"__init__", "__main__", "records", "errors", "settings", "project", "display",
              "files"}


def _room(module: str) -> str:
    """The room (or vocabulary module) a module name is in; ``__init__`` for the package."""
    name = module.split(".")[1]
    return "__init__" if name.startswith("__") and name != "__main__" else name


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "workbench" else \
                [f"workbench.{alias.name}" for alias in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("workbench.")]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_root_holds_only_the_shared_vocabulary():
    root = {p.stem for p in PACKAGE.glob("*.py")}
    assert root <= VOCABULARY, sorted(root - VOCABULARY)
    assert len(root) <= 8
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert rooms == set(LAYERS), rooms


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_room_above_its_own(path):
    own = path.relative_to(PACKAGE).parts[0] if len(path.relative_to(PACKAGE).parts) > 1 \
        else ""
    rank = LAYERS.index(own) if own else -1
    upward = []
    for line, name in _imports(path):
        room = _room(name)
        if room in VOCABULARY or room == own:
            continue
        if own == "" and path.stem == "__main__" and room == "cli":
            continue  # the entry point runs the CLI
        if own == "" or LAYERS.index(room) > rank:
            upward.append(f"{path.name}:{line} imports {name}")
    assert not upward


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text("utf-8").splitlines()) <= 400


def test_every_setting_shows_the_default_settings_use():
    from workbench.settings import SETTINGS, Settings

    for setting in SETTINGS:
        field = Settings.__dataclass_fields__[setting.name]
        if not setting.default_text:  # shown as the value itself: it must be that value
            assert setting.shown_default() == str(field.default), setting.name


def test_every_fingerprinted_module_exists():
    from workbench.cache.fingerprint import code_files
    from workbench.outputs.review_pages import PAGE_CODE
    from workbench.qa.memo import CHECKS_CODE
    from workbench.run.preparer import MATCHED_CODE, PREPARED_CODE

    for name in (*PAGE_CODE, *CHECKS_CODE, *MATCHED_CODE, *PREPARED_CODE):
        assert code_files(name), name
    with pytest.raises(LookupError):
        code_files("workbench.no_such_module")
