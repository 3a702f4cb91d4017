"""Helpers for tests in headless Chromium (the browser fixture is in conftest)."""

import json
import urllib.parse

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def network_requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    # Chromium's own pages (chrome://new-tab-page...) load before ours; what matters is
    # anything that would leave the machine.
    return [u for u in urls if u.startswith(("http://", "https://", "ws://", "wss://", "ftp:"))]


def select_in(browser, cell, text: str) -> None:
    """Select ``text`` inside a table cell, as a reviewer dragging over it would."""
    assert browser.execute_script("""
        var cell = arguments[0], text = arguments[1], node;
        var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while ((node = walker.nextNode())) {
          var at = node.textContent.indexOf(text);
          if (at >= 0) {
            var range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            var selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return true;
          }
        }
        return false;""", cell, text)


#: The seed article the desk tests open.
ARTICLE = "000_6ee16a1a097d6283"


def wait(browser, condition, timeout: float = 15):
    # The page re-renders after each answer: an element found a moment ago may be gone.
    return WebDriverWait(browser, timeout, ignored_exceptions=(
        StaleElementReferenceException, NoSuchElementException)).until(
        lambda driver: condition(driver))


def open_article(browser, desk, article: str = ARTICLE):
    browser.get(f"{desk.url}/#/article/{urllib.parse.quote(article)}")
    return wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.seg.focus"))[0]


def focused(browser) -> int:
    return int(browser.find_element(By.CSS_SELECTOR, "tr.seg.focus").get_attribute(
        "data-index"))


def row(browser, index: int):
    return browser.find_element(By.CSS_SELECTOR, f'tr.seg[data-index="{index}"]')


def press(browser, *keys: str) -> None:
    body = browser.find_element(By.TAG_NAME, "body")
    for key in keys:
        body.send_keys(key)
