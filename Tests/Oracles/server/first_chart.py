#!/usr/bin/env python3
"""Time to first chart of the CryptoViz dashboard in headless Chromium (a benchmark, not a test).

Usage: first_chart.py --url http://127.0.0.1:PORT [--runs N]

For each run, a fresh browser context (empty cache) opens the dashboard; a script installed before
any page script polls every animation frame until the main chart reports drawn points
(canvas data-points > 1) and records performance.now(), i.e. milliseconds since navigation start.
The canvas is then checked for ink so an empty frame never counts. Prints one line per run and a
summary line "first chart ms: p50=.. min=.. max=..". Needs PyPI playwright and a system Chromium
(/usr/bin/chromium, or CRYPTOVIZ_CHROMIUM), as browser_test.py.
"""
import argparse
import os
import statistics

from playwright.sync_api import sync_playwright

WATCH = """(() => {
  const check = () => {
    const c = document.getElementById('main-chart');
    if (c && Number(c.dataset.points) > 1) { window.__firstChartMs = performance.now(); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""

CANVAS_INK = """() => {
  const c = document.getElementById('main-chart');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 3; i < d.length; i += 16) if (d[i] !== 0) ink++;
  return ink;
}"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chromium = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for run in range(args.runs):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.add_init_script(WATCH)
            page.goto(args.url + "/")
            page.wait_for_function("() => window.__firstChartMs !== undefined", timeout=60000)
            ms = page.evaluate("() => window.__firstChartMs")
            dcl = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            ink = page.evaluate(CANVAS_INK)
            points = page.eval_on_selector("#main-chart", "c => c.dataset.points")
            assert ink > 100, f"chart canvas nearly empty ({ink} inked samples)"
            print(f"run {run + 1}: first chart {ms:.0f} ms after navigation start "
                  f"(DOMContentLoaded {dcl:.0f} ms, {points} points, {ink} inked samples)", flush=True)
            times.append(ms)
            context.close()
        browser.close()
    print(f"first chart ms: p50={statistics.median(times):.0f} min={min(times):.0f} max={max(times):.0f} runs={len(times)}")


if __name__ == "__main__":
    main()
