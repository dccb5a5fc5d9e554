#!/usr/bin/env python3
"""Opens the CryptoViz dashboard in headless Chromium and reads the page banner and the mode
badge (a test tool): waits up to --timeout seconds for the banner to take --kind, then prints
one JSON line {"kind", "text", "hidden", "mode", "console_errors"}.

Usage: banner_check.py --url http://127.0.0.1:PORT --kind stale [--timeout 20]
"""
import argparse
import json
import os

from playwright.sync_api import sync_playwright


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--kind", required=True, help="banner kind to wait for: stale, waiting or unreachable")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(args.url + "/")
        try:
            page.wait_for_function("(k) => document.getElementById('banner').dataset.kind === k", arg=args.kind,
                                   timeout=args.timeout * 1000)
        except Exception:
            pass
        state = page.evaluate("""() => { const b = document.getElementById('banner'), m = document.getElementById('mode-badge');
            return { kind: b.dataset.kind || null, text: b.textContent, hidden: b.hidden, mode: m.dataset.mode || null }; }""")
        browser.close()
    state["console_errors"] = errors
    print(json.dumps(state))


if __name__ == "__main__":
    main()
