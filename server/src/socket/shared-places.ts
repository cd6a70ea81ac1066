import { nanoid } from 'nanoid';
import type { RedisClientType } from 'redis';
import type { Logger } from '../logger.ts';
import { StoreUnavailableError, redisWithin } from '../store/redis-availability.ts';
import { RENEW_LEASE, TAKE_PLACE } from './token-places-scripts.ts';
import type { RubiconSocket } from './types.ts';

/** A place being taken, given back by `settle` unless what took it kept it. */
export interface Admission {
  settle(): void;
}

/** What this process holds of a shared count: what its renewals write again, and whose sockets go when it is over. */
export interface PlaceBook {
  /** Each key with the ids of its places here. */
  places(): Map<string, string[]>;
  /** The sockets holding a place under `key` here, oldest first. */
  holdersOf(key: string): readonly RubiconSocket[];
}

export interface SharedPlacesOptions {
  /** The store's client: no offline queue, so a command while Redis is away fails at once. */
  redis: RedisClientType;
  /** The hash of leases, and the hash of one key's places. */
  keys: { leases: string; places(key: string): string };
  /** At most this many places per key, over every process. */
  cap: number;
  /** How long this process's places outlive its last renewal (renewed every third of it). */
  leaseMs: number;
  /** The longest a take or a renewal waits for Redis. */
  timeoutMs: number;
  /** What is counted, for the log ("token sockets", "anonymous sockets"). */
  what: string;
  log: Logger;
}

/** A place being taken for a socket under a key: how many are taking it, and whether any may have written it. */
interface Taking {
  count: number;
  mayExist: boolean;
}

/**
 * A cap of places per key across every process sharing Redis: SOCKETS_PER_TOKEN (shared-token-sockets.ts) and
 * ANONYMOUS_SOCKETS_PER_ADDRESS (anonymous-sockets.ts) alike. Each place is a socket id in its key's hash in
 * Redis, tagged with the id of the process holding it; a take is one script (token-places-scripts.ts) that
 * counts and adds atomically, dropping the places of processes whose lease lapsed when they are in the way.
 * So a killed process's places come back by themselves once its lease runs out (at most `leaseMs`). This
 * process's own part is kept by its `book`: what its renewals write again and what a socket gives back when
 * it goes. Places are given back without waiting; one that cannot be given back (Redis away) is retried with
 * each renewal.
 */
export class SharedPlaces {
  readonly processId = nanoid();
  private readonly taking = new Map<string, Taking>();
  /** Places to give back that Redis did not take: key → socket id → when it was asked (to forget only what a renewal gave back). */
  private readonly unreturned = new Map<string, Map<string, number>>();
  private asked = 0;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | null = null;
  private renewed = false;
  /** Closed without giving anything back (a killed process's stand-in): nothing more is written. */
  private abandoned = false;

  constructor(
    private readonly book: PlaceBook,
    private readonly options: SharedPlacesOptions,
  ) {
    // The lease is written before any place of this process: on one connection, commands run in the order sent.
    this.renew();
    this.timer = setInterval(() => this.renew(), Math.max(1, Math.floor(options.leaseMs / 3)));
    this.timer.unref();
  }

  get cap(): number {
    return this.options.cap;
  }

  get log(): Logger {
    return this.options.log;
  }

  /**
   * Takes a place for `socketId` under `key`: the admission to settle, or null at the cap (nothing added);
   * rejects when Redis does not answer. `kept`: whether this process holds the place when it settles.
   */
  async take(socketId: string, key: string, kept: () => boolean): Promise<Admission | null> {
    const taking = this.begin(socketId, key);
    const settle = () => this.settle(socketId, key, kept);
    // A place once given back in vain must not be given back after this take writes it again.
    this.forgetReturned(key, socketId, null);
    const { redis, keys, cap, leaseMs } = this.options;
    try {
      const args = [socketId, this.processId, String(cap), String(leaseMs)];
      const counted = await this.run(redis.eval(TAKE_PLACE, { keys: [keys.places(key), keys.leases], arguments: args }));
      if (counted !== 1) {
        settle();
        return null;
      }
      taking.mayExist = true;
      return { settle };
    } catch (err) {
      // Sent but unanswered, the script may still have counted it: given back, unless something here keeps it.
      if (err instanceof StoreUnavailableError && err.outcomeUnknown) taking.mayExist = true;
      settle();
      throw err;
    }
  }

  /** A place counted already: held as being taken until settled, so that giving it back meanwhile leaves it to `settle`. */
  hold(socketId: string, key: string, kept: () => boolean): Admission {
    this.begin(socketId, key).mayExist = true;
    return { settle: () => this.settle(socketId, key, kept) };
  }

