import { nanoid } from 'nanoid';
import type { RedisClientType } from 'redis';
import type { Logger } from '../logger.ts';
import { StoreUnavailableError, redisWithin } from '../store/redis-availability.ts';
import { RENEW_LEASE, TAKE_PLACE } from './token-places-scripts.ts';
import { tokenCapRefusal, type Admission, type TokenPlaces, type TokenSockets } from './token-sockets.ts';
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

/** A place being taken for a socket under a token: how many hellos are taking it, and whether any may have written it. */
interface Taking {
  count: number;
  mayExist: boolean;
}

/**
 * SOCKETS_PER_TOKEN across every process sharing Redis. Each place is a socket id in its token's hash in
 * Redis, tagged with the id of the process holding it; a hello's take is one script (token-places-scripts.ts)
 * that counts and adds atomically, dropping the places of processes whose lease lapsed when they are in the
 * way. So a killed process's places come back by themselves once its lease runs out (at most `leaseMs`).
 * This process's own part is kept in `local` (which socket holds which token here): what its renewals
 * write again and what a socket gives back when it goes. Places are given back without waiting; one that
 * cannot be given back (Redis away) is retried with each renewal. Nothing here is on a command's path.
 */
export class SharedTokenSockets implements TokenPlaces {
  readonly processId = nanoid();
  readonly cap: number;
  private readonly taking = new Map<string, Taking>();
  /** Places to give back that Redis did not take: token key → socket id → when it was asked (to forget only what a renewal gave back). */
  private readonly unreturned = new Map<string, Map<string, number>>();
  private asked = 0;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | null = null;
  private renewed = false;
  /** Closed without giving anything back (a killed process's stand-in): nothing more is written. */
  private abandoned = false;

  constructor(
    private readonly local: TokenSockets,
    private readonly options: SharedTokenSocketsOptions,
  ) {
    this.cap = local.cap;
    // The lease is written before any place of this process: on one connection, commands run in the order sent.
    this.renew();
    this.timer = setInterval(() => this.renew(), Math.max(1, Math.floor(options.leaseMs / 3)));
    this.timer.unref();
  }

  admit(socket: RubiconSocket, key: string): Admission | Promise<Admission> {
    const kept = () => this.local.keyOf(socket) === key;
    if (!kept()) return this.takeShared(socket.id, key, kept);
    // Counted already; held as taken until the join, so that a second hello moving it meanwhile leaves the place.
    this.begin(socket.id, key).mayExist = true;
    return { settle: () => this.settle(socket.id, key, kept) };
  }

  take(socket: RubiconSocket, key: string): void {
    const previous = this.local.keyOf(socket);
    this.local.take(socket, key);
    if (previous !== undefined && previous !== key) this.giveBack(previous, socket.id);
  }

  /** Reserved here first (so that two recoveries here cannot both pass), then in the shared count, which decides. */
  reserve(socketId: string, key: string): boolean | Promise<boolean> {
    if (!this.local.reserve(socketId, key, () => this.giveBack(key, socketId))) return false;
    // Kept only once the shared count said yes, and while the reservation here stands (one lapsed meanwhile gives it back).
    let counted = false;
    return this.takeShared(socketId, key, () => counted && this.local.isReserved(socketId, key)).then(
      (admission) => {
        counted = true;
        admission.settle();
        return true;
      },
      () => {
        this.local.unreserve(socketId);
        return false;
      },
    );
  }

  /** Its place in the shared count was written under its id by the reservation. */
  claim(socket: RubiconSocket, key: string): boolean {
    return this.local.claim(socket, key);
  }

  release(socket: RubiconSocket): void {
    const key = this.local.keyOf(socket);
    this.local.release(socket);
    if (key !== undefined) this.giveBack(key, socket.id);
  }

  async close({ release }: { release: boolean }): Promise<void> {
    clearInterval(this.timer);
    if (!release) {
      this.abandoned = true;
      return;
    }
    await this.renewing;
    // After the sockets' own places (io.close disconnected them): whatever is left lapses at once.
    await this.run(this.options.redis.hDel(this.leasesKey, this.processId)).catch(() => undefined);
  }

  private get leasesKey(): string {
    return `${this.options.prefix}token-sockets:leases`;
  }

  private placesKey(key: string): string {
    return `${this.options.prefix}token-sockets:${key}`;
  }

  /**
   * The take script for `socketId` under `key`: resolves with the admission to settle, rejects past the cap or
   * when Redis does not answer. `kept`: whether this process holds the place when the admission settles.
   */
  private async takeShared(socketId: string, key: string, kept: () => boolean): Promise<Admission> {
    const taking = this.begin(socketId, key);
    const settle = () => this.settle(socketId, key, kept);
    // A place once given back in vain must not be given back after this take writes it again.
    this.forgetReturned(key, socketId, null);
    const { redis, leaseMs } = this.options;
    try {
      const args = [socketId, this.processId, String(this.cap), String(leaseMs)];
      const counted = await this.run(redis.eval(TAKE_PLACE, { keys: [this.placesKey(key), this.leasesKey], arguments: args }));
      if (counted !== 1) throw tokenCapRefusal(this.cap, this.local.retryAfterMs);
      taking.mayExist = true;
      return { settle };
    } catch (err) {
      // Sent but unanswered, the script may still have counted it: given back, unless a join keeps it.
      if (err instanceof StoreUnavailableError && err.outcomeUnknown) taking.mayExist = true;
      settle();
      throw err;
    }
  }

