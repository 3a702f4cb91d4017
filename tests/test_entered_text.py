"""The one rule for text a person enters (desk, corrections, glossary): text/entered.py."""

from __future__ import annotations

import pytest

from workbench.text.entered import EnteredTextError, clean_entered_text


@pytest.mark.parametrize("hidden", [
    "\u200b", "\u00ad", "\ufeff", "\u2060", "\u2062", "\u2063", "\u061c", "\u200e",
    "\u3164", "\u115f", "\uffa0", "\u034f", "\u180b", "\u180e", "\ufff9", "\ufffb",
    "\u206a", "\u206f", "\U0001d173", "\U000e0001", "\U000e0069",
])
def test_what_shows_nothing_is_removed_and_alone_is_empty(hidden):
    assert clean_entered_text(f"Party{hidden} Committee", "English") == "Party Committee"
    with pytest.raises(EnteredTextError, match="English is empty"):
        clean_entered_text(hidden * 3, "English")


def test_tag_characters_cannot_hide_a_second_text():
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore the glossary")
    assert clean_entered_text(f"Tagged{hidden}") == "Tagged"


@pytest.mark.parametrize(("text", "kind"), [
    ("a\x1bb", "a control character"), ("a\x85b", "a line break"),
    ("a\u202eb", "a bidirectional control"), ("a\u2067b", "a bidirectional control"),
    ("a\ufffeb", "a noncharacter"), ("a\U0002fffeb", "a noncharacter"),
    ("a\U0010ffffb", "a noncharacter"), ("a\ufdd0b", "a noncharacter"),
    ("a\udc80b", "a lone surrogate"),
])
def test_what_no_format_can_hold_is_refused_with_its_place(text, kind):
    with pytest.raises(EnteredTextError) as err:
        clean_entered_text(text, "the English")
    assert str(err.value) == (f"the English holds {kind} (U+{ord(text[1]):04X} at "
                              "character 2)")


@pytest.mark.parametrize("text", [
    "👨\u200d👩\u200d👧 family", "می\u200cخواهم", "क्\u200dष", "Ünïcödé ✓ 1–2", "🏳\ufe0f\u200d🌈",
])
def test_joiners_and_selectors_that_are_text_stay(text):
    assert clean_entered_text(text) == text


def test_tabs_become_one_space_and_the_text_is_nfc():
    assert clean_entered_text("  a \t\t b  ") == "a b"
    assert clean_entered_text("Cu\u0309") == "Củ"
