// Dashboard tab: price cards, live chart (lines in % or candles), per-source spread now and over time.
import { api, subscribeLive } from '../api.js';
import { Chart } from '../chart.js';
import { showAlertToast } from '../toast.js';
import * as fmt from '../format.js';
import { ranks } from './markets.js';

const RANGES = {
  '1h': { span: 3600e3, intervals: ['1m'] },
  '24h': { span: 86400e3, intervals: ['5m', '1m'] },
  '7d': { span: 7 * 86400e3, intervals: ['1h', '5m', '1m'] },
  '30d': { span: 30 * 86400e3, intervals: ['1h', '5m', '1m'] },
  all: { span: null, intervals: ['1d', '1h', '5m', '1m'] },
};

/** Candle intervals for a custom range of `span` ms, coarsest first. */
function intervalsFor(span) {
  if (span <= 3 * 3600e3) return ['1m'];
  if (span <= 3 * 86400e3) return ['5m', '1m'];
  if (span <= 90 * 86400e3) return ['1h', '5m', '1m'];
  return ['1d', '1h', '5m'];
}
const WIDTH = { '1m': 60e3, '5m': 300e3, '1h': 3600e3, '1d': 86400e3 };

const state = {
  assets: [], sources: [], selectedAssets: new Set(), selectedSources: new Set(),
  range: '1h', custom: null, mode: 'lines', logScale: false, candleAsset: null, interval: '1m', intervalChoice: 'auto', indicator: '',
  latest: new Map(), base: new Map(), closeLive: null, chart: null, spreadChart: null, generation: 0, onStateChange: () => {},
};
/** At most this many assets get a line on the spread chart (one request per source each). */
const SPREAD_ASSETS = 5;

/** The selection as URL parameters (restored by `initDashboard`). */
export function dashboardState() {
  const params = new URLSearchParams();
  params.set('assets', [...state.selectedAssets].join(','));
  params.set('range', state.range);
  if (state.range === 'custom') { params.set('from', String(state.custom.from)); params.set('to', String(state.custom.to)); }
  params.set('mode', state.mode);
  if (state.candleAsset) params.set('candle', state.candleAsset);
  if (state.intervalChoice !== 'auto') params.set('interval', state.intervalChoice);
  if (state.indicator) params.set('indicator', state.indicator);
  if (state.logScale) params.set('log', '1');
  return params;
}

const $ = (id) => document.getElementById(id);

function checkbox(container, value, checked, testid, onChange, text = value) {
  const label = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.value = value;
  input.checked = checked;
  input.dataset.testid = testid;
  input.addEventListener('change', () => onChange(value, input.checked));
  label.append(input, ' ' + text);
  label.dataset.search = text.toLowerCase();
  container.append(label);
}

/** Selects `asset` (adding it to the chart) and shows its candles. */
export async function focusAsset(asset) {
  state.selectedAssets.add(asset);
  const input = document.querySelector(`#asset-picker input[value="${CSS.escape(asset)}"]`);
  if (input) input.checked = true;
  state.candleAsset = asset;
  await selectionChanged();
}

function selectedSourceList() {
  return state.selectedSources.size === state.sources.length ? [] : [...state.selectedSources];
}

/** A quote older than the chosen age (default 120 s, four default poll intervals) is stale:
 * shown as such, and left out of the consensus and the spread while a fresher source has the
 * asset. The age is kept in this browser. */
const STALE_KEY = 'cryptoviz.staleSeconds';
let staleMs = (Number(localStorage.getItem(STALE_KEY)) || 120) * 1000;

function isStale(tick) { return Date.now() - tick.source_time_ms > staleMs; }

function consensus(asset) {
  const bySource = state.latest.get(asset);
  if (!bySource) return null;
  const all = [...bySource.values()].filter((t) => state.selectedSources.has(t.source));
  if (!all.length) return null;
  const fresh = all.filter((t) => !isStale(t));
  const ticks = fresh.length ? fresh : all;
  return {
    price: fmt.median(ticks.map((t) => t.price)),
    change_1h: fmt.median(ticks.map((t) => t.change_1h ?? NaN)),
    change_24h: fmt.median(ticks.map((t) => t.change_24h ?? NaN)),
    change_7d: fmt.median(ticks.map((t) => t.change_7d ?? NaN)),
    ticks, all, stale: !fresh.length,
  };
}

