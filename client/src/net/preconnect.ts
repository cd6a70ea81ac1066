import type { Route } from '../router.ts';
import { SessionConnection } from './connection.ts';
import { ScenarioTexts } from './scenario-texts.ts';
import { loadCredential, loadDisplayName, playSlot } from './storage.ts';

/*
 * A session screen opened cold on a slow link used to wait in series: the
 * whole bundle, then the socket's handshake, the hello, then the scenario's
 * text (each at least a round trip). The entry module (main.tsx) is small and
 * starts the connection the address calls for, and asks for the session's
 * text beside it, while React and the screens are still downloading; the
 * screen adopts the connection when it mounts (useSession).
 */

let parked: SessionConnection | null = null;

/** The token slot a session screen takes its connection's token from (null: not a session screen, or no seat to play). */
function slotFor(route: Route): string | null {
  switch (route.name) {
    case 'play':
      return playSlot(route.sessionId, route.seat);
    case 'display':
      return 'observer';
    case 'facilitate':
      return 'facilitator';
    default:
      return null;
  }
}

/** The connection the screen at `route` will open, as the screen itself chooses it (null when it holds no token). */
function connectionFor(route: Route): { sessionId: string; token: string; name: string | null } | null {
  const slot = slotFor(route);
  if (slot === null || !('sessionId' in route)) return null;
  const cred = loadCredential(route.sessionId, slot);
  if (!cred) return null;
  return { sessionId: route.sessionId, token: cred.token, name: route.name === 'play' ? loadDisplayName(route.sessionId) : null };
}

/** Starts the connection the screen at `route` will want, before that screen's code has arrived. */
export function preconnect(route: Route): void {
  const want = connectionFor(route);
  if (!want || parked) return;
  const texts = new ScenarioTexts();
  texts.forSession(want.sessionId, want.token);
  parked = new SessionConnection(want.sessionId, want.token, undefined, want.name, texts);
  parked.start();
}

/**
 * The connection started early, if it is the one asked for; once only. Any
 * other ask closes it: the page went elsewhere, and nothing else will use it.
 */
export function adoptPreconnected(sessionId: string, token: string, name: string | null): SessionConnection | null {
  const c = parked;
  parked = null;
  if (!c || c.isFor(sessionId, token, name)) return c;
  c.stop();
  return null;
}
