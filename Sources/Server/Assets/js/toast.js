// Alert toasts: each alert fired or resolved on the server, as it arrives on the live stream
// (the stream stays open whichever tab is shown, so the toasts appear on every tab).

const SHOWN_MS = 10000;
const MAX_TOASTS = 5;

function describe(alert) {
  const series = [alert.asset, alert.source].filter(Boolean).join(' / ');
  const verb = alert.kind === 'resolved' ? 'resolved' : 'fired';
  return `${alert.rule_name} ${verb}${series ? ': ' + series : ''} — value ${Number(alert.value).toPrecision(6)}, threshold ${alert.threshold}`;
}

/** Shows one alert event for a few seconds; the oldest toast goes when too many are shown. */
export function showAlertToast(alert) {
  const box = document.getElementById('toasts');
  if (!box || !alert || !alert.id) return;
  const toast = document.createElement('div');
  toast.className = `toast severity-${alert.severity}${alert.kind === 'resolved' ? ' resolved' : ''}`;
  toast.dataset.testid = 'alert-toast';
  toast.dataset.alertId = alert.id;
  toast.setAttribute('role', 'status');
  toast.textContent = describe(alert);
  toast.addEventListener('click', () => toast.remove());
  box.append(toast);
  while (box.children.length > MAX_TOASTS) box.firstElementChild.remove();
  setTimeout(() => toast.remove(), SHOWN_MS);
}
