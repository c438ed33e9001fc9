// Traffic: requests per second, error rate (5xx share) and p99 latency of the busiest routes over
// the last minutes, drawn as inline SVG line charts from GET /admin/traffic (the control plane
// samples its own gateway node's meters every few seconds and adds what the cluster nodes connected
// to it report on their heartbeats). Refreshes itself while shown.

import { get } from '../api.js';
import { clear, el, emptyState, notice, table } from '../ui.js';

const REFRESH_MS = 5000;
const SVG = 'http://www.w3.org/2000/svg';
const SERIES = 6; // colours in console.css (.series-0 … .series-5); busier routes beyond share none
const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

export function render(main) {
  const status = el('div', { id: 'traffic-status' });
  const summary = el('p', { class: 'lead', id: 'traffic-summary' },
    'Requests, errors and latency per route, from the gateway nodes feeding this control plane.');
  const feeding = el('p', { class: 'muted', id: 'traffic-nodes' });
  const minutes = el('select', { id: 'traffic-minutes', 'aria-label': 'Time window' },
    [5, 10, 15].map((m) => el('option', { value: String(m), selected: m === 10 }, `Last ${m} minutes`)));
  const content = el('div', { id: 'traffic-charts', 'aria-live': 'polite' });
  const refresh = () => load(content, summary, feeding, status, Number(minutes.value));
  minutes.addEventListener('change', refresh);
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Traffic'),
      el('div', { class: 'actions' }, minutes,
        el('button', { type: 'button', class: 'button', id: 'refresh-traffic', onclick: refresh }, 'Refresh'))),
    summary, feeding, status, content);
  refresh();
  const timer = setInterval(() => (content.isConnected ? refresh() : clearInterval(timer)), REFRESH_MS);
}

async function load(content, summary, feeding, status, minutes) {
  try {
    const traffic = await get('/admin/traffic', { minutes, routes: 10 });
    clear(status);
    summary.replaceChildren(traffic.detail.charAt(0).toUpperCase(), traffic.detail.slice(1), '.');
    feeding.replaceChildren(traffic.nodes === 1 ? '1 node feeds this page.' : `${traffic.nodes} nodes feed this page.`);
    if (traffic.nodes === 0) {
      content.replaceChildren(emptyState('No gateway node is connected to this control plane.',
        'Nodes report their traffic with every heartbeat; with several control planes, each shows the '
        + 'nodes connected to it. Each node also exports its traffic on its own /metrics: chart the '
        + 'whole cluster with the Grafana dashboard in docs/grafana/crossgate.json.'));
      return;
    }
    if (!traffic.routes.length) {
      content.replaceChildren(emptyState(`No requests in the last ${minutes} minutes.`,
        'Send requests through the gateway; they appear here within a few seconds.'));
      return;
    }
    const routes = traffic.routes;
    content.replaceChildren(
      legend(routes),
      el('div', { class: 'charts' },
        chart('Requests per second', 'chart-rps', traffic.samples, routes.map((r) => r.requestsPerSecond), rate),
        chart('Error rate (5xx share)', 'chart-errors', traffic.samples, routes.map((r) => r.errorRatio), percent, 0.05, 1),
        chart('p99 latency', 'chart-p99', traffic.samples, routes.map((r) => r.p99Seconds), duration)),
      table('Routes in the window', ['Route', 'Requests', 'Requests/s now', 'Error rate now', 'p99 now'],
        routes.map((r) => el('tr', { dataset: { route: r.route } },
          el('td', {}, routeLabel(r)),
          el('td', {}, String(r.requests)),
          el('td', {}, rate(last(r.requestsPerSecond))),
          el('td', {}, percent(last(r.errorRatio))),
          el('td', {}, duration(last(r.p99Seconds)))))));
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function routeLabel(route) {
  return el('span', {}, el('span', { class: 'mono' }, route.route),
    route.service && route.service !== '-'
      ? el('span', { class: 'muted small' }, ` ${route.service}${route.version && route.version !== '-' ? ` ${route.version}` : ''}`)
      : null);
}

function legend(routes) {
  return el('ul', { class: 'legend', 'aria-label': 'Routes' }, routes.map((r, i) => el('li', {},
    el('span', { class: `swatch series-${i % SERIES}`, 'aria-hidden': 'true' }), routeLabel(r))));
}

function last(values) {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    if (values[i] !== null) {
      return values[i];
    }
  }
  return null;
}

function rate(v) {
  return v === null ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(0)}/s`;
}

function percent(v) {
  return v === null ? '—' : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 0)} %`;
}

function duration(v) {
  if (v === null) {
    return '—';
  }
  return v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 1 : 0)} ms` : `${v.toFixed(2)} s`;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
  children.forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

/**
 * One line chart: a line per series (null values break the line), the value axis from 0 to the
 * highest value (at least {@code floor}, at most {@code cap}), the first and last sample times under it.
 */
function chart(title, id, samples, series, format, floor = 0, cap = Infinity) {
  const values = series.flat().filter((v) => v !== null);
  const max = Math.min(Math.max(...values, floor), cap) || 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (samples.length > 1 ? (i * plotW) / (samples.length - 1) : plotW / 2);
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const grid = [0, 0.5, 1].map((f) => svg('g', {},
    svg('line', { class: 'grid-line', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(max * f), y2: y(max * f) }),
    svg('text', { class: 'axis-label', x: PAD.left - 6, y: y(max * f) + 4, 'text-anchor': 'end' }, format(max * f))));
  const lines = series.map((points, s) => {
    const group = svg('g', { class: `series series-${s % SERIES}` });
    let run = [];
    const flush = () => {
      if (run.length === 1) {
        group.append(svg('circle', { cx: run[0][0], cy: run[0][1], r: 2.5 }));
      } else if (run.length > 1) {
        group.append(svg('polyline', { points: run.map((p) => p.join(',')).join(' ') }));
      }
      run = [];
    };
    points.forEach((v, i) => (v === null ? flush() : run.push([x(i).toFixed(1), y(v).toFixed(1)])));
    flush();
    return group;
  });
  const times = samples.length ? [
    svg('text', { class: 'axis-label', x: PAD.left, y: HEIGHT - 6 }, clock(samples[0])),
    svg('text', { class: 'axis-label', x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end' }, clock(samples[samples.length - 1])),
  ] : [];
  const graphic = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', class: 'chart',
    'aria-label': `${title} per route, highest ${format(max)}` }, ...grid, ...lines, ...times);
  return el('figure', { class: 'card chart-card', id }, el('figcaption', {}, el('h2', {}, title)), graphic);
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
