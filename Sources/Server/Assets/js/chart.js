// A small canvas chart: time-series lines and candlesticks, axes, hover crosshair,
// drag/wheel zoom. Lines are decimated per pixel column (first/min/max/last), so
// drawing cost follows the canvas width, not the point count: 100k points stay fast.
import * as fmt from './format.js';

const PAD = { left: 64, right: 12, top: 10, bottom: 26 };
const TIME_STEPS = [1e3, 5e3, 15e3, 30e3, 60e3, 300e3, 900e3, 1800e3, 3600e3, 10800e3, 21600e3, 43200e3, 86400e3, 172800e3, 604800e3, 2592000e3];

/** Index of the first element of sorted `xs` that is >= x. */
export function lowerBound(xs, x) {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Reduces points in [i0, i1) to at most ~4 per pixel column: the first, min, max and last
 * point of each column, in x order. Shape (extremes) survives, cost is O(n) once.
 */
export function decimate(xs, ys, i0, i1, x0, x1, columns) {
  const outX = [], outY = [];
  if (i1 - i0 <= columns * 4) {
    for (let i = i0; i < i1; i++) { outX.push(xs[i]); outY.push(ys[i]); }
    return { xs: outX, ys: outY };
  }
  const scale = columns / (x1 - x0 || 1);
  let col = -1, first = -1, min = -1, max = -1, last = -1;
  const emit = (i) => { outX.push(xs[i]); outY.push(ys[i]); };
  const flush = () => {
    if (first < 0) return;
    emit(first);
    const a = Math.min(min, max), b = Math.max(min, max);
    if (a !== first && a !== last) emit(a);
    if (b !== a && b !== first && b !== last) emit(b);
    if (last !== first) emit(last);
  };
  for (let i = i0; i < i1; i++) {
    const c = Math.floor((xs[i] - x0) * scale);
    if (c !== col) {
      flush();
      col = c; first = min = max = last = i;
    } else {
      if (ys[i] < ys[min]) min = i;
      if (ys[i] > ys[max]) max = i;
      last = i;
    }
  }
  flush();
  return { xs: outX, ys: outY };
}

function niceStep(range, count) {
  const raw = range / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  const n = raw / power;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * power;
}

/** Grid values for a logarithmic axis: 1, 2 and 5 times the powers of ten in [lo, hi], thinned
 * to about `count` (only powers of ten when the range spans several decades). */
function logTicks(lo, hi, count) {
  const out = [];
  const decades = Math.log10(hi / lo);
  const mantissas = decades > count / 2 ? [1] : decades > count / 4 ? [1, 3] : [1, 2, 5];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of mantissas) {
      const v = m * Math.pow(10, p);
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  // A narrow range holds no 1-2-5 value (or one): fall back to linear steps.
  if (out.length < 2) {
    const step = niceStep(hi - lo, count);
    out.length = 0;
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  }
  return out;
}

function timeLabel(ms, step) {
  const t = fmt.parts(ms);
  const p = (v) => String(v).padStart(2, '0');
  if (step >= 86400e3) return `${p(t.mo)}-${p(t.d)}`;
  if (step >= 60e3) return `${p(t.h)}:${p(t.mi)}`;
  return `${p(t.h)}:${p(t.mi)}:${p(t.s)}`;
}

/** The theme's colours (CSS custom properties), read at each draw so a theme switch repaints. */
function colors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return { grid: v('--line', '#2a3347'), muted: v('--muted', '#8a93a6'), fg: v('--fg', '#e6e9ef'),
           up: v('--up', '#2ecc71'), down: v('--down', '#ff5c5c'), tooltip: v('--panel', '#171e2e') };
}

