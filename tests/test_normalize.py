import pytest

from workbench.text.normalize import normalize_line, normalize_text


@pytest.mark.parametrize(("raw", "clean", "removed"), [
    ("medlem av politbyrået , sekretær", "medlem av politbyrået, sekretær", 0),
    ("mostowi Ha Tinh . |", "mostowi Ha Tinh.", 0),
    ("Nasjonalforsamlingen , periode", "Nasjonalforsamlingen, periode", 0),
    ("a\u00a0b  \t c", "a b c", 0),
    ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen", 2),
    ("Cafe\u0301", "Café", 0),
    ("bell\x07 here", "bell here", 1),
    ("Frage ? Ja !", "Frage? Ja!", 0),
])
def test_normalize_line(raw, clean, removed):
    assert normalize_line(raw) == (clean, removed)


def test_lines_keep_their_numbers_and_skip_blanks():
    result = normalize_text("first\r\n\r\n  second  \n\n\u200b\nthird")
    assert result.lines == ((1, "first"), (3, "second"), (6, "third"))
    assert result.removed_chars == 1


@pytest.mark.parametrize("raw", ["a , b . c", "x\u200b y", "  Ha Tinh . |", "«digital» ."])
def test_normalization_is_idempotent(raw):
    once, _ = normalize_line(raw)
    assert normalize_line(once) == (once, 0)
