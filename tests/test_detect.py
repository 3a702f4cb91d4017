import pytest

from workbench.text.detect import detect


@pytest.mark.parametrize(("text", "lang"), [
    ("Regjeringen la fram budsjettet for neste år i Stortinget i dag.", "nb"),
    ("Regeringen presenterade budgeten för nästa år i riksdagen i dag.", "sv"),
    ("Rząd przedstawił dziś w Sejmie budżet na przyszły rok.", "pl"),
    ("Die Regierung hat heute im Bundestag den Haushalt vorgestellt.", "de"),
    ("Правительство сегодня представило бюджет на следующий год.", "ru"),
    ("Vietnam.vn - Nền tảng quảng bá Việt Nam", "vi"),
])
def test_detects_our_languages(text, lang):
    guess = detect(text)
    assert guess.lang == lang
    assert 0.5 < guess.confidence <= 1.0


def test_a_very_long_text_is_detected_without_overflow():
    # py3langid counts features as uint16 unless told otherwise: 240,000 repeats overflowed.
    assert detect("Der Kanzler sprach lange über den Haushalt. " * 6000).lang == "de"
