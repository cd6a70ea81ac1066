import { preconnect } from './net/preconnect.ts';
import { parseRoute } from './router.ts';
import './styles.css';
import './room.css';

// This module is small (the socket and the route; React and the screens are boot.tsx's): on a
// slow link it arrives first and alone, and the socket's handshake, hello and the scenario's
// text then travel while boot.tsx and its chunks download (requested together, by Vite's
// preload helper). Named in index.html instead, they shared the link with this module and it
// arrived last, so the socket started later.
preconnect(parseRoute(location.pathname, location.search));
import('./boot.tsx').catch(() => {
  document.getElementById('root')!.textContent = 'Rubicon could not load. Check the connection and reload the page.';
});
