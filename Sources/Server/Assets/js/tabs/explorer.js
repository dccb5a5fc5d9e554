// Explorer tab: lake partitions and files, paged ticks with filters, SQL with CSV export.
import { api } from '../api.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);
const paging = { cursors: [null], page: 0, next: null };
let lastResult = null;

function toLocalInput(ms) {
  const d = new Date(ms - new Date().getTimezoneOffset() * 60e3);
  return d.toISOString().slice(0, 19);
}

function fromLocalInput(value) {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

export async function loadLake() {
  const lake = await api.lake();
  $('lake-summary').textContent =
    `${lake.location} · version ${lake.version} · ${lake.file_count} files · ${fmt.bytes(lake.size_bytes)} · ${fmt.number(lake.record_count)} records`;
  fmt.fillTable($('partitions-table'), lake.partitions.map((p) => [p.path, p.file_count, fmt.bytes(p.size_bytes), fmt.number(p.record_count)]));
  fmt.fillTable($('files-table'), lake.files.map((f) => [f.path, fmt.bytes(f.size_bytes), fmt.number(f.record_count), fmt.time(f.modification_time_ms)]));
  return lake;
}

async function loadTicks() {
  const status = $('ticks-status');
  const asset = $('ticks-asset').value;
  if (!asset) { fmt.status(status, 'no assets yet'); return; }
  const params = {
    sources: $('ticks-sources').value.trim(),
    from: fromLocalInput($('ticks-from').value),
    to: fromLocalInput($('ticks-to').value),
    limit: $('ticks-limit').value || 50,
    cursor: paging.cursors[paging.page] || undefined,
  };
  try {
    const page = await api.ticks(asset, params);
    paging.next = page.next_cursor;
    fmt.fillTable($('ticks-table'), page.ticks.map((t) => [fmt.time(t.source_time_ms), t.source, t.symbol, fmt.price(t.price), fmt.number(t.volume_24h), fmt.time(t.collected_time_ms)]), 'no ticks in range');
    fmt.status(status, `page ${paging.page + 1} · ${page.ticks.length} ticks`);
  } catch (error) {
    fmt.status(status, error.message, true);
  }
  $('ticks-prev').disabled = paging.page === 0;
  $('ticks-next').disabled = !paging.next;
}

function csv(result) {
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [result.columns.map(cell).join(','), ...result.rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
}

async function runSQL() {
  const status = $('sql-status');
  fmt.status(status, 'running…');
  const table = $('sql-result');
  try {
    const result = await api.sql($('sql-input').value, 1000);
    lastResult = result;
    table.tHead.replaceChildren();
    const head = table.tHead.insertRow();
    for (const c of result.columns) { const th = document.createElement('th'); th.textContent = c; head.append(th); }
    fmt.fillTable(table, result.rows, 'no rows');
    fmt.status(status, `${result.rows.length} rows${result.truncated ? ' (truncated)' : ''} in ${result.elapsed_ms} ms`);
    $('sql-csv').disabled = false;
  } catch (error) {
    lastResult = null;
    $('sql-csv').disabled = true;
    fmt.status(status, `${error.code}: ${error.message}`, true);
  }
}

function downloadCSV() {
  if (!lastResult) return;
  const url = URL.createObjectURL(new Blob([csv(lastResult)], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'cryptoviz-query.csv';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function initExplorer() {
  const { assets } = await api.assets();
  const select = $('ticks-asset');
  for (const a of assets) select.append(new Option(a.asset, a.asset));
  $('ticks-from').value = toLocalInput(Date.now() - 3600e3);
  $('ticks-form').addEventListener('submit', (e) => {
    e.preventDefault();
    paging.cursors = [null]; paging.page = 0;
    loadTicks();
  });
  $('ticks-next').addEventListener('click', () => { paging.cursors[paging.page + 1] = paging.next; paging.page++; loadTicks(); });
  $('ticks-prev').addEventListener('click', () => { if (paging.page > 0) { paging.page--; loadTicks(); } });
  $('sql-run').addEventListener('click', runSQL);
  $('sql-csv').addEventListener('click', downloadCSV);
}

/** Called when the tab is shown: refresh what may have changed. */
export async function showExplorer() {
  await loadLake();
  await loadTicks();
}
