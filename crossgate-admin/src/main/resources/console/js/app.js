// The console's shell: sign-in, the navigation, and a hash router that renders one page module
// into <main>. The token lives in sessionStorage only; the URL carries nothing but the page.

import { call, onUnauthorized, session } from './api.js';
import { el, notice } from './ui.js';
import * as routesPage from './pages/routes.js';
import * as routeForm from './pages/route-form.js';
import * as filtersPage from './pages/filters.js';
import * as tenantsPage from './pages/tenants.js';
import * as changesPage from './pages/changes.js';
import * as nodesPage from './pages/nodes.js';
import * as transfersPage from './pages/transfers.js';
import * as tasksPage from './pages/tasks.js';
import * as upstreamsPage from './pages/upstreams.js';
import * as tokensPage from './pages/tokens.js';
import * as trafficPage from './pages/traffic.js';

/** The navigation; each entry is a page. */
const SECTIONS = [
  { group: 'Configuration', items: [
    { path: 'routes', label: 'Routes' },
    { path: 'upstreams', label: 'Upstreams' },
    { path: 'filters', label: 'Filters' },
    { path: 'tenants', label: 'Tenants' },
    { path: 'tokens', label: 'Admin tokens' },
    { path: 'changes', label: 'Change log' },
  ] },
  { group: 'Data plane', items: [
    { path: 'traffic', label: 'Traffic' },
    { path: 'nodes', label: 'Nodes' },
    { path: 'tasks', label: 'Tasks' },
    { path: 'transfers', label: 'Transfers' },
  ] },
];

/** Hash path → page: "#/routes/abc" → routeForm with id "abc". */
function pageFor(parts) {
  const [section, id] = parts;
  switch (section) {
    case 'routes':
      return id ? { module: routeForm, params: { id: id === 'new' ? null : decodeURIComponent(id) } }
        : { module: routesPage, params: {} };
    case 'upstreams':
      return { module: upstreamsPage, params: {} };
    case 'filters':
      return { module: filtersPage, params: {} };
    case 'tenants':
      return { module: tenantsPage, params: { id: id ? decodeURIComponent(id) : null } };
    case 'tokens':
      return { module: tokensPage, params: {} };
    case 'changes':
      return { module: changesPage, params: {} };
    case 'traffic':
      return { module: trafficPage, params: {} };
    case 'nodes':
      return { module: nodesPage, params: {} };
    case 'transfers':
      return { module: transfersPage, params: {} };
    case 'tasks':
      return { module: tasksPage, params: {} };
    default:
      return null;
  }
}

const main = () => document.getElementById('main');
let user = null;

function navigate(hash) {
  if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.hidden = false;
  nav.replaceChildren(...SECTIONS.map((section) => el('div', { class: 'nav-group' },
    el('p', { class: 'nav-heading' }, section.group),
    el('ul', {}, section.items.map((item) => el('li', {},
      el('a', {
        href: `#/${item.path}`,
        class: item.path === current ? 'active' : '',
        'aria-current': item.path === current ? 'page' : null,
      }, item.label)))))));
}

function renderWho() {
  const who = document.getElementById('who');
  if (!user) {
    who.replaceChildren();
    return;
  }
  const role = user.role === 'ADMIN' ? 'admin' : 'viewer · read-only';
  who.replaceChildren(
    el('span', { class: 'who-name', id: 'who-name' }, user.name, el('span', { class: `role role-${user.role.toLowerCase()}` }, role)),
    el('button', { type: 'button', class: 'button small', id: 'sign-out', onclick: signOut }, 'Sign out'));
}

function render() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const page = pageFor(parts.length ? parts : ['routes']);
  const target = main();
  renderNav(parts[0] || 'routes');
  if (!page) {
    target.replaceChildren(el('h1', {}, 'Page not found'),
      el('p', {}, 'There is no such page. ', el('a', { href: '#/routes' }, 'Go to Routes')));
    return;
  }
  target.replaceChildren();
  page.module.render(target, { ...page.params, canWrite: user.role === 'ADMIN', navigate });
}

function renderSignIn(message) {
  user = null;
  renderWho();
  document.getElementById('nav').hidden = true;
  const status = el('div', { id: 'sign-in-status' });
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, 'aria-describedby': 'token-hint' });
  const form = el('form', { class: 'card sign-in', id: 'sign-in', novalidate: true },
    el('h1', {}, 'Sign in to Crossgate'),
    status,
    el('div', { class: 'field' },
      el('label', { for: 'token' }, 'Admin or viewer token'),
      input,
      el('p', { class: 'hint', id: 'token-hint' },
        'The token printed when Crossgate first started, or one issued with POST /admin/tokens. '
        + 'It is kept only in this browser tab and forgotten when you close it.')),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button primary' }, 'Sign in')));
  if (message) {
    notice(status, 'info', message);
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      notice(status, 'error', 'Enter a token to sign in.');
      input.focus();
      return;
    }
    try {
      const { body } = await call('GET', '/admin/whoami', { token });
      session.save(token);
      user = body;
      start();
    } catch (error) {
      notice(status, 'error', error.status === 401
        ? 'This token was not accepted. Check that you copied all of it, or ask for a new one.'
        : error.message);
      input.focus();
    }
  });
  main().replaceChildren(form);
  input.focus();
}

function signOut() {
  session.clear();
  renderSignIn('You are signed out.');
}

function start() {
  renderWho();
  render();
}

async function boot() {
  onUnauthorized(() => {
    session.clear();
    renderSignIn('Your sign-in is no longer valid (the token was revoked or mistyped). Please sign in again.');
  });
  window.addEventListener('hashchange', () => {
    if (user) {
      render();
    }
  });
  if (!session.token()) {
    renderSignIn();
    return;
  }
  try {
    const { body } = await call('GET', '/admin/whoami');
    user = body;
    start();
  } catch (error) {
    if (error.status !== 401) {
      renderSignIn(error.message);
    }
  }
}

boot();
