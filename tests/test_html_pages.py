"""The HTML reader on whole news pages: the headline is the article's, nothing goes to the
model twice, credits and reader comments are kept but not translated, and every article
paragraph is there.

The pages in tests/data/html/news were written for these tests (see the README there); each
``.truth.txt`` holds its article text, one paragraph a line, headline first.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from workbench.records import TRANSLATED_KINDS, Kind
from workbench.text import html_zones
from workbench.text.html_page import extract_page
from workbench.text.prepare import prepare_text
from workbench.text.reader import ArticleFile

NEWS = Path(__file__).resolve().parent / "data" / "html" / "news"
PAGES = sorted(p.name for p in NEWS.glob("*.html"))
#: Reader comments on the pages: kept as boilerplate, never translated.
COMMENTS = {
    "sv_badhus.html": "Två år utan badhus är alldeles för länge",
    "nb_ferje.html": "Dette er et slag i ansiktet",
    "de_wohnungsbau.html": "Wer kontrolliert eigentlich",
    "pl_szpital.html": "Na starym oddziale dzieci leżały",
    "ru_metro.html": "парковку возле станции сделать забыли",
}
#: Text of noscript notices and comment forms: never an article line.
NEVER = ["Javascript är avstängt", "Javascript måste vara påslaget", "Włącz JavaScript",
         "Включите JavaScript", "Bitte aktivieren Sie JavaScript", "Skriv en kommentar",
         "Kommentarer granskas", "Du må være logget inn", "Netiquette", "moderacji",
         "после проверки модератором", "Please enable JavaScript", "Postfach"]


def segments(name: str):
    path = NEWS / name
    parts = extract_page(path, path.read_bytes())
    return parts, prepare_text(ArticleFile(path.stem, path), parts.text(), parts=parts).segments


def truth(name: str) -> list[str]:
    return (NEWS / name).with_suffix(".truth.txt").read_text("utf-8").splitlines()


@pytest.mark.parametrize("name", PAGES)
def test_the_title_is_the_headline(name):
    parts, _ = segments(name)
    assert parts.lines[0] == (Kind.TITLE, truth(name)[0])


@pytest.mark.parametrize("name", PAGES)
def test_nothing_goes_to_the_model_twice(name):
    _, segs = segments(name)
    sent = Counter(s.text for s in segs if s.kind in TRANSLATED_KINDS)
    assert [text for text, n in sent.items() if n > 1] == []


@pytest.mark.parametrize("name", PAGES)
def test_every_article_paragraph_is_sent_in_order(name):
    _, segs = segments(name)
    sent = " ".join(s.text for s in segs if s.kind in TRANSLATED_KINDS)
    at = 0
    for paragraph in truth(name):
        found = sent.find(paragraph, at)
        assert found >= 0, paragraph
        at = found + len(paragraph)


@pytest.mark.parametrize("name", PAGES)
def test_credits_are_kept_and_not_translated(name):
    _, segs = segments(name)
    credits = [s for s in segs if html_zones.is_credit(s.text)]
    assert credits and all(s.kind == Kind.CREDIT for s in credits)
    assert not [s.text for s in segs if s.kind in TRANSLATED_KINDS
                and html_zones.split_credit(s.text)[1]]


@pytest.mark.parametrize(("name", "comment"), sorted(COMMENTS.items()))
def test_reader_comments_are_kept_as_boilerplate(name, comment):
    _, segs = segments(name)
    holding = [s for s in segs if comment in s.text]
    assert holding and all(s.kind == Kind.BOILERPLATE for s in holding)


@pytest.mark.parametrize("name", PAGES)
def test_noscript_notices_and_forms_are_no_line(name):
    parts, _ = segments(name)
    assert not [(n, text) for n in NEVER for _, text in parts.lines if n in text]
    assert parts.removed_chars > 0


@pytest.mark.parametrize(("text", "expected"), [
    ("Badhuset byggdes 1968. (Foto: Karin Ek)", ("Badhuset byggdes 1968.", "(Foto: Karin Ek)")),
    ("Eine Sitzung der Regierung. Foto: dpa/Oliver Berg",
     ("Eine Sitzung der Regierung.", "Foto: dpa/Oliver Berg")),
    ("Участники форума. Фото: РИА Новости", ("Участники форума.", "Фото: РИА Новости")),
    ("Fot. PAP/Wojtek Jargiło", ("", "Fot. PAP/Wojtek Jargiło")),
    ("(Foto: VNA)", ("", "(Foto: VNA)")),
    ("Das Foto zeigt den Bahnhof im Winter.", ("Das Foto zeigt den Bahnhof im Winter.", None)),
    ("Bild: Die Lage ist ernst, sagte er.", ("Bild: Die Lage ist ernst, sagte er.", None)),
])
def test_split_credit(text, expected):
    assert html_zones.split_credit(text) == expected


def test_a_logo_h1_and_a_noscript_h1_lose_to_the_declared_title():
    sentence = "Die Regierung hat heute den neuen Haushalt vorgestellt, der Kanzler war froh."
    data = ("<html><head><title>Der neue Haushalt – Zeitung</title></head><body>"
            "<noscript><h1>JavaScript ist deaktiviert</h1></noscript><h1>Zeitung</h1>"
            f"<h2>Der neue Haushalt</h2><p>{sentence}</p><p>{sentence} Zwei.</p>"
            "</body></html>").encode()
    parts = extract_page(Path("p.html"), data)
    assert parts.lines[0] == (Kind.TITLE, "Der neue Haushalt")


def test_a_lead_is_never_taken_past_the_article():
    """The lead scan stops at the first paragraph; unreached, it takes nothing (the bug
    that sent a whole article twice and its comments as body)."""
    path = NEWS / "sv_badhus.html"
    parts = extract_page(path, path.read_bytes())
    body = [text for kind, text in parts.lines if kind is None]
    assert not [t for t in body if "Två år utan badhus" in t]
    assert len(body) == len(truth("sv_badhus.html")) - 2  # all but headline and caption
