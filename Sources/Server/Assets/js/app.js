// Entry point: tabs (ARIA tabs with arrow keys), the page state kept in the URL, the time-zone
// and theme switches, and start-up of each tab.
import { initDashboard, focusAsset, dashboardState } from './tabs/dashboard.js';
import { initMarkets, loadMarkets, watchlist, topAssets } from './tabs/markets.js';
import { initExplorer, showExplorer } from './tabs/explorer.js';
import { initPerformance, showPerformance } from './tabs/performance.js';
import { initManagement, showManagement } from './tabs/management.js';
import { initAlerts, showAlerts } from './tabs/alerts.js';
import * as fmt from './format.js';
import { startStatus } from './status.js';

const TABS = ['markets', 'dashboard', 'explorer', 'performance', 'alerts', 'management'];
let current = 'markets';
let stopPolling = null;
// A tab the user opened while the page was still starting: start-up must not take them back.
let switchedDuringStart = false;

function reportError(error) {
  const el = document.getElementById('live-status');
  el.textContent = 'error: ' + (error && error.message ? error.message : String(error));
  el.dataset.state = 'error';
}

/** `#tab&key=value…`: the tab, then the Dashboard's selection, so a reload or a shared link
 * opens the same view. */
function parseHash() {
  const [tab, ...rest] = location.hash.slice(1).split('&');
  return { tab: TABS.includes(tab) ? tab : null, params: new URLSearchParams(rest.join('&')) };
}

function writeHash() {
  const params = current === 'dashboard' ? dashboardState().toString() : '';
  const hash = '#' + current + (params ? '&' + params : '');
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function show(tab, focus = false) {
  current = tab;
  for (const b of document.querySelectorAll('#tabs button')) {
    const active = b.dataset.tab === tab;
    b.classList.toggle('active', active);
    b.setAttribute('aria-selected', String(active));
    b.tabIndex = active ? 0 : -1;
    if (active && focus) b.focus();
  }
  for (const p of document.querySelectorAll('.panel')) p.classList.toggle('active', p.id === 'panel-' + tab);
  if (stopPolling) { stopPolling(); stopPolling = null; }
  if (tab === 'markets') loadMarkets().catch(reportError);
  if (tab === 'explorer') showExplorer().catch(reportError);
  if (tab === 'performance') stopPolling = showPerformance(reportError);
  if (tab === 'alerts') stopPolling = showAlerts(reportError);
  if (tab === 'management') showManagement().catch(reportError);
  writeHash();
}

function setUpTabs() {
  const buttons = [...document.querySelectorAll('#tabs button')];
  for (const b of buttons) {
    b.id = 'tab-' + b.dataset.tab;
    b.setAttribute('aria-controls', 'panel-' + b.dataset.tab);
    b.addEventListener('click', () => { switchedDuringStart = true; show(b.dataset.tab); });
    const panel = document.getElementById('panel-' + b.dataset.tab);
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', b.id);
  }
  document.getElementById('tabs').addEventListener('keydown', (e) => {
    const i = TABS.indexOf(current);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    switchedDuringStart = true;
    show(TABS[(next + TABS.length) % TABS.length], true);
  });
}

function setUpToggles(redraw) {
  const zone = document.getElementById('zone-toggle');
  const theme = document.getElementById('theme-toggle');
  const paint = () => {
    zone.textContent = fmt.timeZone() === 'utc' ? 'UTC' : 'Local time';
    zone.setAttribute('aria-label', `times shown in ${fmt.timeZone() === 'utc' ? 'UTC' : 'local time'}; switch`);
    document.getElementById('zone-hint').textContent = fmt.timeZone() === 'utc' ? 'Times are UTC.' : 'Times are local.';
    const light = document.documentElement.dataset.theme === 'light';
    theme.textContent = light ? 'Dark' : 'Light';
    theme.setAttribute('aria-label', `switch to the ${light ? 'dark' : 'light'} theme`);
  };
  zone.addEventListener('click', () => { fmt.setTimeZone(fmt.timeZone() === 'utc' ? 'local' : 'utc'); paint(); redraw(); });
  theme.addEventListener('click', () => {
    const light = document.documentElement.dataset.theme !== 'light';
    if (light) document.documentElement.dataset.theme = 'light'; else delete document.documentElement.dataset.theme;
    localStorage.setItem('cryptoviz.theme', light ? 'light' : 'dark');
    paint();
    redraw();
  });
  // Without a choice saved in this browser, the system's light or dark setting decides.
  const saved = localStorage.getItem('cryptoviz.theme');
  if (saved ? saved === 'light' : matchMedia('(prefers-color-scheme: light)').matches) document.documentElement.dataset.theme = 'light';
  paint();
}

async function start() {
  setUpTabs();
  startStatus();
  const { tab, params } = parseHash();
  initPerformance();
  initMarkets((asset) => { switchedDuringStart = true; show('dashboard'); focusAsset(asset).catch(reportError); });
  // The Markets ranking gives the Dashboard its default selection: the link's, the watchlist,
  // else the three largest coins by market cap.
  await loadMarkets().catch(reportError);
  const starred = watchlist();
  const dashboard = initDashboard(starred.length ? starred : topAssets(3), params, writeHash);
  setUpToggles(() => window.dispatchEvent(new Event('cryptoviz:redraw')));
  initAlerts();
  await Promise.all([dashboard, initExplorer(), initManagement()]);
  if (switchedDuringStart) writeHash(); else show(tab || 'markets');
  document.body.dataset.ready = 'true';
}

start().catch(reportError);