function renderCards() {
  const cards = $('price-cards');
  cards.replaceChildren();
  for (const asset of state.selectedAssets) {
    const c = consensus(asset);
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset.asset = asset;
    card.dataset.testid = 'price-card-' + asset;
    const name = document.createElement('div');
    name.className = 'name';
    const symbol = state.assets.find((a) => a.asset === asset)?.symbol || '';
    name.textContent = `${asset} ${symbol}`;
    const value = document.createElement('div');
    value.className = 'value';
    value.dataset.testid = 'price-' + asset;
    value.textContent = c ? '$' + fmt.price(c.price) : '—';
    const changes = document.createElement('div');
    changes.className = 'changes';
    for (const [label, key] of [['1h', 'change_1h'], ['24h', 'change_24h'], ['7d', 'change_7d']]) {
      const span = document.createElement('span');
      const v = c ? c[key] : null;
      span.textContent = `${label} ${fmt.percent(v)}`;
      span.dataset.testid = `change-${label}-${asset}`;
      if (Number.isFinite(v)) span.className = v >= 0 ? 'up' : 'down';
      changes.append(span);
    }
    card.append(name, value, changes);
    if (c && c.stale) {
      const note = document.createElement('div');
      note.className = 'stale';
      note.dataset.testid = 'stale-' + asset;
      note.textContent = `stale: newest quote ${Math.round((Date.now() - Math.max(...c.all.map((t) => t.source_time_ms))) / 60e3)} min old`;
      card.append(note);
    }
    cards.append(card);
  }
}

function renderSpread() {
  const rows = [];
  for (const asset of state.selectedAssets) {
    const c = consensus(asset);
    if (!c) continue;
    const prices = c.ticks.map((t) => t.price);
    const spreadPct = c.price ? (Math.max(...prices) - Math.min(...prices)) / c.price * 100 : 0;
    for (const t of c.all.sort((a, b) => a.source.localeCompare(b.source))) {
      const stale = isStale(t) && !c.stale;
      rows.push([asset, t.source, fmt.price(t.price),
        stale ? 'stale, not counted' : fmt.percent(c.price ? (t.price - c.price) / c.price * 100 : 0),
        spreadPct.toFixed(3) + '%', fmt.time(t.source_time_ms) + (isStale(t) ? ' (stale)' : '')]);
    }
  }
  fmt.fillTable($('spread-table'), rows, 'no quotes for the selection');
}

function remember(tick) {
  if (!state.latest.has(tick.asset)) state.latest.set(tick.asset, new Map());
  const bySource = state.latest.get(tick.asset);
  const old = bySource.get(tick.source);
  if (!old || old.source_time_ms <= tick.source_time_ms) bySource.set(tick.source, tick);
}

async function loadQuotes() {
  const { quotes } = await api.latestQuotes([...state.selectedAssets], selectedSourceList());
  for (const q of quotes) {
    for (const s of q.sources) remember({ ...s, asset: q.asset, symbol: q.symbol });
  }
  renderCards();
  renderSpread();
}

/** The range shown: [from, to) in ms (`to` undefined: up to now) and its candle intervals. */
function currentWindow() {
  if (state.range === 'custom') return { from: state.custom.from, to: state.custom.to, intervals: intervalsFor(state.custom.to - state.custom.from) };
  const { span, intervals } = RANGES[state.range];
  return { from: span ? Date.now() - span : 0, to: undefined, intervals };
}

async function fetchCandles(asset, shown) {
  const intervals = state.mode === 'candles' && state.intervalChoice !== 'auto' ? [state.intervalChoice] : shown.intervals;
  let best = { candles: [], interval: intervals[0] };
  for (const interval of intervals) {
    const { candles } = await api.candles(asset, { interval, from: shown.from, to: shown.to, sources: selectedSourceList() });
    best = { candles, interval };
    if (candles.length >= 3) break;
  }
  return best;
}

