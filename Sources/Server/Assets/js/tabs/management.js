// Management tab: partitions, compaction, vacuum (dry run then confirm), retention,
// table versions and time travel.
import { api, setToken } from '../api.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);

async function refresh() {
  const [lake, { versions }] = await Promise.all([api.lake(), api.versions()]);
  $('mgmt-summary').textContent = `version ${lake.version} · ${lake.partitions.length} partitions · ${lake.file_count} files · ${fmt.bytes(lake.size_bytes)}`;
  fmt.fillTable($('mgmt-partitions'), lake.partitions.map((p) => [p.path, p.file_count, fmt.bytes(p.size_bytes), fmt.number(p.record_count)]));
  fmt.fillTable($('versions-table'), versions.map((v) => {
    const button = document.createElement('button');
    button.textContent = 'view';
    button.dataset.testid = 'tt-view-' + v.version;
    button.addEventListener('click', () => { $('tt-version').value = v.version; timeTravel(); });
    return [v.version, fmt.time(v.timestamp_ms), v.operation, v.files_added, v.files_removed, fmt.number(v.records_added), button];
  }));
  renderSchedule(lake.maintenance);
  const rows = $('versions-table').tBodies[0].rows;
  if (rows.length) rows[0].dataset.testid = 'latest-version';
  $('versions-table').dataset.latest = versions.length ? String(versions[0].version) : '';
}

function every(seconds) {
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${+(seconds / 60).toFixed(1)} min`;
  return `${seconds} s`;
}

/** The automatic compaction and vacuum of this process, and their last runs. */
function renderSchedule(m) {
  const box = $('mgmt-schedule');
  if (!m) {
    box.textContent = 'This server only reads the lake: the process that writes it (up or process) compacts and vacuums it.';
    box.dataset.state = 'none';
    fmt.fillTable($('mgmt-runs'), [], 'no runs here');
    return;
  }
  const next = (ms) => (ms ? `, next at ${fmt.time(ms).slice(11, 19)}` : '');
  const lines = [
    `Compaction every ${every(m.compact_every_seconds)} of partitions with at least ${m.compact_min_files} small files${next(m.next_compaction_ms)}.`,
    m.vacuum_every_seconds
      ? `Vacuum every ${every(m.vacuum_every_seconds)}, keeping ${every(m.vacuum_retention_hours * 3600)} of versions readable${next(m.next_vacuum_ms)}.`
      : 'No automatic vacuum (--auto-vacuum 0).',
  ];
  if (m.last_error) lines.push(`Last failure: ${m.last_error}`);
  box.replaceChildren(...lines.map((text) => { const p = document.createElement('p'); p.textContent = text; return p; }));
  box.dataset.state = 'scheduled';
  box.dataset.compactEvery = String(m.compact_every_seconds);
  const runs = [
    ...m.compactions.map((r) => ({ ...r, task: 'compaction' })),
    ...m.vacuums.map((r) => ({ ...r, task: 'vacuum' })),
  ].sort((a, b) => b.at_ms - a.at_ms);
  fmt.fillTable($('mgmt-runs'), runs.map((r) => [fmt.time(r.at_ms), r.task, r.table,
    r.task === 'vacuum' ? `${r.files_removed} files deleted`
      : r.version === null || r.version === undefined ? 'nothing to rewrite'
        : `version ${r.version}: ${r.files_removed} files → ${r.files_added}`]), 'no run yet');
}

async function guarded(statusId, action) {
  const status = $(statusId);
  fmt.status(status, 'working…');
  try {
    await action(status);
  } catch (error) {
    fmt.status(status, `${error.code}: ${error.message}`, true);
  }
  await refresh().catch(() => {});
}

async function timeTravel() {
  const status = $('tt-status');
  const asset = $('tt-asset').value;
  const version = $('tt-version').value;
  try {
    const page = await api.ticks(asset, { version, from: 0, limit: 200 });
    fmt.fillTable($('tt-table'), page.ticks.map((t) => [fmt.time(t.source_time_ms), t.source, fmt.price(t.price)]), 'no ticks at this version');
    fmt.status(status, `${page.ticks.length} ticks of ${asset} as of version ${version}${page.next_cursor ? ' (first 200)' : ''}`);
  } catch (error) {
    fmt.status(status, `${error.code}: ${error.message}`, true);
  }
}

export async function initManagement() {
  const input = $('token-input');
  input.value = sessionStorage.getItem('cryptoviz.token') || '';
  input.addEventListener('change', () => setToken(input.value.trim()));
  const { assets } = await api.assets();
  for (const a of assets) $('tt-asset').append(new Option(a.asset, a.asset));
  $('tt-load').addEventListener('click', timeTravel);
  $('compact-btn').addEventListener('click', () => guarded('compact-result', async (status) => {
    const r = await api.compact();
    fmt.status(status, r.version === null || r.version === undefined
      ? 'nothing to compact'
      : `version ${r.version}: ${r.files_removed} files → ${r.files_added}, ${fmt.bytes(r.bytes_before)} → ${fmt.bytes(r.bytes_after)}`);
    status.dataset.version = r.version ?? '';
  }));
  $('vacuum-dry-run').addEventListener('click', () => guarded('vacuum-result', async (status) => {
    const r = await api.vacuum(true);
    fmt.status(status, `would delete ${r.files.length} files (${fmt.bytes(r.bytes)})`);
    $('vacuum-confirm').disabled = r.files.length === 0;
  }));
  $('vacuum-confirm').addEventListener('click', () => guarded('vacuum-result', async (status) => {
    $('vacuum-confirm').disabled = true;
    const r = await api.vacuum(false);
    fmt.status(status, `deleted ${r.files.length} files (${fmt.bytes(r.bytes)})`);
  }));
  $('retention-btn').addEventListener('click', () => {
    $('retention-confirm').disabled = false;
    fmt.status($('retention-result'), `remove ticks older than ${$('retention-days').value} days? press Confirm`);
  });
  $('retention-confirm').addEventListener('click', () => guarded('retention-result', async (status) => {
    $('retention-confirm').disabled = true;
    const r = await api.retention(Number($('retention-days').value));
    fmt.status(status, r.version === null || r.version === undefined
      ? 'nothing older than the cut-off'
      : `version ${r.version}: removed ${fmt.number(r.records_removed)} ticks in ${r.files_removed} files`);
  }));
}

export async function showManagement() {
  await refresh();
}
