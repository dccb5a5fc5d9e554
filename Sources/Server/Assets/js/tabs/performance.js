// Performance tab: pipeline stats polled every few seconds, with a rolling chart.
import { api, clientTimings } from '../api.js';
import { Chart } from '../chart.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);
const history = { xs: [], rate: [], p50: [], p95: [] };
let chart = null;
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
  chart.setLines([
    { name: 'ticks/s', color: fmt.palette[0], xs: history.xs, ys: history.rate },
    { name: 'freshness p50 ms', color: fmt.palette[1], xs: history.xs, ys: history.p50 },
    { name: 'freshness p95 ms', color: fmt.palette[3], xs: history.xs, ys: history.p95 },
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
      fmt.number(p.empty_polls ?? 0), fmt.time(p.last_success_ms),
      [p.last_error, p.last_empty_reason && `no ticks: ${p.last_empty_reason}`].filter(Boolean).join('; ')];
  }), noBus ? 'no collectors: a read-only server over the lake' : undefined);
  const rows = queries.map((q) => [q.name, q.count, q.p50_ms.toFixed(2), q.p95_ms.toFixed(2), q.max_ms.toFixed(2)]);
  for (const [path, ms] of clientTimings) rows.push(['browser ' + path, 1, ms.toFixed(1), '', '']);
  fmt.fillTable($('timings-table'), rows);
}

export function initPerformance() {
  chart = new Chart($('perf-chart'), { yFormat: (v) => fmt.number(v, 1) });
}

/** Starts polling while the tab is visible; returns a function that stops it. */
export function showPerformance(onError) {
  const tick = () => poll().catch(onError);
  tick();
  timer = setInterval(tick, 3000);
  return () => { clearInterval(timer); timer = null; };
}
