"""Automatic names at the review desk, in headless Chromium against the real server.

Models have RANDOM WEIGHTS (see conftest): what is checked is the glossary the keys write and
what the next run does, never the wording of the English.
"""

from __future__ import annotations

import json

from desk_server import DeskProcess, make_run, records, translate
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from workbench.glossary.store import load_glossary

ARTICLES = {
    "pl_names.txt": "Wicepremier Bui Thanh Son odwiedził w środę port.\n"
                    "Według Bui Thanh Sona umowa jest gotowa.\n"
                    "Sekretarz generalny To Lam rozmawiał z Bui Thanh Sonem.\n",
    "ru_names.txt": "Министр Нгуен Ван Тханг посетил завод в среду.\n"
                    "Генеральный секретарь То Лам поблагодарил Нгуен Ван Тханга за работу.\n",
}


def wait(browser, condition, timeout: float = 60):
    return WebDriverWait(browser, timeout, ignored_exceptions=(
        StaleElementReferenceException, NoSuchElementException)).until(
        lambda driver: condition(driver))


def open_segment(browser, desk, article: str, index: int) -> None:
    browser.get(f"{desk.url}/#/article/{article}")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.seg.focus"))
    browser.find_element(By.CSS_SELECTOR, f'tr.seg[data-index="{index}"] td.src').click()
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "tr.seg.focus").get_attribute(
        "data-index") == str(index))


def press(browser, key: str) -> None:
    browser.find_element(By.TAG_NAME, "body").send_keys(key)


def toast(browser, words: str) -> str:
    return wait(browser, lambda d: words in d.find_element(By.ID, "toast").text
                and d.find_element(By.ID, "toast").text)


def entry(glossary_dir, target: str):
    return next((t for t in load_glossary([glossary_dir]).terms if t.target == target), None)


def auto_targets(out) -> set[str]:
    return {h["target"] for r in records(out) for h in r["glossary"] if h.get("auto")}


def test_accept_with_c_and_correct_with_r_then_the_next_run_finds_them_curated(
        browser, tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models, stems=(), extra=ARTICLES)
    assert auto_targets(out) == {"Bui Thanh Son", "Nguyen Van Thang"}
    with DeskProcess(out) as desk:
        open_segment(browser, desk, "pl_names", 1)
        details = browser.find_element(By.ID, "details").text
        assert "automatic: c accepts, r corrects" in details and "name:unconfirmed" in details
        assert "Bui Thanh Son" in details  # the proposed English
        press(browser, "c")
        shown = toast(browser, "In the glossary: Bui Thanh Son")
        assert "pl: Bui Thanh Son, Bui Thanh Sona, Bui Thanh Sonem" in shown
        accepted = entry(glossary, "Bui Thanh Son")
        assert accepted is not None and accepted.type == "person"
        assert accepted.forms == {"pl": ("Bui Thanh Son", "Bui Thanh Sona", "Bui Thanh Sonem")}
        # The segment shows the name curated now: no automatic hit, no flag.
        wait(browser, lambda d: "automatic: c accepts" not in d.find_element(
            By.ID, "details").text)

        open_segment(browser, desk, "ru_names", 1)
        press(browser, "r")
        box = wait(browser, lambda d: d.find_element(By.ID, "name-target"))
        assert box.get_attribute("value") == "Nguyen Van Thang"
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("Nguyễn Văn Thắng", Keys.ENTER)
        toast(browser, "In the glossary: Nguyễn Văn Thắng")
        corrected = entry(glossary, "Nguyễn Văn Thắng")
        assert corrected is not None and entry(glossary, "Nguyen Van Thang") is None
        assert corrected.forms == {"ru": ("Нгуен Ван Тханг", "Нгуен Ван Тханга")}
        assert "corrected from Nguyen Van Thang" in corrected.note
        refused = desk.post("/api/names/accept", {"english": "Bui Thanh Son"})
        assert refused.status == 404 and "accepted already" in refused.json()["error"]
        assert desk.post("/api/names/correct", {"english": "Nguyen Van Thang",
                                                "target": "A\u202eB"}).status == 400
    again = tmp_path / "again"
    output = translate(tmp_path / "in", again, cache, glossary, installed_models)
    assert auto_targets(again) == set()
    assert "0 translated" in output  # the desk translated every changed segment already
    hits = {h["target"]: h for r in records(again) for h in r["glossary"]}
    assert hits["Bui Thanh Son"]["found"] and "auto" not in hits["Bui Thanh Son"]
    assert hits["Nguyễn Văn Thắng"]["found"]
    assert "Nguyễn Văn Thắng" in " ".join(r["tgt"] or "" for r in records(again))
    assert not any("name:unconfirmed" in r["flags"] for r in records(again))
    assert "auto_names" not in json.loads((again / "run.json").read_text())
