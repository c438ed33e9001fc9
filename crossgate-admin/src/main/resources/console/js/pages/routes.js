// Routes: the list with search and paging, delete with confirmation, and the "resolve a URL" box.

import { call, del, get } from '../api.js';
import {
  badge, clear, confirmDialog, el, emptyState, field, notice, renderPager, reportFailure, clearFieldErrors, table,
  time,
} from '../ui.js';

const PAGE_SIZE = 20;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];

/** Kept across visits so that returning from a route's form shows the same search and page. */
const state = { search: { q: '', service: '', version: '' }, cursors: [null], flash: null };

/** Shows {@code message} as a success notice the next time the list renders. */
export function flash(message) {
  state.flash = message;
}

export function render(main, ctx) {
  const status = el('div', { id: 'routes-status' });
  const results = el('div', { id: 'routes-results', 'aria-live': 'polite' });
  const pager = el('div', { class: 'pager' });
  main.append(
    el('div', { class: 'page-head' },
      el('h1', {}, 'Routes'),
      ctx.canWrite ? el('a', { class: 'button primary', href: '#/routes/new', id: 'new-route' }, 'New route') : null),
    el('p', { class: 'lead' }, 'Each route maps a source (host, path, version) to a target URL. '
      + 'Changes reach the gateways without restarts.'),
    searchForm(() => {
      state.cursors = [null];
      load(results, pager, status, ctx);
    }),
    status, results, pager,
    resolveBox());
  if (state.flash) {
    notice(status, 'success', state.flash);
    state.flash = null;
  }
  load(results, pager, status, ctx);
}

function searchForm(onSearch) {
  const inputs = {
    q: el('input', { type: 'search', value: state.search.q, id: 'search-q',
      placeholder: 'bulk, /shop, api.example.com' }),
    service: el('input', { type: 'search', value: state.search.service, id: 'search-service' }),
    version: el('input', { type: 'search', value: state.search.version, id: 'search-version', placeholder: 'v1' }),
  };
  const form = el('form', { class: 'search', role: 'search', 'aria-label': 'Search routes' },
    field('q', 'Search (part of a service, host or path)', inputs.q),
    field('service', 'Service (exact)', inputs.service),
    field('version', 'Version (exact)', inputs.version),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'button' }, 'Search'),
      el('button', { type: 'button', class: 'button link', onclick: () => {
        Object.values(inputs).forEach((i) => { i.value = ''; });
        form.requestSubmit();
      } }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.keys(inputs).forEach((k) => { state.search[k] = inputs[k].value.trim(); });
    onSearch();
  });
  return form;
}

async function load(results, pager, status, ctx) {
  const cursor = state.cursors[state.cursors.length - 1];
  results.replaceChildren(el('p', { class: 'muted' }, 'Loading routes…'));
  try {
    // by service, then source path: a stable order a person can scan
    const page = await get('/admin/routes', { ...state.search, sort: 'service', limit: PAGE_SIZE, cursor });
    if (!page.items.length && state.cursors.length > 1) {
      // the last route of a later page was deleted: show the page before it
      state.cursors.pop();
      load(results, pager, status, ctx);
      return;
    }
    results.replaceChildren(page.items.length ? routeTable(page.items, ctx, results, pager, status)
      : noRoutes(ctx));
    renderPager(pager, state.cursors, page.nextCursor, () => load(results, pager, status, ctx));
  } catch (error) {
    clear(results);
    clear(pager);
    notice(status, 'error', error.message);
  }
}

function noRoutes(ctx) {
  const searching = Object.values(state.search).some(Boolean);
  if (searching) {
    return emptyState('No route matches this search.',
      'The search matches part of a service, host or path; service and version must match exactly. '
      + 'Clear the search to see every route.');
  }
  return emptyState('No routes yet.', ctx.canWrite
    ? 'Create the first route to tell the gateway where to send requests.'
    : 'An administrator has not configured any routes yet.',
  ctx.canWrite ? el('a', { class: 'button primary', href: '#/routes/new' }, 'New route') : null);
}

/** "api.example.com/shop" or "/shop" (any host). */
export function sourceOf(route) {
  return `${route.sourceHost || ''}${route.sourcePath}`;
}

