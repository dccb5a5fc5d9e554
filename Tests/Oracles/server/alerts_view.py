#!/usr/bin/env python3
"""Checks the dashboard's Alerts tab in headless Chromium.

Usage: alerts_view.py --url http://127.0.0.1:PORT --token TOKEN --history N

The server requires TOKEN for writes and holds N (> 20) alert events of rule `seeded`. Checks:
the history pages by 20 (older, newer), its times follow the UTC/local switch; a rule created
from the form is refused without the token (the error shows) and created with it (set in the
Management tab); it is edited (new name), disabled and enabled; a second rule is deleted; a bad
rule shows the server's error naming the field. Prints PASS/FAIL lines; exits 1 on a failure.
"""
import argparse
import os
import sys

from playwright.sync_api import sync_playwright


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--history", type=int, required=True)
    parser.add_argument("--screenshots", default="test-output/screenshots")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    chromium = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    failures = []
    errors = []

    def check(name, fn):
        try:
            detail = fn()
            print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
        except Exception as error:  # noqa: BLE001 - report every failure and go on
            failures.append(name)
            print(f"FAIL {name}: {error}", flush=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1440, "height": 900}, timezone_id="Asia/Kolkata")
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: d.accept())
        page.goto(args.url + "/#alerts")
        page.wait_for_selector("body[data-ready=true]")

        def rows(table):
            return page.eval_on_selector_all(f"#{table} tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))")

        def status_settles(text):
            page.wait_for_function("(t) => document.getElementById('rule-status').textContent.includes(t)", arg=text)
            return page.inner_text("#rule-status")

        def history_pages():
            page.wait_for_function("() => document.querySelectorAll('#alert-history tbody tr[data-alert-id]').length === 20")
            first = rows("alert-history")
            assert all(r[2] == "seeded" for r in first), first[:2]
            assert page.get_attribute("#tab-alerts", "aria-selected") == "true"
            newest = page.get_attribute("#alert-history tbody tr", "data-alert-id")
            page.click("#alerts-older")
            page.wait_for_function("(id) => document.querySelector('#alert-history tbody tr').dataset.alertId !== id", arg=newest)
            second = rows("alert-history")
            assert second[0] != first[0] and len(second) == min(20, args.history - 20), (len(second), second[:1])
            page.click("#alerts-newer")
            page.wait_for_function("(id) => document.querySelector('#alert-history tbody tr').dataset.alertId === id", arg=newest)
            assert page.is_disabled("#alerts-newer")
            return f"{len(first)} + {len(second)} rows, newest {first[0][0]}"

        check("the history pages by 20, newest first", history_pages)

        def time_zone():
            utc = rows("alert-history")[0][0]
            page.click("#zone-toggle")
            page.wait_for_function("(t) => document.querySelector('#alert-history tbody tr').cells[0].textContent !== t", arg=utc)
            local = rows("alert-history")[0][0]
            page.click("#zone-toggle")
            assert local.endswith(" local") and not utc.endswith(" local"), (utc, local)
            return f"{utc} UTC -> {local}"

        check("alert times follow the UTC/local switch", time_zone)

        def create_needs_token():
            page.fill("#rule-id", "btc-high")
            page.select_option("#rule-type", "price_above")
            page.fill("#rule-value", "123456")
            page.fill("#rule-assets", "bitcoin")
            page.click("#rule-save")
            refused = status_settles("unauthorized")
            page.click("#tab-management")
            page.fill("#token-input", args.token)
            page.dispatch_event("#token-input", "change")
            page.click("#tab-alerts")
            page.click("#rule-save")
            created = status_settles("created")
            page.wait_for_selector("[data-testid=rule-edit-btc-high]")
            return f"{refused!r} then {created!r}"

        check("creating a rule needs the management token, then works", create_needs_token)

        def edit_disable_enable():
            page.click("[data-testid=rule-edit-btc-high]")
            assert page.input_value("#rule-value") == "123456"
            assert page.is_disabled("#rule-id")
            page.fill("#rule-name", "Bitcoin very high")
            page.fill("#rule-cooldown", "60")
            page.click("#rule-save")
            status_settles("saved")
            page.wait_for_function("() => [...document.querySelectorAll('#alert-rules tbody tr')].some(r => r.cells[0].textContent === 'Bitcoin very high (btc-high)' && r.cells[5].textContent === '60 s')")
            page.click("[data-testid=rule-toggle-btc-high]")
            status_settles("disabled")
            page.wait_for_function("() => [...document.querySelectorAll('#alert-rules tbody tr')].some(r => r.cells[0].textContent.includes('btc-high') && r.cells[6].textContent === 'disabled')")
            page.click("[data-testid=rule-toggle-btc-high]")
            status_settles("enabled")
            page.click("[data-testid=rule-toggle-btc-high]")
            status_settles("disabled")
            return "renamed, cooldown 60 s, disabled, enabled, disabled"

        check("a rule is edited, disabled and enabled", edit_disable_enable)

        def delete_and_bad_input():
            page.fill("#rule-id", "eth-gone")
            page.select_option("#rule-type", "stale_source")
            page.fill("#rule-value", "30")
            page.click("#rule-save")
            status_settles("rule eth-gone created")
            page.click("[data-testid=rule-delete-eth-gone]")
            status_settles("deleted")
            page.wait_for_function("() => !document.querySelector('[data-testid=rule-delete-eth-gone]')")
            page.fill("#rule-id", "bad-change")
            page.select_option("#rule-type", "change")
            page.fill("#rule-value", "5")
            page.fill("#rule-extra", "2000")  # the server allows 1 to 1440 minutes
            page.click("#rule-save")
            page.wait_for_function("() => document.getElementById('rule-status').classList.contains('error') && document.getElementById('rule-status').textContent.includes('minutes')")
            shot = os.path.join(args.screenshots, "alerts.png")
            page.screenshot(path=shot, full_page=True)
            return page.inner_text("#rule-status")

        check("a rule is deleted; a bad one shows the server's error naming the field", delete_and_bad_input)

        def no_page_errors():
            assert not errors, errors[:3]

        check("no page errors", no_page_errors)
        browser.close()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
