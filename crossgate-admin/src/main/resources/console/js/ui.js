// Small DOM helpers shared by the pages: element building, times in the viewer's timezone,
// notices, empty states, the confirmation dialog and per-field validation messages.

/** Creates an element: el('a', {href: '#'}, 'text', child). Attributes starting with "on" become listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (value === undefined || value === null || value === false) {
      return;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      node.className = value;
    } else if (key === 'checked') {
      node.defaultChecked = true; // so that form.reset() restores it
      node.checked = true;
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key in node && typeof value !== 'string') {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? '' : value);
    }
  });
  children.flat().forEach((child) => {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  });
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

/** An ISO-8601 instant as a <time> element in the viewer's timezone. */
export function time(iso) {
  if (!iso) {
    return el('span', { class: 'muted' }, '—');
  }
  const date = new Date(iso);
  return el('time', { datetime: iso, title: iso }, Number.isNaN(date.getTime()) ? iso : timeFormat.format(date));
}

/** Replaces the content of {@code container} with a notice (kind: info, success, error, warning). */
export function notice(container, kind, ...content) {
  const role = kind === 'error' ? 'alert' : 'status';
  container.replaceChildren(el('div', { class: `notice notice-${kind}`, role }, ...content));
}

export function clear(container) {
  container.replaceChildren();
}

/**
 * Previous / Next buttons of a list paged by the API's nextCursor. {@code cursors} is the stack of
 * the cursors of the pages shown so far (null for the first): the buttons pop or push it, then
 * call {@code reload}.
 */
export function renderPager(pager, cursors, nextCursor, reload) {
  const pageNumber = cursors.length;
  if (pageNumber === 1 && !nextCursor) {
    clear(pager);
    return;
  }
  pager.replaceChildren(
    el('button', { type: 'button', class: 'button', disabled: pageNumber === 1, onclick: () => {
      cursors.pop();
      reload();
    } }, '← Previous'),
    el('span', { class: 'muted' }, `Page ${pageNumber}`),
    el('button', { type: 'button', class: 'button', id: 'next-page', disabled: !nextCursor, onclick: () => {
      cursors.push(nextCursor);
      reload();
    } }, 'Next →'));
}

/** A friendly empty state: a title and a sentence saying what to do. */
export function emptyState(title, text, action) {
  return el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, title), el('p', {}, text), action);
}

/**
 * Asks for confirmation in a modal dialog; resolves true when the user confirms.
 * @param details optional element shown under the question (e.g. what a revert will do)
 */
