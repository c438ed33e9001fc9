// Pages whose Admin API is not part of this version: they say so instead of showing anything made up.

import { el, emptyState } from '../ui.js';

const PAGES = {
  tasks: ['Tasks', 'Asynchronous tasks with their status, owner, age and size.'],
};

export function render(main, ctx) {
  const [title, what] = PAGES[ctx.section];
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, title)),
    emptyState('Not available yet in this version.',
      `This page will show: ${what[0].toLowerCase()}${what.slice(1)} It appears once this Crossgate version's Admin API offers it.`));
}
