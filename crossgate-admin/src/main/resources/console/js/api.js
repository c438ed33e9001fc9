// The Admin API client of the console: one fetch wrapper that adds the session's token and turns
// every failure (RFC 9457 problem, network error) into an ApiError with a message in plain words.

const TOKEN_KEY = 'crossgate.console.token';

/** The token of this browser tab's session (sessionStorage: gone when the tab closes, never in a URL). */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const listeners = { unauthorized: [] };

/** Registers a callback for a 401 on any call (the token was revoked or never valid). */
export function onUnauthorized(callback) {
  listeners.unauthorized.push(callback);
}

/** A failed call: the HTTP status (0 when the server was not reached), the problem, and plain words. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(plainWords(status, problem));
    this.status = status;
    this.problem = problem || {};
    this.fieldErrors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

function plainWords(status, problem) {
  const detail = problem && problem.detail ? ` (${problem.detail})` : '';
  switch (status) {
    case 0:
      return 'The console could not reach the Crossgate server. Check that it is running and try again.';
    case 400:
      return problem && problem.errors && problem.errors.length
        ? 'Some fields need attention; each problem is shown next to its field.'
        : `The request was not accepted${detail}.`;
    case 401:
      return 'Your sign-in is no longer valid (the token was revoked or mistyped). Please sign in again.';
    case 403:
      return 'You are signed in with a read-only (viewer) token, so nothing was changed. '
        + 'Sign in with an admin token to make changes.';
    case 404:
      return `It was not found; someone may have deleted it${detail}.`;
    case 409:
      return `This conflicts with existing configuration${detail}.`;
    case 412:
      return 'Someone else changed this since you opened it. Reload to see the latest version, then make your change again.';
    case 413:
      return 'What you sent is too large for the server to accept.';
    case 503:
      return 'The configuration database is not reachable right now. Try again in a moment.';
    default:
      if (status >= 500) {
        const ref = problem && problem.requestId ? ` Reference: ${problem.requestId}.` : '';
        return `The server ran into a problem and nothing was changed. Try again shortly.${ref}`;
      }
      return `The request was refused${detail}.`;
  }
}

/**
 * Calls the Admin API. Resolves to {body, etag} on success; rejects with an ApiError.
 * @param {string} method HTTP method
 * @param {string} path path under the server root, e.g. /admin/routes
 * @param {{body?: object, query?: object, ifMatch?: string, token?: string}} options
 */
export async function call(method, path, options = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const token = options.token || session.token();
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (options.ifMatch) {
    headers['If-Match'] = options.ifMatch;
  }
  let response;
  try {
    response = await fetch(path + queryString(options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    if (response.status === 401 && !options.token) {
      listeners.unauthorized.forEach((l) => l());
    }
    throw new ApiError(response.status, body);
  }
  return { body, etag: response.headers.get('ETag') };
}

function queryString(query) {
  if (!query) {
    return '';
  }
  const params = new URLSearchParams();
  Object.entries(query).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== '') {
      params.set(k, v);
    }
  });
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const get = (path, query) => call('GET', path, { query }).then((r) => r.body);
export const post = (path, body) => call('POST', path, { body }).then((r) => r.body);
export const del = (path, ifMatch) => call('DELETE', path, { ifMatch });
