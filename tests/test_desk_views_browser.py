"""Keys and views of the review desk act only on what the reviewer sees (issue 37, section 1).

Headless Chromium against the real server. Models have RANDOM WEIGHTS (see conftest): what is
checked is what the page shows and saves, never the wording of the English.
"""

from __future__ import annotations

import time

import pytest
from browser_tools import ARTICLE, focused, open_article, press, row, wait
from desk_server import DeskProcess, make_run
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

NEXT = "001_9e90e167a72bcd0b"
REPEATED = "Regjeringen svarte raskt på spørsmålet fra Stortinget."
PLAIN = "Været var fint og mange folk gikk en tur i parken."
PLAIN_ENGLISH = "The weather was fine and many people went for a walk in the park."
REPEATS = {"repeat.txt": "Nasjonalforsamlingen holdt møte i dag i Hanoi.\n"
                         f"{REPEATED}\n"
                         "Kamerater fra sentralkomiteen var til stede på møtet.\n"
                         f"{REPEATED}\n"}


@pytest.fixture
def run(tmp_path, installed_models):
    out, *_ = make_run(tmp_path, installed_models)
    return out







def keys_in_place(browser, *keys: str) -> None:
    """Keys to the page as it is scrolled (send_keys on body scrolls to the body first)."""
    for key in keys:
        ActionChains(browser).send_keys(key).perform()


def toast(browser, words: str) -> str:
    return wait(browser, lambda d: words in d.find_element(By.ID, "toast").text
                and d.find_element(By.ID, "toast").text)


def severe(browser) -> list[dict]:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def in_viewport(browser, element) -> bool:
    return browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"  # below the sticky bar, on screen
        "var bar = document.getElementById('bar').getBoundingClientRect().bottom;"
        "return r.top >= bar - 1 && r.bottom <= window.innerHeight + 1;", element)


@pytest.mark.parametrize("options", [(), ("--read-only",)])
def test_the_details_pane_never_shows_null(browser, run, options):
    with DeskProcess(run, *options) as desk:
        for article in (ARTICLE, NEXT):
            open_article(browser, desk, article)
            count = len(browser.find_elements(By.CSS_SELECTOR, "tr.seg"))
            for position in range(count):
                browser.execute_script(
                    f"document.querySelector('tr.seg[data-position=\"{position}\"]').click()")
                text = browser.find_element(By.ID, "details").text
                assert "null" not in text and "undefined" not in text, text
        assert severe(browser) == []


def test_a_search_with_a_percent_sign_opens(browser, run):
    with DeskProcess(run) as desk:
        open_article(browser, desk)
        browser.execute_script("location.hash = '#/search/50%'")
        wait(browser, lambda d: d.find_elements(By.ID, "search-counts"))
        assert browser.find_element(By.CSS_SELECTOR, "main h1").text == "Search: 50%"
        assert browser.find_elements(By.ID, "segments") == []
        assert severe(browser) == []


def test_keys_never_act_on_the_article_behind_a_search(browser, run):
    with DeskProcess(run) as desk:
        open_article(browser, desk)
        before = desk.article(ARTICLE)["segments"]
        press(browser, "/")
        browser.switch_to.active_element.send_keys("partiet", Keys.ENTER)
        wait(browser, lambda d: "segments" in d.find_element(By.ID, "search-counts").text)
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        press(browser, "a", "u", "e", "j", "f", "]")
        time.sleep(1)
        assert "#/search/" in browser.current_url
        assert browser.find_elements(By.ID, "search-results")
        assert browser.find_elements(By.ID, "editor") == []
        assert "Approved" not in browser.find_element(By.ID, "toast").text
        after = desk.article(ARTICLE)["segments"]
    assert [s["approved"] for s in after] == [s["approved"] for s in before]


def test_enter_on_a_button_or_link_presses_it(browser, run):
    with DeskProcess(run) as desk:
        open_article(browser, desk)
        press(browser, "t")
        form = wait(browser, lambda d: d.find_element(By.ID, "term-form"))
        form.send_keys("partiets sentralkomité")
        browser.find_element(By.ID, "term-target").send_keys("Party Central Committee")
        browser.execute_script("document.getElementById('term-preview').focus()")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait(browser, lambda d: d.find_element(By.ID, "term-result").text, 30)
        assert "segment" in browser.find_element(By.ID, "term-result").text, \
            browser.find_element(By.ID, "term-result").text
        assert browser.find_elements(By.ID, "editor") == []
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        assert browser.find_element(By.ID, "term-tool").get_attribute("open") is not None
        assert browser.find_element(By.ID, "term-form").get_attribute("value") == \
            "partiets sentralkomité"
        # An editor cancelled with Esc leaves the term form as it was too.
        press(browser, "e")
        wait(browser, lambda d: d.find_element(By.ID, "editor"))
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(browser, lambda d: not d.find_elements(By.ID, "editor"))
        assert browser.find_element(By.ID, "term-tool").get_attribute("open") is not None
        assert browser.find_element(By.ID, "term-target").get_attribute("value") == \
            "Party Central Committee"
        index = focused(browser)
        browser.execute_script("document.getElementById('approve-button').focus()")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        toast(browser, "Approved as it is")
        assert browser.find_elements(By.ID, "editor") == []
        assert desk.article(ARTICLE)["segments"][index]["approved"]
        link = browser.find_element(By.LINK_TEXT, "next →")
        browser.execute_script("arguments[0].focus()", link)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait(browser, lambda d: NEXT in d.current_url)
        assert browser.find_elements(By.ID, "editor") == []
        assert severe(browser) == []