async function loadHistory() {
  const generation = ++state.generation;
  state.onStateChange();
  const shown = currentWindow();
  const { from, to } = shown;
  const chart = state.chart;
  if (state.mode === 'candles') {
    const asset = state.candleAsset;
    if (!asset) { chart.setLines([]); return; }
    const { candles, interval } = await fetchCandles(asset, shown);
    if (generation !== state.generation) return;
    state.interval = interval;
    chart.setCandles(candles, WIDTH[interval], asset);
    if (state.indicator && candles.length) {
      const result = await api.indicators(asset, { interval, from, to, indicators: state.indicator, sources: selectedSourceList() });
      if (generation !== state.generation) return;
      chart.setOverlays(overlays(result));
    }
  } else if (state.mode === 'btc') {
    // Each asset priced in bitcoin, as % change of that ratio: what it did against BTC.
    const assets = [...state.selectedAssets].filter((a) => a !== 'bitcoin');
    const results = await Promise.all(assets.map((a) => fetchCandles(a, shown)));
    const btc = await Promise.all(results.map((r) =>
      api.candles('bitcoin', { interval: r.interval, from, to, sources: selectedSourceList() }).catch(() => ({ candles: [] }))));
    if (generation !== state.generation) return;
    chart.setLines(assets.map((asset, k) => {
      const btcClose = new Map(btc[k].candles.map((c) => [c.start_ms, c.close]));
      const xs = [], ratios = [];
      for (const c of results[k].candles) {
        const b = btcClose.get(c.start_ms);
        if (b) { xs.push(c.start_ms); ratios.push(c.close / b); }
      }
      return { name: asset + ' / BTC', color: fmt.palette[k % fmt.palette.length], xs, ys: ratios.map((r) => (r / ratios[0] - 1) * 100) };
    }));
  } else {
    const assets = [...state.selectedAssets];
    const results = await Promise.all(assets.map((a) => fetchCandles(a, shown)));
    if (generation !== state.generation) return;
    state.base.clear();
    chart.setLines(assets.map((asset, k) => {
      const candles = results[k].candles;
      const base = candles.length ? candles[0].open : consensus(asset)?.price;
      if (base) state.base.set(asset, base);
      return {
        name: asset, color: fmt.palette[k % fmt.palette.length],
        xs: candles.map((c) => c.start_ms), ys: candles.map((c) => (c.close / base - 1) * 100),
      };
    }));
  }
  chart.resetZoom();
  window.dispatchEvent(new Event('cryptoviz:chart-loaded'));
  await loadSpreadHistory(generation);
}

/** The spread between sources over the range, one line per selected asset, at the range's
 * coarsest candle interval. */
async function loadSpreadHistory(generation = state.generation) {
  const assets = [...state.selectedAssets].slice(0, SPREAD_ASSETS);
  const { from, to, intervals } = currentWindow();
  const interval = intervals[0];
  const results = await Promise.all(assets.map((asset) =>
    api.spreadHistory(asset, { interval, from, to, sources: selectedSourceList() })));
  if (generation !== state.generation) return;
  state.spreadChart.setLines(assets.map((asset, k) => ({
    name: asset, color: fmt.palette[k % fmt.palette.length],
    xs: results[k].points.map((p) => p.start_ms), ys: results[k].points.map((p) => p.spread_pct),
  })));
  state.spreadChart.resetZoom();
}

const OVERLAY_COLORS = { value: '#f5c542', upper: '#9b8cff', middle: '#f5c542', lower: '#9b8cff' };

/** Indicator lines as chart overlays, undefined points (warm-up) left out. */
function overlays(result) {
  const out = [];
  for (const indicator of result.indicators) {
    for (const [line, values] of Object.entries(indicator.lines)) {
      const xs = [], ys = [];
      values.forEach((v, i) => { if (v !== null && Number.isFinite(v)) { xs.push(result.start_ms[i]); ys.push(v); } });
      const name = line === 'value' ? indicator.key : indicator.key + ' ' + line;
      out.push({ name, color: OVERLAY_COLORS[line] || '#f5c542', xs, ys });
    }
  }
  return out;
}

