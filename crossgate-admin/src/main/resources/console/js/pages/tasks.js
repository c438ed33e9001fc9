// Tasks: asynchronous tasks across all tenants, newest first, with status, owner, age and result size.

import { get } from '../api.js';
import { badge, el, emptyState, notice, table, time } from '../ui.js';

const STATUS_KIND = { PENDING: '', RUNNING: '', DONE: 'ok', FAILED: 'error', EXPIRED: 'off' };
const STATUSES = ['', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED'];

export function render(main) {
  const status = el('div', { id: 'tasks-status' });
  const list = el('div', { id: 'tasks-list' });
  const owner = el('input', { id: 'task-owner', name: 'owner', placeholder: 'acme' });
  const state = el('select', { id: 'task-state', name: 'status' },
    STATUSES.map((s) => el('option', { value: s }, s ? s.toLowerCase() : 'any status')));
  const search = (event) => {
    event.preventDefault();
    load(list, status, owner.value.trim(), state.value);
  };
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Tasks')),
    el('p', { class: 'lead' }, 'Asynchronous tasks: the gateway answered 202 and the result arrives later. '
      + 'Tasks nobody collects expire and are removed.'),
    el('form', { class: 'search', onsubmit: search },
      el('label', { for: 'task-owner' }, 'Owner (tenant)'), owner,
      el('label', { for: 'task-state' }, 'Status'), state,
      el('button', { type: 'submit', class: 'button' }, 'Search')),
    status, list);
  load(list, status, '', '');
}

async function load(list, status, owner, state) {
  const query = new URLSearchParams({ limit: '200' });
  if (owner) query.set('owner', owner);
  if (state) query.set('status', state);
  try {
    const { items, total } = await get(`/admin/tasks?${query}`);
    if (!items.length) {
      list.replaceChildren(emptyState(total ? 'No task matches.' : 'No task yet.',
        'Callers create tasks by calling an ASYNC route, e.g. POST /async/report, with their API key.'));
      return;
    }
    list.replaceChildren(table('Tasks', ['Task', 'Owner', 'Status', 'Request', 'Result', 'Created', 'Expires'],
      items.map(row)));
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function row(t) {
  const envelope = t.envelope || {};
  return el('tr', {},
    el('td', {}, el('div', { class: 'mono' }, t.taskId), el('div', { class: 'small muted' }, t.execution || '')),
    el('td', { class: 'mono' }, t.owner || '—'),
    el('td', {}, badge(t.status.toLowerCase(), STATUS_KIND[t.status] || ''),
      t.error ? el('div', { class: 'small' }, t.error) : null),
    el('td', { class: 'mono' }, envelope.requestPath || '—'),
    el('td', {}, t.result ? `${t.result.status} · ${t.result.size} bytes` : '—'),
    el('td', {}, time(t.createdAt)),
    el('td', {}, time(t.expiresAt)));
}