def test_the_focus_is_scrolled_into_view(browser, run):
    with DeskProcess(run) as desk:
        open_article(browser, desk)
        keys_in_place(browser, *"j" * 25)
        assert in_viewport(browser, browser.find_element(By.CSS_SELECTOR, "tr.seg.focus"))
        assert browser.execute_script("return window.scrollY") > 0
        keys_in_place(browser, "]")
        wait(browser, lambda d: NEXT in d.current_url and d.find_elements(
            By.CSS_SELECTOR, "tr.seg.focus"))
        time.sleep(0.5)
        assert in_viewport(browser, browser.find_element(By.CSS_SELECTOR, "tr.seg.focus"))
        keys_in_place(browser, *"j" * 25)
        assert browser.execute_script("return window.scrollY") > 0
        keys_in_place(browser, "/")
        browser.switch_to.active_element.send_keys("partiet", Keys.ENTER)
        wait(browser, lambda d: d.find_elements(By.ID, "search-counts"))
        assert in_viewport(browser, browser.find_element(By.CSS_SELECTOR, "main h1"))


def test_a_repeated_sentence_is_updated_everywhere_in_the_page(browser, tmp_path,
                                                               installed_models):
    out, *_ = make_run(tmp_path, installed_models, stems=(), extra=REPEATS)
    with DeskProcess(out) as desk:
        open_article(browser, desk, "repeat")
        twins = [s["index"] for s in desk.article("repeat")["segments"] if s["src"] == REPEATED]
        assert len(twins) == 2
        first, second = twins
        row(browser, first).find_element(By.CSS_SELECTOR, "td.src").click()
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys("The government answered quickly.", Keys.CONTROL, Keys.ENTER)
        toast(browser, "Saved and approved")
        for index in twins:
            assert row(browser, index).find_element(By.CSS_SELECTOR, "td.tgt").text == \
                "The government answered quickly."
            assert "approved" in row(browser, index).get_attribute("class")
        row(browser, second).find_element(By.CSS_SELECTOR, "td.src").click()
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys("The government answered the parliament quickly.",
                         Keys.CONTROL, Keys.ENTER)
        toast(browser, "Saved and approved")
        assert "changed meanwhile" not in browser.find_element(By.ID, "toast").text
        assert row(browser, first).find_element(By.CSS_SELECTOR, "td.tgt").text == \
            "The government answered the parliament quickly."
        # Undoing the approval shows the machine English in both rows again.
        press(browser, "u")
        toast(browser, "Approval undone")
        for index in twins:
            assert "approved" not in row(browser, index).get_attribute("class")


def test_qa_is_checked_again_on_the_english_shown(browser, tmp_path, installed_models):
    out, *_ = make_run(tmp_path, installed_models, stems=(), extra={"qa.txt": (
        "Nasjonalforsamlingen holdt møte i dag i Hanoi om budsjettet for neste år.\n"
        f"{PLAIN}\n"
        "Kamerater fra sentralkomiteen var til stede på møtet i går kveld.\n")})
    with DeskProcess(out) as desk:
        segments = desk.article("qa")["segments"]
        low = [s["index"] for s in segments
               if any(f["flag"] == "qa:low-score" for f in s["flags"])]
        plain = next(s["index"] for s in segments if s["src"] == PLAIN)
        assert plain in low and len(low) >= 2, [s["flags"] for s in segments]
        other = next(index for index in low if index != plain)
        open_article(browser, desk, "qa")
        row(browser, other).find_element(By.CSS_SELECTOR, "td.src").click()
        press(browser, "a")
        toast(browser, "Approved as it is")
        assert "qa:low-score" not in row(browser, other).find_element(
            By.CSS_SELECTOR, "td.status").text
        row(browser, other).find_element(By.CSS_SELECTOR, "td.src").click()
        assert "qa:low-score" not in browser.find_element(By.ID, "details").text
        row(browser, plain).find_element(By.CSS_SELECTOR, "td.src").click()
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys(PLAIN_ENGLISH, Keys.CONTROL, Keys.ENTER)
        toast(browser, "Saved and approved")
        assert "flagged" not in row(browser, plain).get_attribute("class")
        assert row(browser, plain).find_elements(By.CSS_SELECTOR, "span.chip") == []
        # f no longer stops there.
        row(browser, segments[0]["index"]).find_element(By.CSS_SELECTOR, "td.src").click()
        stops = []
        for _ in range(len(segments)):
            press(browser, "f")
            if stops and stops[-1] == focused(browser):
                break
            stops.append(focused(browser))
        assert plain not in stops
        stored = {s["index"]: s for s in desk.article("qa")["segments"]}
    assert stored[plain]["flags"] == []
    assert not any(f["flag"] == "qa:low-score" for f in stored[other]["flags"])
