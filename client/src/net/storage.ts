import type { CreateSessionResponse, JoinCode, Viewer } from '@rubicon/shared';

/**
 * What the browser remembers between reloads: the token for each role it
 * holds in a session (so a reload rejoins without the code), the facilitator's
 * join codes, and unsent drafts. Everything is in localStorage under
 * `rubicon:`; a browser that refuses storage (private mode) just forgets.
 */

const PREFIX = 'rubicon:';

function get(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function set(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage full or disabled: drafts are a convenience, not a requirement.
  }
}

export interface StoredCredential {
  token: string;
  role: Viewer;
  /**
   * True for the creator's token (this browser created, imported, branched or opened the session), which
   * `access/owner/reissue` replaces; false for a token redeemed from a code. Absent in credentials stored
   * before it was kept: see `holdsCreatorToken`.
   */
  owner?: boolean;
  /** The creator key's generation a re-issued creator's token came with: a late answer of an earlier re-issue does not replace it. */
  generation?: number;
}

/** Which slot a role's token lives in: one per seat, one for observers, one for the facilitator. */
export function roleSlot(role: Viewer): string {
  return role.kind === 'seat' ? `seat:${role.seat}` : role.kind;
}

export function saveCredential(sessionId: string, cred: StoredCredential): void {
  set(`cred:${sessionId}:${roleSlot(cred.role)}`, JSON.stringify(cred));
  if (cred.role.kind === 'seat') set(`lastSeat:${sessionId}`, cred.role.seat);
}

export function loadCredential(sessionId: string, slot: string): StoredCredential | null {
  const raw = get(`cred:${sessionId}:${slot}`);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredCredential>;
    if (typeof parsed.token === 'string' && parsed.role && typeof parsed.role === 'object') return parsed as StoredCredential;
  } catch {
    // fall through
  }
  return null;
}

export function forgetCredential(sessionId: string, slot: string): void {
  set(`cred:${sessionId}:${slot}`, null);
}

/** The seat this browser joined last in a session, for `/s/:id/play` without `?seat=`. */
export function lastSeat(sessionId: string): string | null {
  return get(`lastSeat:${sessionId}`);
}

/** The token slot `/s/:id/play` uses: the seat its address names, else the seat this browser joined last. */
export function playSlot(sessionId: string, seat: string | null): string | null {
  const chosen = seat ?? lastSeat(sessionId);
  return chosen ? `seat:${chosen}` : null;
}

export interface HostedSession {
  sessionId: string;
  title: string;
  createdAt: number;
  codes: JoinCode[];
}

/** Sessions created in this browser, newest first. */
export function hostedSessions(): HostedSession[] {
  const raw = get('hosted');
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? (list as HostedSession[]).filter((s) => typeof s?.sessionId === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberHostedSession(created: CreateSessionResponse, title: string, now: number): void {
  saveCredential(created.sessionId, { token: created.facilitatorToken, role: { kind: 'facilitator' }, owner: true });
  const entry: HostedSession = { sessionId: created.sessionId, title, createdAt: now, codes: created.codes };
  const list = [entry, ...hostedSessions().filter((s) => s.sessionId !== created.sessionId)].slice(0, 50);
  set('hosted', JSON.stringify(list));
}

export function hostedSession(sessionId: string): HostedSession | null {
  return hostedSessions().find((s) => s.sessionId === sessionId) ?? null;
}

/**
 * Whether this browser's facilitator token is the creator's. A credential stored before `owner` was kept
 * counts as the creator's when the session was created here: wrongly so only if this browser later redeemed
 * the co-facilitator code too, and then adopting the creator's new token locks nobody out.
 */
export function holdsCreatorToken(sessionId: string): boolean {
  const cred = loadCredential(sessionId, 'facilitator');
  if (!cred) return false;
  return cred.owner ?? hostedSession(sessionId) !== null;
}

/**
 * After `access/owner/reissue`: keeps the creator's new token if this browser held the old one (which
 * no longer works), and returns the token it now keeps; null when the answer has no token or this browser
 * is a co-facilitator, whose own token is unchanged. Of two re-issues (two tabs, both past the server's
 * check before either rotated), the one with the higher generation ended the other's token, so its token
 * is kept whichever answer comes last.
 */
export function adoptReissuedOwnerToken(sessionId: string, answer: { token?: string; generation: number }): string | null {
  if (!answer.token || !holdsCreatorToken(sessionId)) return null;
  const held = loadCredential(sessionId, 'facilitator');
  if (held?.generation !== undefined && held.generation >= answer.generation) return held.token;
  saveCredential(sessionId, { token: answer.token, role: { kind: 'facilitator' }, owner: true, generation: answer.generation });
  return answer.token;
}

/** Unsent text: message drafts, rationales. Keyed by the caller (session, role, beat or channel). */
export function loadDraft(key: string): string | null {
  return get(`draft:${key}`);
}

export function saveDraft(key: string, value: string): void {
  set(`draft:${key}`, value === '' ? null : value);
}

export function loadJson<T>(key: string): T | null {
  const raw = get(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function saveText(key: string, value: string | null): void {
  set(key, value);
}

export function loadText(key: string): string | null {
  return get(key);
}

/** The name this device's player gave for a session (shown beside the seat, "Iran · Sara"); null when none. */
export function loadDisplayName(sessionId: string): string | null {
  const v = get(`name:${sessionId}`);
  return v && v.trim() !== '' ? v : null;
}

export function saveDisplayName(sessionId: string, name: string | null): void {
  set(`name:${sessionId}`, name && name.trim() !== '' ? name.trim() : null);
}