export class Chart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{yFormat?: (v:number)=>string}} options
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.cssHeight = Number(canvas.getAttribute('height')) || 300;
    this.yFormat = options.yFormat || ((v) => v.toFixed(2));
    this.series = [];
    this.candles = null;
    this.view = null;
    this.hover = null;
    this.drag = null;
    this.scheduled = false;
    this.logScale = false;
    canvas.addEventListener('mousemove', (e) => this.onMove(e));
    canvas.addEventListener('mouseleave', () => { this.hover = null; this.drag = null; this.requestDraw(); });
    canvas.addEventListener('mousedown', (e) => { this.drag = { from: this.localX(e), to: this.localX(e) }; });
    canvas.addEventListener('mouseup', () => this.onDragEnd());
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('dblclick', () => this.resetZoom());
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.requestDraw()).observe(canvas);
    // A theme or time-zone switch repaints every chart.
    window.addEventListener('cryptoviz:redraw', () => this.requestDraw());
  }

  /** Replaces all lines: [{name, color, xs:[ms], ys:[value]}] with xs ascending. */
  setLines(series) {
    this.candles = null;
    this.series = series.map((s) => ({ name: s.name, color: s.color, xs: s.xs.slice(), ys: s.ys.slice() }));
    this.requestDraw();
  }

  /** Replaces the chart with candles: [{start_ms, open, high, low, close, volume?}], widthMs per
   * bucket. Candles with a volume get a volume pane under the prices. */
  setCandles(candles, widthMs, name = '') {
    this.series = [];
    this.candles = {
      name, width: widthMs,
      items: candles.map((c) => ({ t: c.start_ms, o: c.open, h: c.high, l: c.low, c: c.close, v: c.volume ?? null })),
    };
    this.requestDraw();
  }

  /** Lines drawn over the candles (indicators), same shape as `setLines`; null values are gaps. */
  setOverlays(series) {
    this.series = series.map((s) => ({ name: s.name, color: s.color, xs: s.xs.slice(), ys: s.ys.slice() }));
    this.requestDraw();
  }

  /** A logarithmic price axis (applied while every visible value is positive). */
  setLogScale(on) {
    this.logScale = on;
    this.requestDraw();
  }

  /** Appends a point to the named line (kept sorted: older points are inserted in place). */
  appendPoint(name, x, y) {
    const s = this.series.find((v) => v.name === name);
    if (!s || !Number.isFinite(y)) return;
    if (!s.xs.length || x >= s.xs[s.xs.length - 1]) { s.xs.push(x); s.ys.push(y); }
    else { const i = lowerBound(s.xs, x); s.xs.splice(i, 0, x); s.ys.splice(i, 0, y); }
    this.requestDraw();
  }

  /** Folds a live price into the candle of its bucket (opening a new one when needed). */
  updateCandle(x, price) {
    if (!this.candles || !Number.isFinite(price)) return;
    const start = Math.floor(x / this.candles.width) * this.candles.width;
    const items = this.candles.items;
    const last = items[items.length - 1];
    if (last && last.t === start) {
      last.h = Math.max(last.h, price); last.l = Math.min(last.l, price); last.c = price;
    } else if (!last || start > last.t) {
      items.push({ t: start, o: price, h: price, l: price, c: price });
    }
    this.requestDraw();
  }

  resetZoom() { this.view = null; this.requestDraw(); }

  extent() {
    let lo = Infinity, hi = -Infinity;
    for (const s of this.series) if (s.xs.length) { lo = Math.min(lo, s.xs[0]); hi = Math.max(hi, s.xs[s.xs.length - 1]); }
    if (this.candles && this.candles.items.length) {
      lo = Math.min(lo, this.candles.items[0].t);
      hi = Math.max(hi, this.candles.items[this.candles.items.length - 1].t + this.candles.width);
    }
    if (!Number.isFinite(lo)) return null;
    if (hi === lo) { lo -= 30e3; hi += 30e3; }
    return { x0: lo, x1: hi };
  }

  localX(e) { return e.clientX - this.canvas.getBoundingClientRect().left; }

  xToTime(px) {
    const v = this.currentView;
    if (!v) return 0;
    return v.x0 + (px - PAD.left) / (this.plotWidth || 1) * (v.x1 - v.x0);
  }

  onMove(e) {
    const rect = this.canvas.getBoundingClientRect();
    this.hover = { x: e.clientX - rect.left, y: e.clientY - rect.top };
    if (this.drag) this.drag.to = this.hover.x;
    this.requestDraw();
  }

  onDragEnd() {
    const d = this.drag;
    this.drag = null;
    if (d && Math.abs(d.to - d.from) > 5) {
      const a = this.xToTime(Math.min(d.from, d.to)), b = this.xToTime(Math.max(d.from, d.to));
      if (b > a) this.view = { x0: a, x1: b };
    }
    this.requestDraw();
  }

  onWheel(e) {
    const v = this.currentView;
    if (!v) return;
    e.preventDefault();
    const center = this.xToTime(this.localX(e));
    const factor = e.deltaY > 0 ? 1.25 : 0.8;
    const full = this.extent();
    let x0 = center - (center - v.x0) * factor, x1 = center + (v.x1 - center) * factor;
    if (full && x1 - x0 >= full.x1 - full.x0) { this.view = null; } else { this.view = { x0, x1 }; }
    this.requestDraw();
  }

  requestDraw() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.draw(); });
  }

  draw() {
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 600, height = this.cssHeight;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.height = height + 'px';
    }
    const ctx = this.ctx;
    const theme = colors();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    this.plotWidth = plotW;
    const view = this.view || this.extent();
    this.currentView = view;
    ctx.font = '11px system-ui, sans-serif';
    if (!view) {
      ctx.fillStyle = theme.muted;
      ctx.fillText('no data yet', PAD.left + 10, PAD.top + 20);
      this.canvas.dataset.points = '0';
      return;
    }
    // Collect what is visible, decimated, and the y range.
    let yLo = Infinity, yHi = -Infinity, drawn = 0;
    const lines = this.series.map((s) => {
      const i0 = Math.max(0, lowerBound(s.xs, view.x0) - 1), i1 = Math.min(s.xs.length, lowerBound(s.xs, view.x1) + 1);
      const d = decimate(s.xs, s.ys, i0, i1, view.x0, view.x1, Math.max(1, plotW));
      for (const y of d.ys) { if (y < yLo) yLo = y; if (y > yHi) yHi = y; }
      drawn += d.xs.length;
      return { s, d };
    });
    let visibleCandles = [];
    if (this.candles) {
      visibleCandles = this.candles.items.filter((c) => c.t + this.candles.width > view.x0 && c.t < view.x1);
      for (const c of visibleCandles) { yLo = Math.min(yLo, c.l); yHi = Math.max(yHi, c.h); }
      drawn += visibleCandles.length;
    }
    this.canvas.dataset.points = String(drawn);
    // The time span drawn (ms), for tests and for reading the chart's extent without the axis.
    let first = Infinity, last = -Infinity;
    for (const { d } of lines) if (d.xs.length) { first = Math.min(first, d.xs[0]); last = Math.max(last, d.xs[d.xs.length - 1]); }
    if (visibleCandles.length) { first = Math.min(first, visibleCandles[0].t); last = Math.max(last, visibleCandles[visibleCandles.length - 1].t); }
    this.canvas.dataset.firstMs = Number.isFinite(first) ? String(first) : '';
    this.canvas.dataset.lastMs = Number.isFinite(last) ? String(last) : '';
    this.canvas.dataset.series = this.candles ? 'candles:' + this.candles.name : this.series.map((s) => s.name).join(',');
    this.canvas.dataset.overlays = this.candles ? this.series.map((s) => s.name).join(',') : '';
    this.describe(visibleCandles, lines);
    if (!Number.isFinite(yLo)) { yLo = 0; yHi = 1; }
    if (yHi === yLo) { const m = Math.abs(yHi) * 0.01 || 1; yLo -= m; yHi += m; }
    const log = this.logScale && yLo > 0;
    this.canvas.dataset.scale = log ? 'log' : 'linear';
    if (log) {
      const pad = Math.pow(yHi / yLo, 0.06);
      yLo /= pad; yHi *= pad;
    } else {
      const padY = (yHi - yLo) * 0.06;
      yLo -= padY; yHi += padY;
    }
    // A volume pane takes the bottom fifth when the visible candles carry volumes.
    const volumes = visibleCandles.filter((c) => Number.isFinite(c.v));
    const volumeH = volumes.length ? Math.round(plotH * 0.2) : 0;
    const priceH = plotH - volumeH - (volumeH ? 6 : 0);
    const X = (t) => PAD.left + (t - view.x0) / (view.x1 - view.x0) * plotW;
    const Y = log
      ? (v) => PAD.top + (1 - Math.log(v / yLo) / Math.log(yHi / yLo)) * priceH
      : (v) => PAD.top + (1 - (v - yLo) / (yHi - yLo)) * priceH;

    // Axes and grid.
    ctx.strokeStyle = theme.grid; ctx.fillStyle = theme.muted; ctx.lineWidth = 1;
    const yStep = niceStep(yHi - yLo, 5);
    const gridValues = [];
    if (log) gridValues.push(...logTicks(yLo, yHi, 6));
    else for (let v = Math.ceil(yLo / yStep) * yStep; v <= yHi; v += yStep) gridValues.push(v);
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of gridValues) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD.left, y); ctx.lineTo(PAD.left + plotW, y); ctx.stroke();
      ctx.fillText(this.yFormat(v), PAD.left - 6, y);
    }
    const span = view.x1 - view.x0;
    const tStep = TIME_STEPS.find((s) => span / s <= Math.max(2, plotW / 90)) || TIME_STEPS[TIME_STEPS.length - 1];
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    for (let t = Math.ceil(view.x0 / tStep) * tStep; t <= view.x1; t += tStep) {
      const x = Math.round(X(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, PAD.top); ctx.lineTo(x, PAD.top + plotH); ctx.stroke();
      ctx.fillText(timeLabel(t, tStep), x, PAD.top + plotH + 6);
    }
    // Say which zone the axis times are in, where the labels are.
    ctx.textAlign = 'left';
    ctx.fillText(fmt.timeZone() === 'utc' ? 'UTC' : 'local', 4, PAD.top + plotH + 6);
    this.canvas.dataset.timeZone = fmt.timeZone();
    this.canvas.dataset.firstTimeLabel = timeLabel(Math.ceil(view.x0 / tStep) * tStep, tStep);

    ctx.save();
    ctx.beginPath(); ctx.rect(PAD.left, PAD.top, plotW, plotH); ctx.clip();
    for (const { s, d } of lines) {
      ctx.strokeStyle = s.color; ctx.lineWidth = 1.5; ctx.beginPath();
      for (let i = 0; i < d.xs.length; i++) {
        const x = X(d.xs[i]), y = Y(d.ys[i]);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.stroke();
      if (d.xs.length === 1) { ctx.fillStyle = s.color; ctx.fillRect(X(d.xs[0]) - 2, Y(d.ys[0]) - 2, 4, 4); }
    }
    if (volumes.length) {
      const vMax = Math.max(...volumes.map((c) => c.v)) || 1;
      const base = PAD.top + plotH;
      const w = Math.max(1, this.candles.width / span * plotW * 0.7);
      for (const c of volumes) {
        const x = X(c.t + this.candles.width / 2), h = c.v / vMax * volumeH;
        ctx.fillStyle = c.c >= c.o ? 'rgba(46,204,113,0.45)' : 'rgba(255,92,92,0.45)';
        ctx.fillRect(x - w / 2, base - h, w, h);
      }
      ctx.fillStyle = theme.muted; ctx.textAlign = 'left'; ctx.textBaseline = 'top';
      ctx.fillText('volume', PAD.left + 4, base - volumeH);
    }
    this.canvas.dataset.volumeBars = String(volumes.length);
    if (this.candles) {
      const w = Math.max(1, this.candles.width / span * plotW * 0.7);
      for (const c of visibleCandles) {
        const x = X(c.t + this.candles.width / 2);
        const up = c.c >= c.o;
        ctx.strokeStyle = ctx.fillStyle = up ? theme.up : theme.down;
        ctx.beginPath(); ctx.moveTo(x, Y(c.h)); ctx.lineTo(x, Y(c.l)); ctx.stroke();
        const top = Y(Math.max(c.o, c.c)), bottom = Y(Math.min(c.o, c.c));
        ctx.fillRect(x - w / 2, top, w, Math.max(1, bottom - top));
      }
    }
    ctx.restore();

    // Legend.
    ctx.textAlign = 'left'; ctx.textBaseline = 'top';
    let lx = PAD.left + 6;
    for (const s of this.series) {
      ctx.fillStyle = s.color; ctx.fillRect(lx, PAD.top + 4, 10, 3);
      ctx.fillStyle = theme.fg; ctx.fillText(s.name, lx + 14, PAD.top);
      lx += ctx.measureText(s.name).width + 30;
    }

    if (this.drag) {
      ctx.fillStyle = 'rgba(79,157,255,0.15)';
      ctx.fillRect(Math.min(this.drag.from, this.drag.to), PAD.top, Math.abs(this.drag.to - this.drag.from), plotH);
    }
    if (this.hover && this.hover.x >= PAD.left && this.hover.x <= PAD.left + plotW) this.drawHover(X, Y, view, plotW, plotH);
  }

  /** The chart's data as a table (its text alternative): a header and up to `limit` rows,
   * the newest last, formatted as the axis formats them. */
  dataTable(limit = 500) {
    if (this.candles) {
      const items = this.candles.items.slice(-limit);
      return {
        head: ['start', 'open', 'high', 'low', 'close', 'volume'],
        rows: items.map((c) => [fmt.time(c.t).slice(0, 19), this.yFormat(c.o), this.yFormat(c.h), this.yFormat(c.l),
          this.yFormat(c.c), c.v === null ? '—' : fmt.number(c.v, 4)]),
      };
    }
    const times = [...new Set(this.series.flatMap((s) => s.xs))].sort((a, b) => a - b).slice(-limit);
    const lookup = this.series.map((s) => new Map(s.xs.map((x, i) => [x, s.ys[i]])));
    return {
      head: ['time', ...this.series.map((s) => s.name)],
      rows: times.map((t) => [fmt.time(t).slice(0, 19), ...lookup.map((m) => (m.has(t) && Number.isFinite(m.get(t)) ? this.yFormat(m.get(t)) : ''))]),
    };
  }

  /** What the chart shows, in words, as the canvas's accessible name (a canvas has no text). */
  describe(visibleCandles, lines) {
    const zone = fmt.timeZone() === 'utc' ? ' UTC' : ' local';
    const when = (t) => fmt.time(t).slice(0, 16) + zone;
    let text;
    if (visibleCandles.length) {
      const first = visibleCandles[0], last = visibleCandles[visibleCandles.length - 1];
      const high = Math.max(...visibleCandles.map((c) => c.h)), low = Math.min(...visibleCandles.map((c) => c.l));
      text = `${this.candles.name} candles, ${visibleCandles.length} from ${when(first.t)} to ${when(last.t + this.candles.width)}: ` +
        `open ${this.yFormat(first.o)}, close ${this.yFormat(last.c)}, high ${this.yFormat(high)}, low ${this.yFormat(low)}`;
    } else {
      const parts = lines.filter(({ d }) => d.ys.length).map(({ s, d }) => `${s.name} ${this.yFormat(d.ys[d.ys.length - 1])}`);
      text = parts.length ? `lines, latest values: ${parts.join(', ')}` : 'no data yet';
    }
    this.canvas.setAttribute('aria-label', (this.canvas.dataset.label ? this.canvas.dataset.label + ': ' : '') + text);
  }

  drawHover(X, Y, view, plotW, plotH) {
    const ctx = this.ctx;
    const t = this.xToTime(this.hover.x);
    ctx.strokeStyle = 'rgba(230,233,239,0.4)'; ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(this.hover.x, PAD.top); ctx.lineTo(this.hover.x, PAD.top + plotH);
    ctx.moveTo(PAD.left, this.hover.y); ctx.lineTo(PAD.left + plotW, this.hover.y); ctx.stroke();
    ctx.setLineDash([]);
    const rows = [fmt.time(t).slice(0, 19) + (fmt.timeZone() === 'utc' ? ' UTC' : ' local')];
    for (const s of this.series) {
      if (!s.xs.length) continue;
      let i = lowerBound(s.xs, t);
      if (i > 0 && (i === s.xs.length || t - s.xs[i - 1] < s.xs[i] - t)) i--;
      rows.push(`${s.name}: ${this.yFormat(s.ys[i])}`);
    }
    if (this.candles) {
      const c = this.candles.items.find((k) => t >= k.t && t < k.t + this.candles.width);
      if (c) {
        // The bucket, not the cursor's time: [start, end) of the candle under the cursor.
        const start = fmt.time(c.t), end = fmt.time(c.t + this.candles.width);
        const endText = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11, 19) : end.slice(0, 19);
        rows[0] = `${start.slice(0, 19)} – ${endText}${fmt.timeZone() === 'utc' ? ' UTC' : ' local'}`;
        rows.push(`O ${this.yFormat(c.o)}  H ${this.yFormat(c.h)}`, `L ${this.yFormat(c.l)}  C ${this.yFormat(c.c)}`);
      }
    }
    const w = Math.max(...rows.map((r) => ctx.measureText(r).width)) + 12, h = rows.length * 15 + 8;
    let bx = this.hover.x + 12, by = this.hover.y + 12;
    if (bx + w > PAD.left + plotW) bx = this.hover.x - w - 12;
    if (by + h > PAD.top + plotH) by = this.hover.y - h - 12;
    const theme = colors();
    ctx.fillStyle = theme.tooltip; ctx.globalAlpha = 0.94; ctx.fillRect(bx, by, w, h); ctx.globalAlpha = 1;
    ctx.fillStyle = theme.fg; ctx.textAlign = 'left'; ctx.textBaseline = 'top';
    rows.forEach((r, k) => ctx.fillText(r, bx + 6, by + 4 + k * 15));
    this.canvas.dataset.hover = rows.join(' | ');
  }
}
