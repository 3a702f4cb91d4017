"""Which matching rule finds glossary terms in inflected text? Recall and precision per method.

A table of (language, text, base form, should match) written for this benchmark: case forms
of names and titles (ru, pl), definite and genitive forms (nb, sv, da, de), compounds, and
near-misses that must not match. Each method decides token by token:

- exact:     equal after lower-casing and folding diacritics;
- suffix:    exact, or the text token is the form plus a known ending of the language;
- snowball:  exact, or equal Snowball stems (snowballstemmer);
- lemma:     exact, or the text token is a dictionary form of the form token's lemma
             (simplemma's dictionaries, looked up as workbench does: glossary/lemmas.py);
- combined:  snowball or suffix or lemma (titles and bodies only, not names), plus compounds
             in de/nb/sv/da (what workbench uses).

The stem alternations at the end of the table (Biuro -> Biurze, członek -> członka,
Komitet -> Komitecie) are what the lemma method is for.

Usage: uv run python benchmarks/glossary_matching.py
"""

from __future__ import annotations

import re

from workbench.glossary.lemmas import lemma_forms
from workbench.glossary.match import COMPOUND_LANGUAGES, SUFFIXES, fold, stem, token_match

CASES = [
    # (lang, text, form, should match)
    ("ru", "Лыонга Кыонга", "Лыонг Кыонг", True),
    ("ru", "Лыонгом Кыонгом", "Лыонг Кыонг", True),
    ("ru", "Лыонгу Кыонгу", "Лыонг Кыонг", True),
    ("ru", "Лыонге Кыонге", "Лыонг Кыонг", True),
    ("ru", "То Ламом", "То Лам", True),
    ("ru", "То Ламу", "То Лам", True),
    ("ru", "Генерального секретаря", "Генеральный секретарь", True),
    ("ru", "Генеральным секретарём", "Генеральный секретарь", True),
    ("ru", "Генеральному секретарю", "Генеральный секретарь", True),
    ("ru", "президентом", "президент", True),
    ("ru", "Секретариата", "Секретариат", True),
    ("ru", "Национального собрания", "Национальное собрание", True),
    ("ru", "Национальному собранию", "Национальное собрание", True),
    ("ru", "Центральной инспекционной комиссии", "Центральная инспекционная комиссия", True),
    ("ru", "постоянного члена Секретариата", "постоянный член Секретариата", True),
    ("ru", "Президиум", "президент", False),
    ("ru", "Секретарь", "Секретариат", False),
    ("pl", "To Lama", "To Lam", True),
    ("pl", "To Lamem", "To Lam", True),
    ("pl", "To Lamowi", "To Lam", True),
    ("pl", "Sekretarza Generalnego", "Sekretarz Generalny", True),
    ("pl", "Sekretarzem Generalnym", "Sekretarz Generalny", True),
    ("pl", "Biura Politycznego", "Biuro Polityczne", True),
    ("pl", "Biurze Politycznym", "Biuro Polityczne", True),
    ("pl", "Zgromadzenia Narodowego", "Zgromadzenie Narodowe", True),
    ("pl", "Komitetu Centralnego", "Komitet Centralny", True),
    ("pl", "Centralnej Komisji Organizacyjnej", "Centralna Komisja Organizacyjna", True),
    ("pl", "stałego członka Sekretariatu", "stały członek Sekretariatu", True),
    ("pl", "prezydenta", "prezydent", True),
    ("pl", "Tom Lambert", "To Lam", False),
    ("pl", "prezes", "prezydent", False),
    ("de", "Generalsekretärs", "Generalsekretär", True),
    ("de", "Politbüros", "Politbüro", True),
    ("de", "Politbüromitglied", "Politbüro", True),
    ("de", "Zentralkomitees", "Zentralkomitee", True),
    ("de", "Zentralen Organisationskommission", "Zentrale Organisationskommission", True),
    ("de", "ständigen Mitglied des Sekretariats", "ständiges Mitglied des Sekretariats", True),
    ("de", "Nationalversammlung", "Nationalversammlung", True),
    ("de", "Sekretär", "Sekretariat", False),
    ("de", "Politik", "Politbüro", False),
    ("nb", "generalsekretæren", "generalsekretær", True),
    ("nb", "generalsekretærens", "generalsekretær", True),
    ("nb", "politbyrået", "politbyrå", True),
    ("nb", "politbyråets", "politbyrå", True),
    ("nb", "sentralkomiteen", "sentralkomité", True),
    ("nb", "sentralkomiteens", "sentralkomité", True),
    ("nb", "Nasjonalforsamlingens", "nasjonalforsamling", True),
    ("nb", "sekretariatet", "sekretariat", True),
    ("nb", "sekretær", "sekretariat", False),
    ("sv", "generalsekreteraren", "generalsekreterare", True),
    ("sv", "politbyrån", "politbyrå", True),
    ("sv", "politbyråns", "politbyrå", True),
    ("sv", "sekretariatet", "sekretariat", True),
    ("sv", "sekretariatets", "sekretariat", True),
    ("sv", "centralkommittén", "centralkommitté", True),
    ("sv", "centralkommitténs", "centralkommitté", True),
    ("sv", "centrala organisationskommittén", "centrala organisationskommitté", True),
    ("sv", "Vietnams fosterlandsfronts", "Vietnams fosterlandsfront", True),
    ("sv", "president", "presidium", False),
    ("da", "generalsekretæren", "generalsekretær", True),
    ("da", "politbureauet", "politbureau", True),
    # Stem alternations and mobile vowels: no ending list or Snowball stem joins these.
    ("pl", "członka", "członek", True),
    ("pl", "członkiem", "członek", True),
    ("pl", "Komitecie Centralnym", "Komitet Centralny", True),
    ("pl", "Sekretariacie", "Sekretariat", True),
    ("pl", "Ministerstwie Spraw Zagranicznych", "Ministerstwo Spraw Zagranicznych", True),
    ("pl", "premierze", "premier", True),
    ("pl", "rządzie", "rząd", True),
    ("pl", "Partii Komunistycznej", "Partia Komunistyczna", True),
    ("pl", "Zgromadzeniu Narodowym", "Zgromadzenie Narodowe", True),
    ("ru", "Центральном комитете", "Центральный комитет", True),
    ("ru", "Коммунистической партии", "Коммунистическая партия", True),
    ("ru", "съезде", "съезд", True),
    ("de", "Ausschüsse", "Ausschuss", True),
    ("de", "Räte", "Rat", True),
    ("sv", "ministern", "minister", True),
    ("pl", "biurko", "biuro", False),
    ("pl", "członkostwo", "członek", False),
    ("pl", "Komisja", "Komitet", False),
    ("ru", "комиссар", "комиссия", False),
    ("ru", "партизан", "партия", False),
    ("de", "Ratte", "Rat", False),
    ("sv", "ministeriet", "minister", False),
]
#: Forms that are names: the lemma method is not used for them (see match.LEMMA_TYPES).
NAMES = {"Лыонг Кыонг", "То Лам", "To Lam"}
TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def exact(a: str, b: str, lang: str, compound: bool) -> bool:
    return fold(a) == fold(b)


