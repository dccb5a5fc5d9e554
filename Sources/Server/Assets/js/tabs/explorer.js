// Explorer tab: lake partitions and files, paged ticks with filters, SQL with a schema browser,
// saved queries and CSV export.
import { api } from '../api.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);
const paging = { cursors: [null], page: 0, next: null };
let lastResult = null;

const SAVED_KEY = 'cryptoviz.queries';
const SCHEMA_SQL = "SELECT table_name, column_name, data_type FROM information_schema.columns " +
  "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position";

/** A from/to input's value as Unix ms, read in the zone the page shows (UTC or local). */
function inputMillis(value) {
  return value ? fmt.parseInputTime(value) ?? undefined : undefined;
}

function savedQueries() {
  try { return JSON.parse(localStorage.getItem(SAVED_KEY) || '{}'); } catch { return {}; }
}

function renderSaved(selected = '') {
  const select = $('sql-saved');
  const saved = savedQueries();
  select.replaceChildren(new Option('—', ''), ...Object.keys(saved).sort().map((name) => new Option(name, name)));
  select.value = selected;
}

/** The tables the SQL explorer can query, with their columns; a click on a column adds its name
 * to the query. Asked of the SQL engine itself, so it lists what a query would see. */
async function loadSchema() {
  const body = $('sql-schema-body');
  try {
    const result = await api.sql(SCHEMA_SQL, 1000);
    const tables = new Map();
    for (const [table, column, type] of result.rows) {
      if (!tables.has(table)) tables.set(table, []);
      tables.get(table).push([column, type]);
    }
    body.replaceChildren(...[...tables].map(([table, columns]) => {
      const block = document.createElement('div');
      const title = document.createElement('strong');
      title.textContent = `${table} (${columns.length} columns)`;
      const list = document.createElement('ul');
      for (const [column, type] of columns) {
        const item = document.createElement('li');
        const name = document.createElement('button');
        name.type = 'button';
        name.className = 'link';
        name.textContent = column;
        name.setAttribute('aria-label', `insert column ${column} of ${table}`);
        name.addEventListener('click', () => insertIntoQuery(column));
        item.append(name, ' ', type.toLowerCase());
        list.append(item);
      }
      block.append(title, list);
      block.dataset.table = table;
      return block;
    }));
  } catch (error) {
    body.textContent = `the SQL engine did not answer: ${error.message}`;
  }
}

function insertIntoQuery(text) {
  const input = $('sql-input');
  const at = input.selectionStart ?? input.value.length;
  input.value = input.value.slice(0, at) + text + input.value.slice(input.selectionEnd ?? at);
  input.focus();
  input.selectionStart = input.selectionEnd = at + text.length;
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
    from: inputMillis($('ticks-from').value),
    to: inputMillis($('ticks-to').value),
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
    // Fractions shown to 8 significant digits; the CSV keeps every digit.
    const shown = (v) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(8))) : v);
    fmt.fillTable(table, result.rows.map((r) => r.map(shown)), 'no rows');
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
  $('ticks-from').value = fmt.inputTime(Date.now() - 3600e3);
  // The inputs follow the page's zone: rewrite them when it changes.
  window.addEventListener('cryptoviz:zone', (e) => {
    for (const id of ['ticks-from', 'ticks-to']) {
      const ms = fmt.parseInputTime($(id).value, e.detail.previous);
      if (ms !== null) $(id).value = fmt.inputTime(ms);
    }
  });
  $('ticks-form').addEventListener('submit', (e) => {
    e.preventDefault();
    paging.cursors = [null]; paging.page = 0;
    loadTicks();
  });
  $('ticks-next').addEventListener('click', () => { paging.cursors[paging.page + 1] = paging.next; paging.page++; loadTicks(); });
  $('ticks-prev').addEventListener('click', () => { if (paging.page > 0) { paging.page--; loadTicks(); } });
  $('sql-run').addEventListener('click', runSQL);
  renderSaved();
  $('sql-saved').addEventListener('change', (e) => {
    const text = savedQueries()[e.target.value];
    if (text !== undefined) { $('sql-input').value = text; $('sql-name').value = e.target.value; }
  });
  $('sql-save').addEventListener('click', () => {
    const name = $('sql-name').value.trim();
    if (!name) { fmt.status($('sql-status'), 'name the query to save it', true); return; }
    const saved = savedQueries();
    saved[name] = $('sql-input').value;
    localStorage.setItem(SAVED_KEY, JSON.stringify(saved));
    renderSaved(name);
    fmt.status($('sql-status'), `saved as "${name}" in this browser`);
  });
  $('sql-delete').addEventListener('click', () => {
    const name = $('sql-saved').value;
    if (!name) return;
    const saved = savedQueries();
    delete saved[name];
    localStorage.setItem(SAVED_KEY, JSON.stringify(saved));
    renderSaved();
  });
  $('sql-schema').addEventListener('toggle', () => { if ($('sql-schema').open) loadSchema(); });
  $('sql-csv').addEventListener('click', downloadCSV);
}

/** Called when the tab is shown: refresh what may have changed. */
export async function showExplorer() {
  await loadLake();
  await loadTicks();
}
