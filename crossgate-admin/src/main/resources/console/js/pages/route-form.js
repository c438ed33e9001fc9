// A route's create / edit form with every field of the Admin API's RouteInput. Validation is the
// server's: its problem response names each bad field and the message is shown next to it.

import { call } from '../api.js';
import { el, field, fieldGroup, notice, reportFailure, clearFieldErrors, time } from '../ui.js';
import { parseRateLimits, rateLimitsField } from './rate-limits.js';
import { flash, sourceOf } from './routes.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
const PARAM_TYPES = ['string', 'integer', 'number', 'boolean'];
const DEFAULT_TIMEOUTS = { connectMs: 5000, responseMs: 30000, idleMs: 60000 };

export async function render(main, ctx) {
  const title = el('h1', {}, ctx.id ? 'Route' : 'New route');
  const status = el('div', { id: 'form-status' });
  main.append(el('p', { class: 'crumbs' }, el('a', { href: '#/routes' }, '← Routes')), title, status);
  let route = {};
  let etag = null;
  if (ctx.id) {
    try {
      const reply = await call('GET', `/admin/routes/${encodeURIComponent(ctx.id)}`);
      route = reply.body;
      etag = reply.etag;
      title.textContent = `${ctx.canWrite ? 'Edit' : 'View'} route ${route.service} ${sourceOf(route)}`;
    } catch (error) {
      notice(status, 'error', error.message);
      return;
    }
  }
  if (!ctx.canWrite) {
    notice(status, 'info', 'You are signed in with a read-only (viewer) token: you can look at this route but not change it.');
  }
  main.append(routeForm(route, etag, ctx, status));
}

function text(name, value, attrs = {}) {
  return el('input', { type: 'text', name, value: value ?? '', spellcheck: 'false', ...attrs });
}

function number(name, value, attrs = {}) {
  return el('input', { type: 'number', name, value: value ?? '', min: '0', step: '1', inputmode: 'numeric', ...attrs });
}

function select(name, options, value) {
  const s = el('select', { name }, options.map(([v, label]) => el('option', { value: v }, label)));
  s.value = value;
  return s;
}

function checkbox(name, label, checked, hint) {
  const input = el('input', { type: 'checkbox', name, id: `route-${name}`, checked: Boolean(checked) });
  return el('div', { class: 'field check', dataset: { field: name, label } },
    el('label', { for: input.id }, input, ' ', label),
    hint ? el('p', { class: 'hint' }, hint) : null,
    el('p', { class: 'field-error', 'aria-live': 'polite' }));
}

