import type { Logger } from '../logger.ts';
import type { Grant, SessionStore } from '../store/types.ts';
import { keyCreatorToken } from './access-codes.ts';
import { ServiceError } from './service-error.ts';

/** Remembered co-facilitator tokens at most; past it the set starts again (each costs one more session read). */
const REMEMBERED_MAX = 4096;

/**
 * Facilitator tokens with no key, as a session imported before 6 December kept its creator's: the creator's
 * gets the owner key the first time it is used (keyCreatorToken), so the grant a socket then holds is the
 * owner key's and a re-issue drops it. A co-facilitator's keyless token is remembered as such, so its session
 * is read once per process, not at every use.
 */
export class KeylessFacilitatorTokens {
  /** Keyless facilitator tokens not their session's creator's (whose facilitatorTokenHash never changes). */
  private readonly coFacilitatorTokens = new Set<string>();

  constructor(
    private readonly store: SessionStore,
    private readonly log: Logger,
  ) {}

  /** The grant `found` for the token with this hash, keyed first if it is a keyless creator's. */
  async keyed(hash: string, found: Grant): Promise<Grant> {
    const keyless = found.key === undefined && found.role.kind === 'facilitator' && !this.coFacilitatorTokens.has(hash);
    return keyless ? this.keyedCreatorGrant(hash, found) : found;
  }

  /**
   * The grant is read again whoever keyed it: a request racing this one (another process, or a re-issue or
   * a revoke of the co-facilitator code, which key it first) may have keyed it since it was read, and the
   * keyless copy would be checked against the co-facilitator code's generation and held by a socket in that
   * code's room, which an owner re-issue never drops.
   */
  private async keyedCreatorGrant(hash: string, grant: Grant): Promise<Grant> {
    const meta = await this.store.getSession(grant.sessionId);
    if (meta?.facilitatorTokenHash !== hash) {
      if (this.coFacilitatorTokens.size >= REMEMBERED_MAX) this.coFacilitatorTokens.clear();
      if (meta) this.coFacilitatorTokens.add(hash);
      return grant;
    }
    await keyCreatorToken(this.store, this.log, meta);
    const keyed = await this.store.resolveToken(hash);
    if (!keyed) throw new ServiceError('unauthorized', 'This token is not valid; join again with your code.');
    return keyed;
  }
}
