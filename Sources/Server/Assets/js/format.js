// Number, time and DOM formatting shared by the tabs.

export function price(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // Sub-cent coins keep four significant digits rather than rounding to 0.00.
  if (value !== 0 && Math.abs(value) < 0.01) return value.toPrecision(4);
  const digits = Math.abs(value) >= 1000 ? 2 : Math.abs(value) >= 1 ? 4 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits });
}

export function percent(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return (value >= 0 ? '+' : '') + value.toFixed(2) + '%';
}

export function bytes(value) {
  if (!Number.isFinite(value)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

/** 'utc' (the default: every time the API gives is UTC) or 'local', the browser's zone. */
let zone = localStorage.getItem('cryptoviz.zone') === 'local' ? 'local' : 'utc';
export function timeZone() { return zone; }
export function setTimeZone(value) {
  const previous = zone;
  zone = value === 'local' ? 'local' : 'utc';
  localStorage.setItem('cryptoviz.zone', zone);
  // Inputs holding a typed time rewrite it in the new zone (the same instant).
  if (previous !== zone) window.dispatchEvent(new CustomEvent('cryptoviz:zone', { detail: { previous } }));
}

/** The parts of a time in the chosen zone. */
export function parts(ms) {
  const d = new Date(ms);
  return zone === 'local'
    ? { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() }
    : { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() };
}

export function time(ms) {
  if (!Number.isFinite(ms)) return '—';
  const t = parts(ms);
  const p = (v, n = 2) => String(v).padStart(n, '0');
  return `${t.y}-${p(t.mo)}-${p(t.d)} ${p(t.h)}:${p(t.mi)}:${p(t.s)}.${p(t.ms, 3)}${zone === 'utc' ? '' : ' local'}`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Median of finite numbers (the server's consensus rule), or null. */
export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Replaces a table body with rows of cells (text only, never HTML: data is untrusted). */
export function fillTable(table, rows, emptyText = 'no data') {
  const body = table.tBodies[0];
  body.replaceChildren();
  if (!rows.length) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = table.tHead ? table.tHead.rows[0]?.cells.length || 1 : 1;
    td.textContent = emptyText;
    td.className = 'status';
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell === null || cell === undefined ? '' : String(cell);
    }
  }
}

/** A status line: text, and the error style for failures. */
export function status(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle('error', isError);
}

export const palette = ['#4f9dff', '#f5b041', '#2ecc71', '#ff5c5c', '#b980ff', '#3dd6d0', '#ff8fd0', '#c0ca33'];

/** A `datetime-local` input's value as Unix ms, read in the zone the page shows (UTC or local). */
export function parseInputTime(value, inZone = zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || '');
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v || 0));
  return inZone === 'utc' ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
}

/** Unix ms as a `datetime-local` input's value, in the zone the page shows. */
export function inputTime(ms) {
  const t = parts(ms);
  const p = (v) => String(v).padStart(2, '0');
  return `${t.y}-${p(t.mo)}-${p(t.d)}T${p(t.h)}:${p(t.mi)}`;
}
