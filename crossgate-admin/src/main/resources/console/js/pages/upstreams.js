// Upstreams: pools of targets routes send to, with how they balance, check and retry, and the
// health a node in this process sees (a cluster control plane holds none: nodes answer it).

import { get } from '../api.js';
import { badge, el, emptyState, notice, table, time } from '../ui.js';

export function render(main) {
  const status = el('div', { id: 'upstreams-status' });
  const list = el('div', { id: 'upstreams-list' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Upstreams')),
    el('p', { class: 'lead' }, 'Pools of targets that routes name instead of one target URL. '
      + 'Health is each node\'s own view.'),
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
  const byUrl = new Map((health ? health.targets : []).map((t) => [t.url, t]));
  return el('tr', {},
    el('td', {}, el('div', { class: 'mono' }, u.id), el('div', { class: 'small muted' },
      u.algorithm + (u.hashOn ? ` on ${u.hashOn}` : '')),
      health && health.panic ? badge('panic', 'error') : null),
    el('td', {}, ...u.targets.map((t) => target(t, byUrl.get(t.url), health))),
    el('td', { class: 'small' }, u.healthCheck
      ? `GET ${u.healthCheck.path} every ${u.healthCheck.intervalMs} ms`
      : 'passive only',
    el('div', { class: 'muted' }, `eject after ${u.passive.consecutiveFailures} failures for ${u.passive.ejectMs} ms`)),
    el('td', { class: 'small' }, `${u.retries.attempts} on ${u.retries.on.join(', ')}`,
      el('div', { class: 'muted' }, `budget ${u.retries.budgetPercent}%`)));
}

function target(t, seen, health) {
  const state = !health ? el('span', { class: 'small muted' }, 'health: ask a node\'s admin port')
    : el('span', {}, badge(seen.healthy ? 'healthy' : 'unhealthy', seen.healthy ? 'ok' : 'error'),
      el('span', { class: 'small muted' }, ` since ${time(seen.since)} · last check ${seen.lastCheck || '—'}`
        + ` · ${seen.inFlight} in flight · ${seen.ejections} ejections`));
  return el('div', {}, el('span', { class: 'mono' }, t.url), el('span', { class: 'small muted' },
    ` weight ${t.weight} `), state);
}
