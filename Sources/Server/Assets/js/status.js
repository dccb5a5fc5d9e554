// The header's mode badge (demo, live, history) and the page banner, which says when the
// server cannot be reached or when the newest quote is too old, and what to do about it.
import { api, ApiError } from './api.js';

const STALE_SECONDS = 120;
const POLL_MS = 10_000;
const LABELS = {
  demo: ['Demo', 'a simulated market (cryptoviz up --demo): the prices are not real'],
  live: ['Live', 'prices collected from the providers now'],
  history: ['History', 'a lake served without a bus: no new data arrives'],
};

function age(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function setBanner(kind, text) {
  const el = document.getElementById('banner');
  el.hidden = !kind;
  el.textContent = kind ? text : '';
  if (kind) el.dataset.kind = kind; else delete el.dataset.kind;
}

function setBadge(mode) {
  const el = document.getElementById('mode-badge');
  const [label, title] = LABELS[mode] || [mode, ''];
  el.textContent = label;
  el.title = title;
  el.dataset.mode = mode;
}

/** Asks the server for its mode and newest tick, and updates the badge and the banner. */
export async function checkStatus() {
  let status;
  try {
    status = await api.status();
  } catch (error) {
    const reason = error instanceof ApiError ? `it answered ${error.status}: ${error.message}` : 'no answer';
    setBanner('unreachable', `Cannot reach the CryptoViz server (${reason}). Retrying every ${POLL_MS / 1000} s; what this page shows may be out of date.`);
    return;
  }
  setBadge(status.mode);
  if (status.mode === 'history') { setBanner(null); return; }
  if (status.newest_tick_ms === null) {
    setBanner('waiting', `Waiting for the first quotes.${await providerErrors()} The Performance tab shows each provider's health.`);
    return;
  }
  const seconds = (status.server_time_ms - status.newest_tick_ms) / 1000;
  if (seconds > STALE_SECONDS) {
    setBanner('stale', `Data is stale: the newest quote is ${age(seconds)} old.${await providerErrors()} The Performance tab shows each provider's health.`);
  } else {
    setBanner(null);
  }
}

/** " Last errors: coingecko: …; binance: …." for the providers that are not healthy, or "". */
async function providerErrors() {
  try {
    const { pipeline } = await api.pipelineStats();
    const failing = pipeline.providers.filter((p) => p.status !== 'healthy' && p.last_error);
    if (!failing.length) return '';
    return ' Last errors: ' + failing.slice(0, 3).map((p) => `${p.provider}: ${p.last_error.slice(0, 120)}`).join('; ') + '.';
  } catch {
    return '';
  }
}

/** Checks now, then every POLL_MS. */
export function startStatus() {
  checkStatus();
  setInterval(checkStatus, POLL_MS);
}
