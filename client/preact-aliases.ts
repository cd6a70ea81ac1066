import type { Alias } from 'vite';

/**
 * The client is written against React's API and types, and ships Preact through
 * its compat layer: the console's boot chunk, which held React DOM, went from
 * 316 to 100 KB before compression (85 to 29 KB on the wire), and the
 * console's first load on a slow phone link is mostly those bytes
 * (docs/performance/delivery-log.md, "Preact instead of React DOM"). The build
 * and the client's unit tests both take these aliases, so the tests render with
 * the library that ships. Exact matches only: `react-dom/client` must not
 * become `preact/compat/client` by way of a prefix rule for `react-dom`.
 */
export const preactAliases: Alias[] = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/server$/, replacement: 'preact/compat/server' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/compat/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/compat/jsx-dev-runtime' },
];
