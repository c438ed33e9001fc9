// Filters: the filter table in evaluation order (with each rule's scope), a form to add a rule, delete
// with confirmation.

import { call, del, get } from '../api.js';
import {
  badge, clear, clearFieldErrors, confirmDialog, el, emptyState, field, notice, reportFailure, table, time,
} from '../ui.js';

const KINDS = [
  ['IP', 'Client IP address or CIDR block', '203.0.113.0/24'],
  ['PATH_PREFIX', 'Path prefix', '/internal'],
  ['PATH_REGEX', 'Path regular expression', '.*\\.php$'],
  ['METHOD', 'HTTP method', 'TRACE'],
  ['HEADER', 'Header value (regular expression)', 'sqlmap'],
  ['USER_AGENT', 'User-Agent (regular expression)', 'BadBot'],
  ['BODY_SIZE', 'Largest body in bytes', '10485760'],
];

const SCOPES = [
  ['GLOBAL', 'Every request (built-in endpoints included)', ''],
  ['SERVICE', 'Routes of one service', 'uploads'],
  ['ROUTE', 'One route', 'rt_...'],
  ['ENDPOINT', 'A built-in endpoint', '/_transfers'],
];

/** Where a rule applies, in words: "every request", "service uploads"... */
function scopeText(rule) {
  switch (rule.scope) {
    case 'SERVICE': return `service ${rule.target}`;
    case 'ROUTE': return `route ${rule.target}`;
    case 'ENDPOINT': return `endpoint ${rule.target}`;
    default: return 'every request';
  }
}

export function render(main, ctx) {
  const status = el('div', { id: 'filters-status' });
  const list = el('div', { 'aria-live': 'polite' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Filters')),
    el('p', { class: 'lead' }, 'Requests matching an enabled rule are refused, checked in the order '
      + 'listed: global and endpoint rules before routing, then service and route rules once the route '
      + 'is known; each group in priority order (lowest first).'),
    status, list,
    ctx.canWrite ? addForm(status, () => load(list, status, ctx)) : null);
  load(list, status, ctx);
}

async function load(list, status, ctx) {
  try {
    const { items } = await get('/admin/filters');
    list.replaceChildren(items.length ? rulesTable(items, ctx, () => load(list, status, ctx), status)
      : emptyState('No filter rules.', 'Every request goes on to routing.'));
  } catch (error) {
    clear(list);
    notice(status, 'error', error.message);
  }
}

function rulesTable(rules, ctx, reload, status) {
  const kindLabel = Object.fromEntries(KINDS.map(([k, label]) => [k, label]));
  return table('Filter rules', ['Priority', 'Name', 'Applies to', 'Matches', 'Answer', 'Status', 'Added', ''], rules.map((r) => el('tr', {},
    el('td', {}, String(r.priority)),
    el('td', {}, r.name || el('span', { class: 'muted' }, 'unnamed')),
    el('td', { class: 'small' }, scopeText(r)),
    el('td', {}, el('div', { class: 'small muted' }, kindLabel[r.kind] || r.kind, r.header ? ` · ${r.header}` : ''),
      el('div', { class: 'mono' }, r.value)),
    el('td', {}, String(r.status), r.message ? el('div', { class: 'small muted' }, r.message) : null),
    el('td', {}, r.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')),
    el('td', { class: 'small' }, time(r.createdAt), r.createdBy ? el('div', { class: 'muted' }, `by ${r.createdBy}`) : null),
    el('td', { class: 'row-actions' }, ctx.canWrite ? el('button', { type: 'button', class: 'button small danger',
      'aria-label': `Delete filter ${r.name || r.value}`, onclick: () => remove(r, reload, status) }, 'Delete') : null))));
}

async function remove(rule, reload, status) {
  const what = rule.name ? `"${rule.name}"` : `${rule.kind} ${rule.value}`;
  if (!await confirmDialog(`Delete the filter rule ${what}? Requests it refused will be let through.`, 'Delete rule')) {
    return;
  }
  try {
    await del(`/admin/filters/${encodeURIComponent(rule.id)}`);
    notice(status, 'success', `Filter rule ${what} was deleted.`);
    reload();
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function addForm(status, reload) {
  const formStatus = el('div');
  const kind = el('select', { name: 'kind', id: 'filter-kind' }, KINDS.map(([k, label]) => el('option', { value: k }, label)));
  const value = el('input', { type: 'text', name: 'value', id: 'filter-value', spellcheck: 'false' });
  const header = el('input', { type: 'text', name: 'header', id: 'filter-header', placeholder: 'X-Scanner' });
  const scope = el('select', { name: 'scope', id: 'filter-scope' }, SCOPES.map(([k, label]) => el('option', { value: k }, label)));
  const target = el('input', { type: 'text', name: 'target', id: 'filter-target', spellcheck: 'false' });
  const showTarget = () => {
    target.placeholder = SCOPES.find(([k]) => k === scope.value)[2];
    target.disabled = scope.value === 'GLOBAL';
  };
  scope.addEventListener('change', showTarget);
  showTarget();
  const showExample = () => { value.placeholder = KINDS.find(([k]) => k === kind.value)[2]; };
  kind.addEventListener('change', showExample);
  showExample();
  const form = el('form', { class: 'card', id: 'filter-form', novalidate: true },
    el('h2', {}, 'Add a rule'), formStatus,
    el('div', { class: 'grid' },
      field('name', 'Name', el('input', { type: 'text', name: 'name', id: 'filter-name', maxlength: '128' })),
      field('kind', 'Match on', kind),
      field('value', 'Value *', value),
      field('header', 'Header name', header, 'Only for header rules.'),
      field('scope', 'Applies to', scope),
      field('target', 'Service, route or endpoint', target,
        'A service name, a route id, or /_transfers, /_tus, /_tasks.'),
      field('priority', 'Priority', el('input', { type: 'number', name: 'priority', id: 'filter-priority', placeholder: '100' }),
        'Lower runs first. Empty: 100.'),
      field('status', 'Answer status', el('input', { type: 'number', name: 'status', id: 'filter-status', placeholder: '403' }),
        'Empty: 403 (413 for body size).'),
      field('message', 'Message to the caller', el('input', { type: 'text', name: 'message', id: 'filter-message', maxlength: '500' }))),
    el('div', { class: 'field check', dataset: { field: 'enabled', label: 'Enabled' } },
      el('label', {}, el('input', { type: 'checkbox', name: 'enabled', checked: true }), ' Enabled'),
      el('p', { class: 'field-error' })),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Add rule')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clear(formStatus);
    const f = form.elements;
    const int = (v) => (v.trim() === '' ? undefined : Number(v));
    const body = {
      name: f.name.value.trim() || undefined,
      kind: f.kind.value,
      value: f.value.value.trim(),
      header: f.header.value.trim() || undefined,
      scope: f.scope.value,
      target: f.scope.value === 'GLOBAL' ? undefined : f.target.value.trim(),
      priority: int(f.priority.value),
      status: int(f.status.value),
      message: f.message.value.trim() || undefined,
      enabled: f.enabled.checked,
    };
    try {
      await call('POST', '/admin/filters', { body });
      form.reset();
      showExample();
      showTarget();
      clear(status);
      notice(formStatus, 'success', 'The filter rule was added.');
      reload();
    } catch (error) {
      reportFailure(form, formStatus, error);
    }
  });
  return form;
}
