// Performance tab: pipeline stats polled every few seconds, with a rolling chart.
import { api, clientTimings } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);
const history = { xs: [], rate: [], p50: [], p95: [] };
let chart = null;
let latencyChart = null;
let lake = null;
let timer = null;

function card(label, value, testid) {
  const div = document.createElement('div');
  div.className = 'card';
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = label;
  const v = document.createElement('div');
  v.className = 'value';
  v.textContent = value;
  v.dataset.testid = testid;
  div.append(name, v);
  return div;
}

// The streams' and lake-freshness tables are built here, after the providers table, so the
// page's markup stays as it is for a server without streams.
function table(id, title, headers) {
  let el = $(id);
  if (el) return el;
  const heading = document.createElement('h2');
  heading.textContent = title;
  el = document.createElement('table');
  el.id = id;
  el.dataset.testid = id;
  const head = el.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  el.createTBody();
  $('providers-table').after(heading, el);
  return el;
}

function streamRows(streams) {
  return streams.map((s) => {
    const badge = document.createElement('span');
    badge.className = 'badge-' + (s.state === 'open' ? 'healthy' : s.state === 'stopped' ? 'down' : 'degraded');
    badge.textContent = s.state + (s.open_connections > 1 ? ` ×${s.open_connections}` : '');
    const age = s.last_message_age_ms;
    return [s.provider, badge, fmt.number(s.messages_per_second, 1), age === null || age === undefined ? '' : fmt.number(age) + ' ms',
      fmt.number(s.reconnects) + (s.stalls ? ` (${s.stalls} stalls)` : ''),
      `${fmt.number(s.gaps_found)} / ${fmt.number(s.trades_repaired)} / ${fmt.number(s.trades_unfilled)}`,
      `${fmt.number(s.sequence_gaps)} (${fmt.number(s.messages_missed)} msgs)`,
      fmt.number(s.duplicates_dropped), fmt.number(s.malformed), s.last_error ?? ''];
  });
}

async function poll() {
  const { pipeline, queries } = await api.pipelineStats();
  if (!lake || Date.now() - lake.at > 10e3) lake = { at: Date.now(), info: await api.lake() };
  $('perf-cards').replaceChildren(
    card('Ingest rate', fmt.number(pipeline.ingest_rate_per_second, 2) + ' ticks/s', 'perf-rate'),
    card('Ticks total', fmt.number(pipeline.ticks_total), 'perf-total'),
    card('Freshness p50', fmt.number(pipeline.freshness_p50_ms) + ' ms', 'perf-p50'),
    card('Freshness p95', fmt.number(pipeline.freshness_p95_ms) + ' ms', 'perf-p95'),
    card('Lake size', fmt.bytes(lake.info.size_bytes), 'perf-lake-size'),
    card('Lake files', fmt.number(lake.info.file_count), 'perf-lake-files'),
  );
  const now = pipeline.generated_at_ms;
  history.xs.push(now);
  history.rate.push(pipeline.ingest_rate_per_second);
  history.p50.push(pipeline.freshness_p50_ms ?? NaN);
  history.p95.push(pipeline.freshness_p95_ms ?? NaN);
  if (history.xs.length > 1200) for (const k of Object.keys(history)) history[k].shift();
  // One chart per unit: a rate of a few hundred and latencies of a few thousand on one axis
  // made the rate a flat line at zero.
  chart.setLines([{ name: 'ticks/s', color: fmt.palette[0], xs: history.xs, ys: history.rate }]);
  latencyChart.setLines([
    { name: 'p50 ms', color: fmt.palette[1], xs: history.xs, ys: history.p50 },
    { name: 'p95 ms', color: fmt.palette[3], xs: history.xs, ys: history.p95 },
  ]);
  const noBus = pipeline.bus === 'none';
  fmt.fillTable($('lag-table'), pipeline.partitions.map((p) => [p.topic, p.partition, fmt.number(p.committed_offset), fmt.number(p.end_offset), fmt.number(p.lag)]),
    noBus ? 'no bus: a read-only server over the lake (serve --bus none)' : 'no bus partitions (in-process pipeline)');
  fmt.fillTable($('providers-table'), pipeline.providers.map((p) => {
    const badge = document.createElement('span');
    badge.className = 'badge-' + p.status;
    badge.textContent = p.status;
    return [p.provider, badge, fmt.number(p.requests_total),
      p.errors_by_kind.map((e) => `${e.kind}: ${e.count}`).join(', ') || '0', fmt.number(p.rate_limit_waits),
      fmt.number(p.empty_polls ?? 0), fmt.number(p.repeats_dropped ?? 0), fmt.time(p.last_success_ms),
      [p.last_error, p.last_empty_reason && `no ticks: ${p.last_empty_reason}`].filter(Boolean).join('; ')];
  }), noBus ? 'no collectors: a read-only server over the lake' : undefined);
  // Freshness per source first, so the streams' table lands right under the providers.
  const freshness = table('lake-freshness-table', 'Source → lake commit, per source', ['Source', 'p50 ms', 'p95 ms', 'Samples']);
  fmt.fillTable(freshness, (pipeline.lake_freshness ?? []).map((f) => [f.source, fmt.number(f.p50_ms), fmt.number(f.p95_ms), fmt.number(f.samples)]),
    'no commits yet');
  const streams = table('streams-table', 'Streams', ['Venue', 'State', 'Msgs/s', 'Last message', 'Reconnects',
    'Trade gaps found / filled / lost', 'Sequence gaps', 'Duplicates dropped', 'Malformed', 'Last problem']);
  fmt.fillTable(streams, streamRows(pipeline.streams ?? []), noBus ? 'no collectors: a read-only server over the lake' : 'no venue streamed (up --streams)');
  const rows = queries.map((q) => [q.name, q.count, q.p50_ms.toFixed(2), q.p95_ms.toFixed(2), q.max_ms.toFixed(2)]);
  for (const [path, ms] of clientTimings) rows.push(['browser ' + path, 1, ms.toFixed(1), '', '']);
  fmt.fillTable($('timings-table'), rows);
}

export function initPerformance() {
  chart = new Chart($('perf-chart'), { yFormat: (v) => fmt.number(v, 1) });
  latencyChart = new Chart($('perf-latency-chart'), { yFormat: (v) => fmt.number(v, 0) + ' ms' });
}

/** Starts polling while the tab is visible; returns a function that stops it. */
export function showPerformance(onError) {
  const tick = () => poll().catch(onError);
  tick();
  timer = setInterval(tick, 3000);
  return () => { clearInterval(timer); timer = null; };
}
