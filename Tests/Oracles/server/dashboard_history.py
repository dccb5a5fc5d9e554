#!/usr/bin/env python3
"""Opens the CryptoViz dashboard in headless Chromium and checks that a backfilled asset's
candles cover the 30-day range as soon as it is picked (a test tool, not a benchmark).

Usage: dashboard_history.py --url http://127.0.0.1:PORT --asset ID [--screenshot PNG]

Clicks the 30d range and the Candles mode, picks the asset, then polls the main chart's
data attributes (data-series, data-points, data-first-ms, data-last-ms) until it draws that
asset's candles; then picks an indicator overlay (--indicator) and reads data-overlays and
data-volume-bars (the volume pane). First it reads the asset's 7-day sparkline in the Markets
table. Prints one JSON line: the span drawn in days, the points, how long after
picking the asset it was drawn, and console errors. Needs PyPI playwright and a system
Chromium (/usr/bin/chromium, or CRYPTOVIZ_CHROMIUM), as browser_test.py.
"""
import argparse
import json
import os
import time

from playwright.sync_api import sync_playwright

CHART = """() => {
  const c = document.getElementById('main-chart');
  return { series: c.dataset.series || '', points: Number(c.dataset.points || 0),
           first: Number(c.dataset.firstMs || 0), last: Number(c.dataset.lastMs || 0),
           overlays: c.dataset.overlays || '', volumeBars: Number(c.dataset.volumeBars || 0) };
}"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--asset", required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--screenshot", help="PNG path for a screenshot of the drawn chart")
    parser.add_argument("--indicator", default="bollinger:20:2", help="indicator overlay to pick once the candles are drawn")
    args = parser.parse_args()
    executable = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(args.url)
        page.wait_for_function(f"() => [...document.querySelectorAll('#candle-asset option')].some(o => o.value === {json.dumps(args.asset)})",
                               timeout=args.timeout * 1000)
        # The Markets table (the first screen): the asset's 7-day sparkline.
        spark_js = f"""() => {{
          const row = [...document.querySelectorAll('#markets-table tbody tr')]
            .find(r => r.cells[2] && r.cells[2].textContent.startsWith({json.dumps(args.asset)} + ' ·'));
          const svg = row && row.querySelector('svg.spark');
          if (!svg) return null;
          return {{ points: svg.querySelector('polyline').getAttribute('points').trim().split(/\\s+/).length,
                    label: svg.getAttribute('aria-label') }};
        }}"""
        try:
            page.wait_for_function(spark_js, timeout=args.timeout * 1000)
        except Exception:
            pass
        sparkline = page.evaluate(spark_js)
        page.click("[data-testid=tab-dashboard]")
        page.click("#range-picker button[data-range='30d']")
        page.click("#mode-picker button[data-mode='candles']")
        picked = time.monotonic()
        page.select_option("#candle-asset", args.asset)
        want = "candles:" + args.asset
        state = {}
        drawn_after = None
        while time.monotonic() - picked < args.timeout:
            state = page.evaluate(CHART)
            if state["series"] == want and state["points"] > 1:
                drawn_after = time.monotonic() - picked
                break
            time.sleep(0.05)
        overlay = {}
        if drawn_after is not None and args.indicator:
            page.select_option("#candle-indicator", args.indicator)
            try:
                page.wait_for_function("() => document.getElementById('main-chart').dataset.overlays !== ''", timeout=args.timeout * 1000)
            except Exception:
                pass
            overlay = page.evaluate(CHART)
        if args.screenshot:
            page.screenshot(path=args.screenshot)
        # Each interval: candles with their volume pane (klines carry traded volume).
        per_interval = {}
        if drawn_after is not None:
            for interval in ["1m", "5m", "1h", "1d"]:
                page.select_option("#candle-interval", interval)
                try:
                    page.wait_for_function(
                        "() => { const c = document.getElementById('main-chart'); return Number(c.dataset.points) > 0 && Number(c.dataset.volumeBars) > 0; }",
                        timeout=args.timeout * 1000)
                except Exception:
                    pass
                chart = page.evaluate(CHART)
                per_interval[interval] = {"points": chart["points"], "volume_bars": chart["volumeBars"]}
        browser.close()
    span_days = (state.get("last", 0) - state.get("first", 0)) / 86_400_000 if drawn_after is not None else 0
    print(json.dumps({"drawn": drawn_after is not None, "drawn_after_s": drawn_after, "span_days": span_days,
                      "first_ms": state.get("first"), "last_ms": state.get("last"), "points": state.get("points"),
                      "series": state.get("series"), "volume_bars": state.get("volumeBars"),
                      "overlays": overlay.get("overlays", ""), "intervals": per_interval, "sparkline": sparkline,
                      "console_errors": errors}))


if __name__ == "__main__":
    main()
