// Nodes: every gateway node with the configuration it serves (revision, hash, lag, state), the
// resources it rejects with why, its last ACK/NACK and error, its node-sync history, a button to
// resend it a full snapshot, and one to remove a node that is gone (disconnected).

import { call, get } from '../api.js';
import { badge, clear, confirmDialog, el, emptyState, notice, table, time } from '../ui.js';

const REFRESH_MS = 5000;

export function render(main, ctx) {
  const status = el('div', { id: 'nodes-status' });
  const summary = el('p', { class: 'lead', id: 'nodes-summary' }, 'Gateway nodes and the configuration they serve.');
  const list = el('div', { id: 'nodes-list', 'aria-live': 'polite' });
  const refresh = () => load(list, summary, status, ctx);
  ctx = { ...ctx, refresh };
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Nodes'),
      el('button', { type: 'button', class: 'button', id: 'refresh-nodes', onclick: refresh }, 'Refresh')),
    summary, status, list);
  refresh();
  // refreshes itself while the page is shown (stops once another page replaced it), but not
  // while the keyboard focus is in the table or a dialog is open: a redraw would lose the focus
  const timer = setInterval(() => {
    if (!list.isConnected) {
      clearInterval(timer);
    } else if (!list.contains(document.activeElement) && !document.querySelector('dialog[open]')) {
      refresh();
    }
  }, REFRESH_MS);
}

async function load(list, summary, status, ctx) {
  try {
    const state = await get('/admin/nodes');
    summary.replaceChildren('The control plane is at revision ', el('strong', {}, String(state.revision)),
      ', configuration hash ', el('code', { title: state.hash }, short(state.hash)), '. Nodes refresh every few seconds.');
    if (!state.nodes.length) {
      list.replaceChildren(emptyState('No gateway node has connected yet.',
        'Start one with: crossgate gateway --control-plane URL --node-id ID --cluster-token TOKEN'));
      return;
    }
    const open = new Set([...list.querySelectorAll('details[open]')].map((d) => d.dataset.node));
    list.replaceChildren(table('Gateway nodes',
      ['Node', 'Connection', 'Revision', 'Configuration', 'Last result', 'History', ''],
      state.nodes.map((n) => row(n, ctx, status, open.has(n.nodeId)))));
  } catch (error) {
    clear(list);
    notice(status, 'error', error.message);
  }
}

function short(hash) {
  return hash ? hash.slice(0, 12) : '—';
}

function row(node, ctx, status, historyOpen) {
  return el('tr', { dataset: { nodeId: node.nodeId } },
    el('td', {}, el('div', { class: 'mono' }, node.nodeId),
      node.version ? el('div', { class: 'small muted' }, `version ${node.version}`) : null),
    el('td', {}, node.connected ? badge('connected', 'ok') : badge('disconnected', 'off'),
      el('div', { class: 'small muted' }, 'last seen ', time(node.lastSeen))),
    el('td', {}, String(node.appliedRevision),
      el('div', { class: 'small' }, node.lag === 0 ? badge('up to date', 'ok') : badge(`${node.lag} behind`, 'off'))),
    el('td', {}, el('code', { title: node.configHash || '' }, short(node.configHash)),
      el('div', { class: 'small' }, configurationState(node)),
      rejections(node)),
    el('td', {}, lastResult(node)),
    el('td', {}, history(node, historyOpen)),
    el('td', { class: 'row-actions' }, ctx.canWrite ? el('button', { type: 'button', class: 'button small',
      'aria-label': `Resync node ${node.nodeId}`, onclick: () => resync(node, status) }, 'Resync') : null,
    ctx.canWrite && !node.connected ? el('button', { type: 'button', class: 'button small danger',
      'aria-label': `Remove node ${node.nodeId}`, onclick: () => remove(node, status, ctx) }, 'Remove') : null));
}

function configurationState(node) {
  switch (node.state) {
    case 'in-sync': return badge('in sync', 'ok');
    case 'applied-with-rejections': return badge('applied with rejections', 'warn');
    case 'refused': return badge('refused', 'off');
    default:
      return badge(node.expectedHash && node.expectedHash !== node.configHash ? 'hash differs' : 'catching up', 'off');
  }
}

// the resources the node applied but does not serve (its policy refuses them), each with why
function rejections(node) {
  if (!node.rejected || !node.rejected.length) {
    return null;
  }
  return el('ul', { class: 'rejected small' }, node.rejected.map((r) => el('li', {},
    el('span', { class: 'mono' }, `${r.entityType.toLowerCase()} ${r.entityId}`), ': ',
    el('span', { class: 'field-error' }, r.reason))));
}

function lastResult(node) {
  if (!node.lastResult) {
    return el('span', { class: 'muted small' }, 'none yet');
  }
  return el('div', {}, badge(node.lastResult, node.lastResult === 'ACK' ? 'ok' : 'off'),
    node.lastRevision != null ? el('span', { class: 'small muted' }, ` at revision ${node.lastRevision}`) : null,
    node.lastError ? el('div', { class: 'small field-error' }, node.lastError) : null);
}

function history(node, open) {
  const content = el('div', { class: 'small' }, el('span', { class: 'muted' }, 'Loading…'));
  const details = el('details', { dataset: { node: node.nodeId }, open }, el('summary', {}, 'Show'), content);
  const fill = async () => {
    try {
      const { items } = await get(`/admin/nodes/${encodeURIComponent(node.nodeId)}/history`, { limit: 10 });
      content.replaceChildren(items.length ? el('ul', { class: 'history' }, items.map((h) => el('li', {},
        badge(h.result, h.result === 'ACK' ? 'ok' : 'off'), ` revision ${h.revision} · `, time(h.at),
        h.error ? el('div', { class: 'field-error' }, h.error) : null)))
        : el('span', { class: 'muted' }, 'No ACK or NACK recorded yet.'));
    } catch (error) {
      content.replaceChildren(el('span', { class: 'field-error' }, error.message));
    }
  };
  details.addEventListener('toggle', () => details.open && fill());
  if (open) {
    fill();
  }
  return details;
}

async function remove(node, status, ctx) {
  if (!await confirmDialog(`Remove node ${node.nodeId}? Its entry and credential are deleted; `
    + 'the node must enrol again to rejoin.', 'Remove')) {
    return;
  }
  try {
    await call('DELETE', `/admin/nodes/${encodeURIComponent(node.nodeId)}`);
    notice(status, 'success', `Node ${node.nodeId} was removed.`);
    ctx.refresh();
  } catch (error) {
    notice(status, 'error', error.message);
  }
}

async function resync(node, status) {
  if (!await confirmDialog(`Send node ${node.nodeId} a full configuration snapshot? `
    + 'It replaces what the node serves with the control plane\'s current configuration.', 'Resync')) {
    return;
  }
  try {
    await call('POST', `/admin/nodes/${encodeURIComponent(node.nodeId)}/resync`);
    notice(status, 'success', `Node ${node.nodeId} will receive a full snapshot.`);
  } catch (error) {
    notice(status, 'error', error.message);
  }
}
