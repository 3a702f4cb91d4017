"""The ``workbench`` command group and what its commands share.

Commands parse options, call the library and render; nothing else. Exit codes: 0 the run is
complete; 1 an error stopped the command; 3 the run finished but is incomplete (a file could
not be read, a model is missing, a segment failed, a glossary term was missed).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workbench import __version__
from workbench.display import safe_text
from workbench.errors import WorkbenchError
from workbench.models import index as package_index
from workbench.project import Project, find_project
from workbench.settings import BY_NAME, SettingError, Settings

EXIT_INCOMPLETE = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ClickProgress:
    """Progress of a long run on one status line of the terminal: phase, position, rate, ETA.

    ``Reading and preparing: 340 articles, 85/s`` or ``Translating de→en (pair 2 of 5):
    1,200/4,000 segments, 310/s, ETA 9 s``. The rate and ETA count from the task's start, so
    they show from the first update; the line is redrawn at most ten times a second. Nothing
    is drawn with ``--silent`` or when standard error is not a terminal (a log, a pipe).
    """

    def __init__(self, silent: bool) -> None:
        self.silent = silent or not sys.stderr.isatty()
        self._label, self._total, self._done = "", 0, 0
        self._started = self._drawn = 0.0

    def start(self, label: str, total: int) -> None:
        """A task begins (``total`` 0: not known ahead)."""
        self._label, self._total, self._done = label, total, 0
        self._started, self._drawn = time.monotonic(), 0.0
        self._draw(force=True)

    def advance(self, n: int) -> None:
        """``n`` more units are done."""
        self._done += n
        self._draw()

    def finish(self) -> None:
        """The task ended: its last state stays on its own line."""
        if self._label and not self.silent:
            self._draw(force=True)
            click.echo("", err=True)
        self._label = ""

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.silent or (not force and now - self._drawn < 0.1):
            return
        self._drawn = now
        elapsed = max(now - self._started, 1e-9)
        rate = self._done / elapsed
        unit = "segments" if self._label.startswith("Translating") else "articles" \
            if self._label.startswith("Reading") else "outputs"
        position = f"{self._done:,}/{self._total:,}" if self._total else f"{self._done:,}"
        line = f"{self._label}: {position} {unit}"
        if self._done and elapsed >= 0.2:
            line += f", {rate:,.0f}/s"
            if self._total and self._done < self._total and rate > 0:
                line += f", ETA {_duration((self._total - self._done) / rate)}"
        click.echo(f"\r{line}\x1b[K", nl=False, err=True)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:02.0f} s"
    return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:02.0f} min"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles``: a number with its noun, in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def download_bar(silent: bool) -> Callable[[str], package_index.ProgressCallback | None]:
    """A factory of download-progress callbacks drawing a byte bar per package."""

    def for_package(name: str) -> package_index.ProgressCallback | None:
        if silent:
            return None
        state: dict[str, Any] = {}

        def report(received: int, total: int | None) -> None:
            if "bar" not in state:
                state["bar"] = click.progressbar(length=total or 0, label=f"Downloading {name}",
                                                 file=click.get_text_stream("stderr"))
                state["bar"].__enter__()
                state["seen"] = 0
            state["bar"].update(received - state["seen"])
            state["seen"] = received
            if total is not None and received >= total:
                state["bar"].__exit__(None, None, None)

        return report

    return for_package


def format_options(allowed: tuple[str, ...], default: tuple[str, ...]
                   ) -> Callable[[Callable], Callable]:
    """Output format options of translate (every format) and export (the derived ones).

    The choices and their help come from the format registry (``outputs.formats``).
    """
    from workbench.outputs.formats import FORMATS

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
        formats = [f.strip() for f in value.split(",") if f.strip()]
        unknown = [f for f in formats if f not in allowed]
        if unknown:
            raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from "
                                     f"{', '.join(allowed)}")
        return formats

    def decorate(func: Callable) -> Callable:
        func = click.option("--include-kept", is_flag=True,
                            help="Put kept segments (boilerplate, source lines) in the TMX "
                                 "too, with their source only.")(func)
        listed = "; ".join(f"{name}: {FORMATS[name].help}" for name in allowed)
        return click.option("--format", "formats", default=",".join(default),
                            callback=parse, metavar="LIST",
                            help=f"Comma-separated outputs ({listed}). [default: the "
                                 f"project's formats, else {','.join(default)}; without "
                                 "--format, every format already in the folder is kept "
                                 "current too]")(func)

    return decorate


def json_option(help: str = "Output JSON.") -> Callable[[Callable], Callable]:
    """``--json``: the command prints machine-readable JSON instead of text."""
    return click.option("json_", "--json", is_flag=True, help=help)


def setting_options(*names: str) -> Callable[[Callable], Callable]:
    """Click options generated from the declared settings (``settings.SETTINGS``).

    Values arrive as text and are validated once, by ``Settings.from_env``, exactly as the
    same setting from the environment would be.
    """
    def decorate(func: Callable) -> Callable:
        for name in reversed(names):
            s = BY_NAME[name]
            few = 0 < len(s.choices) <= 4
            metavar = "N" if s.kind is int else "|".join(s.choices) if few else \
                "TYPE" if s.choices else "PATH" if s.kind is Path else "TEXT"
            choices = f" One of: {', '.join(s.choices)}." if s.choices and not few else ""
            several = {"multiple": True, "callback": _none_if_empty} if s.kind is tuple else {}
            metavar = "LANG=MODEL" if s.kind is tuple else metavar
            func = click.option(s.option, name, metavar=metavar, **several, help=(
                f"{s.help}{choices} [env: {s.env}; default: {s.shown_default()}]"))(func)
        return func

    return decorate


def _none_if_empty(ctx: click.Context, param: click.Parameter, value: tuple) -> tuple | None:
    """A repeatable option given no times is not given (the environment or project decide)."""
    return value or None


settings_options = setting_options("models_dir", "index_url")


def fail_on_errors(func: Callable) -> Callable:
    """Turn our exceptions into one-line errors; anything else is a bug and keeps its trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:  # `workbench qa OUT | head`: the reader has all it wanted
            with contextlib.suppress(OSError):  # nothing more reaches the closed pipe
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        except WorkbenchError as err:
            if os.environ.get("WORKBENCH_RAISE_ERRORS"):
                raise
            # One line a terminal shows as written: a name may hold escapes or U+202E.
            raise click.ClickException(safe_text(str(err))) from err

    return wrapper


