#!/usr/bin/env python3
"""Drives the CryptoViz dashboard in headless Chromium and checks each tab.

Usage: browser_test.py --url http://127.0.0.1:PORT [--screenshots DIR] [--token TOKEN]

Needs PyPI playwright and a system Chromium (/usr/bin/chromium, or CRYPTOVIZ_CHROMIUM).
Prints one line per check and a closing "N passed, M failed"; exits 1 on any failure.
The server must be receiving live ticks (cryptoviz up --demo, or the Swift test's demo feed).
"""
import argparse
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

CANVAS_INK = """(id) => {
  const c = document.getElementById(id);
  if (!c || !c.width || !c.height) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 3; i < d.length; i += 16) if (d[i] !== 0) ink++;
  return ink;
}"""

CHART_BENCH = """async (n) => {
  const { Chart } = await import('/js/chart.js');
  const canvas = document.createElement('canvas');
  canvas.setAttribute('height', '300');
  canvas.style.width = '1200px';
  document.body.append(canvas);
  const chart = new Chart(canvas, {});
  const xs = new Array(n), ys = new Array(n);
  for (let i = 0; i < n; i++) { xs[i] = 1.7e12 + i * 1000; ys[i] = Math.sin(i / 500) * 100 + Math.random(); }
  chart.setLines([{ name: 'a', color: '#f00', xs, ys }, { name: 'b', color: '#0f0', xs, ys: ys.map((v) => -v) }]);
  const times = [];
  for (let k = 0; k < 10; k++) { const t0 = performance.now(); chart.draw(); times.push(performance.now() - t0); }
  chart.view = { x0: xs[0], x1: xs[Math.floor(n / 10)] };
  const t1 = performance.now(); chart.draw(); const zoomed = performance.now() - t1;
  const drawn = Number(canvas.dataset.points);
  canvas.remove();
  times.sort((a, b) => a - b);
  return { points: 2 * n, median_draw_ms: times[5], max_draw_ms: times[9], zoomed_draw_ms: zoomed, drawn_points: drawn };
}"""


