// Tasks: asynchronous tasks across all tenants, newest first, with status, owner, age and result size.

import { get } from '../api.js';
import { badge, clear, el, emptyState, notice, renderPager, table, time } from '../ui.js';

const STATUS_KIND = { PENDING: '', RUNNING: '', DONE: 'ok', FAILED: 'error', EXPIRED: 'off' };
const STATUSES = ['', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED'];

const PAGE_SIZE = 100;

export function render(main) {
  const status = el('div', { id: 'tasks-status' });
  const list = el('div', { id: 'tasks-list' });
  const pager = el('div', { class: 'pager' });
  const owner = el('input', { id: 'task-owner', name: 'owner', placeholder: 'acme' });
  const state = el('select', { id: 'task-state', name: 'status' },
    STATUSES.map((s) => el('option', { value: s }, s ? s.toLowerCase() : 'any status')));
  const view = { list, pager, status, search: { owner: '', status: '' }, cursors: [null] };
  const search = (event) => {
    event.preventDefault();
    view.search = { owner: owner.value.trim(), status: state.value };
    view.cursors = [null];
    load(view);
  };
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Tasks')),
    el('p', { class: 'lead' }, 'Asynchronous tasks: the gateway answered 202 and the result arrives later. '
      + 'Tasks nobody collects expire and are removed.'),
    el('form', { class: 'search', onsubmit: search },
      el('label', { for: 'task-owner' }, 'Owner (tenant)'), owner,
      el('label', { for: 'task-state' }, 'Status'), state,
      el('button', { type: 'submit', class: 'button' }, 'Search')),
    status, list, pager);
  load(view);
}

/** Shows the page after the last cursor of {@code view.cursors}, newest tasks first. */
async function load(view) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const cursor = view.cursors[view.cursors.length - 1];
  if (view.search.owner) query.set('owner', view.search.owner);
  if (view.search.status) query.set('status', view.search.status);
  if (cursor) query.set('cursor', cursor);
  try {
    const { items, total, nextCursor } = await get(`/admin/tasks?${query}`);
    if (!items.length && view.cursors.length > 1) {
      // the tasks of a later page expired meanwhile: show the page before it
      view.cursors.pop();
      load(view);
      return;
    }
    view.list.replaceChildren(items.length
      ? table('Tasks', ['Task', 'Owner', 'Status', 'Request', 'Result', 'Created', 'Expires'], items.map(row))
      : emptyState(total ? 'No task matches.' : 'No task yet.',
        'Callers create tasks by calling an ASYNC route, e.g. POST /async/report, with their API key.'));
    renderPager(view.pager, view.cursors, nextCursor, () => load(view));
  } catch (error) {
    clear(view.pager);
    notice(view.status, 'error', error.message);
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
