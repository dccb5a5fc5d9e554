// Entry point: tab switching and start-up of each tab.
import { initDashboard, focusAsset } from './tabs/dashboard.js';
import { initMarkets, loadMarkets, watchlist, topAssets } from './tabs/markets.js';
import { initExplorer, showExplorer } from './tabs/explorer.js';
import { initPerformance, showPerformance } from './tabs/performance.js';
import { initManagement, showManagement } from './tabs/management.js';

let stopPolling = null;

function reportError(error) {
  const el = document.getElementById('live-status');
  el.textContent = 'error: ' + (error && error.message ? error.message : String(error));
  el.dataset.state = 'error';
}

function show(tab) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const p of document.querySelectorAll('.panel')) p.classList.toggle('active', p.id === 'panel-' + tab);
  if (stopPolling) { stopPolling(); stopPolling = null; }
  if (tab === 'markets') loadMarkets().catch(reportError);
  if (tab === 'explorer') showExplorer().catch(reportError);
  if (tab === 'performance') stopPolling = showPerformance(reportError);
  if (tab === 'management') showManagement().catch(reportError);
  if (location.hash !== '#' + tab) history.replaceState(null, '', '#' + tab);
}

async function start() {
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => show(b.dataset.tab));
  initPerformance();
  initMarkets((asset) => { show('dashboard'); focusAsset(asset).catch(reportError); });
  // The Markets ranking gives the Dashboard its default selection: the watchlist, else the
  // three largest coins by market cap.
  await loadMarkets().catch(reportError);
  const starred = watchlist();
  await Promise.all([initDashboard(starred.length ? starred : topAssets(3)), initExplorer(), initManagement()]);
  document.body.dataset.ready = 'true';
  const tab = location.hash.slice(1);
  if (['dashboard', 'explorer', 'performance', 'management'].includes(tab)) show(tab);
}

start().catch(reportError);
