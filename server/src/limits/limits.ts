import { ServiceError } from '../session/service-error.ts';
import { LimitChain, type ChainVerdict, type Uncounted } from './limit-chain.ts';
import { RateLimit, budgetOf, type Budget, type LimitStore, type Rate } from './rate-limit.ts';
import type { CommandLimit } from '../session/command-path.ts';

/** Every limit of one server process, as configured (config.ts documents each). */
export interface LimitsConfig {
  /** Commands (messages included) per seat, or per facilitator access key, across all its sockets. */
  seat: Rate;
  /** Commands per session, all seats and facilitators together. */
  session: Rate;
  /** Per socket: hello, sync and unknown events. */
  socket: Rate;
  /** Per client address: hello, across all its sockets (and, with Redis, all processes). */
  helloPerAddress: Rate;
  /** Per client address: the endpoints that need no token (create, join, import, replays, branch). */
  httpPerAddress: Rate;
  /** Per client address: the public GETs that cost something (scenario list, teaching layers, texts). */
  publicPerAddress: Rate;
  /**
   * Per client address: wrong secrets, join codes that match no session, and apart from them (the same
   * size) wrong or missing metrics tokens.
   */
  joinFailures: Budget;
  /** Per client address: bytes of session files imported. */
  importBytes: Budget;
  /** Per client address: sessions created, imported, opened as replays or branched. */
  sessionsPerAddress: Budget;
}

/** Why something was refused and when to try again, as a typed refusal. */
export function rateLimited(message: string, retryAfterMs: number): ServiceError {
  return new ServiceError('rate_limited', message, { retryAfterMs });
}

