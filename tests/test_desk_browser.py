"""The review desk in a real browser: headless Chromium (Selenium) against the real server.

Models have RANDOM WEIGHTS (see conftest): what is checked is what the page shows, saves and
re-translates, never the wording of the English.
"""

from __future__ import annotations

import pytest
from browser_tools import (
    ARTICLE,
    focused,
    network_requests,
    open_article,
    press,
    row,
    select_in,
    wait,
)
from desk_server import DeskProcess, make_run, records, translate
from selenium.common.exceptions import (
    NoAlertPresentException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


@pytest.fixture
def run(tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models)
    return out, cache, glossary, installed_models







def toast(browser, words: str) -> str:
    return wait(browser, lambda d: words in d.find_element(By.ID, "toast").text
                and d.find_element(By.ID, "toast").text)


def test_keyboard_flow_edit_reload_and_still_there(browser, run):
    out, *_ = run
    with DeskProcess(out) as desk:
        open_article(browser, desk)
        start = focused(browser)
        assert not row(browser, start).get_attribute("class").count("approved")
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys("The comrades were present.", Keys.CONTROL, Keys.ENTER)
        toast(browser, "Saved and approved")
        assert focused(browser) > start  # moved on to the next segment to review
        browser.refresh()
        open_article(browser, desk)
        saved = row(browser, start)
        assert saved.find_element(By.CSS_SELECTOR, "td.tgt").text == \
            "The comrades were present."
        assert "approved" in saved.get_attribute("class")
        # j/k move, a approves as is, u undoes, n and f jump, ? shows the keys.
        press(browser, "j")
        here = focused(browser)
        shown = row(browser, here).find_element(By.CSS_SELECTOR, "td.tgt").text
        press(browser, "a")
        toast(browser, "Approved as it is")
        press(browser, "k")
        wait(browser, lambda d: focused(d) < here + 1)
        while focused(browser) != here:
            press(browser, "j" if focused(browser) < here else "k")
        assert "approved" in row(browser, here).get_attribute("class")
        assert row(browser, here).find_element(By.CSS_SELECTOR, "td.tgt").text == shown
        press(browser, "u")
        toast(browser, "Approval undone")
        assert "approved" not in row(browser, here).get_attribute("class")
        press(browser, "n")
        unreviewed = focused(browser)
        assert unreviewed > here
        assert "approved" not in row(browser, unreviewed).get_attribute("class")
        press(browser, "f")
        assert "flagged" in row(browser, focused(browser)).get_attribute("class")
        press(browser, "?")
        assert browser.find_element(By.ID, "help").is_displayed()
        press(browser, Keys.ESCAPE)
        assert not browser.find_element(By.ID, "help").is_displayed()
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        assert {u for u in network_requests(browser) if not u.startswith(desk.url)} == set()
        stored = desk.article(ARTICLE)["segments"]  # what the cache holds, over HTTP
    assert stored[start]["approved"] and stored[start]["tgt"] == "The comrades were present."
    assert not stored[here]["approved"]


def test_approved_as_is_in_the_page_is_approved_after_translate(browser, run, tmp_path):
    out, cache, glossary, models = run
    with DeskProcess(out) as desk:
        open_article(browser, desk)
        index = focused(browser)
        english = row(browser, index).find_element(By.CSS_SELECTOR, "td.tgt").text
        browser.find_element(By.ID, "approve-button").click()
        toast(browser, "Approved as it is")
        translate(tmp_path / "in", out, cache, glossary, models)
        browser.refresh()
        open_article(browser, desk)
        status = row(browser, index).find_element(By.CSS_SELECTOR, "td.status").text
        assert status.startswith("approved")
    again = next(r for r in records(out) if (r["article"], r["index"]) == (ARTICLE, index))
    assert again["status"] == "approved" and again["tgt"] == english


def test_two_tabs_one_conflict_refused_with_the_other_text(browser, run):
    out, *_ = run
    with DeskProcess(out) as desk:
        open_article(browser, desk)
        first_tab = browser.current_window_handle
        index = focused(browser)
        browser.switch_to.new_window("tab")
        open_article(browser, desk)
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys("Saved in the second tab.", Keys.CONTROL, Keys.ENTER)
        toast(browser, "Saved and approved")
        browser.switch_to.window(first_tab)  # still showing the machine English
        press(browser, "e")
        editor = wait(browser, lambda d: d.find_element(By.ID, "editor"))
        editor.clear()
        editor.send_keys("Saved in the first tab.", Keys.CONTROL, Keys.ENTER)
        message = toast(browser, "changed meanwhile")
        assert "Saved in the second tab." in message
        # The reviewer's own words are still in the editor, to save over the other on purpose.
        wait(browser, lambda d: d.find_element(By.ID, "editor").get_attribute("value") ==
             "Saved in the first tab.")
        shown = desk.article(ARTICLE)["segments"][index]
        assert shown["tgt"] == "Saved in the second tab."


def test_a_new_term_from_a_selection_previewed_saved_shown_before_after_and_undone(
        browser, run):
    out, _, glossary, _ = run
    glossary_before = {p.name: p.read_bytes() for p in glossary.iterdir()}
    with DeskProcess(out) as desk:
        open_article(browser, desk)
        target = next(r for r in records(out) if r["article"] == ARTICLE
                      and "partikomité" in r["src"] and r["status"] == "translated")
        row(browser, target["index"]).click()
        select_in(browser, row(browser, target["index"]).find_element(By.CSS_SELECTOR, "td.src"),
                  "partikomité")
        press(browser, "t")
        assert browser.find_element(By.ID, "term-form").get_attribute("value") == "partikomité"
        browser.find_element(By.ID, "term-target").send_keys("Party Committee")
        Select(browser.find_element(By.ID, "term-type")).select_by_value("body")
        browser.find_element(By.ID, "term-preview").click()
        preview = wait(browser, lambda d: "re-translates" in d.find_element(
            By.ID, "term-count").text and d.find_element(By.ID, "term-count").text)
        count = int(preview.split("re-translates ")[1].split()[0])
        assert count == len(browser.find_elements(By.CSS_SELECTOR, "#term-result li"))
        assert glossary_before == {p.name: p.read_bytes() for p in glossary.iterdir()}
        browser.find_element(By.ID, "term-save").click()
        saved = wait(browser, lambda d: "Saved:" in d.find_element(By.ID, "term-count").text
                     and d.find_element(By.ID, "term-count").text, timeout=60)
        assert saved.startswith(f"Saved: {count} segment")
        after = browser.find_elements(By.CSS_SELECTOR, "#term-result ins")
        assert len(after) == count and all("Party Committee" in a.text for a in after)
        assert len(browser.find_elements(By.CSS_SELECTOR, "#term-result del")) == count
        shown = row(browser, target["index"]).find_element(By.CSS_SELECTOR, "td.tgt").text
        assert "Party Committee" in shown  # the article shows the new English
        browser.find_element(By.ID, "term-undo").click()
        wait(browser, lambda d: "Undone" in d.find_element(By.ID, "term-count").text,
             timeout=60)
        assert row(browser, target["index"]).find_element(By.CSS_SELECTOR, "td.tgt").text \
            == target["tgt"]
    assert glossary_before == {p.name: p.read_bytes() for p in glossary.iterdir()}


def test_index_shows_headlines_sorts_filters_and_links(browser, run):
    out, *_ = run
    with DeskProcess(out) as desk:
        browser.get(desk.url + "/")
        rows = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.article-row"))
        assert len(rows) == 2
        headers = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#articles th")]
        assert headers[:4] == ["# ▲", "Headline", "Language", "Site"]
        assert all(r.find_element(By.CSS_SELECTOR, "a").text for r in rows)
        browser.find_element(By.CSS_SELECTOR, 'button.sort[data-key="lang"]').click()
        browser.find_element(By.CSS_SELECTOR, 'button.sort[data-key="lang"]').click()
        langs = [r.find_elements(By.TAG_NAME, "td")[2].text
                 for r in browser.find_elements(By.CSS_SELECTOR, "tr.article-row")]
        assert langs == sorted(langs, reverse=True)
        Select(browser.find_element(By.ID, "index-lang")).select_by_value("pl")
        assert len(browser.find_elements(By.CSS_SELECTOR, "tr.article-row")) == 1
        browser.find_element(By.CSS_SELECTOR, "tr.article-row a").click()
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.seg.focus"))
        assert "001_9e90e167a72bcd0b" in browser.current_url


def test_hostile_text_is_inert_in_the_desk(browser, tmp_path, installed_models):
    hostile = ("<script>alert(1)</script> Nasjonalforsamlingen holdt møte i dag.\n"
               "<img src=x onerror=alert(2)> Regjeringen svarte raskt på spørsmålet.\n")
    out, *_ = make_run(tmp_path, installed_models, stems=(), extra={"evil.txt": hostile})
    with DeskProcess(out) as desk:
        open_article(browser, desk, "evil")
        source = browser.find_element(By.CSS_SELECTOR, "#segments tbody").text
        assert "<script>alert(1)</script>" in source and "<img src=x onerror=alert(2)>" in source
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        assert browser.find_elements(By.CSS_SELECTOR, "main img, main script") == []
        browser.find_element(By.ID, "search").send_keys("onerror", Keys.ENTER)
        wait(browser, lambda d: "segments" in d.find_element(By.ID, "search-counts").text)
        assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