function onTick(tick) {
  if (!state.selectedAssets.has(tick.asset) || !state.selectedSources.has(tick.source)) return;
  remember(tick);
  const c = consensus(tick.asset);
  if (!c) return;
  if (state.mode === 'candles') {
    if (tick.asset === state.candleAsset) state.chart.updateCandle(tick.source_time_ms, c.price);
  } else if (state.mode === 'lines' && state.range !== 'custom') {
    // A custom range ends in the past, and the BTC comparison is drawn from candles only.
    if (!state.base.has(tick.asset)) state.base.set(tick.asset, c.price);
    state.chart.appendPoint(tick.asset, tick.source_time_ms, (c.price / state.base.get(tick.asset) - 1) * 100);
  }
  scheduleRender();
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => { renderPending = false; renderCards(); renderSpread(); }, 250);
}

function resubscribe() {
  if (state.closeLive) state.closeLive();
  state.closeLive = subscribeLive([...state.selectedAssets], selectedSourceList(), onTick, (s) => {
    const el = $('live-status');
    el.textContent = s;
    el.dataset.state = s === 'live' ? 'live' : 'down';
  }, showAlertToast);
}

function refreshCandleAssetOptions() {
  const select = $('candle-asset');
  select.replaceChildren();
  for (const asset of state.selectedAssets) select.append(new Option(asset, asset));
  if (!state.selectedAssets.has(state.candleAsset)) state.candleAsset = [...state.selectedAssets][0] || null;
  if (state.candleAsset) select.value = state.candleAsset;
}

async function selectionChanged() {
  refreshCandleAssetOptions();
  resubscribe();
  renderCards();
  renderSpread();
  await Promise.all([loadQuotes(), loadHistory()]);
}

function report(error) {
  const el = $('live-status');
  el.textContent = 'error: ' + error.message;
  el.dataset.state = 'error';
}

/** Applies a link's selection (unknown values ignored) on top of the defaults. */
function restore(params, known) {
  const assets = (params.get('assets') || '').split(',').filter((a) => known.has(a));
  if (assets.length) state.selectedAssets = new Set(assets);
  if (RANGES[params.get('range')]) state.range = params.get('range');
  const [customFrom, customTo] = [Number(params.get('from')), Number(params.get('to'))];
  if (params.get('range') === 'custom' && Number.isFinite(customFrom) && Number.isFinite(customTo) && customFrom < customTo) {
    state.range = 'custom';
    state.custom = { from: customFrom, to: customTo };
  }
  if (['lines', 'btc', 'candles'].includes(params.get('mode'))) state.mode = params.get('mode');
  if (known.has(params.get('candle'))) state.candleAsset = params.get('candle');
  if (WIDTH[params.get('interval')]) state.intervalChoice = params.get('interval');
  const indicator = params.get('indicator');
  if (indicator && [...$('candle-indicator').options].some((o) => o.value === indicator)) state.indicator = indicator;
  state.logScale = params.get('log') === '1';
  $('range-picker').querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.range === state.range));
  $('mode-picker').querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.mode === state.mode));
  $('candle-interval').value = state.intervalChoice;
  $('candle-indicator').value = state.indicator;
}