export function confirmDialog(question, confirmLabel, details) {
  return new Promise((resolve) => {
    const dialog = el('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-question' },
      el('p', { id: 'confirm-question' }, question), details);
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const cancel = el('button', { type: 'button', class: 'button', onclick: () => done(false) }, 'Cancel');
    const confirm = el('button', { type: 'button', class: 'button danger', id: 'confirm-yes',
      onclick: () => done(true) }, confirmLabel);
    dialog.append(el('div', { class: 'actions' }, cancel, confirm));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * A secret the API returns once (an API key, an admin token), selectable and copyable, with the
 * warning that it cannot be shown again.
 */
export function secretShownOnce(value, id, what) {
  const input = el('input', { type: 'text', readonly: true, value, id, class: 'mono wide',
    'aria-label': `The new ${what}` });
  const copied = el('span', { class: 'muted small', 'aria-live': 'polite' });
  return el('div', { class: 'notice notice-warning', role: 'status' },
    el('p', {}, el('strong', {}, `Copy this ${what} now: it is shown only once.`),
      ' Crossgate keeps only its hash, so it cannot show it again.'),
    el('div', { class: 'copy-row' }, input,
      el('button', { type: 'button', class: 'button small', onclick: async () => {
        input.select();
        try {
          await navigator.clipboard.writeText(value);
          copied.textContent = 'Copied.';
        } catch (e) {
          copied.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
        }
      } }, 'Copy'), copied));
}

let fieldCounter = 0;

/**
 * A labelled form field. {@code name} is the API's field name (e.g. "timeouts.connectMs"): the
 * validation messages of the API's problem response are shown next to the field of that name.
 */
export function field(name, label, input, hint) {
  fieldCounter += 1;
  const id = input.id || `f-${fieldCounter}`;
  input.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  if (!input.name) {
    input.name = name;
  }
  return el('div', { class: 'field', dataset: { field: name, label } },
    el('label', { for: id }, label),
    input,
    hint ? el('p', { class: 'hint', id: hintId }, hint) : null,
    el('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }));
}

/** A group of inputs (checkboxes, rows) with one legend and one error line. */
export function fieldGroup(name, legend, content, hint) {
  return el('fieldset', { class: 'field group', dataset: { field: name, label: legend } },
    el('legend', {}, legend),
    content,
    hint ? el('p', { class: 'hint' }, hint) : null,
    el('p', { class: 'field-error', 'aria-live': 'polite' }));
}

export function clearFieldErrors(form) {
  form.querySelectorAll('.field.invalid').forEach((f) => f.classList.remove('invalid'));
  form.querySelectorAll('.field-error').forEach((e) => e.replaceChildren());
  form.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
}

/** "params[0].name" → ["params[0].name", "params[0]", "params"]: the field itself, then its containers. */
function candidates(name) {
  const out = [name];
  let rest = name;
  while (/(\.[^.[\]]+|\[\d+\])$/.test(rest)) {
    rest = rest.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
    out.push(rest);
  }
  return out;
}

/**
 * Shows each {field, message} of a validation problem next to its field and returns the errors
 * that match no field (to be shown in the form's summary). Focuses the first invalid field.
 */
export function showFieldErrors(form, errors) {
  clearFieldErrors(form);
  const unmatched = [];
  let first = null;
  errors.forEach((error) => {
    const wrapper = candidates(error.field || '')
      .map((c) => form.querySelector(`[data-field="${CSS.escape(c)}"]`))
      .find(Boolean);
    if (!wrapper) {
      unmatched.push(error);
      return;
    }
    wrapper.classList.add('invalid');
    const line = wrapper.querySelector(':scope > .field-error');
    const prefix = wrapper.dataset.field === error.field ? '' : `${error.field}: `;
    line.append(el('span', {}, `${prefix}${error.message}`));
    wrapper.querySelectorAll('input, select, textarea').forEach((i) => i.setAttribute('aria-invalid', 'true'));
    first = first || wrapper.querySelector('input, select, textarea');
  });
  if (first) {
    first.focus();
  }
  return unmatched;
}

/** The label of the field an API error names, for summaries ("Target URL"). */
export function labelOf(form, fieldName) {
  const wrapper = candidates(fieldName)
    .map((c) => form.querySelector(`[data-field="${CSS.escape(c)}"]`))
    .find(Boolean);
  return wrapper ? wrapper.dataset.label : fieldName;
}

/**
 * Reports a failed save: field messages next to their fields, and a summary at the top of the
 * form with the plain-words message and any error that belongs to no field.
 */
export function reportFailure(form, summary, error) {
  const unmatched = showFieldErrors(form, error.fieldErrors || []);
  const extra = unmatched.length
    ? el('ul', {}, unmatched.map((e) => el('li', {}, `${labelOf(form, e.field)}: ${e.message}`)))
    : null;
  notice(summary, 'error', el('p', {}, error.message), extra);
}

/**
 * A table with a header row; rows are built by the caller. Each cell is labelled with its column
 * (data-label) so that a narrow window can show every row as a card.
 */
export function table(caption, headers, rows) {
  rows.forEach((row) => [...row.children].forEach((cell, i) => { cell.dataset.label = headers[i] || ''; }));
  return el('div', { class: 'table-wrap' }, el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows)));
}

/** A status badge (e.g. enabled / disabled). */
export function badge(text, kind = '') {
  return el('span', { class: `badge ${kind}` }, text);
}
