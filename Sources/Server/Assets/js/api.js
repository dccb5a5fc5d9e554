// Thin client for the CryptoViz REST API v1 and the live SSE feed.

/** An API failure carrying the server's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function token() {
  return sessionStorage.getItem('cryptoviz.token') || '';
}

/** Remembers the bearer token for management and SQL calls (this tab only). */
export function setToken(value) {
  if (value) sessionStorage.setItem('cryptoviz.token', value);
  else sessionStorage.removeItem('cryptoviz.token');
}

function query(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '') continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (text === '') continue;
    parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(text));
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/** Per-call durations seen by the browser, for the Performance tab. */
export const clientTimings = new Map();

async function request(method, path, params, body) {
  const headers = { Accept: 'application/json' };
  // Every write is JSON, a DELETE too: the server refuses other writes as cross-site forgeable.
  if (body !== undefined || method !== 'GET') headers['Content-Type'] = 'application/json';
  const t = token();
  if (t && method !== 'GET') headers.Authorization = 'Bearer ' + t;
  const started = performance.now();
  const response = await fetch(path + query(params), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  clientTimings.set(path.replace(/assets\/[^/]+\//, 'assets/{asset}/'), performance.now() - started);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const err = json && json.error ? json.error : { code: 'http_' + response.status, message: text.slice(0, 200) };
    throw new ApiError(response.status, err.code, err.message);
  }
  return json;
}

export const api = {
  status: () => request('GET', '/api/v1/status'),
  sparklines: (assets, days) => request('GET', '/api/v1/markets/sparklines', { assets, days }),
  assets: () => request('GET', '/api/v1/assets'),
  sources: () => request('GET', '/api/v1/sources'),
  latestQuotes: (assets, sources) => request('GET', '/api/v1/quotes/latest', { assets, sources }),
  ticks: (asset, params) => request('GET', `/api/v1/assets/${encodeURIComponent(asset)}/ticks`, params),
  candles: (asset, params) => request('GET', `/api/v1/assets/${encodeURIComponent(asset)}/candles`, params),
  indicators: (asset, params) => request('GET', `/api/v1/assets/${encodeURIComponent(asset)}/indicators`, params),
  spreadHistory: (asset, params) => request('GET', `/api/v1/assets/${encodeURIComponent(asset)}/spread/history`, params),
  spread: (asset, sources) => request('GET', `/api/v1/assets/${encodeURIComponent(asset)}/spread`, { sources }),
  pipelineStats: () => request('GET', '/api/v1/stats/pipeline'),
  lake: () => request('GET', '/api/v1/lake'),
  versions: () => request('GET', '/api/v1/lake/versions'),
  compact: () => request('POST', '/api/v1/lake/compact', null, {}),
  vacuum: (dryRun) => request('POST', '/api/v1/lake/vacuum', null, { dry_run: dryRun }),
  retention: (days) => request('POST', '/api/v1/lake/retention', null, { days }),
  sql: (sql, limit) => request('POST', '/api/v1/sql', null, { sql, limit }),
  alertRules: () => request('GET', '/api/v1/alerts/rules'),
  createAlertRule: (rule) => request('POST', '/api/v1/alerts/rules', null, rule),
  replaceAlertRule: (id, rule) => request('PUT', `/api/v1/alerts/rules/${encodeURIComponent(id)}`, null, rule),
  deleteAlertRule: (id) => request('DELETE', `/api/v1/alerts/rules/${encodeURIComponent(id)}`),
  alerts: (limit, cursor) => request('GET', '/api/v1/alerts', { limit, cursor }),
};

/**
 * Subscribes to live ticks (and to alerts, which the server sends on every live stream
 * whatever its filters); reconnects with a fresh filter when called again.
 * Returns a function that closes the subscription.
 */
export function subscribeLive(assets, sources, onTick, onStatus, onAlert) {
  const source = new EventSource('/api/v1/live' + query({ assets, sources }));
  source.addEventListener('open', () => onStatus && onStatus('live'));
  source.addEventListener('error', () => onStatus && onStatus('reconnecting…'));
  source.addEventListener('tick', (event) => {
    try { onTick(JSON.parse(event.data)); } catch { /* a malformed event is skipped */ }
  });
  source.addEventListener('alert', (event) => {
    try { if (onAlert) onAlert(JSON.parse(event.data)); } catch { /* a malformed event is skipped */ }
  });
  return () => source.close();
}
