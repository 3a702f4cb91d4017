import json
import stat
import zipfile
from pathlib import Path

import pytest

from workbench.errors import PackageError
from workbench.models.packages import install_archive, installed_packages, newest_packages


def snapshot(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")) \
        if directory.exists() else []


def rezip(source: Path, target: Path, edit) -> Path:
    """Copy an archive member by member, letting ``edit(name, data)`` change or drop members."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            edited = edit(info.filename, zin.read(info))
            if edited is not None:
                zout.writestr(edited[0], edited[1])
    return target


def test_install_verified_archive(random_archives, tmp_path):
    package = install_archive(random_archives["de"], tmp_path / "models")
    assert package.pair == ("de", "en")
    assert package.path == tmp_path / "models" / "translate-de_en-1_0"
    assert (package.model_dir / "model.bin").is_file()
    assert [p.code for p in installed_packages(tmp_path / "models")] == ["translate-de_en"]
    assert newest_packages(tmp_path / "models") == {("de", "en"): package}


def test_reinstall_replaces_the_package(random_archives, tmp_path):
    models = tmp_path / "models"
    install_archive(random_archives["de"], models)
    install_archive(random_archives["de"], models)
    assert snapshot(models) == [
        "translate-de_en-1_0", "translate-de_en-1_0/README.md", "translate-de_en-1_0/metadata.json",
        "translate-de_en-1_0/model", "translate-de_en-1_0/model/config.json",
        "translate-de_en-1_0/model/model.bin", "translate-de_en-1_0/model/shared_vocabulary.json",
        "translate-de_en-1_0/sentencepiece.model"]


def _truncated(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _flipped_byte(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo("translate-de_en/model/model.bin")
    data[info.header_offset + 200] ^= 0xFF  # inside the compressed model data
    target.write_bytes(bytes(data))
    return target


def _without_metadata(source: Path, target: Path) -> Path:
    return rezip(source, target, lambda n, d: None if n.endswith("metadata.json") else (n, d))


def _sbd_package(source: Path, target: Path) -> Path:
    def edit(name, data):
        if name.endswith("metadata.json"):
            meta = json.loads(data)
            meta["type"] = "sbd"
            return name, json.dumps(meta)
        return name, data
    return rezip(source, target, edit)


def _traversal(source: Path, target: Path) -> Path:
    return rezip(source, target, lambda n, d: (n.replace("README.md", "../../evil.txt"), d))


def _absolute(source: Path, target: Path) -> Path:
    return rezip(source, target, lambda n, d: (n.replace("translate-de_en/README.md",
                                                         "/tmp/evil.txt"), d))


def _without_model(source: Path, target: Path) -> Path:
    return rezip(source, target, lambda n, d: None if n.endswith("model.bin") else (n, d))


def _not_json(source: Path, target: Path) -> Path:
    return rezip(source, target,
                 lambda n, d: (n, b"{not json") if n.endswith("metadata.json") else (n, d))


def _symlink(source: Path, target: Path) -> Path:
    rezip(source, target, lambda n, d: (n, d))
    with zipfile.ZipFile(target, "a") as zf:
        link = zipfile.ZipInfo("translate-de_en/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    return target


def _junk_tokenizer(source: Path, target: Path) -> Path:
    return rezip(source, target, lambda n, d: (n, b"junk" * 50)
                 if n.endswith("sentencepiece.model") else (n, d))


def _junk_model(source: Path, target: Path) -> Path:
    return rezip(source, target,
                 lambda n, d: (n, b"\0junk" * 50) if n.endswith("model.bin") else (n, d))


def _file_then_folder(source: Path, target: Path) -> Path:
    rezip(source, target, lambda n, d: (n, d))
    with zipfile.ZipFile(target, "a") as zf:
        zf.writestr("translate-de_en/extra", "a file")
        zf.writestr("translate-de_en/extra/inner.txt", "then a folder of the same name")
    return target


def _metadata_edit(**changes):
    def make(source: Path, target: Path) -> Path:
        def edit(name, data):
            if name.endswith("metadata.json"):
                return name, json.dumps({**json.loads(data), **changes})
            return name, data
        return rezip(source, target, edit)
    return make


def _not_a_zip(source: Path, target: Path) -> Path:
    target.write_text("hello")
    return target


@pytest.mark.parametrize(("make", "message"), [
    (_not_a_zip, "not a valid .argosmodel (not a zip archive)"),
    (_truncated, "not a valid .argosmodel (not a zip archive)"),
    (_flipped_byte, "corrupt archive"),
    (_without_metadata, "not an Argos package (no metadata.json)"),
    (_not_json, "metadata.json is not valid JSON"),
    (_sbd_package, "not a translate package (type 'sbd')"),
    (_traversal, "unsafe path in archive: 'translate-de_en/../../evil.txt'"),
    (_absolute, "unsafe absolute path in archive: '/tmp/evil.txt'"),
    (_symlink, "symbolic link in archive: 'translate-de_en/link'"),
    (_without_model, "no CTranslate2 model (model/model.bin missing)"),
    (_junk_tokenizer, "sentencepiece.model cannot be loaded"),
    (_junk_model, "model/model.bin cannot be loaded"),
    (_file_then_folder, "corrupt archive"),
    (_metadata_edit(from_code="../../etc"), "metadata.json: from_code is not a language code"),
    (_metadata_edit(to_code={"a": 1}), "metadata.json has no to_code"),
    (_metadata_edit(code="../x"), "metadata.json: code '../x' is not a package name"),
    (_metadata_edit(package_version=[1]), "metadata.json: package_version must be text"),
])
def test_bad_archives_are_refused_and_leave_nothing(random_archives, tmp_path, make, message):
    models = tmp_path / "models"
    install_archive(random_archives["pl"], models)
    before = snapshot(models)
    bad = make(random_archives["de"], tmp_path / "bad.argosmodel")
    with pytest.raises(PackageError) as caught:
        install_archive(bad, models)
    assert str(caught.value).startswith(f"{bad}: {message}")
    assert "\n" not in str(caught.value)
    assert snapshot(models) == before
    assert not (tmp_path / "evil.txt").exists()


def test_the_newest_version_serves_a_pair(random_archives, tmp_path):
    from workbench.engines.lookup import ArgosEngines
    from workbench.settings import Settings

    models = tmp_path / "models"
    install_archive(random_archives["de"], models)  # translate-de_en, version 1.0
    newer = rezip(random_archives["de"], tmp_path / "newer.argosmodel", lambda n, d: (
        n.replace("translate-de_en/", "a-de_en-2/"),
        d.replace(b'"package_version": "1.0"', b'"package_version": "2.0"')
        if n.endswith("metadata.json") else d))
    install_archive(newer, models)  # sorts before translate-de_en by folder name
    assert newest_packages(models)[("de", "en")].package_version == "2.0"
    engine = ArgosEngines(Settings(models_dir=models))("de", "en")
    assert engine.package.package_version == "2.0"
