import type { RedisClientType } from 'redis';
import type { Logger } from '../logger.ts';
import { SharedPlaces, type Admission } from './shared-places.ts';
import { tokenCapRefusal, type TokenPlaces, type TokenSockets } from './token-sockets.ts';
import type { RubiconSocket } from './types.ts';

export interface SharedTokenSocketsOptions {
  /** The store's client: no offline queue, so a command while Redis is away fails at once. */
  redis: RedisClientType;
  /** REDIS_PREFIX; the places go under `<prefix>token-sockets:`. */
  prefix: string;
  /** How long this process's places outlive its last renewal (renewed every third of it). */
  leaseMs: number;
  /** The longest a take or a renewal waits for Redis. */
  timeoutMs: number;
  log: Logger;
}

/**
 * SOCKETS_PER_TOKEN across every process sharing Redis: the shared count of places (shared-places.ts), keyed by
 * the token's hash, with this process's part kept in `local` (which socket holds which token here). A hello's
 * place is taken in Redis before its join; a recovering socket's is reserved here first, then in Redis.
 * Nothing here is on a command's path.
 */
export class SharedTokenSockets implements TokenPlaces {
  readonly cap: number;
  private readonly shared: SharedPlaces;

  constructor(
    private readonly local: TokenSockets,
    options: SharedTokenSocketsOptions,
  ) {
    this.cap = local.cap;
    const { prefix, ...rest } = options;
    const keys = { leases: `${prefix}token-sockets:leases`, places: (key: string) => `${prefix}token-sockets:${key}` };
    this.shared = new SharedPlaces(local, { ...rest, keys, cap: local.cap, what: 'token sockets' });
  }

  get processId(): string {
    return this.shared.processId;
  }

  admit(socket: RubiconSocket, key: string): Admission | Promise<Admission> {
    const kept = () => this.local.keyOf(socket) === key;
    // Counted already; held as taken until the join, so that a second hello moving it meanwhile leaves the place.
    if (kept()) return this.shared.hold(socket.id, key, kept);
    return this.shared.take(socket.id, key, kept).then((admission) => {
      if (!admission) throw tokenCapRefusal(this.cap, this.local.retryAfterMs);
      return admission;
    });
  }

  take(socket: RubiconSocket, key: string): void {
    const previous = this.local.keyOf(socket);
    this.local.take(socket, key);
    if (previous !== undefined && previous !== key) this.shared.giveBack(previous, socket.id);
  }

  /** Reserved here first (so that two recoveries here cannot both pass), then in the shared count, which decides. */
  reserve(socketId: string, key: string): boolean | Promise<boolean> {
    if (!this.local.reserve(socketId, key, () => this.shared.giveBack(key, socketId))) return false;
    // Kept only once the shared count said yes, and while the reservation here stands (one lapsed meanwhile gives it back).
    let counted = false;
    const refused = () => {
      this.local.unreserve(socketId);
      return false;
    };
    return this.shared.take(socketId, key, () => counted && this.local.isReserved(socketId, key)).then((admission) => {
      if (!admission) return refused();
      counted = true;
      admission.settle();
      return true;
    }, refused);
  }

  /** Its place in the shared count was written under its id by the reservation. */
  claim(socket: RubiconSocket, key: string): boolean {
    return this.local.claim(socket, key);
  }

  release(socket: RubiconSocket): void {
    const key = this.local.keyOf(socket);
    this.local.release(socket);
    if (key !== undefined) this.shared.giveBack(key, socket.id);
  }

  close(options: { release: boolean }): Promise<void> {
    return this.shared.close(options);
  }
}