def build_settings(**options: Any) -> Settings:
    """Settings from the environment, overridden by whatever options were given.

    A bad value, from either, is a usage error (exit code 2) naming the option or variable.
    """
    try:
        return Settings.from_env(os.environ, current_project(), **options)
    except SettingError as err:
        raise click.UsageError(str(err)) from err


def current_project() -> Project | None:
    """The project holding the current directory, if any (its workbench.toml checked)."""
    try:
        return find_project(Path.cwd())
    except WorkbenchError as err:
        raise click.ClickException(str(err)) from err


#: Each command and the module (under workbench.cli) that defines it.
COMMAND_MODULES = {"translate": "translate", "export": "translate", "review": "review",
                   "glossary": "glossary", "corrections": "corrections", "models": "models",
                   "init": "project", "qa": "qa", "cache": "cache",
                   "labels": "labels"}


#: ``ctx.meta`` key (shared by a command and its groups): -q/--quiet was given.
QUIET = "workbench.quiet"


def _debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        logging.getLogger().setLevel(logging.INFO)
    return value


def _quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[QUIET] = True
    return value or bool(ctx.meta.get(QUIET))


class CommonCommand(click.Command):
    """A command that takes ``--debug`` and ``-q/--quiet`` wherever they are written.

    ``workbench translate ... --debug`` and ``workbench -q translate ...`` work as
    ``workbench --debug translate ...`` does. A command with ``--silent`` gets ``-q`` and
    ``--quiet`` as its other names (``--silent`` stays); a group's ``-q`` reaches it too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        silent = next((p for p in self.params if p.name == "silent"), None)
        if silent is not None:
            silent.opts[:0] = ["-q", "--quiet"]
            silent.callback = _quiet
        else:
            self.params.append(click.Option(["-q", "--quiet"], is_flag=True,
                                            expose_value=False, callback=_quiet,
                                            help="Print less: no progress lines."))
        self.params.append(click.Option(["--debug"], is_flag=True, expose_value=False,
                                        callback=_debug, help=DEBUG_HELP))


DEBUG_HELP = "Log what happens (model loads, batches) to stderr."


class WholeHelpGroup(click.Group):
    """A group whose command list shows each command's first sentence whole, wrapped.

    Click cuts it to the space left on one line ("...wins over..."), which tells nothing.
    """

    group_class = type  # subgroups are of this class too
    command_class = CommonCommand

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their whole first sentence."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class LazyGroup(WholeHelpGroup):
    """Import a command's module when the command is used (click's lazy-loading pattern).

    A run of ``translate`` then never imports glossary mining, the package index or the
    corrections reader: start-up is most of a warm re-run.
    """

    group_class = WholeHelpGroup

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, loaded or not."""
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported first."""
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"workbench.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_quiet,
              help="Print less: no progress lines (also after the command's name).")
def cli(debug: bool) -> None:
    """Translate folders of news articles into sentence-aligned English records, offline.

    \b
    Typical use:
      workbench models install de ru           # from the Argos package index (online)
      workbench models install de_en.argosmodel  # or from a file (offline)
      workbench translate seeds/ -o out/       # records.jsonl, articles.jsonl, run.json

    Translations are cached in SQLite, so a re-run only translates what changed.
    """
    logging.basicConfig(level=logging.INFO if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.INFO if debug else logging.WARNING)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM stops a command as an exception does, not mid-write.

    The default action ends the process at once: temporary files stay behind, and a run
    killed between writing an output and recording it in ``run.json`` left a folder the next
    run refused. Raising unwinds every ``finally`` (temporary files removed, locks released);
    what was translated is in the cache already. The exit code is the shell's, 143.
    """
    click.echo("Stopped by SIGTERM; what was done is kept (a run's translations are cached: "
               "run it again to finish).", err=True)
    raise SystemExit(128 + signum)


def open_in_browser(url: str) -> bool:
    """Open a page in the desktop's browser; False where there is none (a server, SSH)."""
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or
                                                  os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
