import pytest

from workbench.segment import split_sentences


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("de", "Am 19. Dezember nahm er teil. Das ist gut!",
     ["Am 19. Dezember nahm er teil.", "Das ist gut!"]),
    ("de", "Das Gremium, z.B. der Rat, tagte. Dann ging es weiter.",
     ["Das Gremium, z.B. der Rat, tagte.", "Dann ging es weiter."]),
    ("nb", "Resolusjon nr. 18 ble vedtatt. Han ba også om mer.",
     ["Resolusjon nr. 18 ble vedtatt.", "Han ba også om mer."]),
    ("nb", "den 13. sentralkomiteens konferanse. Neste punkt.",
     ["den 13. sentralkomiteens konferanse.", "Neste punkt."]),
    ("pl", "Mieszka przy ul. Długiej. To jest dom.",
     ["Mieszka przy ul. Długiej.", "To jest dom."]),
    ("ru", "Это было в 2024 г. в Ханое. Он выступил.", ["Это было в 2024 г. в Ханое.",
                                                      "Он выступил."]),
    ("de", "Er sagte: „Wir sind bereit.“ Dann ging er.",
     ["Er sagte: „Wir sind bereit.“", "Dann ging er."]),
    ("sv", "Konferensen behandlade 2 760 punkter. Sedan mandatperiodens början.",
     ["Konferensen behandlade 2 760 punkter.", "Sedan mandatperiodens början."]),
    ("de", "Ohne Satzende", ["Ohne Satzende"]),
])
def test_split_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize("text", ["", "   ", ". . .", "a. b. c.", "…", "Dr. Dr. Dr."])
def test_never_returns_empty_sentences(text):
    assert all(s.strip() for s in split_sentences(text, "de"))
