// Alerts tab: the alert rules (create, edit, enable/disable, delete through the API, with the
// Management tab's token) and the history of fired and resolved alerts, newest first, paged.
import { api } from '../api.js';
import * as fmt from '../format.js';

const $ = (id) => document.getElementById(id);
const PAGE = 20;

/** What each rule type's two number fields mean: [JSON key, label], the second optional. */
const FIELDS = {
  price_above: [['level', 'Level'], null],
  price_below: [['level', 'Level'], null],
  change: [['percent', 'Percent'], ['minutes', 'Minutes']],
  anomaly: [['z', 'z-score'], ['window_minutes', 'Window minutes']],
  spread: [['percent', 'Percent'], ['max_quote_age_seconds', 'Max quote age s']],
  stale_source: [['seconds', 'Seconds'], null],
  lake_freshness: [['seconds', 'Seconds'], null],
};

let rules = [];
let editing = null;
/** Cursors of the pages shown so far: [undefined (newest), cursor of page 2, …]. */
let pages = [undefined];
let page = 0;

function list(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function condition(rule) {
  const [main, extra] = FIELDS[rule.type] || [];
  const parts = [];
  if (main) parts.push(`${main[1].toLowerCase()} ${rule[main[0]]}`);
  if (extra && rule[extra[0]] !== undefined) parts.push(`${extra[1].toLowerCase()} ${rule[extra[0]]}`);
  if (rule.type === 'anomaly' && rule.return_seconds && rule.return_seconds !== 60) parts.push(`${rule.return_seconds} s returns`);
  if (rule.direction) parts.push(rule.direction);
  if (rule.hysteresis) parts.push(`hysteresis ${rule.hysteresis}`);
  return parts.join(', ');
}

function scope(rule) {
  const s = rule.scope || {};
  const assets = s.assets && s.assets.length ? s.assets.join(', ') : 'all assets';
  const sources = s.sources && s.sources.length ? s.sources.join(', ') : 'all sources';
  return `${assets} · ${sources}`;
}

function button(text, label, testid, action) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.dataset.testid = testid;
  b.addEventListener('click', action);
  return b;
}

async function act(action, done) {
  const status = $('rule-status');
  try {
    await action();
    fmt.status(status, done);
  } catch (error) {
    fmt.status(status, `${error.code || 'error'}: ${error.message}`, true);
  }
  await loadRules().catch(() => {});
}

async function loadRules() {
  ({ rules } = await api.alertRules());
  fmt.fillTable($('alert-rules'), rules.map((r) => {
    const actions = document.createElement('span');
    actions.className = 'buttons';
    actions.append(
      button('Edit', `edit rule ${r.id}`, `rule-edit-${r.id}`, () => edit(r)),
      button(r.enabled === false ? 'Enable' : 'Disable', `${r.enabled === false ? 'enable' : 'disable'} rule ${r.id}`,
        `rule-toggle-${r.id}`, () => act(() => api.replaceAlertRule(r.id, { ...r, enabled: r.enabled === false }),
          `rule ${r.id} ${r.enabled === false ? 'enabled' : 'disabled'}`)),
      button('Delete', `delete rule ${r.id}`, `rule-delete-${r.id}`, () => {
        if (confirm(`Delete rule ${r.id}?`)) act(() => api.deleteAlertRule(r.id), `rule ${r.id} deleted`);
      }));
    return [r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id, r.type, condition(r), scope(r), r.severity,
      `${r.cooldown_seconds} s`, r.enabled === false ? 'disabled' : 'enabled', actions];
  }), 'no rules yet');
}

function showFields() {
  const [main, extra] = FIELDS[$('rule-type').value];
  $('rule-value-label').textContent = main[1];
  $('rule-extra-box').hidden = !extra;
  if (extra) $('rule-extra-label').textContent = extra[1];
  $('rule-extra').required = Boolean(extra) && $('rule-type').value !== 'spread';
  $('rule-direction-box').hidden = $('rule-type').value !== 'change';
  $('rule-return-box').hidden = $('rule-type').value !== 'anomaly';
}

