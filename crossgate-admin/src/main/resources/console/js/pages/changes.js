// Change log: every change with its revision, time, actor and the entity before and after it,
// newest first. Revisions are gap-free, so a page is "the PAGE_SIZE revisions before N".
// "Revert to here" previews a revert (a dry run), then confirms it with the dry run's ETag as
// If-Match, so that exactly the previewed plan is applied or nothing is.

import { call, get } from '../api.js';
import { badge, clear, confirmDialog, el, emptyState, notice, table, time } from '../ui.js';

const PAGE_SIZE = 50;
const OPS = { INSERT: ['created', 'ok'], UPDATE: ['changed', 'info'], DELETE: ['deleted', 'off'] };
const ENTITIES = {
  ROUTE: 'route', FILTER: 'filter rule', TENANT: 'tenant', API_KEY: 'API key', EXTENSION: 'extension',
  CLIENT_CERT: 'client certificate', ISSUER: 'token issuer', ADMIN_TOKEN: 'admin token',
};
const UNDO = { INSERT: 'recreated', UPDATE: 'changed back', DELETE: 'removed' };

export function render(main, ctx = {}) {
  const status = el('div', { id: 'changes-status' });
  const list = el('div', { 'aria-live': 'polite' });
  const pager = el('div', { class: 'pager' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Change log')),
    el('p', { class: 'lead' }, 'Every change, newest first, with what it was before and after. Gateways apply them in this order.'
      + (ctx.canWrite ? ' "Revert to here" brings the configuration back to a revision, as new changes.' : '')),
    status, list, pager);
  const view = { list, pager, status, canWrite: !!ctx.canWrite };
  view.reload = (upTo) => load(upTo, view);
  view.reload(null);
}

/** @param upTo the newest revision to show, or null for the latest */
async function load(upTo, view) {
  const { list, pager, status } = view;
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
    const headers = ['Revision', 'When', 'Who', 'What', 'Before', 'After'];
    if (view.canWrite) {
      headers.push('Revert');
    }
    list.replaceChildren(table('Changes', headers,
      items.map((c) => row(c, view, c.revision === page.latestRevision))));
    pager.replaceChildren(
      el('button', { type: 'button', class: 'button', disabled: newest >= page.latestRevision,
        onclick: () => view.reload(Math.min(page.latestRevision, newest + PAGE_SIZE)) }, '← Newer'),
      el('span', { class: 'muted' }, `Revisions ${after + 1}–${newest} of ${page.latestRevision}`),
      el('button', { type: 'button', class: 'button', disabled: after === 0,
        onclick: () => view.reload(after) }, 'Older →'));
  } catch (error) {
    clear(list);
    notice(status, 'error', error.message);
  }
}

function row(change, view, latest) {
  const [verb, kind] = OPS[change.op] || [change.op.toLowerCase(), ''];
  return el('tr', { dataset: { revision: String(change.revision) } },
    el('td', { class: 'mono' }, String(change.revision)),
    el('td', { class: 'small' }, time(change.at)),
    el('td', {}, change.actor),
    el('td', {}, `${ENTITIES[change.entityType] || change.entityType} `, badge(verb, kind),
      el('div', { class: 'mono small muted' }, describe(change))),
    el('td', {}, image(change.before)),
    el('td', {}, image(change.after)),
    view.canWrite
      ? el('td', {}, latest ? el('span', { class: 'muted small' }, 'current')
        : el('button', { type: 'button', class: 'button small', 'aria-label': `Revert to revision ${change.revision}`,
          onclick: () => revertTo(change.revision, view) }, 'Revert to here'))
      : null);
}

function image(body) {
  return body
    ? el('details', {}, el('summary', {}, 'Show'), el('pre', { class: 'json' }, JSON.stringify(body, null, 2)))
    : el('span', { class: 'muted small' }, '—');
}

function describe(change) {
  const b = change.after || change.before;
  if (change.entityType === 'ROUTE' && b) {
    return `${b.service} ${b.sourceHost || ''}${b.sourcePath}${b.version ? ` ${b.version}` : ''} → ${b.targetUrl}`;
  }
  if (change.entityType === 'ADMIN_TOKEN' && b) {
    return `${b.name} (${b.role.toLowerCase()})`;
  }
  return change.entityId;
}

/** Previews the revert to {@code revision} (dry run), asks, then applies exactly that plan. */
async function revertTo(revision, view) {
  const { status } = view;
  let preview;
  try {
    preview = await call('POST', '/admin/changes/revert', { body: { toRevision: revision, dryRun: true } });
  } catch (error) {
    notice(status, 'error', refusal(error, revision));
    return;
  }
  const plan = preview.body;
  if (!plan.changes.length) {
    notice(status, 'info', `The configuration is as it was at revision ${revision}: nothing to revert.`);
    return;
  }
  const details = el('div', { id: 'revert-plan' },
    el('ul', { class: 'plan' }, plan.changes.map((c) =>
      el('li', {}, `${ENTITIES[c.entityType] || c.entityType} `, el('span', { class: 'mono' }, describe(c)),
        ` ${UNDO[c.op] || c.op.toLowerCase()}`))),
    plan.skipped.length
      ? el('p', { class: 'small muted' }, `Left as they are: ${plan.skipped.map((s) =>
        `${ENTITIES[s.entityType] || s.entityType} ${s.entityId}`).join(', ')} (not configuration).`)
      : null);
  const question = `Revert the configuration to revision ${revision}? `
    + `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} will be written as new revisions `
    + `after ${plan.fromRevision}; gateways apply them within seconds.`;
  if (!await confirmDialog(question, 'Revert', details)) {
    return;
  }
  try {
    const done = await call('POST', '/admin/changes/revert', { body: { toRevision: revision }, ifMatch: preview.etag });
    const written = done.body.changes.map((c) => c.revision);
    notice(status, 'success', `Reverted to revision ${revision}: ${written.length} change`
      + `${written.length === 1 ? '' : 's'} written as revisions ${written[0]}–${written[written.length - 1]}.`);
    view.reload(null);
  } catch (error) {
    notice(status, 'error', refusal(error, revision));
  }
}

/** Plain words for a refused revert; a 409 lists every entity that stands in the way. */
function refusal(error, revision) {
  if (error.status === 409 && Array.isArray(error.problem.refused)) {
    return el('div', {},
      el('p', {}, `The configuration cannot be reverted to revision ${revision} cleanly, so nothing was changed:`),
      el('ul', { id: 'revert-refused' }, error.problem.refused.map((r) =>
        el('li', {}, `${ENTITIES[r.entityType] || r.entityType} `, el('span', { class: 'mono' }, r.entityId), `: ${r.reason}`))));
  }
  if (error.status === 412) {
    return 'The configuration changed while you were looking at the preview; nothing was reverted. Try again to see the new plan.';
  }
  return error.message;
}
