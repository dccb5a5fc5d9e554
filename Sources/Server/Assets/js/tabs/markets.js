// Markets tab (the first screen): every watched asset ranked by market cap, with totals,
// sortable columns, a search box and a watchlist kept in this browser.
import { api } from '../api.js';
import * as fmt from '../format.js';

const WATCH_KEY = 'cryptoviz.watchlist';
const state = { rows: [], sort: { key: 'marketCap', descending: true }, filter: '', watch: loadWatchlist(), onPick: null,
  sparks: new Map(), sparksAt: 0 };
const SPARK_REFRESH_MS = 5 * 60_000;
const $ = (id) => document.getElementById(id);

function loadWatchlist() {
  try { return new Set(JSON.parse(localStorage.getItem(WATCH_KEY) || '[]')); } catch { return new Set(); }
}

/** The assets starred in this browser, for the Dashboard's default selection. */
export function watchlist() { return [...state.watch]; }

/** Asset ids by market cap, largest first (quoted assets without a market cap last). */
export function topAssets(count) {
  return [...state.rows].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity)).slice(0, count).map((r) => r.asset);
}

/** Rank by market cap of each asset (null without one). */
export function ranks() { return new Map(state.rows.map((r) => [r.asset, r.rank])); }

function saveWatchlist() { localStorage.setItem(WATCH_KEY, JSON.stringify([...state.watch])); }

/** $1.81T, $72.5B, $310.2M, $12.4K. */
export function money(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, unit] of units) if (Math.abs(value) >= size) return '$' + (value / size).toFixed(value / size >= 100 ? 1 : 2) + unit;
  return '$' + value.toFixed(2);
}

function largest(sources, field) {
  const values = sources.map((s) => s[field]).filter(Number.isFinite);
  return values.length ? Math.max(...values) : null;
}

/** One row per quoted asset: market cap and volume from the aggregators (CoinGecko, CoinMarketCap),
 * whose figures cover every venue; a venue's own volume covers one pair only. */
function rows(assets, quotes) {
  const symbols = new Map(assets.map((a) => [a.asset, a.symbol]));
  const now = Date.now();
  return quotes.map((q) => {
    const aggregators = q.sources.filter((s) => s.source === 'coingecko' || s.source === 'coinmarketcap');
    const newest = Math.max(...q.sources.map((s) => s.source_time_ms));
    return {
      asset: q.asset, symbol: symbols.get(q.asset) || q.symbol, price: q.price,
      change1h: q.change_1h ?? null, change24h: q.change_24h ?? null, change7d: q.change_7d ?? null,
      marketCap: largest(aggregators.length ? aggregators : q.sources, 'market_cap'),
      volume: largest(aggregators.length ? aggregators : q.sources, 'volume_24h'),
      ageSeconds: Number.isFinite(newest) ? Math.max(0, (now - newest) / 1000) : null,
      sources: q.sources.length,
    };
  });
}

function ranked(list) {
  const byCap = [...list].sort((a, b) => (b.marketCap ?? -1) - (a.marketCap ?? -1));
  byCap.forEach((r, i) => { r.rank = r.marketCap === null ? null : i + 1; });
  return list;
}

function visible() {
  const needle = state.filter.trim().toLowerCase();
  const list = state.rows.filter((r) => !needle || r.asset.includes(needle) || r.symbol.toLowerCase().includes(needle));
  const { key, descending } = state.sort;
  const value = (r) => r[key];
  return list.sort((a, b) => {
    const x = value(a), y = value(b);
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return descending ? -order : order;
  });
}

function changeCell(value) {
  const span = document.createElement('span');
  span.textContent = fmt.percent(value);
  if (Number.isFinite(value)) span.className = value >= 0 ? 'up' : 'down';
  return span;
}

/** A 7-day line as inline SVG, coloured by its direction, with a text alternative. */
function sparkCell(closes) {
  const points = (closes || []).map((c, i) => [i, c]).filter(([, c]) => Number.isFinite(c));
  if (points.length < 2) return '—';
  const values = points.map(([, c]) => c);
  const low = Math.min(...values), high = Math.max(...values);
  const n = closes.length - 1;
  // Parsed as HTML, the elements get the SVG namespace without it being spelled out.
  const template = document.createElement('template');
  template.innerHTML = '<svg><polyline></polyline></svg>';
  const svg = template.content.firstChild;
  const line = svg.firstChild;
  svg.setAttribute('viewBox', '0 0 100 30');
  svg.setAttribute('preserveAspectRatio', 'none');
  const first = values[0], last = values[values.length - 1];
  const change = (last - first) / first * 100;
  svg.setAttribute('class', 'spark ' + (change > 0 ? 'up' : change < 0 ? 'down' : 'flat'));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `last 7 days: ${fmt.percent(change)}, low ${fmt.price(low)}, high ${fmt.price(high)}`);
  line.setAttribute('points', points.map(([i, c]) =>
    `${(i / n * 100).toFixed(1)},${(high === low ? 15 : 28 - (c - low) / (high - low) * 26).toFixed(1)}`).join(' '));
  return svg;
}