function edit(rule) {
  editing = rule.id;
  $('rule-form-title').textContent = `Edit rule ${rule.id}`;
  $('rule-id').value = rule.id;
  $('rule-id').disabled = true;
  $('rule-name').value = rule.name || '';
  $('rule-type').value = rule.type;
  showFields();
  const [main, extra] = FIELDS[rule.type];
  $('rule-value').value = rule[main[0]];
  $('rule-extra').value = extra && rule[extra[0]] !== undefined ? rule[extra[0]] : '';
  $('rule-direction').value = rule.direction || 'either';
  $('rule-return').value = rule.return_seconds && rule.return_seconds !== 60 ? rule.return_seconds : '';
  $('rule-assets').value = (rule.scope?.assets || []).join(',');
  $('rule-sources').value = (rule.scope?.sources || []).join(',');
  $('rule-severity').value = rule.severity;
  $('rule-cooldown').value = rule.cooldown_seconds;
  $('rule-hysteresis').value = rule.hysteresis || 0;
  $('rule-enabled').checked = rule.enabled !== false;
  $('rule-save').textContent = 'Save rule';
  $('rule-cancel').hidden = false;
  $('rule-name').focus();
}

function resetForm() {
  editing = null;
  $('rule-form').reset();
  $('rule-id').disabled = false;
  $('rule-form-title').textContent = 'New rule';
  $('rule-save').textContent = 'Create rule';
  $('rule-cancel').hidden = true;
  showFields();
}

/** The form as a rule object; the server validates it (and names the field when it refuses). */
function formRule() {
  const type = $('rule-type').value;
  const [main, extra] = FIELDS[type];
  const rule = {
    id: $('rule-id').value.trim(), type, severity: $('rule-severity').value,
    cooldown_seconds: Number($('rule-cooldown').value), hysteresis: Number($('rule-hysteresis').value),
    enabled: $('rule-enabled').checked,
    scope: { assets: list($('rule-assets').value), sources: list($('rule-sources').value) },
  };
  if ($('rule-name').value.trim()) rule.name = $('rule-name').value.trim();
  rule[main[0]] = Number($('rule-value').value);
  if (extra && $('rule-extra').value !== '') rule[extra[0]] = Number($('rule-extra').value);
  if (type === 'change') rule.direction = $('rule-direction').value;
  if (type === 'anomaly' && $('rule-return').value !== '') rule.return_seconds = Number($('rule-return').value);
  const old = editing && rules.find((r) => r.id === editing);
  if (old && old.quiet_hours) rule.quiet_hours = old.quiet_hours;
  return rule;
}

async function loadHistory() {
  const { alerts, next_cursor: next, held } = await api.alerts(PAGE, pages[page]);
  if (next !== null && next !== undefined) pages[page + 1] = next; else pages.length = page + 1;
  fmt.fillTable($('alert-history'), alerts.map((a) => [
    fmt.time(a.at_ms), a.kind, a.rule_name && a.rule_name !== a.rule_id ? `${a.rule_name} (${a.rule_id})` : a.rule_id,
    a.asset || '—', a.source || '—', fmt.number(a.value, 6), fmt.number(a.threshold, 6), a.severity,
  ]), 'no alerts yet');
  const rows = $('alert-history').tBodies[0].rows;
  alerts.forEach((a, i) => { rows[i].dataset.alertId = a.id; });
  $('alerts-newer').disabled = page === 0;
  $('alerts-older').disabled = pages.length <= page + 1;
  fmt.status($('alerts-status'), `page ${page + 1} · ${held.length} held`);
}

export function initAlerts() {
  showFields();
  $('rule-type').addEventListener('change', showFields);
  $('rule-cancel').addEventListener('click', resetForm);
  $('rule-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const rule = formRule();
    const id = editing;
    act(() => (id ? api.replaceAlertRule(id, rule) : api.createAlertRule(rule)), `rule ${rule.id} ${id ? 'saved' : 'created'}`)
      .then(() => { if (!$('rule-status').classList.contains('error')) resetForm(); });
  });
  $('alerts-newer').addEventListener('click', () => { page = Math.max(0, page - 1); loadHistory().catch(() => {}); });
  $('alerts-older').addEventListener('click', () => { page += 1; loadHistory().catch(() => {}); });
  // The time-zone switch redraws every view.
  window.addEventListener('cryptoviz:redraw', () => { if ($('panel-alerts').classList.contains('active')) loadHistory().catch(() => {}); });
}

/** Loads rules and history, then refreshes the history every 3 s while the tab is shown. A
 * server without alerts (404) says so in the tab rather than as a page error. */
export function showAlerts(onError) {
  const report = (error) => {
    if (error && error.status === 404) fmt.status($('alerts-status'), error.message, true);
    else onError(error);
  };
  loadRules().catch(report);
  loadHistory().catch(report);
  const timer = setInterval(() => loadHistory().catch(report), 3000);
  return () => clearInterval(timer);
}
