// Change log: every configuration change with its revision, time, actor and the entity after it,
// newest first. Revisions are gap-free, so a page is "the PAGE_SIZE revisions before N".

import { get } from '../api.js';
import { badge, clear, el, emptyState, notice, table, time } from '../ui.js';

const PAGE_SIZE = 50;
const OPS = { INSERT: ['created', 'ok'], UPDATE: ['changed', 'info'], DELETE: ['deleted', 'off'] };
const ENTITIES = { ROUTE: 'route', FILTER: 'filter rule', TENANT: 'tenant', API_KEY: 'API key', EXTENSION: 'extension' };

export function render(main) {
  const status = el('div', { id: 'changes-status' });
  const list = el('div', { 'aria-live': 'polite' });
  const pager = el('div', { class: 'pager' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Change log')),
    el('p', { class: 'lead' }, 'Every change to the configuration, newest first. Gateways apply them in this order.'),
    status, list, pager);
  load(null, list, pager, status);
}

/** @param upTo the newest revision to show, or null for the latest */
async function load(upTo, list, pager, status) {
  try {
    const newest = upTo ?? (await get('/admin/changes', { limit: 1 })).latestRevision;
    const after = Math.max(0, newest - PAGE_SIZE);
    const page = await get('/admin/changes', { after, limit: PAGE_SIZE });
    const items = page.items.filter((c) => c.revision <= newest).reverse();
    if (!items.length) {
      list.replaceChildren(emptyState('No changes yet.', 'Creating a route, filter rule or tenant records a change here.'));
      clear(pager);
      return;
    }
    list.replaceChildren(table('Changes', ['Revision', 'When', 'Who', 'What', 'Details'], items.map(row)));
    pager.replaceChildren(
      el('button', { type: 'button', class: 'button', disabled: newest >= page.latestRevision,
        onclick: () => load(Math.min(page.latestRevision, newest + PAGE_SIZE), list, pager, status) }, '← Newer'),
      el('span', { class: 'muted' }, `Revisions ${after + 1}–${newest} of ${page.latestRevision}`),
      el('button', { type: 'button', class: 'button', disabled: after === 0,
        onclick: () => load(after, list, pager, status) }, 'Older →'));
  } catch (error) {
    clear(list);
    notice(status, 'error', error.message);
  }
}

function row(change) {
  const [verb, kind] = OPS[change.op] || [change.op.toLowerCase(), ''];
  return el('tr', {},
    el('td', { class: 'mono' }, String(change.revision)),
    el('td', { class: 'small' }, time(change.at)),
    el('td', {}, change.actor),
    el('td', {}, `${ENTITIES[change.entityType] || change.entityType} `, badge(verb, kind),
      el('div', { class: 'mono small muted' }, describe(change))),
    el('td', {}, change.body
      ? el('details', {}, el('summary', {}, 'Show'), el('pre', { class: 'json' }, JSON.stringify(change.body, null, 2)))
      : el('span', { class: 'muted small' }, '—')));
}

function describe(change) {
  const b = change.body;
  if (change.entityType === 'ROUTE' && b) {
    return `${b.service} ${b.sourceHost || ''}${b.sourcePath}${b.version ? ` ${b.version}` : ''} → ${b.targetUrl}`;
  }
  return change.entityId;
}
