import codecs
import os

import pytest

from workbench.errors import InputError
from workbench.text.reader import ArticleFile, decode, find_articles, read_text


@pytest.mark.parametrize(("data", "text"), [
    (b"Hallo\n", "Hallo\n"),
    (codecs.BOM_UTF8 + b"Hallo\n", "Hallo\n"),
    (codecs.BOM_UTF16_LE + "Привет\r\n".encode("utf-16-le"), "Привет\r\n"),
    (codecs.BOM_UTF16_BE + "Grüße\n".encode("utf-16-be"), "Grüße\n"),
])
def test_decodes_utf8_and_bom_marked_utf16(tmp_path, data, text):
    assert decode(tmp_path / "a.txt", data) == text


@pytest.mark.parametrize(("data", "problem"), [
    (b"ok \xff\xfe", "not valid UTF-8 (byte 0xff at offset 3)"),
    (b"Gr\xfc\xdfe", "not valid UTF-8 (byte 0xfc at offset 2)"),
    (b"abc\x00def", "binary file (NUL byte at offset 3)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (NUL byte at offset 8)"),
])
def test_refuses_undecodable_bytes(tmp_path, data, problem):
    with pytest.raises(InputError) as caught:
        decode(tmp_path / "a.txt", data)
    assert str(caught.value) == f"{tmp_path / 'a.txt'}: {problem}"


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_files_are_refused(tmp_path, content):
    path = tmp_path / "a.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_text(path)


def test_finds_articles_recursively_in_order(tmp_path):
    for name in ("b.txt", "a.txt", "sub/c.txt", "notes.md", ".hidden.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    found = list(find_articles([tmp_path]))
    assert found == [ArticleFile("a", tmp_path / "a.txt"), ArticleFile("b", tmp_path / "b.txt"),
                     ArticleFile("c", tmp_path / "sub" / "c.txt")]


def test_colliding_stems_get_distinct_ids(tmp_path):
    for name in ("x/a.txt", "y/a.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [f.article for f in find_articles([tmp_path])] == ["a", "y-a"]


def test_empty_directory_and_missing_path_are_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    errors = list(find_articles([tmp_path / "empty", tmp_path / "missing.txt"]))
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'empty'}: no articles (.txt, .html, .htm, .jsonl, .csv) in this "
        "directory",
        f"{tmp_path / 'missing.txt'}: no such file or directory"]


def test_reads_ask_for_the_file_size_and_still_see_growth(tmp_path, monkeypatch):
    from workbench.text import reader

    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert reader.read_bytes(path, 100) == b"x" * 100
    with pytest.raises(InputError, match="too large"):
        reader.read_bytes(path, 99)
    real_fstat = os.fstat
    monkeypatch.setattr(reader.os, "fstat", lambda fd: os.stat_result(
        (*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))  # written to since it was sized
    assert reader.read_bytes(path, 1000) == b"x" * 100
    with pytest.raises(InputError, match="too large"):
        reader.read_bytes(path, 99)