  /** A place this process no longer holds, unless something is still taking it (its settle decides). */
  giveBack(key: string, socketId: string): void {
    if (!this.taking.has(`${key} ${socketId}`)) this.remove(key, socketId);
  }

  async close({ release }: { release: boolean }): Promise<void> {
    clearInterval(this.timer);
    if (!release) {
      this.abandoned = true;
      return;
    }
    await this.renewing;
    // After the sockets' own places (io.close disconnected them): whatever is left lapses at once.
    await this.run(this.options.redis.hDel(this.options.keys.leases, this.processId)).catch(() => undefined);
  }

  private begin(socketId: string, key: string): Taking {
    const id = `${key} ${socketId}`;
    const taking = this.taking.get(id) ?? { count: 0, mayExist: false };
    taking.count++;
    this.taking.set(id, taking);
    return taking;
  }

  /** One taking is over: the place goes back if it may have been written and nothing here kept it. */
  private settle(socketId: string, key: string, kept: () => boolean): void {
    const id = `${key} ${socketId}`;
    const taking = this.taking.get(id);
    if (!taking || --taking.count > 0) return;
    this.taking.delete(id);
    if (taking.mayExist && !kept()) this.remove(key, socketId);
  }

  private remove(key: string, socketId: string): void {
    if (this.abandoned) return;
    this.run(this.options.redis.hDel(this.options.keys.places(key), socketId)).catch(() => {
      const sockets = this.unreturned.get(key) ?? new Map<string, number>();
      sockets.set(socketId, ++this.asked);
      this.unreturned.set(key, sockets);
    });
  }

  /** One renewal at a time, never awaited by anyone: a slow Redis only delays the next. */
  private renew(): void {
    if (this.renewing || this.abandoned) return;
    const { log, what } = this.options;
    this.renewing = this.renewOnce()
      .catch((err: unknown) => {
        if (err instanceof StoreUnavailableError) log.debug({ err }, `the ${what} lease was not renewed (Redis away)`);
        else log.error({ err }, `the ${what} lease renewal failed`);
      })
      .finally(() => {
        this.renewing = null;
      });
  }

  /**
   * The places this process holds, as a renewal writes them again: without those whose take has not answered
   * yet, which the take's script writes if it counts them (written by a renewal first, the take would find
   * them there and count them past the cap).
   */
  private held(): { key: string; ids: string[] }[] {
    const written = (key: string, id: string) => this.taking.get(`${key} ${id}`)?.mayExist !== false;
    return [...this.book.places()]
      .map(([key, ids]) => ({ key, ids: ids.filter((id) => written(key, id)) }))
      .filter(({ ids }) => ids.length > 0);
  }

  private async renewOnce(): Promise<void> {
    const { redis, keys: keyOf, leaseMs, cap, log, what } = this.options;
    const held = this.held();
    const unreturned = [...this.unreturned].map(([key, sockets]) => ({ key, sockets: [...sockets] }));
    const keys = [keyOf.leases, ...held.map((h) => keyOf.places(h.key)), ...unreturned.map((u) => keyOf.places(u.key))];
    const args = [this.processId, String(leaseMs), String(cap), String(held.length)];
    for (const { ids } of held) args.push(String(ids.length), ...ids);
    for (const { sockets } of unreturned) args.push(String(sockets.length), ...sockets.map(([id]) => id));
    const reply = await this.run(redis.eval(RENEW_LEASE, { keys, arguments: args }));
    for (const { key, sockets } of unreturned) for (const [id, asked] of sockets) this.forgetReturned(key, id, asked);
    const first = !this.renewed;
    this.renewed = true;
    if (!Array.isArray(reply) || reply[0] !== 1) return;
    const over = reply.slice(1).map(Number);
    // The first renewal writes the lease, which had nothing to lapse unless it failed before.
    if (!first || over.length > 0)
      log.warn({ processId: this.processId, keysOver: over.length / 2 }, `this process's ${what} lease had lapsed; its places are written again, and its sockets over a cap dropped`);
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
   * Places others took while this process's lease had lapsed: its newest sockets of the key go, the older ones
   * stay. The excess was counted with the places as the renewal sent them: those given back since (a socket
   * gone, a reservation lapsed, while the reply was on its way) already count against it.
   */
  private dropExcess(sent: { key: string; ids: string[] } | undefined, excess: number): void {
    if (sent === undefined) return;
    const now = new Set(this.book.places().get(sent.key));
    const left = excess - sent.ids.filter((id) => !now.has(id)).length;
    if (left <= 0) return;
    for (const socket of this.book.holdersOf(sent.key).slice(-left)) socket.disconnect(true);
  }

  /** A command within the bound, its connection failures as StoreUnavailableError. */
  private run<T>(command: Promise<T>): Promise<T> {
    return redisWithin(command, this.options.timeoutMs);
  }
}
