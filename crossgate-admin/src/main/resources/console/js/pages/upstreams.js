// Upstreams: pools of targets routes send to, with how they balance, check and retry, and each
// node's own view of every target's health (from the node's last heartbeat).

import { get } from '../api.js';
import { badge, el, emptyState, notice, table, time } from '../ui.js';

export function render(main) {
  const status = el('div', { id: 'upstreams-status' });
  const list = el('div', { id: 'upstreams-list' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Upstreams')),
    el('p', { class: 'lead' }, 'Pools of targets that routes name instead of one target URL. '
      + 'Health is each node\'s own view, as of its last heartbeat.'),
    status, list);
  load(list, status);
}

async function load(list, status) {
  try {
    const { items } = await get('/admin/upstreams');
    if (!items.length) {
      list.replaceChildren(emptyState('No upstream yet.',
        'Create one with POST /admin/upstreams, then name it in a route as "upstream".'));
      return;
    }
    const healths = await Promise.all(items.map((u) =>
      get(`/admin/upstreams/${encodeURIComponent(u.id)}/health`).catch(() => null)));
    list.replaceChildren(table('Upstreams', ['Upstream', 'Targets', 'Checks', 'Retries'],
      items.map((u, i) => row(u, healths[i]))));
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function row(u, health) {
  const nodes = health ? health.nodes : [];
  return el('tr', {},
    el('td', {}, el('div', { class: 'mono' }, u.id), el('div', { class: 'small muted' },
      u.algorithm + (u.hashOn ? ` on ${u.hashOn}` : '')),
      ...nodes.filter((n) => n.panic).map((n) => badge(`panic on ${n.node}`, 'error'))),
    el('td', {}, ...u.targets.map((t) => target(t, nodes))),
    el('td', { class: 'small' }, u.healthCheck
      ? `GET ${u.healthCheck.path} every ${u.healthCheck.intervalMs} ms`
      : 'passive only',
    el('div', { class: 'muted' }, `eject after ${u.passive.consecutiveFailures} failures for ${u.passive.ejectMs} ms`)),
    el('td', { class: 'small' }, `${u.retries.attempts} on ${u.retries.on.join(', ')}`,
      el('div', { class: 'muted' }, `budget ${u.retries.budgetPercent}%`)));
}

// one line per node that reported the pool: a target may be healthy on one node and not another
function target(t, nodes) {
  const states = nodes.length === 0
    ? [el('div', { class: 'small muted' }, 'no node has reported this pool yet')]
    : nodes.map((n) => nodeState(n, n.targets.find((seen) => seen.url === t.url)));
  return el('div', {}, el('span', { class: 'mono' }, t.url), el('span', { class: 'small muted' },
    ` weight ${t.weight} `), ...states);
}

function nodeState(node, seen) {
  if (!seen) {
    return el('div', { class: 'small muted' }, `${node.node}: not in its pool`);
  }
  const state = seen.ejected ? badge('ejected', 'error')
    : badge(seen.healthy ? 'healthy' : 'unhealthy', seen.healthy ? 'ok' : 'error');
  return el('div', {}, el('span', { class: 'small mono' }, `${node.node} `), state,
    el('span', { class: 'small muted' }, ` since ${time(seen.since)} · last check ${seen.lastCheck || '—'}`
      + ` · ${seen.inFlight} in flight · ${seen.ejections} ejections`
      + (node.connected ? '' : ' · node disconnected') + ` · reported ${time(node.reportedAt)}`));
}
