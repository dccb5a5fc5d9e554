#!/usr/bin/env python3
"""Checks the dashboard's alert toast in headless Chromium.

Usage: alert_toast.py --url http://127.0.0.1:PORT

Opens the dashboard, adds an alert rule from the page (start tab) (a same-origin JSON POST, as the
dashboard's own requests are), and waits for its alert to appear as a toast; then switches to
another tab and checks a second alert (a rule on another asset) is shown there too. The server
must be receiving live ticks of bitcoin and ethereum from binance with its alerts on.
Exits 1 on failure.
"""
import argparse
import os
import sys

from playwright.sync_api import sync_playwright

ADD_RULE = """async (rule) => {
  const r = await fetch('/api/v1/alerts/rules', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(rule)});
  return r.status;
}"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    chromium = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(args.url + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=30000)
        status = page.evaluate(ADD_RULE, {"id": "toast-btc", "name": "Toast BTC", "type": "price_above", "level": 1,
                                          "scope": {"assets": ["bitcoin"], "sources": ["binance"]}})
        if status != 201:
            print(f"FAIL add rule: HTTP {status}")
            return 1
        page.wait_for_selector('[data-testid=alert-toast][data-alert-id="toast-btc-1:fired"]', timeout=30000)
        print("ok toast on the start tab:", page.inner_text('[data-alert-id="toast-btc-1:fired"]'))
        page.click('#tabs button[data-tab=management]')
        status = page.evaluate(ADD_RULE, {"id": "toast-eth", "name": "Toast ETH", "type": "price_above", "level": 1,
                                          "scope": {"assets": ["ethereum"], "sources": ["binance"]}, "severity": "critical"})
        if status != 201:
            print(f"FAIL add second rule: HTTP {status}")
            return 1
        toast = page.wait_for_selector('[data-testid=alert-toast][data-alert-id="toast-eth-1:fired"]', timeout=30000)
        if not toast.is_visible():
            print("FAIL the toast is not visible on the Management tab")
            return 1
        print("ok toast on the Management tab:", toast.inner_text())
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
