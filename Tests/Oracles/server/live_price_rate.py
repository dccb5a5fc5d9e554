"""How often the Dashboard's live price card changes, in Chromium, against a running server.

Opens the dashboard on its default selection (the three largest coins), waits for the live
feed, then samples the text of the price cards every 50 ms for --seconds and prints JSON: the
number of times any card changed, the longest time without a change (from the start to the
first change included), and the Performance tab's Streams rows. A single card can rest for a
second or two when its asset's price path moves less than a displayed cent; the cards together
are the dashboard's live price. The Swift
test (UpDemoStreamsTests) judges the figures; this script only measures.
"""
import argparse
import json
import os

from playwright.sync_api import sync_playwright

SAMPLE = """async (seconds) => {
  const read = () => [...document.querySelectorAll('.card .value[data-testid^=price-]')].map((e) => e.textContent).join('|');
  const changes = [];
  let last = read();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 50));
    const text = read();
    if (text !== last) { changes.push(performance.now() - start); last = text; }
  }
  const end = performance.now() - start;
  let gap = 0, previous = 0;
  for (const t of changes.concat([end])) { gap = Math.max(gap, t - previous); previous = t; }
  return { changes: changes.length, max_gap_ms: Math.round(gap), seconds, cards: document.querySelectorAll('.card .value[data-testid^=price-]').length };
}"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--screenshots", default="test-output/screenshots/up-demo-streams")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    chromium = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(20000)
        page.goto(f"{args.url}/#dashboard")
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_function("() => document.getElementById('live-status').dataset.state === 'live'")
        page.wait_for_selector(".card .value[data-testid^=price-]")
        result = page.evaluate(SAMPLE, args.seconds)
        page.click("[data-testid=tab-performance]")
        page.wait_for_function("() => document.querySelectorAll('#streams-table tbody tr td').length > 1")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#streams-table tbody tr')].every((r) => parseFloat(r.cells[2].textContent) > 0)",
            timeout=15000)
        result["streams"] = page.eval_on_selector_all(
            "#streams-table tbody tr", "rows => rows.map((r) => [...r.cells].map((c) => c.textContent))")
        page.screenshot(path=os.path.join(args.screenshots, "performance-streams.png"), full_page=True)
        result["page_errors"] = errors
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