/** A wait, in words a person reads: "2 s", "3 min", "7 h". */
export function waitInWords(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.ceil(ms / 1000))} s`;
  return ms < 90 * 60_000 ? `${Math.ceil(ms / 60_000)} min` : `${Math.ceil(ms / 3_600_000)} h`;
}

/** The refusal of a command over its seat's (link 0) or its session's budget. */
function commandRefusal(link: number, retryAfterMs: number): ServiceError {
  const wait = waitInWords(retryAfterMs);
  const message = link === 0 ? `Too many commands from this seat; wait ${wait} and try again.` : `Too many commands in this session; wait ${wait} and try again.`;
  return rateLimited(message, retryAfterMs);
}

/** A command's limit keys: its seat's (or facilitator access key's) within its session, then its session's. */
export type CommandLimitKeys = readonly [seat: string, session: string];

/**
 * The keys Limits.command counts a command of this seat (or facilitator key) against. Made once per grant
 * and reused for its every command (seat-handlers.ts): a seat key built afresh for each command was a new
 * string to flatten and hash in each of the limits' map lookups, about 1 % of the server's CPU in the
 * message path's profile (docs/performance/fan-out-log.md, "Rubicon's own command path by function…").
 */
export function commandLimitKeys(sessionId: string, accessKey: string): CommandLimitKeys {
  return [`${sessionId}:${accessKey}`, sessionId];
}

/** Throws the refusal of a command over a budget. */
function refuseOver(verdict: ChainVerdict): void {
  if (!verdict.allowed) throw commandRefusal(verdict.link, verdict.retryAfterMs);
}

/**
 * The limits of one app, built once (no module-level state) and handed to
 * the socket server and the routes. Those that must hold across processes
 * count in Redis when there is one; per-socket counts are always local (a
 * socket lives on one process).
 */
export class Limits {
  readonly seat: RateLimit;
  readonly session: RateLimit;
  readonly socket: RateLimit;
  readonly helloPerAddress: RateLimit;
  readonly httpPerAddress: RateLimit;
  readonly publicPerAddress: RateLimit;
  readonly joinFailures: RateLimit;
  /**
   * Wrong or missing metrics tokens, counted apart from join codes (the same budget size): a scraper
   * misconfigured behind a school's NAT must not lock its students out of joining, nor a class's typos
   * the scraper out of /metrics. A guess at one secret tells nothing of the other, so a guesser gets no
   * more tries at either than before.
   */
  readonly metricsFailures: RateLimit;
  readonly importBytes: RateLimit;
  /** New sessions per address over a long window: what one address may add to the store (MAX_SESSIONS caps the whole). */
  readonly sessionsPerAddress: RateLimit;
  /** A command's seat, then its session. */
  private readonly commands: LimitChain;
  /** A join's address as any tokenless request, then as a join attempt. */
  private readonly joins: LimitChain;
  /** A new session's address as any tokenless request, then against its budget of new sessions. */
  private readonly newSessions: LimitChain;

  /** `onCommandRoundTrip` is told of each round trip the command limits make to Redis. */
  constructor(config: LimitsConfig, store: LimitStore, onCommandRoundTrip?: () => void) {
    const local: LimitStore = { ...store, redis: null };
    this.seat = new RateLimit('seat', budgetOf(config.seat), store);
    this.session = new RateLimit('session', budgetOf(config.session), store);
    this.socket = new RateLimit('socket', budgetOf(config.socket), local);
    this.helloPerAddress = new RateLimit('hello', budgetOf(config.helloPerAddress), store);
    this.httpPerAddress = new RateLimit('http', budgetOf(config.httpPerAddress), store);
    this.publicPerAddress = new RateLimit('public', budgetOf(config.publicPerAddress), store);
    this.joinFailures = new RateLimit('join-failures', config.joinFailures, store);
    this.metricsFailures = new RateLimit('metrics-failures', config.joinFailures, store);
    this.importBytes = new RateLimit('import-bytes', config.importBytes, store);
    this.sessionsPerAddress = new RateLimit('sessions', config.sessionsPerAddress, store);
    this.commands = new LimitChain([this.seat, this.session], store, onCommandRoundTrip);
    this.joins = new LimitChain([this.httpPerAddress, this.joinFailures], store);
    this.newSessions = new LimitChain([this.httpPerAddress, this.sessionsPerAddress], store);
  }

  /**
   * Counts one new session from `address` (created, imported, opened as a replay or branched): as a
   * tokenless request (link 0), then against the address's long budget of new sessions (link 1), in one
   * check, as `join` counts. A request over the first spends none of the second.
   */
  newSession(address: string): ChainVerdict | Promise<ChainVerdict> {
    return this.newSessions.take([address, address]);
  }

  /**
   * Counts one join from `address`: as a tokenless request (link 0), then as
   * a join attempt (link 1), in one check, so that a join waits for at most
   * one bound on a slow Redis, not one per limit. A request over the first
   * spends none of the second. With Redis, counted there or not at all: a
   * join Redis does not count by `deadline` (the join's own, performance.now()
   * time), or while it is not ready, is Uncounted (docs/security.md §3, "A
   * slow Redis and the budget of wrong codes").
   */
  join(address: string, deadline: number): ChainVerdict | Promise<ChainVerdict | Uncounted> {
    return this.joins.takeStrictly([address, address], deadline);
  }

  /**
   * Counts one command against its seat (or facilitator key), then against
   * its session (`keys`, commandLimitKeys). In that order, so a seat over its own budget spends none of
   * the session's: one flooding seat cannot lock the others out. Without
   * Redis it is counted here, at once (null: allowed); a refusal decided at
   * once (in memory, or a seat blocked for the rest of its window) is thrown
   * at once. With Redis, the counts to make in the command's append
   * (CommandLimit): one round trip for the count and the write, where a
   * count before the append was a second round trip in a row on every
   * command's path, and the larger part of its tail.
   */
  command(keys: CommandLimitKeys): CommandLimit | null {
    const counted = this.commands.forAppend(keys);
    if ('allowed' in counted) {
      refuseOver(counted);
      return null;
    }
    return {
      ...counted,
      refused: (link, retryAfterMs) => {
        this.commands.refusedInAppend(keys, link, retryAfterMs);
        return commandRefusal(link, retryAfterMs);
      },
      countAlone: async () => {
        const verdict = this.commands.take(keys);
        refuseOver(verdict instanceof Promise ? await verdict : verdict);
      },
    };
  }
}