export async function initDashboard(defaultAssets = [], params = new URLSearchParams(), onStateChange = () => {}) {
  state.onStateChange = onStateChange;
  state.chart = new Chart($('main-chart'), {
    yFormat: (v) => (state.mode === 'candles' ? fmt.price(v) : v.toFixed(2) + '%'),
  });
  state.spreadChart = new Chart($('spread-chart'), { yFormat: (v) => v.toFixed(3) + '%' });
  const [{ assets }, { sources }] = await Promise.all([api.assets(), api.sources()]);
  state.assets = assets;
  state.sources = sources.map((s) => s.source);
  state.selectedSources = new Set(state.sources);
  const known = new Set(assets.map((a) => a.asset));
  const wanted = defaultAssets.filter((a) => known.has(a));
  state.selectedAssets = new Set(wanted.length ? wanted : assets.slice(0, 3).map((a) => a.asset));
  restore(params, known);
  // Largest first, as on the Markets tab; a search box narrows the list by name or symbol.
  const rank = ranks();
  const ordered = [...assets].sort((a, b) => (rank.get(a.asset) ?? Infinity) - (rank.get(b.asset) ?? Infinity) || a.asset.localeCompare(b.asset));
  const assetPicker = $('asset-picker');
  for (const a of ordered) {
    checkbox(assetPicker, a.asset, state.selectedAssets.has(a.asset), 'asset-option-' + a.asset, (v, on) => {
      if (on) state.selectedAssets.add(v); else state.selectedAssets.delete(v);
      selectionChanged().catch(report);
    }, a.symbol ? `${a.asset} · ${a.symbol}` : a.asset);
  }
  $('asset-search').addEventListener('input', (e) => {
    const needle = e.target.value.trim().toLowerCase();
    for (const label of assetPicker.children) label.hidden = !!needle && !label.dataset.search.includes(needle);
  });
  const sourcePicker = $('source-picker');
  for (const s of state.sources) {
    checkbox(sourcePicker, s, true, 'source-option-' + s, (v, on) => {
      if (on) state.selectedSources.add(v); else state.selectedSources.delete(v);
      selectionChanged().catch(report);
    });
  }
  for (const button of $('range-picker').querySelectorAll('button')) {
    button.addEventListener('click', () => {
      state.range = button.dataset.range;
      $('range-picker').querySelectorAll('button').forEach((b) => b.classList.toggle('active', b === button));
      loadHistory().catch(report);
    });
  }
  // An absolute range, typed in the zone the page shows.
  const fillRangeInputs = () => {
    const w = currentWindow();
    $('range-from').value = fmt.inputTime(w.from || Date.now() - 86400e3);
    $('range-to').value = fmt.inputTime(w.to ?? Date.now());
  };
  fillRangeInputs();
  window.addEventListener('cryptoviz:redraw', fillRangeInputs);
  $('custom-range').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = fmt.parseInputTime($('range-from').value), to = fmt.parseInputTime($('range-to').value);
    const message = $('range-error');
    if (from === null || to === null || from >= to) {
      message.textContent = 'pick a start before the end';
      return;
    }
    message.textContent = '';
    state.range = 'custom';
    state.custom = { from, to };
    $('range-picker').querySelectorAll('button').forEach((b) => b.classList.remove('active'));
    loadHistory().catch(report);
  });
  for (const button of $('mode-picker').querySelectorAll('button')) {
    button.addEventListener('click', () => {
      state.mode = button.dataset.mode;
      $('mode-picker').querySelectorAll('button').forEach((b) => b.classList.toggle('active', b === button));
      loadHistory().catch(report);
    });
  }
  $('candle-asset').addEventListener('change', (e) => {
    state.candleAsset = e.target.value;
    loadHistory().catch(report);
  });
  $('candle-interval').addEventListener('change', (e) => {
    state.intervalChoice = e.target.value;
    loadHistory().catch(report);
  });
  // The chart's text alternative: its data as a table, filled when opened.
  const fillDataTable = () => {
    if (!$('chart-data').open) return;
    const { head, rows } = state.chart.dataTable();
    const table = $('chart-data-table');
    table.tHead.replaceChildren();
    const tr = table.tHead.insertRow();
    for (const h of head) { const th = document.createElement('th'); th.textContent = h; tr.append(th); }
    fmt.fillTable(table, rows, 'no data yet');
  };
  $('chart-data').addEventListener('toggle', fillDataTable);
  window.addEventListener('cryptoviz:chart-loaded', fillDataTable);
  $('stale-after').value = String(staleMs / 1000);
  $('stale-after').addEventListener('change', (e) => {
    const seconds = Math.round(Number(e.target.value));
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86400) { e.target.value = String(staleMs / 1000); return; }
    staleMs = seconds * 1000;
    localStorage.setItem(STALE_KEY, String(seconds));
    renderCards();
    renderSpread();
  });
  $('log-scale').checked = state.logScale;
  state.chart.setLogScale(state.logScale);
  $('log-scale').addEventListener('change', (e) => {
    state.logScale = e.target.checked;
    state.chart.setLogScale(state.logScale);
    state.onStateChange();
  });
  $('candle-indicator').addEventListener('change', (e) => {
    state.indicator = e.target.value;
    loadHistory().catch(report);
  });
  await selectionChanged();
  setInterval(() => loadQuotes().catch(report), 15000);
  setInterval(() => loadSpreadHistory().catch(report), 60000);
}
