#!/usr/bin/env python3
"""Freshness of the live feed: venue event time -> SSE event received, per source (a benchmark
tool, not a test).

Usage: live_freshness.py --url http://127.0.0.1:PORT [--seconds 60] [--sources binance,kraken]

Reads /api/v1/live for --seconds and, for every tick event, takes the receive time (this
process's wall clock, same machine as the server and the simulator) minus the tick's
source_time_ms (the venue's event time: Binance's `E`, Coinbase's match `time`, Kraken's ticker
time). Prints per source the count and the p50/p95/p99/max in ms, as one JSON line; with
--lake, also the server's source -> lake commit figures per source at the end of the window
(`lake_freshness` of /api/v1/stats/pipeline: commit time minus source time over the stream
processor's recent commits). With --browser, the receive time is taken in Chromium instead: the
dashboard is opened (it draws the live feed meanwhile) and an EventSource in that page records
Date.now() minus source_time_ms for every tick event.
"""
import os
import argparse
import json
import time
import urllib.request


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sources", default="")
    parser.add_argument("--lake", action="store_true", help="also print the source -> lake commit figures")
    parser.add_argument("--browser", action="store_true", help="receive the events in Chromium, on the dashboard page")
    args = parser.parse_args()
    query = f"?sources={args.sources}" if args.sources else ""
    lags = in_browser(args.url, query, args.seconds) if args.browser else in_process(args.url, query, args.seconds)
    out = {source: {"count": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95),
                    "p99_ms": percentile(v, 99), "max_ms": max(v)} for source, v in sorted(lags.items())}
    if args.lake:
        with urllib.request.urlopen(args.url + "/api/v1/stats/pipeline", timeout=10) as response:
            stats = json.load(response)["pipeline"]
        out = {"sse": out, "lake_commit": {f["source"]: {"count": f["samples"], "p50_ms": f["p50_ms"], "p95_ms": f["p95_ms"]}
                                           for f in stats.get("lake_freshness") or []}}
    print(json.dumps(out))


BROWSER_JS = """([path, seconds]) => new Promise((resolve) => {
  const lags = {};
  const source = new EventSource(path);
  source.addEventListener('tick', (e) => {
    const now = Date.now();
    const tick = JSON.parse(e.data);
    (lags[tick.source] = lags[tick.source] || []).push(now - tick.source_time_ms);
  });
  setTimeout(() => { source.close(); resolve(lags); }, seconds * 1000);
})"""


def in_browser(url, query, seconds):
    from playwright.sync_api import sync_playwright
    executable = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/#dashboard")
        page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=60_000)
        lags = page.evaluate(BROWSER_JS, ["/api/v1/live" + query, seconds])
        browser.close()
    return lags


def in_process(url, query, seconds):
    lags = {}
    deadline = time.time() + seconds
    with urllib.request.urlopen(url + "/api/v1/live" + query, timeout=10) as response:
        event = None
        for raw in response:
            now_ms = time.time() * 1000
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "tick":
                tick = json.loads(line[5:])
                lags.setdefault(tick["source"], []).append(now_ms - tick["source_time_ms"])
            if time.time() > deadline:
                break
    return lags


if __name__ == "__main__":
    main()
