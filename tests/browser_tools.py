"""Helpers for tests in headless Chromium (the browser fixture is in conftest)."""

import json


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
