"""Relabelling a line at the review desk, from the keyboard, in headless Chromium.

The desk saves a site rule; the next `workbench translate` honours it. Models have RANDOM
WEIGHTS (see conftest): what is checked is what is translated and kept, never the English.
"""

from __future__ import annotations

import json

from desk_server import DeskProcess
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_desk_browser import focused, open_article, press, row, toast, wait
from test_site_rules import CREDIT, SITE, kinds, project, translate, updated_lines  # noqa: F401

from workbench.sites.rules import load_site_rules


def index_of(records: list[dict], article: str, text: str) -> int:
    return next(r["index"] for r in records if r["article"] == article and r["src"] == text)


def test_a_line_relabelled_from_the_keyboard_is_honoured_by_the_next_run(
        browser, project, installed_models):  # noqa: F811
    first, records = translate(project, installed_models)
    credit = index_of(records, "dn1", CREDIT)
    updated = next(r for r in records if r["article"] == "dn1"
                   and r["src"].startswith("Saken ble oppdatert"))
    with DeskProcess(project / "out") as desk:
        open_article(browser, desk, "dn1")
        row(browser, credit).click()
        press(browser, "l")
        picker = wait(browser, lambda d: d.find_element(By.ID, "relabel"))
        assert f"On every page of {SITE}" in picker.text
        press(browser, "3")  # caption
        toast(browser, "Site rule saved")
        counted = wait(browser, lambda d: d.find_element(By.ID, "relabel-count")).text
        assert "3 lines of this run in 3 articles change" in counted
        chip = wait(browser, lambda d: row(d, credit).find_element(By.CSS_SELECTOR,
                                                                     ".chip.relabel"))
        assert chip.text == "next run: caption"

        row(browser, updated["index"]).click()
        press(browser, "l")
        wait(browser, lambda d: d.find_element(By.ID, "relabel"))
        press(browser, Keys.ESCAPE)  # cancelled: nothing saved
        wait(browser, lambda d: not d.find_elements(By.ID, "relabel"))
        assert focused(browser) == updated["index"]
        press(browser, "l")
        wait(browser, lambda d: d.find_element(By.ID, "relabel"))
        press(browser, "8")  # boilerplate
        toast(browser, "Site rule saved")
        wait(browser, lambda d: row(d, updated["index"]).find_element(
            By.CSS_SELECTOR, ".chip.relabel").text == "next run: boilerplate")
        # The records are the run's until the next translate.
        assert json.loads((project / "out" / "run.json").read_text("utf-8")) == first
        refused = desk.post("/api/labels/relabel", {"article": "dn1", "index": credit,
                                                     "kind": "chrome"})
        assert refused.status == 400 and "unknown kind 'chrome'" in refused.json()["error"]
        unguarded = desk.post("/api/labels/relabel", {"article": "dn1", "index": credit,
                                                       "kind": "body"}, token="wrong")
        assert unguarded.status == 403
    assert "Traceback" not in desk.stderr

    rules = load_site_rules(project / "labels").for_site(SITE)
    assert [(r.line, r.kind.value) for r in rules.rules] == [
        (CREDIT, "caption"), (updated["src"], "boilerplate")]
    second, records = translate(project, installed_models)
    assert second["statuses"]["translated"] == 3  # the three credits, now captions
    assert second["statuses"]["cached"] == first["statuses"]["translated"] - 1
    assert kinds(records, CREDIT) == {f"dn{n}": ("caption", "translated") for n in (1, 2, 3)} \
        | {"other": ("credit", "kept")}
    assert updated_lines(records)["dn1"] == ("boilerplate", "kept")
    assert updated_lines(records)["dn2"] == ("body", "cached")
    assert second["labels"]["files"] == [str((project / "labels" / f"{SITE}.toml").absolute())]
