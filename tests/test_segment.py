import pytest

from workbench.text.segment import split_sentences


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
    # Norwegian and Swedish cases written for this suite (sentencex has none).
    ("nb", "Det gjelder bl.a. skatt, f.eks. moms. Neste sak.",
     ["Det gjelder bl.a. skatt, f.eks. moms.", "Neste sak."]),
    ("nb", "Møtet startet kl. 10 i dag. Statsministeren talte.",
     ["Møtet startet kl. 10 i dag.", "Statsministeren talte."]),
    ("nb", "Han sa: «Dette er viktig. Vi må handle nå.» Så gikk han.",
     ["Han sa: «Dette er viktig. Vi må handle nå.»", "Så gikk han."]),
    ("nb", "Budsjettet er på 1.000.000 kroner, dvs. en økning. Det er mye.",
     ["Budsjettet er på 1.000.000 kroner, dvs. en økning.", "Det er mye."]),
    ("nb", "Han ventet … og ventet. Så kom hun ... endelig.",
     ["Han ventet … og ventet.", "Så kom hun ... endelig."]),
    ("sv", "Det gäller bl.a. skatter, t.ex. moms. Nästa fråga.",
     ["Det gäller bl.a. skatter, t.ex. moms.", "Nästa fråga."]),
    ("sv", "Mötet hölls den 29. oktober. Förordning nr 377 antogs.",
     ["Mötet hölls den 29. oktober.", "Förordning nr 377 antogs."]),
    ("sv", "Se https://baotintuc.vn/a.b.htm för mer. Sedan kom resten.",
     ["Se https://baotintuc.vn/a.b.htm för mer.", "Sedan kom resten."]),
    ("sv", "Kostnaden var 3,50 kr resp. 4,20 kr. Det är billigt.",
     ["Kostnaden var 3,50 kr resp. 4,20 kr.", "Det är billigt."]),
    # Document numbers and dates in our domain.
    ("de", "Die Resolution Nr. 18-NQ/TW gilt. Das Dekret 140/2017/ND-CP auch.",
     ["Die Resolution Nr. 18-NQ/TW gilt.", "Das Dekret 140/2017/ND-CP auch."]),
    ("pl", "Sekretarze w 2023 r. Konferencji przewodniczył on.",
     ["Sekretarze w 2023 r.", "Konferencji przewodniczył on."]),
    ("pl", "Dekret z dnia 5 grudnia 2017 r. w sprawie kadr. Dalej.",
     ["Dekret z dnia 5 grudnia 2017 r. w sprawie kadr.", "Dalej."]),
    ("ru", "В 2010-2012 гг. Виктор посещал г. Волгоград. Потом уехал.",
     ["В 2010-2012 гг. Виктор посещал г. Волгоград.", "Потом уехал."]),
    ("ru", "Согласно Директиве № 35 и т. е. решению. Далее.",
     ["Согласно Директиве № 35 и т. е. решению.", "Далее."]),
])
def test_split_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(("text", "count"), [
    ("", 0), ("   ", 0), (". . .", 1), ("a. b. c.", 1), ("…", 1), ("Dr. Dr. Dr.", 1)])
def test_never_returns_empty_sentences(text, count):
    sentences = split_sentences(text, "de")
    assert len(sentences) == count
    assert all(s.strip() for s in sentences)
    assert " ".join(sentences).split() == text.split()
