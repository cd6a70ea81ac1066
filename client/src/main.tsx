// First, before any chunk that builds a schema: zod may not compile code (csp.ts).
import './csp.ts';
import { preconnect } from './net/preconnect.ts';
import { parseRoute } from './router.ts';
import './styles.css';

// The socket's handshake, the hello and the scenario's text travel while boot.tsx (React and the
// screens) downloads: the build names boot's chunks in index.html (scripts/preload-boot.ts), so
// they are fetched and compiled beside this module, not after it has run. Fetched only once this
// module had run, they arrived later and were compiled after the socket's answers were in: the
// console was ready later (A/B in one run, load 30-43: median 3,053 -> 2,249 ms).
preconnect(parseRoute(location.pathname, location.search));
import('./boot.tsx').catch(() => {
  document.getElementById('root')!.textContent = 'Rubicon could not load. Check the connection and reload the page.';
});
