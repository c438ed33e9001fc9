// Rate-limit policies (RateLimit in the Admin API) as the route and tenant forms edit them: one
// policy a line, "SCOPE LIMIT WINDOW [BURST]", e.g. "TENANT 100 1s 20". Validation is the server's.

import { el, field } from '../ui.js';

const HINT = 'One policy a line: scope limit window [burst], e.g. TENANT 100 1s 20. Scopes TENANT, ROUTE, '
  + 'CALLER, CLIENT_IP; windows 1s, 1m, 1h; burst defaults to the limit.';

/** A policy as its line: "TENANT 100 1s 20" (the burst left out when it is the limit). */
export function policyText(p) {
  return `${p.scope} ${p.limit} ${p.window}${p.burst && p.burst !== p.limit ? ` ${p.burst}` : ''}`;
}

/** The form field for a list of policies. */
export function rateLimitsField(id, limits) {
  return field('rateLimits', 'Rate limits', el('textarea', { name: 'rateLimits', id, rows: '2', spellcheck: 'false',
    placeholder: 'TENANT 100 1s 20' }, (limits || []).map(policyText).join('\n')), HINT);
}

/** The policies the field's text describes; a word that is not a number is sent as typed, for the server to name. */
export function parseRateLimits(text) {
  const number = (word) => (word !== undefined && /^\d+$/.test(word) ? Number(word) : word);
  const policies = text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [scope, limit, window, burst] = line.split(/\s+/);
    return { scope, limit: number(limit), window, burst: number(burst) };
  });
  return policies.length ? policies : undefined;
}
