import { useEffect, useState } from 'react';

/** Every screen has a URL; the app is driven by the path (history API, no dependency). */
export type Route =
  | { name: 'home' }
  | { name: 'join'; code: string }
  | { name: 'setup'; sessionId: string }
  | { name: 'play'; sessionId: string; seat: string | null }
  | { name: 'display'; sessionId: string }
  | { name: 'facilitate'; sessionId: string }
  | { name: 'guide'; scenarioId: string }
  | { name: 'handouts'; scenarioId: string }
  | { name: 'replay'; sessionId: string }
  | { name: 'report'; sessionId: string }
  | { name: 'compare' }
  | { name: 'notFound'; path: string };

const SESSION_SCREENS = new Set(['setup', 'play', 'display', 'facilitate']);

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'join' && parts.length === 2) {
    const code = decode(parts[1]!);
    if (code) return { name: 'join', code };
  }
  if (parts[0] === 'guide' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'handouts'))) {
    const scenarioId = decode(parts[1]!);
    if (scenarioId) return parts.length === 2 ? { name: 'guide', scenarioId } : { name: 'handouts', scenarioId };
  }
  if (parts[0] === 'compare' && parts.length === 1) return { name: 'compare' };
  if (parts[0] === 'r' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'report'))) {
    const sessionId = decode(parts[1]!);
    if (sessionId) return { name: parts.length === 2 ? 'replay' : 'report', sessionId };
  }
  if (parts[0] === 's' && parts.length === 3 && SESSION_SCREENS.has(parts[2]!)) {
    const sessionId = decode(parts[1]!);
    if (sessionId) {
      const screen = parts[2] as 'setup' | 'play' | 'display' | 'facilitate';
      if (screen === 'play') return { name: 'play', sessionId, seat: new URLSearchParams(search).get('seat') };
      return { name: screen, sessionId };
    }
  }
  return { name: 'notFound', path: pathname };
}

export const paths = {
  home: () => '/',
  join: (code: string) => `/join/${encodeURIComponent(code)}`,
  setup: (id: string) => `/s/${encodeURIComponent(id)}/setup`,
  play: (id: string, seat?: string) => `/s/${encodeURIComponent(id)}/play${seat ? `?seat=${encodeURIComponent(seat)}` : ''}`,
  display: (id: string) => `/s/${encodeURIComponent(id)}/display`,
  facilitate: (id: string) => `/s/${encodeURIComponent(id)}/facilitate`,
  guide: (scenarioId: string) => `/guide/${encodeURIComponent(scenarioId)}`,
  handouts: (scenarioId: string) => `/guide/${encodeURIComponent(scenarioId)}/handouts`,
  replay: (id: string, version?: number) => `/r/${encodeURIComponent(id)}${version === undefined ? '' : `?v=${version}`}`,
  report: (id: string) => `/r/${encodeURIComponent(id)}/report`,
  compare: () => '/compare',
};

const NAV_EVENT = 'rubicon:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    window.addEventListener('popstate', update);
    window.addEventListener(NAV_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAV_EVENT, update);
    };
  }, []);
  return route;
}
