"""The Argos package index: parsing the real index, and installing through a loopback server
that serves a copy of it with its links rewritten (nothing leaves this machine)."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from random_package import build_random_package

from workbench.cli import cli
from workbench.errors import IndexUnavailable, UnknownPackage
from workbench.models import index as package_index


@pytest.fixture
def loopback_index(http_server, real_index, random_archives):
    """Serve a copy of the real index whose links point at our random-weight archives."""
    base, root = http_server
    entries = json.loads(real_index.read_text())
    for entry in entries:
        name = Path(entry["links"][0]).name
        entry["links"] = [f"{base}/packages/{name}", *entry["links"][1:]]
        if entry["to_code"] == "en" and entry["from_code"] in random_archives:
            (root / "packages").mkdir(exist_ok=True)
            shutil.copy(random_archives[entry["from_code"]], root / "packages" / name)
    (root / "index.json").write_text(json.dumps(entries))
    return f"{base}/index.json", root


def test_parse_real_index(real_index):
    index = package_index.parse_index(real_index.read_bytes(), "file")
    into_english = {p.from_code: p for p in index.to_english()}
    assert {"de", "nb", "pl", "ru", "sv", "da"} <= set(into_english)
    assert into_english["de"].file_name == "translate-de_en-1_0.argosmodel"
    assert into_english["sv"].links[1].startswith("ipfs://")


@pytest.mark.parametrize("code", ["ru", "ru_en", "ru-en", "translate-ru_en", "RU"])
def test_resolve_accepts_every_spelling(real_index, code):
    index = package_index.parse_index(real_index.read_bytes(), "file")
    assert index.resolve(code).code == "translate-ru_en"


def test_resolve_unknown_names_what_is_offered(real_index):
    index = package_index.parse_index(real_index.read_bytes(), "URL")
    with pytest.raises(UnknownPackage, match=r"the package index \(URL\) has no xx→en package; "
                                             r"it offers →en from: ar, az, "):
        index.resolve("xx")


def test_install_from_loopback_index(loopback_index, tmp_path):
    url, _ = loopback_index
    models = tmp_path / "models"
    result = CliRunner().invoke(cli, ["models", "install", "de", "nb", "--silent",
                                      "--models-dir", str(models), "--index-url", url])
    assert result.exit_code == 0, result.output
    assert "Installed translate-de_en 1.0 (de→en)" in result.output
    assert sorted(p.name for p in models.iterdir()) == [".downloads", "translate-de_en-1_0",
                                                        "translate-nb_en-1_0"]
    assert list((models / ".downloads").iterdir()) == []
    listed = CliRunner().invoke(cli, ["models", "list", "--json", "--models-dir", str(models)])
    assert [m["code"] for m in json.loads(listed.stdout)] == ["translate-de_en", "translate-nb_en"]
    available = CliRunner().invoke(cli, ["models", "available", "--json", "--index-url", url,
                                         "--models-dir", str(models)])
    offered = {m["from"]: m["installed"] for m in json.loads(available.stdout)}
    assert offered["de"] is True and offered["ru"] is False and len(offered) > 40
    removed = CliRunner().invoke(cli, ["models", "remove", "de", "--models-dir", str(models)])
    assert removed.exit_code == 0, removed.output
    assert sorted(p.name for p in models.iterdir()) == [".downloads", "translate-nb_en-1_0"]
    again = CliRunner().invoke(cli, ["models", "remove", "de", "--models-dir", str(models)])
    assert again.exit_code == 1 and "no installed package for 'de'" in again.output


def test_translate_installs_missing_models_from_index(loopback_index, tmp_path):
    url, _ = loopback_index
    article = tmp_path / "in" / "a.txt"
    article.parent.mkdir()
    article.write_text("Der Generalsekretär besuchte am Montag die Provinz und sprach mit "
                       "den Delegierten über die Arbeit der Partei im kommenden Jahr.\n")
    result = CliRunner().invoke(cli, [
        "translate", str(article.parent), "-o", str(tmp_path / "out"), "--silent",
        "--install-missing", "--index-url", url, "--models-dir", str(tmp_path / "models"),
        "--cache", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "models" / "translate-de_en-1_0" / "model" / "model.bin").is_file()
    record = json.loads((tmp_path / "out" / "records.jsonl").read_text().splitlines()[0])
    assert record["status"] == "translated" and record["tgt"]


def test_unknown_code_and_missing_file_fail_per_item(loopback_index, tmp_path):
    url, _ = loopback_index
    result = CliRunner().invoke(cli, ["models", "install", "xx", "de", "--silent",
                                      "--models-dir", str(tmp_path / "m"), "--index-url", url])
    assert result.exit_code == 1
    assert "Error: the package index" in result.output and "has no xx→en package" in result.output
    assert (tmp_path / "m" / "translate-de_en-1_0").is_dir()


def test_offline_index_gives_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["models", "install", "de", "--models-dir", str(tmp_path),
                                      "--index-url", "http://127.0.0.1:9/index.json"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the Argos package index at "
                                    "http://127.0.0.1:9/index.json (")
    assert "workbench models install FILE.argosmodel" in result.output
    assert result.output.count("\n") == 1


def test_broken_download_leaves_nothing(loopback_index, tmp_path):
    url, root = loopback_index
    archive = root / "packages" / "translate-de_en-1_0.argosmodel"
    archive.write_bytes(archive.read_bytes()[:1000])  # the server now sends a truncated file
    models = tmp_path / "models"
    result = CliRunner().invoke(cli, ["models", "install", "de", "--silent",
                                      "--models-dir", str(models), "--index-url", url])
    assert result.exit_code == 1
    assert "not a valid .argosmodel" in result.output
    assert [p.name for p in models.iterdir()] == [".downloads"]
    assert list((models / ".downloads").iterdir()) == []


def test_checksum_mismatch_is_refused(tmp_path, http_server):
    base, root = http_server
    (root / "p.argosmodel").write_bytes(b"data")
    package = package_index.AvailablePackage(
        code="translate-de_en", from_code="de", to_code="en", package_version="1.0",
        links=(f"{base}/p.argosmodel",), sha256="0" * 64)
    with pytest.raises(IndexUnavailable, match="checksum mismatch"):
        package_index.download(package, tmp_path / "dl")
    assert list((tmp_path / "dl").iterdir()) == []


def test_non_http_links_are_refused(tmp_path):
    package = package_index.AvailablePackage(
        code="translate-sv_en", from_code="sv", to_code="en", package_version="1.5",
        links=("ipfs://Qm", "file:///etc/passwd"))
    with pytest.raises(IndexUnavailable, match="lists no http"):
        package_index.download(package, tmp_path)


def test_versions_are_ordered_as_numbers_everywhere(tmp_path):
    from workbench.models.packages import install_archive, newest_packages

    index = package_index.PackageIndex("test", tuple(
        package_index.AvailablePackage(code="translate-de_en", from_code="de", to_code="en",
                                       package_version=v) for v in ("1.9", "1.10", "1.2")))
    assert index.resolve("de").package_version == "1.10"
    models = tmp_path / "models"
    for version in ("1.9", "1.10"):
        archive = build_random_package(tmp_path / version, "de", ["Guten Tag."] * 50,
                                       version=version)
        install_archive(archive, models)
    assert newest_packages(models)[("de", "en")].package_version == "1.10"
