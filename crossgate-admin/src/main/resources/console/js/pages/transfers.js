// Transfers: resumable uploads, newest first, with owner, status, progress and expiry.

import { get } from '../api.js';
import { badge, el, emptyState, notice, table, time } from '../ui.js';

const STATUS_KIND = { OPEN: '', COMPLETING: '', COMPLETED: 'ok', FAILED: 'error', REJECTED: 'error' };

export function render(main) {
  const status = el('div', { id: 'transfers-status' });
  const list = el('div', { id: 'transfers-list' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Transfers')),
    el('p', { class: 'lead' }, 'Resumable uploads (native chunks and tus), newest first. Unfinished ones expire and are removed.'),
    status, list);
  load(list, status);
}

async function load(list, status) {
  try {
    const { items } = await get('/admin/transfers?limit=200');
    if (!items.length) {
      list.replaceChildren(emptyState('No transfer yet.',
        'Callers start one with crossgate send FILE URL --api-key KEY, or with any tus client at /_tus/.'));
      return;
    }
    list.replaceChildren(table('Transfers', ['Owner', 'Transfer', 'Status', 'Progress', 'Started', 'Expires'],
      items.map(row)));
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function row(t) {
  const size = t.totalSize == null ? 'length not declared yet' : `${bytes(t.receivedBytes)} of ${bytes(t.totalSize)}`;
  return el('tr', {},
    el('td', { class: 'mono' }, t.owner),
    el('td', {}, el('div', { class: 'mono' }, t.id), el('div', { class: 'small muted' },
      `${t.name || 'unnamed'} · ${t.protocol}`)),
    el('td', {}, badge(t.status.toLowerCase(), STATUS_KIND[t.status] || ''),
      t.failure ? el('div', { class: 'small' }, t.failure) : null,
      t.delivery ? el('div', { class: 'small muted' }, t.delivery) : null),
    el('td', {}, t.percent == null ? '—' : `${t.percent}%`, el('div', { class: 'small muted' }, size)),
    el('td', {}, time(t.createdAt)),
    el('td', {}, t.status === 'COMPLETED' ? '—' : time(t.expiresAt)));
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
