import type { AccessAction, AccessCode, Viewer } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Grant, SessionMeta, SessionStore } from '../store/types.ts';
import { FACILITATOR_KEY, OWNER_KEY, accessKeyOf } from './access.ts';
import { hashToken, newJoinCode, newToken } from './secrets.ts';
import { ServiceError } from './service-error.ts';

/** Attempts at drawing join codes that no other session holds. */
export const CODE_ATTEMPTS = 5;

/** The grant of a session's creator's first token: the `owner` key's, so revoking the co-facilitator code leaves it be. */
export function ownerGrant(sessionId: string): Grant {
  return { sessionId, role: { kind: 'facilitator' }, key: OWNER_KEY, generation: 0 };
}

/**
 * Gives the creator's token of a session imported or branched before 6 December (stored with no key, so
 * counted as the co-facilitator code's) the `owner` key, before anything that bumps either key: it keeps
 * working as it did, and from then on only re-issuing the creator's token ends it, not revoking the
 * co-facilitator code. One that revoking the co-facilitator code had ended already stays ended. Returns
 * whether the token changed (false for every session made since, whose token has its key).
 */
export async function keyCreatorToken(store: SessionStore, log: Logger, meta: SessionMeta): Promise<boolean> {
  const done = await store.keyLegacyToken(meta.facilitatorTokenHash, meta.sessionId, FACILITATOR_KEY, OWNER_KEY);
  if (done === 'unchanged') return false;
  log.info({ sessionId: meta.sessionId, key: done === 'keyed' ? OWNER_KEY : FACILITATOR_KEY }, 'the creator\'s token, stored without an access key, was given one');
  return true;
}

/** Every revocable code of a session as it stands. */
export async function accessCodes(store: SessionStore, sessionId: string): Promise<{ meta: SessionMeta; access: AccessCode[] }> {
  const meta = await store.getSession(sessionId);
  if (!meta) throw new ServiceError('not_found', 'There is no such session.');
  const changes = await store.accessChanges(sessionId);
  const created = new Map(meta.codes.map((c) => [accessKeyOf(c.role), c]));
  const roles: Viewer[] = meta.codes.map((c) => c.role);
  if (meta.codes.length > 0 && !created.has(FACILITATOR_KEY)) roles.push({ kind: 'facilitator' });
  const access = roles.map((role): AccessCode => {
    const key = accessKeyOf(role);
    const changed = changes[key];
    return { key, role, code: changed ? changed.code : (created.get(key)?.code ?? null), generation: changed?.generation ?? 0 };
  });
  return { meta, access };
}

/**
 * Revokes one access key: its code stops redeeming and every token redeemed
 * from it stops working. `reissue` also makes a new code for it. The caller
 * disconnects the sockets that hold it.
 */
export async function changeAccess(store: SessionStore, log: Logger, sessionId: string, key: string, action: AccessAction): Promise<AccessCode> {
  if (key === OWNER_KEY) return reissueOwner(store, log, sessionId, action);
  const { meta, access } = await accessCodes(store, sessionId);
  if (key === FACILITATOR_KEY) await keyCreatorToken(store, log, meta);
  // Like every other write to a replay: a conflict with what the session is, not a matter of who asks.
  if (meta.lineage?.replayOf) throw new ServiceError('read_only', 'This is a replay of a session file: it has no codes to revoke or re-issue.');
  const entry = access.find((a) => a.key === key);
  if (!entry) throw new ServiceError('not_found', `This session has no code "${key}".`);
  const createdCode = meta.codes.find((c) => accessKeyOf(c.role) === key)?.code ?? null;
  for (let attempt = 1; attempt <= CODE_ATTEMPTS; attempt++) {
    const r = await store.rotateAccess(sessionId, key, entry.role, createdCode, action === 'reissue' ? newJoinCode() : null);
    if (r.ok) {
      log.info({ sessionId, key, action, generation: r.access.generation }, 'access changed');
      return { key, role: entry.role, code: r.access.code, generation: r.access.generation };
    }
  }
  throw new ServiceError('unavailable', 'Could not draw a fresh code; try again.');
}

/**
 * Ends the creator's token (and every earlier one) and hands a new one back, in one store step: a
 * leaked creator token has a remedy, and the facilitator who asks always leaves with a token that
 * works. Only a re-issue: revoking it alone could leave a session with no facilitator at all. A
 * replay's creator token is its only credential, so it may be re-issued there too.
 */
async function reissueOwner(store: SessionStore, log: Logger, sessionId: string, action: AccessAction): Promise<AccessCode> {
  if (action !== 'reissue')
    throw new ServiceError('invalid', 'The creator\'s token can only be re-issued (access/owner/reissue), so that a facilitator always holds one.');
  const meta = await store.getSession(sessionId);
  if (!meta) throw new ServiceError('not_found', 'There is no such session.');
  // Keyed first, so this re-issue ends it as it ends every creator token.
  await keyCreatorToken(store, log, meta);
  const { role } = ownerGrant(sessionId);
  const token = newToken();
  const r = await store.rotateAccess(sessionId, OWNER_KEY, role, null, null, hashToken(token));
  if (!r.ok) throw new ServiceError('unavailable', 'Could not re-issue the creator\'s token; try again.');
  log.info({ sessionId, key: OWNER_KEY, action, generation: r.access.generation }, 'access changed');
  return { key: OWNER_KEY, role, code: null, generation: r.access.generation, token };
}