def settled_text(page, element_id, pending):
    """Waits until the element's text no longer starts with `pending`; returns that text."""
    page.wait_for_function(
        "([id, p]) => { const t = document.getElementById(id).textContent; return t !== '' && !t.startsWith(p); }",
        arg=[element_id, pending])
    return page.eval_on_selector("#" + element_id, "e => e.textContent")


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        try:
            detail = fn()
            self.passed += 1
            print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
        except Exception as error:  # noqa: BLE001 - report every failure and go on
            self.failed += 1
            print(f"FAIL {name}: {error}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", default="test-output/screenshots")
    parser.add_argument("--token", default="")
    parser.add_argument("--markets-rows", type=int, default=4, help="rows the Markets table must show at least")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    chromium = os.environ.get("CRYPTOVIZ_CHROMIUM", "/usr/bin/chromium")
    checks = Checks()
    console_errors = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        # A zone far from UTC, so the local-time switch visibly moves the axis labels.
        context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, timezone_id="Asia/Kolkata")
        page = context.new_page()
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.set_default_timeout(15000)

        def shot(name):
            page.screenshot(path=os.path.join(args.screenshots, f"{name}.png"), full_page=True)

        def loads():
            page.goto(args.url + "/")
            page.wait_for_selector("body[data-ready=true]")
            page.wait_for_function("() => document.getElementById('live-status').dataset.state === 'live'")
            return page.title()

        checks.run("dashboard loads and the live feed connects", loads)

        def markets_table():
            page.wait_for_function("(n) => Number(document.getElementById('markets-table').dataset.rows) >= n", arg=args.markets_rows)
            rows = int(page.eval_on_selector("#markets-table", "t => t.dataset.rows"))
            caps = page.eval_on_selector_all("#markets-table tbody tr td:nth-child(9)", "cells => cells.map(c => c.textContent)")
            assert all(c == "—" or (c.startswith("$") and c[-1] in "TBMK") for c in caps), caps[:5]
            assert any(c != "—" for c in caps), "no market cap shown"
            shot("markets")
            # Sort by 24h change, ascending then descending.
            page.click("#markets-table th[data-sort=change24h] button")
            page.click("#markets-table th[data-sort=change24h] button")
            order = page.eval_on_selector("#markets-table th[data-sort=change24h]", "th => th.getAttribute('aria-sort')")
            values = page.eval_on_selector_all("#markets-table tbody tr td:nth-child(6)", "cells => cells.map(c => parseFloat(c.textContent))")
            finite = [v for v in values if v == v]
            assert finite == sorted(finite, reverse=(order == "descending")), (order, finite[:6])
            # Filter by part of a symbol.
            first = page.eval_on_selector("#markets-table tbody tr td:nth-child(3)", "c => c.textContent")
            symbol = first.split(" · ")[1]
            page.fill("#markets-search", symbol[:2].lower())
            page.wait_for_function("(n) => Number(document.getElementById('markets-table').dataset.rows) <= n", arg=rows)
            texts = page.eval_on_selector_all("#markets-table tbody tr td:nth-child(3)", "cells => cells.map(c => c.textContent.toLowerCase())")
            assert texts and all(symbol[:2].lower() in t for t in texts), texts
            page.fill("#markets-search", "")
            return f"{rows} rows, sorted {order} by 24h change, filter '{symbol[:2].lower()}' kept {len(texts)}"

        checks.run("markets table ranks, sorts and filters the assets", markets_table)

        def mode_badge():
            page.wait_for_function("() => ['demo', 'live'].includes(document.getElementById('mode-badge').dataset.mode)")
            mode = page.eval_on_selector("#mode-badge", "b => b.dataset.mode + ': ' + b.textContent + ' (' + b.title + ')'")
            hidden = page.eval_on_selector("#banner", "b => b.hidden")
            assert hidden, page.eval_on_selector("#banner", "b => b.textContent")
            return mode + ", no banner"

        checks.run("the header shows where the data comes from, and no banner while quotes are fresh", mode_badge)

        def theme_follows_system():
            seen = {}
            for scheme in ["light", "dark"]:
                other = browser.new_context(viewport={"width": 1000, "height": 700}, color_scheme=scheme)
                fresh = other.new_page()
                fresh.goto(args.url + "/")
                fresh.wait_for_selector("body[data-ready=true]")
                seen[scheme] = fresh.evaluate("() => document.documentElement.dataset.theme || 'dark'")
                other.close()
            assert seen == {"light": "light", "dark": "dark"}, seen
            return f"system light -> {seen['light']}, system dark -> {seen['dark']}"

        checks.run("without a saved choice the theme follows the system setting", theme_follows_system)

        def picker_search():
            page.click("[data-testid=tab-dashboard]")
            labels = page.locator("#asset-picker label")
            text = labels.nth(labels.count() - 1).inner_text()
            symbol = text.split(" · ")[-1].strip()
            page.fill("#asset-search", symbol.lower())
            visible = page.eval_on_selector_all("#asset-picker label", "ls => ls.filter(l => !l.hidden).map(l => l.textContent.trim())")
            assert any(symbol in v for v in visible) and len(visible) < labels.count(), visible
            page.fill("#asset-search", "")
            return f"'{symbol.lower()}' -> {visible}"

        checks.run("the asset picker finds an asset by its symbol", picker_search)

        def chart_draws():
            page.wait_for_function("() => Number(document.getElementById('main-chart').dataset.points) > 1")
            ink = page.evaluate(CANVAS_INK, "main-chart")
            assert ink > 100, f"canvas nearly empty ({ink} inked samples)"
            shot("dashboard")
            return f"{ink} inked samples"

        checks.run("dashboard chart draws a non-empty canvas", chart_draws)

        def spread_chart_draws():
            # The demo's sources quote every asset: after a minute or two each has spread points.
            page.wait_for_function("() => Number(document.getElementById('spread-chart').dataset.points) > 0", timeout=90000)
            series = page.eval_on_selector("#spread-chart", "c => c.dataset.series")
            points = int(page.eval_on_selector("#spread-chart", "c => c.dataset.points"))
            ink = page.evaluate(CANVAS_INK, "spread-chart")
            assert ink > 50, f"spread canvas nearly empty ({ink} inked samples)"
            return f"{points} points of {series}"

        checks.run("the spread between sources is drawn over time", spread_chart_draws)

        def live_price_changes():
            first = page.locator(".card .value[data-testid^=price-]").first
            testid = first.get_attribute("data-testid")
            before = first.inner_text()
            page.wait_for_function(
                "([id, old]) => { const e = document.querySelector(`[data-testid='${id}']`); return e && e.textContent !== old; }",
                arg=[testid, before], timeout=10000)
            return f"{testid}: {before} -> {page.locator(f'[data-testid={testid}]').inner_text()}"

        checks.run("a live price changes within 10 s", live_price_changes)

        def asset_selection_changes_chart():
            before = page.eval_on_selector("#main-chart", "c => c.dataset.series")
            options = page.locator("#asset-picker input[type=checkbox]")
            target = None
            for i in range(options.count()):
                if not options.nth(i).is_checked():
                    target = options.nth(i)
                    break
            assert target is not None, "no unselected asset to add"
            name = target.get_attribute("value")
            target.check()
            page.wait_for_function("(n) => document.getElementById('main-chart').dataset.series.split(',').includes(n)", arg=name)
            page.wait_for_selector(f"[data-testid=price-card-{name}]")
            after = page.eval_on_selector("#main-chart", "c => c.dataset.series")
            assert before != after
            return f"{before} -> {after}"

        checks.run("selecting an asset adds its line and card", asset_selection_changes_chart)

        def source_selection_changes_spread():
            source = page.locator("#source-picker input[type=checkbox]").first
            name = source.get_attribute("value")
            page.wait_for_function("(n) => document.getElementById('spread-table').innerText.includes(n)", arg=name)
            source.uncheck()
            page.wait_for_function("(n) => !document.getElementById('spread-table').innerText.includes(n)", arg=name)
            source.check()
            page.wait_for_function("(n) => document.getElementById('spread-table').innerText.includes(n)", arg=name)
            return name

        checks.run("deselecting a source removes it from the comparison", source_selection_changes_spread)

        def candles_and_ranges():
            page.click("#mode-picker button[data-mode=candles]")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.series.startsWith('candles:') && Number(document.getElementById('main-chart').dataset.points) > 0")
            page.click("#range-picker button[data-range='24h']")
            page.wait_for_function("() => Number(document.getElementById('main-chart').dataset.points) > 0")
            box = page.locator("#main-chart").bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
            page.wait_for_function("() => !!document.getElementById('main-chart').dataset.hover")
            # The tooltip names the candle's bucket, start and end; the canvas describes itself.
            hover = page.eval_on_selector("#main-chart", "c => c.dataset.hover")
            assert " – " in hover.split(" | ")[0], hover
            label = page.eval_on_selector("#main-chart", "c => c.getAttribute('aria-label')")
            assert label.startswith("price chart: ") and " candles, " in label and "close " in label, label
            # The data behind the chart, as a table (its text alternative).
            page.click("#chart-data summary")
            page.wait_for_function("() => document.querySelectorAll('#chart-data-table tbody tr').length > 0")
            head = page.eval_on_selector_all("#chart-data-table thead th", "ths => ths.map(t => t.textContent)")
            assert head == ["start", "open", "high", "low", "close", "volume"], head
            page.click("#chart-data summary")
            # Log scale: the axis changes and the choice is kept in the URL.
            page.check("#log-scale")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.scale === 'log'")
            assert "log=1" in page.url, page.url
            page.uncheck("#log-scale")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.scale === 'linear'")
            page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 50)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + 60, steps=5)
            page.mouse.up()
            shot("dashboard-candles")
            page.click("#mode-picker button[data-mode=lines]")
            page.click("#range-picker button[data-range='1h']")
            return hover + " / " + label

        checks.run("candlesticks draw, range switches, hover shows the bucket, log scale and drag-zoom work", candles_and_ranges)

        def interval_and_indicator_overlay():
            page.click("#mode-picker button[data-mode=candles]")
            page.click("#range-picker button[data-range='24h']")
            page.select_option("#candle-interval", "1m")
            page.select_option("#candle-indicator", "sma:20")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.overlays === 'sma:20'")
            shot("dashboard-candles-sma")
            overlays = page.eval_on_selector("#main-chart", "c => c.dataset.overlays")
            page.select_option("#candle-indicator", "")
            page.select_option("#candle-interval", "auto")
            page.click("#mode-picker button[data-mode=lines]")
            page.click("#range-picker button[data-range='1h']")
            return overlays

        checks.run("an interval is picked and an indicator overlay draws over the candles", interval_and_indicator_overlay)

        def versus_bitcoin_and_custom_range():
            page.click("#mode-picker button[data-mode=btc]")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.series.includes(' / BTC') && Number(document.getElementById('main-chart').dataset.points) > 0")
            series = page.eval_on_selector("#main-chart", "c => c.dataset.series")
            assert "bitcoin / BTC" not in series, series
            # An absolute range typed in UTC (the page's default zone) that ends at the start of
            # the newest 1-minute candle: a fresh `up --demo` has only the minutes since it
            # started, so wait until it has two candles; the newest one is then left out.
            starts_js = """async () => {
                const r = await fetch('/api/v1/assets/bitcoin/candles?interval=1m');
                return (await r.json()).candles.map(c => c.start_ms);
            }"""
            deadline = time.time() + 75
            starts = page.evaluate(starts_js)
            while len(starts) < 2 and time.time() < deadline:
                time.sleep(2)
                starts = page.evaluate(starts_js)
            assert len(starts) >= 2, f"bitcoin has {len(starts)} one-minute candles"
            end = starts[-1]
            start = end - 20 * 60_000
            page.click("#mode-picker button[data-mode=lines]")
            fmt = "() => [%d, %d].map(ms => new Date(ms).toISOString().slice(0, 16))" % (start, end)
            start_text, end_text = page.evaluate(fmt)
            page.fill("#range-from", start_text)
            page.fill("#range-to", end_text)
            page.click("[data-testid=range-apply]")
            page.wait_for_function("() => location.hash.includes('range=custom')")
            page.wait_for_function("(t) => { const c = document.getElementById('main-chart'); return Number(c.dataset.points) > 0 && Number(c.dataset.lastMs) < t; }", arg=end)
            first, last = page.eval_on_selector("#main-chart", "c => [Number(c.dataset.firstMs), Number(c.dataset.lastMs)]")
            minute_start = start - start % 60_000
            assert first >= minute_start and last < end, (first, last, start, end)
            page.click("#range-picker button[data-range='1h']")
            return f"{series}; custom range drew {first}..{last} within {start}..{end}"

        checks.run("assets compared against bitcoin, and an absolute range picked in UTC", versus_bitcoin_and_custom_range)

        def explorer():
            page.click("[data-testid=tab-explorer]")
            page.wait_for_function("() => document.querySelectorAll('#partitions-table tbody tr').length > 0 && !document.querySelector('#partitions-table tbody td.status')")
            page.click("#ticks-load")
            page.wait_for_function("() => document.getElementById('ticks-status').textContent.includes('ticks')")
            rows = page.locator("#ticks-table tbody tr").count()
            assert rows > 0
            page.fill("#sql-input", "SELECT asset, source, price FROM ticks ORDER BY source_time_ms DESC LIMIT 5")
            page.click("#sql-run")
            page.wait_for_function("() => document.querySelectorAll('#sql-result tbody tr').length === 5")
            with page.expect_download() as download:
                page.click("#sql-csv")
            path = download.value.path()
            with open(path, encoding="utf-8") as f:
                lines = f.read().strip().splitlines()
            assert lines[0] == "asset,source,price" and len(lines) == 6, lines[:2]
            shot("explorer")
            return f"{rows} tick rows, csv {len(lines)} lines"

        checks.run("explorer shows partitions, pages ticks, runs SQL and downloads CSV", explorer)

        def schema_and_saved_queries():
            page.click("#sql-schema summary")
            page.wait_for_selector("#sql-schema-body [data-table=ticks]")
            columns = page.eval_on_selector_all("#sql-schema-body [data-table=ticks] li button", "bs => bs.map(b => b.textContent)")
            assert {"asset", "price", "source_time_ms"} <= set(columns), columns
            # A click puts the column's name into the query.
            page.fill("#sql-input", "SELECT  FROM ticks LIMIT 3")
            page.evaluate("() => { const t = document.getElementById('sql-input'); t.selectionStart = t.selectionEnd = 7; }")
            page.click("#sql-schema-body [data-table=ticks] li button:text-is('asset')")
            query = page.input_value("#sql-input")
            assert query == "SELECT asset FROM ticks LIMIT 3", query
            # Saved in this browser, listed, loaded back after the text changed, and deleted.
            page.fill("#sql-name", "three assets")
            page.click("#sql-save")
            page.fill("#sql-input", "SELECT 1")
            page.select_option("#sql-saved", "three assets")
            assert page.input_value("#sql-input") == query
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            page.click("[data-testid=tab-explorer]")
            names = page.eval_on_selector_all("#sql-saved option", "os => os.map(o => o.value)")
            assert "three assets" in names, names
            page.select_option("#sql-saved", "three assets")
            page.click("#sql-delete")
            names = page.eval_on_selector_all("#sql-saved option", "os => os.map(o => o.value)")
            assert "three assets" not in names, names
            return f"{len(columns)} tick columns; saved, reloaded and deleted a query"

        checks.run("the SQL schema browser lists the columns and queries are saved in the browser", schema_and_saved_queries)

        def performance():
            page.click("[data-testid=tab-performance]")
            page.wait_for_function("() => document.querySelector('[data-testid=perf-rate]') !== null")
            page.wait_for_function("() => Number(document.getElementById('perf-chart').dataset.points) >= 2", timeout=12000)
            # One chart per unit: the rate alone on its axis, the latencies on theirs.
            series = page.eval_on_selector_all("#perf-chart, #perf-latency-chart", "cs => cs.map(c => c.dataset.series)")
            assert series == ["ticks/s", "p50 ms,p95 ms"], series
            # The ingest rate is live: non-zero while ticks stream in (the tab refreshes itself).
            page.wait_for_function(
                "() => parseFloat((document.querySelector('[data-testid=perf-rate]')?.innerText || '')"
                ".split('\\n').pop().replace(/,/g, '')) > 0", timeout=12000)
            rate = page.locator("[data-testid=perf-rate]").inner_text().split("\n")[-1]
            assert page.locator("#providers-table tbody tr").count() >= 1
            assert page.locator("#timings-table tbody tr").count() >= 1
            shot("performance")
            return rate

        checks.run("performance shows live stats", performance)

        def management():
            page.click("[data-testid=tab-management]")
            if args.token:
                page.fill("#token-input", args.token)
                page.dispatch_event("#token-input", "change")
            page.wait_for_function("() => document.getElementById('versions-table').dataset.latest !== undefined && document.getElementById('versions-table').dataset.latest !== ''")
            before = int(page.eval_on_selector("#versions-table", "t => t.dataset.latest"))
            # The maintenance schedule: this server's, or a note that it only reads the lake.
            schedule = page.eval_on_selector("#mgmt-schedule", "b => [b.dataset.state, b.textContent]")
            assert schedule[0] in ("none", "scheduled") and schedule[1], schedule
            # Right after start-up each partition may hold a single file ("nothing to compact"):
            # the processor commits every few seconds, so ask again until there is something.
            for attempt in range(10):
                page.click("#compact-btn")
                outcome = settled_text(page, "compact-result", "working")
                if outcome.startswith("version"):
                    break
                assert outcome.startswith("nothing to compact"), f"compaction answered {outcome!r}"
                time.sleep(2)
            assert outcome.startswith("version"), f"still {outcome!r} after {attempt + 1} attempts"
            compacted = page.eval_on_selector("#compact-result", "e => e.dataset.version")
            page.wait_for_function(
                "(v) => [...document.querySelectorAll('#versions-table tbody tr')].some((r) => r.cells[0].textContent === v && r.cells[2].textContent === 'OPTIMIZE')",
                arg=compacted)
            after = int(page.eval_on_selector("#versions-table", "t => t.dataset.latest"))
            assert after >= int(compacted) > before, (before, compacted, after)
            op = f"OPTIMIZE at version {compacted}"
            page.click("#vacuum-dry-run")
            outcome = settled_text(page, "vacuum-result", "working")
            assert outcome.startswith("would delete"), f"vacuum dry run answered {outcome!r}"
            if page.is_enabled("#vacuum-confirm"):
                page.click("#vacuum-confirm")
                outcome = settled_text(page, "vacuum-result", "working")
                assert outcome.startswith("deleted"), f"vacuum answered {outcome!r}"
            page.fill("#tt-version", str(after))
            page.click("#tt-load")
            outcome = settled_text(page, "tt-status", "\0")
            assert "as of version" in outcome, f"time travel answered {outcome!r}"
            shot("management")
            return f"version {before} -> {after} ({op})"

        checks.run("compaction from Management shows a new table version", management)

        def chart_speed():
            result = page.evaluate(CHART_BENCH, 50000)
            print("CHART_BENCH " + json.dumps(result), flush=True)
            assert result["drawn_points"] < result["points"], "no decimation happened"
            return f"{result['points']} points, median draw {result['median_draw_ms']:.1f} ms"

        checks.run("chart decimates 100k points", chart_speed)

        def keyboard_tabs():
            page.click("[data-testid=tab-markets]")
            page.focus("#tab-markets")
            page.keyboard.press("ArrowRight")
            selected = page.eval_on_selector("#tab-dashboard", "b => b.getAttribute('aria-selected')")
            assert selected == "true", selected
            assert page.evaluate("() => document.activeElement.id") == "tab-dashboard"
            page.keyboard.press("End")
            assert page.eval_on_selector("#tab-management", "b => b.getAttribute('aria-selected')") == "true"
            page.keyboard.press("Home")
            return "arrow keys, Home and End move the selected tab"

        checks.run("tabs are ARIA tabs with arrow keys", keyboard_tabs)

        def url_state_survives_reload():
            page.click("[data-testid=tab-dashboard]")
            page.click("#mode-picker button[data-mode=candles]")
            page.click("#range-picker button[data-range='24h']")
            page.select_option("#candle-indicator", "ema:20")
            page.wait_for_function("() => location.hash.includes('indicator=ema')")
            url = page.url
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            state = page.evaluate("() => ({ hash: location.hash, mode: document.querySelector('#mode-picker .active').dataset.mode, "
                                  "range: document.querySelector('#range-picker .active').dataset.range, "
                                  "indicator: document.getElementById('candle-indicator').value, "
                                  "panel: document.querySelector('.panel.active').id })")
            assert state["mode"] == "candles" and state["range"] == "24h" and state["indicator"] == "ema:20", state
            assert state["panel"] == "panel-dashboard", state
            page.select_option("#candle-indicator", "")
            page.click("#mode-picker button[data-mode=lines]")
            page.click("#range-picker button[data-range='1h']")
            return url.split("#", 1)[1]

        checks.run("a reload restores the tab and the chart's selection from the URL", url_state_survives_reload)

        def local_time_switch():
            page.click("[data-testid=tab-dashboard]")
            page.wait_for_function("() => Number(document.getElementById('main-chart').dataset.points) > 1")
            before = page.eval_on_selector("#main-chart", "c => [c.dataset.timeZone, c.dataset.firstTimeLabel]")
            assert before[0] == "utc", before
            page.click("#zone-toggle")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.timeZone === 'local'")
            after = page.eval_on_selector("#main-chart", "c => [c.dataset.timeZone, c.dataset.firstTimeLabel]")
            assert page.inner_text("#zone-hint") == "Times are local.", page.inner_text("#zone-hint")
            page.click("#zone-toggle")
            page.wait_for_function("() => document.getElementById('main-chart').dataset.timeZone === 'utc'")
            assert before[1] != after[1], (before, after)
            return f"first axis label {before[1]} UTC -> {after[1]} local (Asia/Kolkata)"

        checks.run("the UTC label shows and the local switch changes the axis labels", local_time_switch)

        def phone_width():
            widths, wide = {}, {}
            for screen in [390, 360]:
                page.set_viewport_size({"width": screen, "height": 800})
                for tab in ["markets", "dashboard", "explorer", "performance", "alerts", "management"]:
                    page.click(f"[data-testid=tab-{tab}]")
                    page.wait_for_timeout(400)
                    width = page.evaluate("() => document.documentElement.scrollWidth")
                    widths[f"{tab}@{screen}"] = width
                    if width > screen:
                        wide[f"{tab}@{screen}"] = width
                    shot(f"{tab}-{screen}")
            page.set_viewport_size({"width": 1440, "height": 900})
            assert not wide, f"wider than the screen: {wide}"
            return json.dumps(widths)

        checks.run("at 390 and 360 px no tab is wider than the screen", phone_width)

        def accessibility():
            from axe_playwright_python.sync_playwright import Axe
            axe = Axe()
            found = {}
            for theme in ["dark", "light"]:
                if (page.evaluate("() => document.documentElement.dataset.theme || 'dark'")) != theme:
                    page.click("#theme-toggle")
                for tab in ["markets", "dashboard", "explorer", "performance", "alerts", "management"]:
                    page.click(f"[data-testid=tab-{tab}]")
                    page.wait_for_timeout(300)
                    results = axe.run(page)
                    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
                    if bad:
                        found[f"{theme}/{tab}"] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in bad]
                shot(f"management-{theme}-theme")
            if page.evaluate("() => document.documentElement.dataset.theme || 'dark'") != "dark":
                page.click("#theme-toggle")
            assert not found, json.dumps(found)[:3000]
            return "no serious or critical violation on any tab, dark and light"

        checks.run("axe-core finds no serious or critical violation", accessibility)

        def no_console_errors():
            assert not console_errors, console_errors[:5]

        checks.run("no console errors on any tab", no_console_errors)

        # Last, after the console check: the refused requests below log network errors.
        def unreachable_banner():
            page.route("**/api/v1/status", lambda route: route.abort())
            page.wait_for_function("() => document.getElementById('banner').dataset.kind === 'unreachable'", timeout=15000)
            text = page.eval_on_selector("#banner", "b => b.textContent")
            assert "Cannot reach the CryptoViz server" in text and not page.eval_on_selector("#banner", "b => b.hidden"), text
            shot("banner-unreachable")
            page.unroute("**/api/v1/status")
            page.wait_for_function("() => document.getElementById('banner').hidden", timeout=15000)
            return text

        checks.run("a server that does not answer raises the banner, which goes once it answers again", unreachable_banner)
        browser.close()

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
