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


def test_our_classifier_gives_langids_answers():
    """langid_nb reimplements py3langid's classifier without numpy: same language, same
    confidence (py3langid imports numpy only here, in the test)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from workbench.text.langid_nb import NaiveBayes

    codes = ("de", "no", "sv", "pl", "ru", "uk", "en", "fr")
    reference = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(codes))
    ours = NaiveBayes(codes)
    texts = ["Die Regierung hat heute den Haushalt vorgestellt.", "Regjeringen la fram budsjettet.",
             "Regeringen presenterade budgeten i dag.", "Rząd przedstawił dziś budżet.",
             "Правительство представило бюджет.", "Уряд представив бюджет.", "", "12345",
             "The government presented its budget today.", "Le gouvernement a présenté."]
    for text in texts:
        expected_lang, expected_confidence = reference.classify(text, datatype="uint32")
        lang, confidence = ours.classify(text)
        assert lang == expected_lang, text
        assert abs(confidence - float(expected_confidence)) < 1e-9, text