  private begin(socketId: string, key: string): Taking {
    const id = `${key} ${socketId}`;
    const taking = this.taking.get(id) ?? { count: 0, mayExist: false };
    taking.count++;
    this.taking.set(id, taking);
    return taking;
  }

  /** One hello's (or reservation's) taking is over: the place goes back if it may have been written and nothing here kept it. */
  private settle(socketId: string, key: string, kept: () => boolean): void {
    const id = `${key} ${socketId}`;
    const taking = this.taking.get(id);
    if (!taking || --taking.count > 0) return;
    this.taking.delete(id);
    if (taking.mayExist && !kept()) this.remove(key, socketId);
  }

  /** A place this process no longer holds, unless a hello is still taking it (its settle decides). */
  private giveBack(key: string, socketId: string): void {
    if (!this.taking.has(`${key} ${socketId}`)) this.remove(key, socketId);
  }

  private remove(key: string, socketId: string): void {
    if (this.abandoned) return;
    this.run(this.options.redis.hDel(this.placesKey(key), socketId)).catch(() => {
      const sockets = this.unreturned.get(key) ?? new Map<string, number>();
      sockets.set(socketId, ++this.asked);
      this.unreturned.set(key, sockets);
    });
  }

  /** One renewal at a time, never awaited by anyone: a slow Redis only delays the next. */
  private renew(): void {
    if (this.renewing || this.abandoned) return;
    this.renewing = this.renewOnce()
      .catch((err: unknown) => {
        if (err instanceof StoreUnavailableError) this.options.log.debug({ err }, 'the token sockets lease was not renewed (Redis away)');
        else this.options.log.error({ err }, 'the token sockets lease renewal failed');
      })
      .finally(() => {
        this.renewing = null;
      });
  }

  private async renewOnce(): Promise<void> {
    // Reserved places too: one not claimed yet must not lapse in Redis while it still counts here.
    const held = [...this.local.places()].map(([key, ids]) => ({ key, ids }));
    const unreturned = [...this.unreturned].map(([key, sockets]) => ({ key, sockets: [...sockets] }));
    const keys = [this.leasesKey, ...held.map((h) => this.placesKey(h.key)), ...unreturned.map((u) => this.placesKey(u.key))];
    const args = [this.processId, String(this.options.leaseMs), String(this.cap), String(held.length)];
    for (const { ids } of held) args.push(String(ids.length), ...ids);
    for (const { sockets } of unreturned) args.push(String(sockets.length), ...sockets.map(([id]) => id));
    const reply = await this.run(this.options.redis.eval(RENEW_LEASE, { keys, arguments: args }));
    for (const { key, sockets } of unreturned) for (const [id, asked] of sockets) this.forgetReturned(key, id, asked);
    const first = !this.renewed;
    this.renewed = true;
    if (!Array.isArray(reply) || reply[0] !== 1) return;
    const over = reply.slice(1).map(Number);
    // The first renewal writes the lease, which had nothing to lapse unless it failed before.
    if (!first || over.length > 0)
      this.options.log.warn({ processId: this.processId, tokensOver: over.length / 2 }, 'this process\'s token sockets lease had lapsed; its places are written again, and its sockets over a cap dropped');
    for (let i = 0; i + 1 < over.length; i += 2) this.dropExcess(held[(over[i] ?? 0) - 1], over[i + 1] ?? 0);
  }

  /** A place no longer to give back: given back by a renewal (as asked then, not asked again since), or taken again (`asked` null). */
  private forgetReturned(key: string, socketId: string, asked: number | null): void {
    const sockets = this.unreturned.get(key);
    if (!sockets?.has(socketId) || (asked !== null && sockets.get(socketId) !== asked)) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.unreturned.delete(key);
  }

  /**
   * Places others took while this process's lease had lapsed: its newest sockets of the token go, the player's
   * older tabs stay. The excess was counted with the places as the renewal sent them: those given back since
   * (a socket gone, a reservation lapsed, while the reply was on its way) already count against it.
   */
  private dropExcess(sent: { key: string; ids: string[] } | undefined, excess: number): void {
    if (sent === undefined) return;
    const now = new Set(this.local.places().get(sent.key));
    const left = excess - sent.ids.filter((id) => !now.has(id)).length;
    if (left <= 0) return;
    for (const socket of this.local.holdersOf(sent.key).slice(-left)) socket.disconnect(true);
  }

  /** A command within the bound, its connection failures as StoreUnavailableError. */
  private run<T>(command: Promise<T>): Promise<T> {
    return redisWithin(command, this.options.timeoutMs);
  }
}