async function loadSparklines(ids) {
  if (Date.now() - state.sparksAt < SPARK_REFRESH_MS && ids.every((id) => state.sparks.has(id))) return;
  for (let i = 0; i < ids.length; i += 100) {
    const { sparklines } = await api.sparklines(ids.slice(i, i + 100), 7);
    for (const s of sparklines) state.sparks.set(s.asset, s.close);
  }
  state.sparksAt = Date.now();
  render();
}

function render() {
  const table = $('markets-table');
  const list = visible();
  fmt.fillTable(table, list.map((r) => {
    const star = document.createElement('button');
    star.className = 'star';
    star.textContent = state.watch.has(r.asset) ? '★' : '☆';
    star.setAttribute('aria-label', (state.watch.has(r.asset) ? 'remove ' : 'add ') + r.asset + ' to the watchlist');
    star.setAttribute('aria-pressed', String(state.watch.has(r.asset)));
    star.addEventListener('click', () => {
      if (state.watch.has(r.asset)) state.watch.delete(r.asset); else state.watch.add(r.asset);
      saveWatchlist();
      render();
    });
    const name = document.createElement('button');
    name.className = 'link';
    name.textContent = `${r.asset} · ${r.symbol}`;
    name.addEventListener('click', () => state.onPick && state.onPick(r.asset));
    return [star, r.rank ?? '—', name, fmt.price(r.price), changeCell(r.change1h), changeCell(r.change24h), changeCell(r.change7d), sparkCell(state.sparks.get(r.asset)),
      money(r.marketCap), money(r.volume), r.ageSeconds === null ? '—' : r.ageSeconds < 60 ? `${r.ageSeconds.toFixed(0)} s` : `${(r.ageSeconds / 60).toFixed(0)} min`];
  }), state.filter ? 'no asset matches the search' : 'no quotes yet');
  table.dataset.rows = String(list.length);
  for (const th of table.tHead.rows[0].cells) {
    const active = th.dataset.sort === state.sort.key;
    th.setAttribute('aria-sort', active ? (state.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  renderTotals();
}

function renderTotals() {
  const caps = state.rows.filter((r) => Number.isFinite(r.marketCap));
  const total = caps.reduce((sum, r) => sum + r.marketCap, 0);
  const volume = state.rows.filter((r) => Number.isFinite(r.volume)).reduce((sum, r) => sum + r.volume, 0);
  const btc = state.rows.find((r) => r.asset === 'bitcoin');
  const byChange = state.rows.filter((r) => Number.isFinite(r.change24h)).sort((a, b) => b.change24h - a.change24h);
  const name = (r) => `${r.symbol} ${fmt.percent(r.change24h)}`;
  const items = [
    ['Total market cap', money(total)], ['24h volume', money(volume)],
    ['BTC dominance', btc && total ? (btc.marketCap / total * 100).toFixed(1) + '%' : '—'],
    ['Top gainers', byChange.filter((r) => r.change24h > 0).slice(0, 3).map(name).join(', ') || '—'],
    ['Top losers', byChange.filter((r) => r.change24h < 0).slice(-3).reverse().map(name).join(', ') || '—'],
  ];
  const box = $('markets-totals');
  box.replaceChildren(...items.map(([label, value]) => {
    const card = document.createElement('div');
    card.className = 'card';
    const l = document.createElement('div'); l.className = 'name'; l.textContent = label;
    const v = document.createElement('div'); v.className = 'total'; v.textContent = value;
    card.append(l, v);
    return card;
  }));
}

export async function loadMarkets() {
  const { assets } = await api.assets();
  const ids = assets.map((a) => a.asset);
  const quotes = [];
  // The API takes at most 100 assets per call.
  for (let i = 0; i < ids.length; i += 100) quotes.push(...(await api.latestQuotes(ids.slice(i, i + 100), [])).quotes);
  state.rows = ranked(rows(assets, quotes));
  render();
  // The lines come after the table, which must not wait for a scan of the lake per asset.
  loadSparklines(ids).catch(() => { /* the table stands without them */ });
}

export function initMarkets(onPick) {
  state.onPick = onPick;
  $('markets-search').addEventListener('input', (e) => { state.filter = e.target.value; render(); });
  for (const th of $('markets-table').tHead.rows[0].cells) {
    if (!th.dataset.sort) continue;
    const button = document.createElement('button');
    button.className = 'sort';
    button.textContent = th.textContent;
    th.replaceChildren(button);
    button.addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = { key, descending: state.sort.key === key ? !state.sort.descending : key !== 'asset' };
      render();
    });
  }
}
