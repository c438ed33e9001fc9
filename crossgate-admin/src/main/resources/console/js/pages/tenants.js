// Tenants: the list and a create form; one tenant's page with its settings, its API keys (a new
// key is shown once; keys can be revoked), its token issuers (listed, added, deleted) and its
// extensions.

import { call, del, get, post } from '../api.js';
import {
  badge, clear, clearFieldErrors, confirmDialog, el, emptyState, field, notice, reportFailure, secretShownOnce, table,
  time,
} from '../ui.js';
import { parseRateLimits, policyText, rateLimitsField } from './rate-limits.js';

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
    list.replaceChildren(items.length ? table('Tenants', ['Id', 'Name', 'Status', 'Rate limits', 'Created', 'Updated'],
      items.map((t) => el('tr', {},
        el('td', { class: 'mono' }, el('a', { href: `#/tenants/${encodeURIComponent(t.id)}` }, t.id)),
        el('td', {}, t.name || el('span', { class: 'muted' }, '—')),
        el('td', {}, t.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')),
        el('td', { class: 'small mono' }, (t.rateLimits || []).map(policyText).join(', ')
          || el('span', { class: 'muted' }, 'none')),
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
  const issuers = el('div', { id: 'issuers', 'aria-live': 'polite' });
  const issuersStatus = el('div', { id: 'issuers-status' });
  const reloadIssuers = () => loadIssuers(tenant, issuers, ctx, issuersStatus);
  main.append(
    settingsForm(tenant, ctx, status),
    el('section', { class: 'card', 'aria-labelledby': 'keys-heading' },
      el('h2', { id: 'keys-heading' }, 'API keys'),
      el('p', { class: 'muted' }, 'Callers send a key as X-Api-Key. Only a key\'s first characters are kept for display.'),
      ctx.canWrite ? issueForm(tenant, () => loadKeys(tenant, keys, ctx)) : null,
      keys),
    el('section', { class: 'card', 'aria-labelledby': 'issuers-heading' },
      el('h2', { id: 'issuers-heading' }, 'Token issuers'),
      el('p', { class: 'muted' }, 'A request with Authorization: Bearer <JWT> signed by one of these issuers is this '
        + 'tenant\'s caller on routes with auth JWT or KEY_OR_JWT.'),
      issuersStatus, issuers,
      ctx.canWrite ? issuerForm(tenant, reloadIssuers) : null),
    el('section', { class: 'card', 'aria-labelledby': 'ext-heading' },
      el('h2', { id: 'ext-heading' }, 'Extensions'),
      el('p', { class: 'muted' }, 'Extension apps the tenant registered (PUT /admin/tenants/{id}/extensions/{extId}, '
        + 'with the tenant\'s own key or an admin token). A route\'s flow calls them as ext:<id>.'),
      extensions));
  loadKeys(tenant, keys, ctx);
  reloadIssuers();
  loadExtensions(tenant, extensions);
}

function keySource(issuer) {
  if (issuer.keys && issuer.keys.length) {
    return `${issuer.keys.length} key(s) registered inline`;
  }
  return issuer.discover ? 'discovered from the issuer' : issuer.jwksUrl;
}

async function loadIssuers(tenant, container, ctx, status) {
  const base = `/admin/tenants/${encodeURIComponent(tenant.id)}/issuers`;
  try {
    const { items } = await get(base);
    container.replaceChildren(items.length ? table('Token issuers', ['Name', 'Issuer', 'Keys from', 'Audiences', 'Claims → headers', ''],
      items.map((i) => el('tr', {},
        el('td', { class: 'mono' }, i.name),
        el('td', { class: 'mono' }, i.issuer),
        el('td', { class: 'mono small' }, keySource(i)),
        el('td', {}, i.audiences.join(', ')),
        el('td', { class: 'small' }, Object.entries(i.claimsToHeaders || {}).map(([c, h]) => `${c} → ${h}`).join(', ')
          || el('span', { class: 'muted' }, 'none')),
        el('td', { class: 'row-actions' }, ctx.canWrite ? el('button', { type: 'button', class: 'button small danger',
          'aria-label': `Delete issuer ${i.name}`, onclick: async () => {
            if (!await confirmDialog(`Delete the issuer ${i.name}? Its tokens will be refused.`, 'Delete issuer')) {
              return;
            }
            try {
              await del(`${base}/${encodeURIComponent(i.name)}`);
              notice(status, 'success', `Issuer ${i.name} was deleted.`);
              loadIssuers(tenant, container, ctx, status);
            } catch (error) {
              notice(status, 'error', error.message);
            }
          } }, 'Delete') : null))))
      : emptyState('No token issuers.', 'Callers of this tenant use API keys or client certificates only.'));
  } catch (error) {
    notice(container, 'error', error.message);
  }
}

function issuerForm(tenant, reload) {
  const formStatus = el('div');
  const form = el('form', { class: 'card', id: 'issuer-form', novalidate: true },
    el('h3', {}, 'Add an issuer'), formStatus,
    el('div', { class: 'grid' },
      field('name', 'Name *', el('input', { type: 'text', id: 'issuer-name', spellcheck: 'false', placeholder: 'main' })),
      field('issuer', 'Issuer (iss) *', el('input', { type: 'url', id: 'issuer-url', spellcheck: 'false',
        placeholder: 'https://login.acme.example' })),
      field('audiences', 'Audiences (aud) *', el('input', { type: 'text', id: 'issuer-audiences', placeholder: 'crossgate' }),
        'Comma-separated; a token must name one.'),
      field('jwksUrl', 'Key set URL', el('input', { type: 'url', id: 'issuer-jwks', spellcheck: 'false',
        placeholder: 'https://login.acme.example/.well-known/jwks.json' }),
      'Empty: discovered from the issuer\'s OpenID configuration.'),
      field('claimsToHeaders', 'Claims to headers', el('input', { type: 'text', id: 'issuer-claims', spellcheck: 'false',
        placeholder: 'sub=X-Caller-Sub, email=X-Caller-Email' }), 'claim=Header pairs the upstream receives.')),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Add issuer')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const f = form.elements;
    const claims = {};
    f.claimsToHeaders.value.split(',').map((p) => p.trim()).filter(Boolean).forEach((pair) => {
      const [claim, header] = pair.split('=').map((x) => x.trim());
      claims[claim] = header || '';
    });
    const jwksUrl = f.jwksUrl.value.trim();
    const name = f.name.value.trim();
    try {
      await call('PUT', `/admin/tenants/${encodeURIComponent(tenant.id)}/issuers/${encodeURIComponent(name || '-')}`, {
        body: {
          issuer: f.issuer.value.trim(),
          audiences: f.audiences.value.split(',').map((a) => a.trim()).filter(Boolean),
          jwksUrl: jwksUrl || undefined,
          discover: jwksUrl ? undefined : true,
          claimsToHeaders: claims,
        } });
      form.reset();
      notice(formStatus, 'success', `Issuer ${name} was added.`);
      reload();
    } catch (error) {
      reportFailure(form, formStatus, error);
    }
  });
  return form;
}

function settingsForm(tenant, ctx, status) {
  const form = el('form', { class: 'card', id: 'tenant-settings', novalidate: true },
    el('fieldset', { class: 'plain', disabled: !ctx.canWrite },
      el('legend', { class: 'visually-hidden' }, 'Settings'),
      el('h2', {}, 'Settings'),
      el('div', { class: 'grid' },
        field('id', 'Id', el('input', { type: 'text', name: 'id', value: tenant.id, readonly: true })),
        field('name', 'Name', el('input', { type: 'text', name: 'name', value: tenant.name || '' })),
        rateLimitsField('tenant-rateLimits', tenant.rateLimits)),
      enabledBox(tenant.enabled),
      el('p', { class: 'muted small' }, 'Created ', time(tenant.createdAt), ' · updated ', time(tenant.updatedAt)),
      el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const f = form.elements;
    try {
      await call('PUT', `/admin/tenants/${encodeURIComponent(tenant.id)}`, {
        body: {
          id: tenant.id,
          name: f.name.value.trim() || undefined,
          enabled: f.enabled.checked,
          rateLimits: parseRateLimits(f.rateLimits.value),
        } });
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
      shown.replaceChildren(secretShownOnce(issued.key, 'issued-key', 'API key'));
      reload();
    } catch (error) {
      reportFailure(form, shown, error);
    }
  });
  return el('div', {}, form, shown);
}

async function loadKeys(tenant, container, ctx) {
  const reload = () => loadKeys(tenant, container, ctx);
  try {
    const { items } = await get(`/admin/tenants/${encodeURIComponent(tenant.id)}/keys`);
    container.replaceChildren(items.length ? table('API keys', ['Key starts with', 'Participant', 'Issued', ''],
      items.map((k) => el('tr', {},
        el('td', { class: 'mono' }, `${k.prefix}…`),
        el('td', {}, k.participant || el('span', { class: 'muted' }, '—')),
        el('td', { class: 'small' }, time(k.createdAt)),
        el('td', { class: 'row-actions' }, ctx.canWrite ? el('button', { type: 'button', class: 'button small danger',
          'aria-label': `Revoke key ${k.prefix}`, onclick: () => revokeKey(tenant, k, container, reload) },
        'Revoke') : null))))
      : emptyState('No keys yet.', 'This tenant cannot call routes that require a key until it has one.'));
  } catch (error) {
    notice(container, 'error', error.message);
  }
}

async function revokeKey(tenant, key, container, reload) {
  if (!await confirmDialog(`Revoke the key ${key.prefix}…? Callers using it are refused from the next request on.`,
    'Revoke key')) {
    return;
  }
  try {
    await del(`/admin/tenants/${encodeURIComponent(tenant.id)}/keys/${encodeURIComponent(key.id)}`);
    reload();
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
