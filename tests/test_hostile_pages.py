"""Hostile inputs, round two, cases 5 and 8 for pages: control characters (raw or as
references) no longer lose an article, a page too deep to parse says so, and caption
placement is linear in the page (its result equals the plain definition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.records import Kind
from workbench.text import html_page
from workbench.text.html_page import extract_page

SENTENCE = "Die Regierung hat heute den neuen Haushalt vorgestellt, und der Kanzler war zufrieden."


def page(body: str) -> bytes:
    return (f"<html><head><title>T</title></head><body><h1>Der neue Haushalt</h1>{body}"
            "</body></html>").encode()


@pytest.mark.parametrize("control", ["&#11;", "&#1;", "&#8;", "&#12;", "&#27;", "&#31;",
                                     "&#x0B;", "\x0b", "\x1b"])
def test_a_control_character_does_not_lose_the_article(control):
    body = "".join(f"<p>{SENTENCE[:30]}{control}{SENTENCE[30:]} Nummer {n}.</p>"
                   for n in range(3))
    parts = extract_page(Path("p.html"), page(body))
    texts = [text for kind, text in parts.lines if kind is None]
    assert len(texts) == 3 and all("Kanzler" in text for text in texts)


def test_a_page_nested_too_deep_to_parse_says_so():
    body = "<div>" * 400 + f"<p>{SENTENCE}</p>" * 3 + "</div>" * 400
    with pytest.raises(InputError, match="255 levels deep or more"):
        extract_page(Path("p.html"), page("<nav><a href='/'>Home</a></nav>" + body))


def _plain_texts(tree, limit):
    """The definition: every element's whole text, read afresh."""
    for element in tree.iter():
        if isinstance(element.tag, str):
            text = html_page._text(element)
            if len(text) <= limit:
                yield element.tag, text


@pytest.mark.parametrize("body", [
    "<div>a<!-- c -->b<p>x<?pi y?>z</p>t<figure><img/><figcaption> Foto:  VNA </figcaption>"
    "</figure>tail</div><p>  spaced \n text </p>",
    "".join(f"<div><span>w{n}</span> <b>x</b>{n}</div>" for n in range(50)),
    "<div>" * 40 + "deep" + "</div>" * 40,
])
def test_element_texts_equal_the_plain_definition(body):
    import trafilatura

    tree = trafilatura.load_html(page(body))
    for limit in (0, 3, 10, 1000):
        assert list(html_page._element_texts(tree, limit)) == list(_plain_texts(tree, limit))


def test_captions_stay_after_their_paragraph():
    body = (f"<p>{SENTENCE} Eins.</p><figure><figcaption>Der Kanzler im Bundestag</figcaption>"
            f"</figure><p>{SENTENCE} Zwei.</p>")
    lines = extract_page(Path("p.html"), page(body)).lines
    kinds = [kind for kind, _ in lines]
    assert kinds == [Kind.TITLE, None, Kind.CAPTION, None]


def test_a_page_gets_the_labels_its_lines_get_as_text():
    sentence = "Die Regierung hat heute den neuen Haushalt vorgestellt, der Kanzler war froh."
    data = (f"<html><body><h1>Der Haushalt</h1><p>{sentence}</p><figure><figcaption>"
            f"Foto: VNA</figcaption></figure><p>{sentence} Zwei.</p><p>Quelle: VNA</p>"
            "</body></html>").encode()
    from workbench.text.prepare import prepare_text
    from workbench.text.reader import ArticleFile

    parts = extract_page(Path("p.html"), data)
    article = prepare_text(ArticleFile("p", Path("p.html")), parts.text(), parts=parts)
    kinds = {seg.text: seg.kind for seg in article.segments}
    assert kinds["Foto: VNA"] == Kind.CREDIT and kinds["Quelle: VNA"] == Kind.SOURCE