function routeForm(route, etag, ctx, status) {
  const timeouts = route.timeouts || DEFAULT_TIMEOUTS;
  const params = el('div', { class: 'param-rows', id: 'param-rows' });
  (route.params || []).forEach((p) => params.append(paramRow(p)));
  const methods = el('div', { class: 'checks' }, METHODS.map((m) => el('label', { class: 'check-inline' },
    el('input', { type: 'checkbox', name: 'methods', value: m, checked: (route.methods || []).includes(m) }), ` ${m}`)));

  const fields = el('fieldset', { class: 'plain', id: 'route-fields', disabled: !ctx.canWrite },
    el('legend', { class: 'visually-hidden' }, 'Route'),
    el('section', { class: 'card form-section' },
      el('h2', {}, 'What callers call'),
      el('div', { class: 'grid' },
        field('service', 'Service *', text('service', route.service, { required: true, id: 'route-service' }),
          'Groups routes, e.g. shop. Letters, digits, . _ -'),
        field('summary', 'Summary', text('summary', route.summary, { id: 'route-summary', maxlength: '200' })),
        field('sourceHost', 'Source host', text('sourceHost', route.sourceHost, { id: 'route-sourceHost',
          placeholder: 'api.example.com or *.example.com' }), 'Empty: any host.'),
        field('sourcePath', 'Source path *', text('sourcePath', route.sourcePath, { required: true, id: 'route-sourcePath',
          placeholder: '/shop' })),
        field('pathMatch', 'Path match', select('pathMatch', [['PREFIX', 'Prefix: the path and everything below it'],
          ['EXACT', 'Exact: this path only']], route.pathMatch || 'PREFIX')),
        field('version', 'Version', text('version', route.version, { id: 'route-version', placeholder: 'v1' }),
          'Selected by /v1/ after the source path or the Accept-Version header.')),
      checkbox('defaultVersion', 'Default version (used when a request names no version)', route.defaultVersion),
      checkbox('versionInPath', 'A path segment that looks like an unregistered version answers 404',
        route.versionInPath !== false),
      fieldGroup('methods', 'Methods', methods, 'None ticked: every method is accepted.')),
    el('section', { class: 'card form-section' },
      el('h2', {}, 'Where requests go'),
      el('div', { class: 'grid' },
        field('targetUrl', 'Target URL', text('targetUrl', route.targetUrl, { id: 'route-targetUrl',
          placeholder: 'http://backend:8080/api', class: 'wide' }),
          'An absolute http(s) URL without query or credentials; or name an upstream pool instead.'),
        field('upstream', 'Upstream pool', text('upstream', route.upstream, { id: 'route-upstream', placeholder: 'orders' }),
          'The id of an upstream (see Upstreams); leave the target URL empty.'),
        field('targetPath', 'Target path', text('targetPath', route.targetPath, { id: 'route-targetPath', placeholder: '/api' }),
          'With an upstream: the path prefix on every target.'),
        field('mode', 'Mode', select('mode', [['SYNC', 'Sync: proxy and stream the answer back'],
          ['ASYNC', 'Async: answer 202 and collect the result later']], route.mode || 'SYNC')),
        field('asyncExecution', 'Async execution', select('asyncExecution', [['CALLBACK', 'Callback: the upstream posts the result'],
          ['HELD', 'Held: the gateway waits for the upstream']], route.asyncExecution || 'CALLBACK'), 'Only used in async mode.'),
        field('auth', 'Caller authentication', select('auth', [['NONE', 'None'], ['KEY', 'Tenant API key or client certificate required'],
          ['MTLS', 'Tenant client certificate required']],
          route.auth || 'NONE')),
        field('flow', 'Flow steps', el('textarea', { name: 'flow', id: 'route-flow', rows: '3', spellcheck: 'false',
          placeholder: 'proxy' }, (route.flow || []).join('\n')), "One per line: 'proxy' or 'ext:<extension id>'. Empty: proxy only.")),
      el('div', { class: 'grid three' },
        field('timeouts.connectMs', 'Connect timeout (ms)', number('connectMs', timeouts.connectMs, { id: 'route-connectMs' })),
        field('timeouts.responseMs', 'Response timeout (ms)', number('responseMs', timeouts.responseMs, { id: 'route-responseMs' })),
        field('timeouts.idleMs', 'Idle timeout (ms)', number('idleMs', timeouts.idleMs, { id: 'route-idleMs' }))),
      el('div', { class: 'grid' },
        field('maxBodyBytes', 'Largest request body (bytes)', number('maxBodyBytes', route.maxBodyBytes, { id: 'route-maxBodyBytes' }),
          'Empty: the gateway default.'),
        rateLimitsField('route-rateLimits', route.rateLimits)),
      checkbox('websocket', 'Allow WebSocket upgrades', route.websocket),
      checkbox('enabled', 'Enabled (served by the gateways)', route.enabled !== false)),
    el('section', { class: 'card form-section' },
      el('h2', {}, 'Declared parameters'),
      el('p', { class: 'muted' }, 'The data interface declaration that agents read to validate calls.'),
      fieldGroup('params', 'Parameters', params),
      el('button', { type: 'button', class: 'button small', id: 'add-param', onclick: () => {
        const row = paramRow({ name: '', type: 'string', required: false });
        params.append(row);
        row.querySelector('input').focus();
      } }, '+ Add parameter')),
    el('section', { class: 'card form-section' },
      field('remarks', 'Remarks', el('textarea', { name: 'remarks', id: 'route-remarks', rows: '3', maxlength: '2000' },
        route.remarks || ''))),
    el('div', { class: 'form-actions' },
      el('button', { type: 'submit', class: 'button primary', id: 'save-route' }, route.id ? 'Save changes' : 'Create route'),
      el('a', { class: 'button link', href: '#/routes' }, 'Cancel')));

  const form = el('form', { id: 'route-form', novalidate: true }, fields,
    route.id ? el('p', { class: 'muted small meta' }, `Created by ${route.createdBy || 'unknown'} `, time(route.createdAt),
      ' · updated ', time(route.updatedAt), ` · revision ${route.revision}`) : null);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    // settings the form does not show (upstream TLS, the client-certificate header, the canary
    // split) are kept
    const body = {
      ...collect(form),
      tls: route.tls,
      forwardClientCertSubject: route.forwardClientCertSubject,
      split: route.split,
      stickyKey: route.stickyKey,
    };
    const save = form.querySelector('#save-route');
    save.disabled = true;
    try {
      if (route.id) {
        await call('PUT', `/admin/routes/${encodeURIComponent(route.id)}`, { body, ifMatch: etag });
        flash(`Route ${body.service} ${body.sourceHost || ''}${body.sourcePath} was saved.`);
      } else {
        await call('POST', '/admin/routes', { body });
        flash(`Route ${body.service} ${body.sourceHost || ''}${body.sourcePath} was created.`);
      }
      ctx.navigate('#/routes');
    } catch (error) {
      reportFailure(form, status, error);
      if (!error.fieldErrors || !error.fieldErrors.length) {
        status.scrollIntoView({ block: 'nearest' });
      }
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function paramRow(param) {
  const row = el('div', { class: 'param-row' });
  const name = el('input', { type: 'text', class: 'param-name', value: param.name || '', 'aria-label': 'Parameter name',
    spellcheck: 'false' });
  const type = select('paramType', PARAM_TYPES.map((t) => [t, t]), param.type || 'string');
  type.setAttribute('aria-label', 'Parameter type');
  type.classList.add('param-type');
  const required = el('input', { type: 'checkbox', class: 'param-required', checked: Boolean(param.required) });
  row.append(name, type, el('label', { class: 'check-inline' }, required, ' required'),
    el('button', { type: 'button', class: 'button small link', 'aria-label': 'Remove parameter',
      onclick: () => row.remove() }, 'Remove'));
  return row;
}

function blank(value) {
  return value === undefined || value === null || String(value).trim() === '';
}

function optional(value) {
  return blank(value) ? undefined : String(value).trim();
}

function collect(form) {
  const f = form.elements;
  const ms = (name) => (blank(f[name].value) ? DEFAULT_TIMEOUTS[name] : Number(f[name].value));
  // the API names errors params[i].name / params[i].type: number the rows as they are now
  const rows = [...form.querySelectorAll('.param-row')];
  rows.forEach((row, i) => {
    row.dataset.field = `params[${i}]`;
    row.dataset.label = `Parameter ${i + 1}`;
    if (!row.querySelector(':scope > .field-error')) {
      row.append(el('p', { class: 'field-error', 'aria-live': 'polite' }));
    }
  });
  return {
    service: optional(f.service.value),
    summary: optional(f.summary.value),
    remarks: optional(f.remarks.value),
    sourceHost: optional(f.sourceHost.value),
    sourcePath: optional(f.sourcePath.value),
    pathMatch: f.pathMatch.value,
    version: optional(f.version.value),
    defaultVersion: f.defaultVersion.checked,
    // stored only when off, as the API does
    versionInPath: f.versionInPath.checked ? undefined : false,
    methods: [...form.querySelectorAll('input[name=methods]:checked')].map((c) => c.value),
    targetUrl: optional(f.targetUrl.value),
    upstream: optional(f.upstream.value),
    targetPath: optional(f.targetPath.value),
    mode: f.mode.value,
    asyncExecution: f.asyncExecution.value,
    params: rows.map((row) => ({
      name: row.querySelector('.param-name').value.trim(),
      type: row.querySelector('.param-type').value,
      required: row.querySelector('.param-required').checked,
    })),
    flow: f.flow.value.split('\n').map((s) => s.trim()).filter(Boolean),
    auth: f.auth.value,
    timeouts: { connectMs: ms('connectMs'), responseMs: ms('responseMs'), idleMs: ms('idleMs') },
    maxBodyBytes: blank(f.maxBodyBytes.value) ? undefined : Number(f.maxBodyBytes.value),
    websocket: f.websocket.checked,
    enabled: f.enabled.checked,
    rateLimits: parseRateLimits(f.rateLimits.value),
  };
}