def suffix(a: str, b: str, lang: str, compound: bool) -> bool:
    fa, fb = fold(a), fold(b)
    return fa == fb or (len(fb) > 2 and fa.startswith(fb) and fa[len(fb):] in
                        SUFFIXES.get(lang, ()))


def snowball(a: str, b: str, lang: str, compound: bool) -> bool:
    return fold(a) == fold(b) or (min(len(a), len(b)) > 2 and stem(a, lang) == stem(b, lang))


def lemma(a: str, b: str, lang: str, compound: bool) -> bool:
    return fold(a) == fold(b) or fold(a) in _forms(lang, b)


def combined(a: str, b: str, lang: str, compound: bool) -> bool:
    return token_match(a, b, lang, compound=compound and lang in COMPOUND_LANGUAGES,
                       lemma_forms=_forms(lang, b)) is not None


_tables: dict[str, dict[str, frozenset[str]]] = {}


def _forms(lang: str, word: str) -> frozenset[str]:
    if lang not in _tables:  # one lookup per language, as a run does
        words = [w for case_lang, _, form, _ in CASES if case_lang == lang
                 and form not in NAMES for w in TOKEN.findall(form)]
        table = lemma_forms(lang, words)
        _tables[lang] = {fold(w): frozenset(map(fold, f)) for w, f in table.items()}
    return _tables[lang].get(fold(word), frozenset())


def matches(method, lang: str, text: str, form: str) -> bool:
    a, b = TOKEN.findall(text), TOKEN.findall(form)
    if form in NAMES and method in (lemma, combined):
        method = snowball if method is lemma else _combined_without_lemmas
    return len(a) == len(b) and all(method(x, y, lang, len(b) == 1)
                                    for x, y in zip(a, b, strict=True))


def _combined_without_lemmas(a: str, b: str, lang: str, compound: bool) -> bool:
    return token_match(a, b, lang, compound=compound and lang in COMPOUND_LANGUAGES) is not None


def main() -> None:
    methods = {"exact": exact, "suffix": suffix, "snowball": snowball, "lemma": lemma,
               "combined": combined}
    positives = [c for c in CASES if c[3]]
    negatives = [c for c in CASES if not c[3]]
    print(f"{len(positives)} inflected forms that must match, {len(negatives)} that must not\n")
    print(f"{'method':10}{'recall':>10}{'false matches':>16}")
    for name, method in methods.items():
        hits = sum(matches(method, lang, text, form) for lang, text, form, _ in positives)
        false = sum(matches(method, lang, text, form) for lang, text, form, _ in negatives)
        print(f"{name:10}{hits / len(positives):>9.0%} {false:>9}/{len(negatives)}")
    misses = [c for c in positives if not matches(combined, *c[:3])]
    for lang, text, form, _ in misses:
        print(f"  combined misses: {lang} {text!r} (form {form!r})")
    for lang, text, form, _ in negatives:
        if matches(combined, lang, text, form):
            print(f"  combined false match: {lang} {text!r} (form {form!r})")


if __name__ == "__main__":
    main()