function routeTable(routes, ctx, results, pager, status) {
  const rows = routes.map((r) => el('tr', { dataset: { routeId: r.id } },
    el('td', {}, el('a', { href: `#/routes/${encodeURIComponent(r.id)}` }, r.service),
      r.summary ? el('div', { class: 'muted small' }, r.summary) : null),
    el('td', { class: 'mono' }, sourceOf(r), r.pathMatch === 'EXACT' ? badge('exact') : null),
    el('td', {}, r.version || el('span', { class: 'muted' }, 'none'), r.defaultVersion ? badge('default', 'info') : null),
    el('td', { class: 'small' }, r.methods && r.methods.length ? r.methods.join(' ') : el('span', { class: 'muted' }, 'any')),
    el('td', { class: 'mono wrap' }, r.targetUrl),
    el('td', {}, r.mode === 'ASYNC' ? `async (${(r.asyncExecution || 'CALLBACK').toLowerCase()})` : 'sync'),
    el('td', {}, r.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')),
    el('td', { class: 'small' }, time(r.updatedAt)),
    el('td', { class: 'row-actions' },
      el('a', { class: 'button small', href: `#/routes/${encodeURIComponent(r.id)}` }, ctx.canWrite ? 'Edit' : 'View'),
      ctx.canWrite ? el('button', { type: 'button', class: 'button small danger', 'aria-label': `Delete route ${r.service} ${sourceOf(r)}`,
        onclick: () => remove(r, () => load(results, pager, status, ctx), status) }, 'Delete') : null)));
  return table('Routes', ['Service', 'Source', 'Version', 'Methods', 'Target', 'Mode', 'Status', 'Updated', ''], rows);
}

async function remove(route, reload, status) {
  const what = `${route.service} ${sourceOf(route)}${route.version ? ` (${route.version})` : ''}`;
  const yes = await confirmDialog(`Delete the route ${what}? Gateways stop serving it within seconds.`,
    'Delete route');
  if (!yes) {
    return;
  }
  try {
    await del(`/admin/routes/${encodeURIComponent(route.id)}`, `"${route.revision}"`);
    notice(status, 'success', `Route ${what} was deleted.`);
    reload();
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

function resolveBox() {
  const url = el('input', { type: 'text', id: 'resolve-url', placeholder: 'http://api.example.com/shop/v1/items',
    required: true, spellcheck: 'false' });
  const method = el('select', { id: 'resolve-method' }, METHODS.map((m) => el('option', { value: m }, m)));
  const version = el('input', { type: 'text', id: 'resolve-version', placeholder: 'v1' });
  const result = el('div', { id: 'resolve-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'resolve-form', novalidate: true },
    field('url', 'URL', url, 'A full URL or just a path such as /shop/v1/items.'),
    field('method', 'Method', method),
    field('version', 'Accept-Version header', version, 'Optional, as a caller would send it.'),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button primary', id: 'resolve' }, 'Resolve')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clear(result);
    if (!url.value.trim()) {
      reportFailure(form, result, { message: 'Enter a URL to resolve.', fieldErrors: [{ field: 'url', message: 'is required' }] });
      return;
    }
    try {
      const { body } = await call('GET', '/admin/resolve', {
        query: { url: url.value.trim(), method: method.value, version: version.value.trim() } });
      result.replaceChildren(resolution(body, method.value, url.value.trim()));
    } catch (error) {
      reportFailure(form, result, resolveError(error, method.value));
    }
  });
  return el('section', { class: 'card resolve', 'aria-labelledby': 'resolve-heading' },
    el('h2', { id: 'resolve-heading' }, 'Resolve a URL'),
    el('p', { class: 'muted' }, 'See which route, version and target a request would reach, without sending it.'),
    form, result);
}

function resolveError(error, method) {
  const detail = error.problem && error.problem.detail ? ` ${error.problem.detail}.` : '';
  if (error.status === 404) {
    return { message: `No route matches this URL, so the gateway would answer 404.${detail}`, fieldErrors: [] };
  }
  if (error.status === 405) {
    return { message: `A route matches this path but does not accept ${method}.${detail}`, fieldErrors: [] };
  }
  return error;
}

function resolution(body, method, url) {
  const route = body.route;
  return el('div', { class: 'notice notice-success resolution', role: 'status' },
    el('p', {}, el('strong', {}, `${method} ${url}`), ' reaches:'),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Route'), el('dd', {}, el('a', { href: `#/routes/${encodeURIComponent(route.id)}` },
        `${route.service} ${sourceOf(route)}`)),
      el('dt', {}, 'Version'), el('dd', { id: 'resolved-version' }, body.version || 'none (the route has no version)'),
      el('dt', {}, 'Target URL'), el('dd', { class: 'mono', id: 'resolved-target' }, body.targetUrl),
      el('dt', {}, 'Normalized path'), el('dd', { class: 'mono' }, body.normalizedPath)));
}
