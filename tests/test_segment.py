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
    # A colon before a quotation ends a Nordic sentence (as the UD annotators split it); the
    # quotation itself stays whole.
    ("nb", "Han sa: «Dette er viktig. Vi må handle nå.» Så gikk han.",
     ["Han sa:", "«Dette er viktig. Vi må handle nå.»", "Så gikk han."]),
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
    ("pl", "Sekretarze obradowali w Hanoi w 2023 r. Konferencji przewodniczył on.",
     ["Sekretarze obradowali w Hanoi w 2023 r.", "Konferencji przewodniczył on."]),
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


# Each rule added for the Universal Dependencies benchmark, on sentences of that shape written
# for these tests (not taken from the treebanks).
@pytest.mark.parametrize(("lang", "text", "expected"), [
    # dialogue and quotation dashes after a full stop or a question mark open a sentence
    ("nb", "Statsministeren kom hjem i går. - Vi har gjort en god jobb, sa han.",
     ["Statsministeren kom hjem i går.", "- Vi har gjort en god jobb, sa han."]),
    ("sv", "Hon log mot oss. – Vad gör ni här? – Vi väntar.",
     ["Hon log mot oss.", "– Vad gör ni här?", "– Vi väntar."]),
    ("pl", "Kto zabrał klucze? - Nie wiem. - Ja też nie.",
     ["Kto zabrał klucze?", "- Nie wiem.", "- Ja też nie."]),
    # a dash inside a sentence is not a boundary
    ("nb", "Regjeringen - og særlig finansministeren - er fornøyd.",
     ["Regjeringen - og særlig finansministeren - er fornøyd."]),
    # colons: Nordic languages end the sentence before a quotation or a dash...
    ("sv", "Ministern sade så här: 'Vi ska bygga fler skolor.' Sedan gick hon.",
     ["Ministern sade så här:", "'Vi ska bygga fler skolor.'", "Sedan gick hon."]),
    ("nb", "Hun svarte kort: - Nei, det gjør vi ikke.",
     ["Hun svarte kort:", "- Nei, det gjør vi ikke."]),
    # ...but not before a capital (captions, "uttalte: Under ledelse av ..."), nor in
    # Polish, Russian or German before a quotation
    ("nb", "Foto: Phuong Hoa/VNA", ["Foto: Phuong Hoa/VNA"]),
    ("pl", "Minister powiedział: - Budżet na przyszły rok jest gotowy.",
     ["Minister powiedział: - Budżet na przyszły rok jest gotowy."]),
    ("ru", "Министр заявил: «Бюджет готов». Затем он уехал.",
     ["Министр заявил: «Бюджет готов».", "Затем он уехал."]),
    ("de", "Der Minister sagte: „Der Haushalt steht.“ Dann ging er.",
     ["Der Minister sagte: „Der Haushalt steht.“", "Dann ging er."]),
    # abbreviations that used to split
    ("nb", "Forskerne ved Chr. Michelsens institutt la fram rapporten. Den var lang.",
     ["Forskerne ved Chr. Michelsens institutt la fram rapporten.", "Den var lang."]),
    ("pl", "Kościół zbudowano na pocz. XIX w. z cegły. Spłonął w 1944 r.",
     ["Kościół zbudowano na pocz. XIX w. z cegły.", "Spłonął w 1944 r."]),
    ("pl", "W muzeum otwarto wystawę pn. \"Hanoi nocą\" i koncert. Przyszło wielu gości.",
     ["W muzeum otwarto wystawę pn. \"Hanoi nocą\" i koncert.", "Przyszło wielu gości."]),
    ("pl", "Tabela jest na str. 12 raportu. Dane pochodzą z GUS.",
     ["Tabela jest na str. 12 raportu.", "Dane pochodzą z GUS."]),
    ("pl", "Sprawców zatrzymał st. asp. Jan Kowalski z komisariatu. Trafili do aresztu.",
     ["Sprawców zatrzymał st. asp. Jan Kowalski z komisariatu.", "Trafili do aresztu."]),
    ("de", "Die Fahrt dauerte 3 Std. Anfahrt nicht mitgerechnet. Wir kamen spät an.",
     ["Die Fahrt dauerte 3 Std. Anfahrt nicht mitgerechnet.", "Wir kamen spät an."]),
    # a year "r." ends a Polish sentence after a real clause, never after an opening phrase
    ("pl", "W 2000 r. Rosja podpisała nową umowę. Polska zrobiła to później.",
     ["W 2000 r. Rosja podpisała nową umowę.", "Polska zrobiła to później."]),
    ("pl", "Umowę handlową podpisano w Hanoi w 2019 r. Kolejna runda rozmów jest w maju.",
     ["Umowę handlową podpisano w Hanoi w 2019 r.", "Kolejna runda rozmów jest w maju."]),
    # LaTeX-style quotes in German and Russian news open a sentence
    ("de", "Er schwieg lange. ``Wir machen weiter'', sagte er dann.",
     ["Er schwieg lange.", "``Wir machen weiter'', sagte er dann."]),
])
def test_boundary_rules_from_the_ud_benchmark(lang, text, expected):
    assert split_sentences(text, lang) == expected
