#!/usr/bin/env python3
"""Opens the Dashboard in headless Chromium and reads which sources its spread table marks as
stale, at the default age and then at --age seconds (a test tool). Prints one JSON line:
{"default": {"stale": [...], "excluded": [...]}, "after": {...}, "console_errors": [...]}, where
each list holds "asset/source" of the rows marked "(stale)" or "stale, not counted".

Usage: stale_sources_check.py --url http://127.0.0.1:PORT --age 600
"""
import argparse
import json
import os

from playwright.sync_api import sync_playwright

ROWS = """() => {
  const rows = [...document.querySelectorAll('#spread-table tbody tr')].filter(r => r.cells.length > 2);
  const key = (r) => r.cells[0].textContent + '/' + r.cells[1].textContent;
  return { rows: rows.length, stale: rows.filter(r => r.textContent.includes('(stale)')).map(key),
           excluded: rows.filter(r => r.textContent.includes('stale, not counted')).map(key) };
}"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--age", type=int, required=True)
    args = parser.parse_args()
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(args.url + "/#dashboard")
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_function("() => document.querySelectorAll('#spread-table tbody tr td').length > 2", timeout=15000)
        before = page.evaluate(ROWS)
        page.fill("#stale-after", str(args.age))
        page.dispatch_event("#stale-after", "change")
        page.wait_for_timeout(300)
        after = page.evaluate(ROWS)
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        kept = page.input_value("#stale-after")
        browser.close()
    print(json.dumps({"default": before, "after": after, "kept_after_reload": kept, "console_errors": errors}))


if __name__ == "__main__":
    main()
