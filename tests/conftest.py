"""Shared fixtures. Model fixtures build Argos packages locally; nothing is downloaded.

The per-language packages have RANDOM WEIGHTS (see tests/random_package.py): tests on
them check structure, alignment, caching and counts, never English wording. Exact output is
checked with the one real trained model we have, ``tests/data/fixtures/aren-transliteration``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from random_package import build_random_package, wrap_ctranslate2_model

from workbench.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
#: Other people's files the tests need, copied in with their licences (see its README).
FIXTURES = ROOT / "tests" / "data" / "fixtures"
SEED_LANGUAGES = {"000_6ee16a1a097d6283": "nb", "001_9e90e167a72bcd0b": "pl",
                  "002_56b54d490b5aedd0": "de", "003_1bb19d71bc8151fe": "ru",
                  "004_6297eead32339cd5": "sv"}


#: The Debian packages the tests use, each with a command it provides: the review pages and
#: the desk are tested in a real headless browser, the OmegaT round trip with OmegaT 3.6.
SYSTEM_PACKAGES = {"chromium": ("chromium", "chromium-browser"),
                   "chromium-driver": ("chromedriver",), "omegat": ("omegat",)}


def missing_system_packages(which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The packages of :data:`SYSTEM_PACKAGES` none of whose commands is on the PATH."""
    return [package for package, commands in SYSTEM_PACKAGES.items()
            if not any(which(command) for command in commands)]


def install_system_packages(missing: list[str], say: Callable[[str], None],
                            run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                            euid: int | None = None,
                            which: Callable[[str], str | None] = shutil.which) -> str | None:
    """Install ``missing`` with apt-get, as root or through ``sudo -n``; None when done.

    Says what it is about to do in one line first. Returns the one-line problem when it
    cannot (no root, no password-less sudo, no apt-get, apt-get failed): the caller fails the
    session with it, so a machine without the packages never passes by skipping tests.
    """
    command = ["apt-get", "install", "-y", "-qq", *missing]
    by_hand = f"sudo apt-get install -y {' '.join(missing)}"
    if not which("apt-get"):
        return (f"the tests need the Debian packages {', '.join(missing)} and there is no "
                f"apt-get here: install them (on Debian/Ubuntu: {by_hand}), then run again")
    euid = os.geteuid() if euid is None else euid
    if euid == 0:
        prefix: list[str] = []
    elif which("sudo") and run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        return (f"the tests need the Debian packages {', '.join(missing)}, and installing "
                f"them needs root: run `{by_hand}`, then run the tests again")
    say(f"The tests need the Debian packages {', '.join(missing)} (a headless browser for "
        f"the review pages and desk, OmegaT for its round trip): installing them with "
        f"{' '.join([*prefix, *command[:3]])} ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], command):
        done = run([*prefix, *step], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            last = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or [""]
            return (f"`{' '.join([*prefix, *step])}` failed (exit {done.returncode}): "
                    f"{last[0]}; install {', '.join(missing)} by hand ({by_hand})")
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    """On a bare Debian/Ubuntu machine, install the system packages the tests use first."""
    missing = missing_system_packages()
    if not missing:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    say = reporter.write_line if reporter is not None else print
    problem = install_system_packages(missing, say)
    if problem is None and missing_system_packages():
        problem = f"installed {', '.join(missing)}, yet {', '.join(missing_system_packages())}" \
                  " is still not on the PATH"
    if problem is not None:
        pytest.exit(f"Cannot run the tests: {problem}", returncode=1)


def require(path: Path, what: str) -> Path:
    """Fail loudly (never skip) when a fixture file is missing."""
    if not path.exists():
        pytest.fail(f"missing test fixture: {what} expected at {path}", pytrace=False)
    return path


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's settings or writes to their Argos directories."""
    for name in ("WORKBENCH_MODELS_DIR", "WORKBENCH_CACHE", "WORKBENCH_PACKAGE_INDEX",
                 "WORKBENCH_DEVICE", "WORKBENCH_COMPUTE_TYPE", "WORKBENCH_BEAM_SIZE",
                 "WORKBENCH_BATCH_TOKENS", "WORKBENCH_THREADS", "ARGOS_PACKAGES_DIR"):
        monkeypatch.delenv(name, raising=False)
    # ray.init sets RAY_AUTH_MODE=token in this process and keeps the token in ~/.ray: with a
    # HOME of its own, the next test's Ray head would look for it there and fail to start.
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("WORKBENCH_RAISE_ERRORS", "")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    require(SEEDS, "the seed articles")
    for stem in SEED_LANGUAGES:
        require(SEEDS / f"{stem}.txt", f"seed article {stem}")
    return SEEDS


def seed_lines(stem: str) -> list[str]:
    return [line for line in (SEEDS / f"{stem}.txt").read_text("utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="session")
def random_archives(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> dict[str, Path]:
    """RANDOM-WEIGHT .argosmodel files for nb, pl, de, ru, sv (tokenizers trained on the seeds)."""
    out = tmp_path_factory.mktemp("archives")
    return {lang: build_random_package(out, lang, seed_lines(stem), seed=i)
            for i, (stem, lang) in enumerate(SEED_LANGUAGES.items())}


@pytest.fixture(scope="session")
def installed_models(tmp_path_factory: pytest.TempPathFactory,
                     random_archives: dict[str, Path]) -> Path:
    """A models directory with the five random-weight packages, installed through the CLI."""
    models_dir = tmp_path_factory.mktemp("models")
    result = CliRunner().invoke(cli, ["models", "install", "--models-dir", str(models_dir),
                                      *map(str, random_archives.values())])
    assert result.exit_code == 0, result.output
    return models_dir


@pytest.fixture
def models_copy(installed_models: Path, tmp_path: Path) -> Path:
    """A private copy of the installed models, for tests that change them."""
    copy = tmp_path / "models"
    shutil.copytree(installed_models, copy)
    return copy


@pytest.fixture(scope="session")
def aren_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The REAL trained Arabic-script→Latin model, wrapped as an Argos package."""
    model = require(FIXTURES / "aren-transliteration", "the aren-transliteration model")
    require(model / "model.bin", "aren-transliteration/model.bin")
    return wrap_ctranslate2_model(tmp_path_factory.mktemp("aren"), model, "ar", "en")


@pytest.fixture(scope="session")
def real_index() -> Path:
    return require(FIXTURES / "argospm-index" / "index.json", "the real Argos index")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server serving a fresh directory; yields (base URL, directory)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("headless Chromium is needed for the review-page tests: install Debian's "
                    "chromium and chromium-driver (apt-get install chromium chromium-driver)",
                    pytrace=False)
    return browser, driver


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
