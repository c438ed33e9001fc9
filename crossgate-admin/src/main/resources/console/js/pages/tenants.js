// Tenants: the list and a create form; one tenant's page with its settings, its API keys (a new
// key is shown once) and its extensions (not in this version's API).

import { call, get, post } from '../api.js';
import {
  badge, clear, clearFieldErrors, el, emptyState, field, notice, reportFailure, table, time,
} from '../ui.js';

export function render(main, ctx) {
  if (ctx.id) {
    renderTenant(main, ctx);
  } else {
    renderList(main, ctx);
  }
}

function enabledBox(checked) {
  return el('div', { class: 'field check', dataset: { field: 'enabled', label: 'Enabled' } },
    el('label', {}, el('input', { type: 'checkbox', name: 'enabled', checked }), ' Enabled (its keys are accepted)'),
    el('p', { class: 'field-error' }));
}

function renderList(main, ctx) {
  const status = el('div', { id: 'tenants-status' });
  const list = el('div', { 'aria-live': 'polite' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Tenants')),
    el('p', { class: 'lead' }, 'Tenants are the organisations that call the gateway or provide extensions; '
      + 'they authenticate with API keys.'),
    status, list,
    ctx.canWrite ? createForm(ctx) : null);
  get('/admin/tenants').then(({ items }) => {
    list.replaceChildren(items.length ? table('Tenants', ['Id', 'Name', 'Status', 'Created', 'Updated'],
      items.map((t) => el('tr', {},
        el('td', { class: 'mono' }, el('a', { href: `#/tenants/${encodeURIComponent(t.id)}` }, t.id)),
        el('td', {}, t.name || el('span', { class: 'muted' }, '—')),
        el('td', {}, t.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')),
        el('td', { class: 'small' }, time(t.createdAt)),
        el('td', { class: 'small' }, time(t.updatedAt)))))
      : emptyState('No tenants yet.', ctx.canWrite ? 'Add a tenant below, then issue it an API key.'
        : 'An administrator has not added any tenants yet.'));
  }).catch((error) => notice(status, 'error', error.message));
}

function createForm(ctx) {
  const formStatus = el('div');
  const form = el('form', { class: 'card', id: 'tenant-form', novalidate: true },
    el('h2', {}, 'Add a tenant'), formStatus,
    el('div', { class: 'grid' },
      field('id', 'Id *', el('input', { type: 'text', name: 'id', id: 'tenant-id', spellcheck: 'false', placeholder: 'acme' }),
        'Lower-case letters, digits and -; it cannot be changed later.'),
      field('name', 'Name', el('input', { type: 'text', name: 'name', id: 'tenant-name', placeholder: 'Acme Corp.' }))),
    enabledBox(true),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Add tenant')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const f = form.elements;
    try {
      const tenant = await post('/admin/tenants', {
        id: f.id.value.trim(), name: f.name.value.trim() || undefined, enabled: f.enabled.checked });
      ctx.navigate(`#/tenants/${encodeURIComponent(tenant.id)}`);
    } catch (error) {
      reportFailure(form, formStatus, error);
    }
  });
  return form;
}

async function renderTenant(main, ctx) {
  const status = el('div', { id: 'tenant-status' });
  const title = el('h1', {}, `Tenant ${ctx.id}`);
  main.append(el('p', { class: 'crumbs' }, el('a', { href: '#/tenants' }, '← Tenants')), title, status);
  let tenant;
  try {
    tenant = await get(`/admin/tenants/${encodeURIComponent(ctx.id)}`);
  } catch (error) {
    notice(status, 'error', error.message);
    return;
  }
  if (tenant.name) {
    title.textContent = `Tenant ${tenant.name}`;
  }
  const keys = el('div', { id: 'keys', 'aria-live': 'polite' });
  const extensions = el('div', { id: 'extensions' });
  main.append(
    settingsForm(tenant, ctx, status),
    el('section', { class: 'card', 'aria-labelledby': 'keys-heading' },
      el('h2', { id: 'keys-heading' }, 'API keys'),
      el('p', { class: 'muted' }, 'Callers send a key as X-Api-Key. Only a key\'s first characters are kept for display.'),
      ctx.canWrite ? issueForm(tenant, () => loadKeys(tenant, keys)) : null,
      keys),
    el('section', { class: 'card', 'aria-labelledby': 'ext-heading' },
      el('h2', { id: 'ext-heading' }, 'Extensions'),
      el('p', { class: 'muted' }, 'Extension apps the tenant registered (PUT /admin/tenants/{id}/extensions/{extId}, '
        + 'with the tenant\'s own key or an admin token). A route\'s flow calls them as ext:<id>.'),
      extensions));
  loadKeys(tenant, keys);
  loadExtensions(tenant, extensions);
}

function settingsForm(tenant, ctx, status) {
  const form = el('form', { class: 'card', id: 'tenant-settings', novalidate: true },
    el('fieldset', { class: 'plain', disabled: !ctx.canWrite },
      el('legend', { class: 'visually-hidden' }, 'Settings'),
      el('h2', {}, 'Settings'),
      el('div', { class: 'grid' },
        field('id', 'Id', el('input', { type: 'text', name: 'id', value: tenant.id, readonly: true })),
        field('name', 'Name', el('input', { type: 'text', name: 'name', value: tenant.name || '' }))),
      enabledBox(tenant.enabled),
      el('p', { class: 'muted small' }, 'Created ', time(tenant.createdAt), ' · updated ', time(tenant.updatedAt)),
      el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const f = form.elements;
    try {
      await call('PUT', `/admin/tenants/${encodeURIComponent(tenant.id)}`, {
        body: { id: tenant.id, name: f.name.value.trim() || undefined, enabled: f.enabled.checked } });
      notice(status, 'success', 'The tenant was saved.');
    } catch (error) {
      reportFailure(form, status, error);
    }
  });
  return form;
}

function issueForm(tenant, reload) {
  const shown = el('div', { id: 'new-key' });
  const participant = el('input', { type: 'text', name: 'participant', id: 'key-participant',
    placeholder: 'billing-service' });
  const form = el('form', { class: 'inline-form', id: 'issue-key', novalidate: true },
    field('participant', 'Participant (optional)', participant, 'Who in the tenant uses the key.'),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Issue a key')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clear(shown);
    try {
      const issued = await post(`/admin/tenants/${encodeURIComponent(tenant.id)}/keys`,
        participant.value.trim() ? { participant: participant.value.trim() } : {});
      form.reset();
      shown.replaceChildren(shownOnce(issued));
      reload();
    } catch (error) {
      reportFailure(form, shown, error);
    }
  });
  return el('div', {}, form, shown);
}

