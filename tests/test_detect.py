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


def test_word_cache_turnover_keeps_answers(monkeypatch):
    """The classifier caches words in two generations; answers do not depend on what is
    cached, or on a generation being dropped midway."""
    from workbench.text import langid_nb
    from workbench.text.langid_nb import NaiveBayes

    texts = ["Die Regierung hat heute den Haushalt vorgestellt, sagte der Sprecher.",
             "Regjeringen la fram budsjettet i dag, sa talspersonen.",
             "Правительство представило бюджет  сегодня, сказал представитель.",
             " Die  Regierung ", "", "Rząd przedstawił dziś budżet, powiedział rzecznik."]
    fresh = [NaiveBayes(("de", "no", "pl", "ru")).classify(text) for text in texts]
    monkeypatch.setattr(langid_nb, "WORD_CACHE_SIZE", 3)
    small = NaiveBayes(("de", "no", "pl", "ru"))
    for _ in range(3):  # cold, then warm, with generations turning over every 3 words
        for text, (lang, confidence) in zip(texts, fresh, strict=True):
            got_lang, got_confidence = small.classify(text)
            assert got_lang == lang and abs(got_confidence - confidence) < 1e-12, text
    assert len(small._recent) <= 3 and small._older
