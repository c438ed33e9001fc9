// Admin tokens: who may use the Admin API and the console, with which role; issue one (shown
// once), revoke one. Every issue and revoke is in the change log.

import { del, get, post } from '../api.js';
import {
  badge, clear, clearFieldErrors, confirmDialog, el, emptyState, field, notice, reportFailure, secretShownOnce,
  table, time,
} from '../ui.js';

export function render(main, ctx) {
  const status = el('div', { id: 'tokens-status' });
  const list = el('div', { id: 'tokens-list', 'aria-live': 'polite' });
  const reload = () => load(list, status, ctx);
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Admin tokens')),
    el('p', { class: 'lead' }, 'Credentials of the Admin API and this console. An admin reads and writes; '
      + 'a viewer only reads. Only a token\'s hash is kept.'),
    status,
    ctx.canWrite ? issueForm(reload) : null,
    list);
  reload();
}

async function load(list, status, ctx) {
  try {
    const { items } = await get('/admin/tokens');
    list.replaceChildren(items.length ? table('Admin tokens', ['Name', 'Role', 'Id', 'Issued', ''],
      items.map((t) => el('tr', {},
        el('td', {}, t.name),
        el('td', {}, badge(t.role.toLowerCase(), t.role === 'ADMIN' ? 'info' : '')),
        el('td', { class: 'mono small' }, t.id),
        el('td', { class: 'small' }, time(t.createdAt)),
        el('td', { class: 'row-actions' }, ctx.canWrite ? el('button', { type: 'button', class: 'button small danger',
          'aria-label': `Revoke token ${t.name}`, onclick: () => revoke(t, list, status, ctx) }, 'Revoke') : null))))
      : emptyState('No tokens.', 'Issue one below.'));
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

async function revoke(token, list, status, ctx) {
  if (!await confirmDialog(`Revoke the token "${token.name}"? Whoever uses it is refused from the next request on.`,
    'Revoke token')) {
    return;
  }
  try {
    await del(`/admin/tokens/${encodeURIComponent(token.id)}`);
    notice(status, 'success', `The token "${token.name}" was revoked.`);
    load(list, status, ctx);
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function issueForm(reload) {
  const shown = el('div', { id: 'new-token' });
  const name = el('input', { type: 'text', name: 'name', id: 'token-name', placeholder: 'ci-deploy' });
  const role = el('select', { name: 'role', id: 'token-role' },
    el('option', { value: 'VIEWER' }, 'Viewer: reads only'), el('option', { value: 'ADMIN' }, 'Admin: reads and writes'));
  const form = el('form', { class: 'card', id: 'issue-token', novalidate: true },
    el('h2', {}, 'Issue a token'),
    el('div', { class: 'grid' }, field('name', 'Name', name, 'Who or what uses it.'), field('role', 'Role', role)),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Issue token')),
    shown);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clear(shown);
    try {
      const issued = await post('/admin/tokens', { name: name.value.trim(), role: role.value });
      form.reset();
      shown.replaceChildren(secretShownOnce(issued.token, 'issued-token', 'admin token'));
      reload();
    } catch (error) {
      reportFailure(form, shown, error);
    }
  });
  return form;
}