function shownOnce(issued) {
  const key = el('input', { type: 'text', readonly: true, value: issued.key, id: 'issued-key', class: 'mono wide',
    'aria-label': 'The new API key' });
  const copied = el('span', { class: 'muted small', 'aria-live': 'polite' });
  return el('div', { class: 'notice notice-warning', role: 'status' },
    el('p', {}, el('strong', {}, 'Copy this key now: it is shown only once.'),
      ' Crossgate keeps only its hash, so it cannot show it again.'),
    el('div', { class: 'copy-row' }, key,
      el('button', { type: 'button', class: 'button small', onclick: async () => {
        key.select();
        try {
          await navigator.clipboard.writeText(issued.key);
          copied.textContent = 'Copied.';
        } catch (e) {
          copied.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
        }
      } }, 'Copy'), copied));
}

async function loadKeys(tenant, container) {
  try {
    const { items } = await get(`/admin/tenants/${encodeURIComponent(tenant.id)}/keys`);
    container.replaceChildren(items.length ? table('API keys', ['Key starts with', 'Participant', 'Issued'],
      items.map((k) => el('tr', {},
        el('td', { class: 'mono' }, `${k.prefix}…`),
        el('td', {}, k.participant || el('span', { class: 'muted' }, '—')),
        el('td', { class: 'small' }, time(k.createdAt)))))
      : emptyState('No keys yet.', 'This tenant cannot call routes that require a key until it has one.'));
  } catch (error) {
    notice(container, 'error', error.message);
  }
}

async function loadExtensions(tenant, container) {
  try {
    const { items, circuit } = await get(`/admin/tenants/${encodeURIComponent(tenant.id)}/extensions`);
    if (!items.length) {
      container.replaceChildren(emptyState('No extension registered.',
        'The tenant syncs its extension apps with PUT /admin/tenants/{id}/extensions/{extId}.'));
      return;
    }
    container.replaceChildren(
      circuit && circuit.open ? el('p', { class: 'notice error' }, 'Calls to this tenant are paused: too many failed in a row.') : null,
      table('Extensions', ['Extension', 'Point', 'Endpoint', 'Versions (weight)', 'Failure policy', 'Depends on'],
        items.map((x) => el('tr', {},
          el('td', { class: 'mono' }, x.id),
          el('td', {}, x.point),
          el('td', { class: 'mono' }, x.endpoint
            ? `${x.endpoint} · ${x.protocol} · ${x.connection.toLowerCase()}`
            : 'none — runs on the platform only'),
          el('td', {}, x.versions.map((v) => `${v.version} (${v.weight})${
            v.artifact ? (v.artifact.url ? ' wasm' : ' wasm uploaded') : ''}`).join(', ')),
          el('td', {}, x.failurePolicy),
          el('td', {}, x.dependsOn.length ? x.dependsOn.join(', ') : 'none — may run on the platform')))));
  } catch (error) {
    container.replaceChildren(el('p', { class: 'notice error' }, error.message));
  }
}
