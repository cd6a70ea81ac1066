import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { compileTrustProxy } from './http/client-address.ts';
import type { AccessLimits } from './session/access.ts';
import type { LimitsConfig } from './limits/limits.ts';
import { DEFAULT_LOG_CAP, type LogCap } from './session/log-cap.ts';
import type { RetentionRules } from './session/retention.ts';

/** The repository root, so relative paths in the environment mean the same wherever the process starts. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : s));

/** True when `text` is an absolute URL with one of `schemes` (e.g. 'https:'). */
function urlWithScheme(text: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * A URL the server would otherwise take as it is and fail on later, or never:
 * a bad REDIS_URL threw from the Redis client at start without naming the
 * variable, and a bad PUBLIC_URL or origin was silently never matched (every
 * browser's socket refused). Refused here, by name.
 */
const optionalUrl = (schemes: readonly string[]) =>
  optionalString.refine((s) => s === undefined || urlWithScheme(s, schemes), `an absolute URL starting ${schemes.map((s) => `${s}//`).join(' or ')}`);

const HTTP_SCHEMES = ['http:', 'https:'] as const;

/** Comma-separated host names without scheme or port (`.example.org`: it and its subdomains), or `*` / `all`. */
const hostNames = optionalString.refine(
  (s) => s === undefined || s.split(',').every((h) => /^(\*|all|\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?)?$/i.test(h.trim())),
  'comma-separated host names without scheme or port (.example.org for it and its subdomains), or * or all',
);

/** The environment the server reads; exported for the docs' check of its defaults (docs-match-code.test.ts). */
export const Env = z.object({
  // Past 65535 Node's listen threw a RangeError at start, not naming PORT.
  PORT: int(0, 3000).pipe(z.number().max(65535)),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Unset: everything in memory. Set: sessions, log, snapshots, timers and the socket adapter in Redis. */
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().default('rubicon:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The address people reach the server at (for links and QR codes); defaults to the request's own origin. */
  PUBLIC_URL: optionalUrl(HTTP_SCHEMES),
  /** The built browser app; served when the folder exists. */
  CLIENT_DIST: z.string().default('client/dist'),
  /** How often the scheduler looks for due beat deadlines. */
  TIMER_POLL_MS: int(10, 250),
  /**
   * Every rate below is `burst` at once and `PER_SEC` on average, counted in
   * fixed windows of burst ÷ rate seconds (rate-limiter-flexible). With Redis
   * the counts are shared by all processes, except the per-socket one.
   */
  /** Commands (messages included) per seat, or per facilitator access key, over all its sockets and processes. */
  RATE_LIMIT_BURST: int(1, 20),
  RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(5),
  /** Commands per session, every seat and facilitator together. */
  SESSION_RATE_LIMIT_BURST: int(1, 120),
  SESSION_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(30),
  /** Per socket: hello, sync and unknown events (a client says hello once per connection and syncs on a gap). */
  SOCKET_RATE_LIMIT_BURST: int(1, 30),
  SOCKET_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(3),
  /** Per client address: hello and sync together over all its sockets (a school of 300 behind one router connecting at once fits in the burst). */
  HELLO_RATE_LIMIT_BURST: int(1, 300),
  HELLO_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(5),
  /**
   * Per client address, on all processes together with Redis (on this one without): sockets open at once that
   * have not yet said a successful hello.
   * Past it a new socket is refused (connect_error, code rate_limited). A class behind one address
   * reconnecting at once after a network blip (40 phones, a projector, the facilitator's tabs) is a
   * few dozen; the default leaves room for a school of 300 behind one router, as HELLO_RATE_LIMIT_BURST does.
   */
  ANONYMOUS_SOCKETS_PER_ADDRESS: int(1, 300),
  /**
   * A socket without a confirmed hello this long after it connected, or after it lost the grant a hello had
   * given it (an outage-refused hello on a socket that held another), is disconnected. Failed hellos do not renew it.
   */
  HELLO_TIMEOUT_MS: int(100, 10_000),
  /**
   * Per token: sockets holding its grant at once, on this process or, with Redis, on all processes together.
   * Past it a hello is refused (`rate_limited`) and nothing is joined. A player's few tabs and devices, and a
   * reconnect overlapping its old socket, fit in 8.
   */
  SOCKETS_PER_TOKEN: int(1, 8),
  /** With Redis: how long a killed or stopped process's places under SOCKETS_PER_TOKEN and ANONYMOUS_SOCKETS_PER_ADDRESS outlast it (renewed every third of it). */
  TOKEN_SOCKETS_LEASE_MS: int(300, 15_000),
  /** Per client address, for joining by code and creating, importing or branching sessions (a class may share one address). */
  HTTP_RATE_LIMIT_BURST: int(1, 100),
  HTTP_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(2),
  /**
   * Per client address, for the public GETs that still cost something (the scenario list, teaching layers and
   * texts). A class of 40 loading the app asks for a few each; the burst leaves room for all of them reloading.
   */
  PUBLIC_RATE_LIMIT_BURST: int(1, 300),
  PUBLIC_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(10),
  /** Per client address: wrong secrets in each window, join codes that match no session and wrong or missing metrics tokens alike (past it, both wait for the window to end). */
  JOIN_FAILURES_PER_WINDOW: int(1, 30),
  JOIN_FAILURE_WINDOW_MS: int(1000, 10 * 60 * 1000),
  /**
   * Express's "trust proxy": unset or "false" when clients connect directly
   * (their address is the socket's). Behind a proxy, name the proxy's
   * addresses ("loopback", "uniquelocal", "10.0.0.0/8", comma-separated):
   * X-Forwarded-For is then believed only from them. A hop count ("1") or
   * "true" believes it from anyone who connects, so it is only safe when
   * nothing but the proxy can reach this port.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' || v === '' ? false : /^\d+$/.test(v) ? Number(v) : v))
    // proxy-addr threw on a name or address it does not know ("invalid IP address: …") while the app was being built.
    .refine(compilesAsTrustProxy, 'true, false, a hop count, or comma-separated addresses, subnets and the names loopback, linklocal, uniquelocal'),
  /**
   * Origins (scheme://host[:port], comma-separated) whose pages may open a
   * socket. Unset: the page's own origin (the Host the request came to) and
   * PUBLIC_URL's. Clients that send no Origin (bots, scripts) are not browsers
   * and are let through; tokens still decide what they may do.
   */
  ALLOWED_ORIGINS: optionalString.refine(
    (s) => s === undefined || s.split(',').every((o) => o.trim() === '' || urlWithScheme(o.trim(), HTTP_SCHEMES)),
    'comma-separated origins, each scheme://host[:port] with http or https',
  ),
  /**
   * Host names (comma-separated; `.example.org` is it and its subdomains) that requests may name besides
   * IP literals, localhost and *.localhost, PUBLIC_URL's, HOST's and ALLOWED_ORIGINS' names. `*` or `all`
   * turns the check off. A request naming another host is refused (DNS rebinding, host-check.ts).
   */
  ALLOWED_HOSTS: hostNames,
  /** Bearer token for GET /metrics on the main port; unset: /metrics is not served there. */
  METRICS_TOKEN: optionalString,
  /** A separate port for /metrics (on METRICS_HOST), e.g. for a scraper on a private network; unset: none. */
  METRICS_PORT: optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'a port number')
      .transform(Number)
      .pipe(z.number().int().min(0).max(65535))
      .optional(),
  ),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * Host names the METRICS_PORT listener answers to besides IP literals, localhost, the machine's own names and
   * METRICS_HOST's (a scraper naming its target by a service name: compose's `app`). Its own list, not
   * ALLOWED_HOSTS: the public port's names include ALLOWED_ORIGINS', partners' sites whose DNS this server's
   * operator does not answer. `*` or `all` turns this listener's check off.
   */
  METRICS_HOSTS: hostNames,
  /** After a session reaches its outcome, its join codes keep redeeming this long (latecomers to the debrief). */
  CODE_GRACE_MS: int(0, 30 * 60 * 1000),
  /** After a session reaches its outcome, its tokens (players', observers', facilitators') keep working this long. */
  TOKEN_TTL_AFTER_END_MS: int(0, 7 * 24 * 60 * 60 * 1000),
  /**
   * After a session's outcome (its tokens' clock: TOKEN_TTL_AFTER_END_MS counts from the same moment), the store
   * keeps it and everything of it this long, then removes it; 0: kept for good. 30 days: its tokens' 7 days, then
   * three weeks more in which a facilitator who kept the token, or an operator, can still export the record.
   */
  SESSION_RETAIN_AFTER_END_MS: int(0, 30 * 24 * 60 * 60 * 1000),
  /**
   * A session that never ends is removed this long after its last activity (a command, or a process loading it
   * for a hello or a request); 0: kept for good. 90 days: a term's course left paused between classes survives.
   */
  SESSION_IDLE_RETAIN_MS: int(0, 90 * 24 * 60 * 60 * 1000),
  /** How often each process removes the sessions past their retention and lets go of those removed. */
  RETENTION_SWEEP_MS: int(50, 60 * 1000),
  /** Default cap on people redeeming one seat's code; 0: no cap. A session may set its own. */
  MAX_PLAYERS_PER_SEAT: int(0, 0),
  /**
   * The most entries a session's log may hold; an import or branch with more is refused. The default fits every
   * file MAX_IMPORT_BYTES lets in (log-cap.ts says why). Plain commands stop LOG_CONTROL_RESERVE before it, so the
   * white cell can still adjudicate and end the game; a refused command is `log_full` and changes nothing.
   */
  MAX_LOG_ENTRIES: int(1, DEFAULT_LOG_CAP.maxEntries),
  LOG_CONTROL_RESERVE: int(0, DEFAULT_LOG_CAP.controlReserve),
  /** Largest Socket.IO message and JSON request body, in bytes. */
  MAX_PAYLOAD_BYTES: int(1024, 64 * 1024),
  /** Import files carry a whole log, so they get their own limit. */
  MAX_IMPORT_BYTES: int(1024, 5 * 1024 * 1024),
  /** Per client address and hour: bytes of session files it may import (shared across processes with Redis). */
  IMPORT_BYTES_PER_HOUR: int(1024, 20 * 1024 * 1024),
  /**
   * Per client address, in each SESSIONS_PER_ADDRESS_WINDOW_MS (shared across processes with Redis): sessions it
   * may create, import, open as replays or branch (the server's own bots create none). 500 a day: a workshop of 40
   * facilitators each making a session, a couple of branches and an import in ten minutes is about 160, and a
   * school or district behind one NAT with 100 teachers making two or three a day is about 300; before it, one
   * address could make 2 a second (HTTP_RATE_LIMIT_PER_SEC), 172,800 a day, each kept 90 days.
   */
  SESSIONS_PER_ADDRESS: int(1, 500),
  SESSIONS_PER_ADDRESS_WINDOW_MS: int(1000, 24 * 60 * 60 * 1000),
  /**
   * The most sessions the store holds, every kind together (live, imported, replays, branches); past it a new one
   * is refused `sessions_full` (507) and nothing of it is stored, until retention removes some; 0: no cap. 50,000:
   * above the 45,000 that one address at its SESSIONS_PER_ADDRESS can keep within SESSION_IDLE_RETAIN_MS (90 days)
   * if it leaves them idle, and about 135 MB of Redis if every one of them is empty (2.7 KB each, docs/security.md §10).
   */
  MAX_SESSIONS: int(0, 50_000),
  /**
   * The longest a command waits for the store (Redis) before it is refused as
   * `unavailable` with a retry hint; also bounds each single Redis command.
   */
  STORE_TIMEOUT_MS: int(50, 1000),
  /**
   * The most commands for one session that a process appends together in one
   * atomic step (those that arrived while the previous append was on its way).
   * 1 appends each command on its own, as before batching (for comparisons).
   */
  APPEND_BATCH_MAX: int(1, 128),
  /**
   * A snapshot is stored every this many events while the log is short; the
   * interval doubles as the log grows (snapshot-schedule.ts), so a restart
   * replays at most this many events or a sixteenth of the log.
   */
  SNAPSHOT_EVERY: int(1, 50),
  /**
   * With Redis: how often a process reads the heads of the logs of sessions it
   * has sockets for (one round trip for all) and catches up those it is behind,
   * in case it missed another process's append notice (pub/sub is
   * fire-and-forget, store/append-notice.ts). Bounds the delay, never the order.
   */
  LOG_POLL_MS: int(50, 1000),
  /** A session nobody on this process has used for this long is dropped from its memory (it stays in the store). */
  CACHE_IDLE_MS: int(1000, 15 * 60 * 1000),
  /**
   * How long Socket.IO keeps a dropped connection's rooms and missed packets for a quick reconnect; 0 (the
   * default) turns its recovery off: it keeps every packet sent (all sessions') for at least a minute, and
   * the client's hello with its version fills a gap anyway (docs/performance/fan-out-log.md, "Where
   * Rubicon's CPU goes").
   */
  RECOVERY_MS: int(0, 0),
  /** How long to wait for sockets and stores to close on shutdown before exiting anyway. */
  SHUTDOWN_GRACE_MS: int(0, 10_000),
  /** Bots lock in between these delays after planning opens (and always before the deadline). */
  BOT_MIN_DELAY_MS: int(0, 3000),
  BOT_MAX_DELAY_MS: int(0, 30_000),
  /** With Redis: how long a dead process's hold on a session's bots lasts before another process plays them. */
  BOT_LEASE_MS: int(300, 15_000),
  /** An OpenAI-compatible chat-completions endpoint for seats played by a language model; unset: off. */
  LLM_BASE_URL: optionalUrl(HTTP_SCHEMES),
  LLM_MODEL: optionalString,
  LLM_API_KEY: optionalString,
  /** How long one model request may take before the seat plays its default move. */
  LLM_TIMEOUT_MS: int(100, 20_000),
});

function compilesAsTrustProxy(setting: boolean | number | string): boolean {
  try {
    compileTrustProxy(setting);
    return true;
  } catch {
    return false;
  }
}

function allowedHostsOf(setting: string | undefined): 'all' | string[] {
  const names = (setting ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  return names.some((h) => h === '*' || h === 'all') ? 'all' : names;
}

export interface Config {
  port: number;
  host: string;
  redisUrl: string | undefined;
  redisPrefix: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  publicUrl: string | undefined;
  /** Absolute. */
  clientDist: string;
  timerPollMs: number;
  logPollMs: number;
  cacheIdleMs: number;
  limits: LimitsConfig;
  helloTimeoutMs: number;
  /** Per client address (with Redis, across processes): sockets open at once without a successful hello (ANONYMOUS_SOCKETS_PER_ADDRESS). */
  anonymousSocketsPerAddress: number;
  /** Per token (with Redis, across processes): sockets holding its grant at once (SOCKETS_PER_TOKEN). */
  socketsPerToken: number;
  /** With Redis: how long a dead process's places under socketsPerToken and anonymousSocketsPerAddress last (TOKEN_SOCKETS_LEASE_MS). */
  tokenSocketsLeaseMs: number;
  trustProxy: boolean | number | string;
  /** Null: the page's own origin and PUBLIC_URL's. */
  allowedOrigins: string[] | null;
  /** ALLOWED_HOSTS: names requests may carry in Host besides those the server knows of itself; `all`: any. */
  allowedHosts: 'all' | string[];
  /** `hosts`: METRICS_HOSTS, the names the METRICS_PORT listener answers to besides its own; `all`: any. */
  metrics: { token: string | undefined; port: number | undefined; host: string; hosts: 'all' | string[] };
  access: AccessLimits;
  /** SESSION_RETAIN_AFTER_END_MS, SESSION_IDLE_RETAIN_MS (retention.ts). */
  retention: RetentionRules;
  retentionSweepMs: number;
  maxPayloadBytes: number;
  maxImportBytes: number;
  /** MAX_SESSIONS: the most sessions the store holds; 0: no cap. */
  maxSessions: number;
  /** MAX_LOG_ENTRIES and LOG_CONTROL_RESERVE (the reserve never more than the cap). */
  logCap: LogCap;
  snapshotEvery: number;
  storeTimeoutMs: number;
  appendBatchMax: number;
  recoveryMs: number;
  shutdownGraceMs: number;
  botDelays: { minMs: number; maxMs: number };
  botLeaseMs: number;
  /** Null unless LLM_BASE_URL and LLM_MODEL are set (one without the other is refused). */
  llm: { baseUrl: string; model: string; apiKey: string | undefined; timeoutMs: number } | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The rate limits' budgets, each `{ burst, perSecond }` or `{ points, windowSeconds }` as its limiter counts it. */
function limitsOf(e: z.infer<typeof Env>): Config['limits'] {
  return {
    seat: { burst: e.RATE_LIMIT_BURST, perSecond: e.RATE_LIMIT_PER_SEC },
    session: { burst: e.SESSION_RATE_LIMIT_BURST, perSecond: e.SESSION_RATE_LIMIT_PER_SEC },
    socket: { burst: e.SOCKET_RATE_LIMIT_BURST, perSecond: e.SOCKET_RATE_LIMIT_PER_SEC },
    helloPerAddress: { burst: e.HELLO_RATE_LIMIT_BURST, perSecond: e.HELLO_RATE_LIMIT_PER_SEC },
    httpPerAddress: { burst: e.HTTP_RATE_LIMIT_BURST, perSecond: e.HTTP_RATE_LIMIT_PER_SEC },
    publicPerAddress: { burst: e.PUBLIC_RATE_LIMIT_BURST, perSecond: e.PUBLIC_RATE_LIMIT_PER_SEC },
    joinFailures: { points: e.JOIN_FAILURES_PER_WINDOW, windowSeconds: Math.ceil(e.JOIN_FAILURE_WINDOW_MS / 1000) },
    importBytes: { points: e.IMPORT_BYTES_PER_HOUR, windowSeconds: 3600 },
    sessionsPerAddress: { points: e.SESSIONS_PER_ADDRESS, windowSeconds: Math.ceil(e.SESSIONS_PER_ADDRESS_WINDOW_MS / 1000) },
  };
}

/** Reads the configuration from an environment (process.env in production, a literal in tests). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  // Half a model would start a server that silently offers none (Setup would say none is configured).
  if ((e.LLM_BASE_URL === undefined) !== (e.LLM_MODEL === undefined))
    throw new ConfigError(
      `invalid configuration: ${e.LLM_BASE_URL === undefined ? 'LLM_MODEL is set but LLM_BASE_URL is not' : 'LLM_BASE_URL is set but LLM_MODEL is not'}; a language model needs both (LLM_MODEL names the model the endpoint serves)`,
    );
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
    clientDist: path.resolve(repoRoot, e.CLIENT_DIST),
    timerPollMs: e.TIMER_POLL_MS,
    logPollMs: e.LOG_POLL_MS,
    cacheIdleMs: e.CACHE_IDLE_MS,
    limits: limitsOf(e),
    helloTimeoutMs: e.HELLO_TIMEOUT_MS,
    anonymousSocketsPerAddress: e.ANONYMOUS_SOCKETS_PER_ADDRESS,
    socketsPerToken: e.SOCKETS_PER_TOKEN,
    tokenSocketsLeaseMs: e.TOKEN_SOCKETS_LEASE_MS,
    trustProxy: e.TRUST_PROXY,
    allowedOrigins: e.ALLOWED_ORIGINS ? e.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter((o) => o !== '') : null,
    allowedHosts: allowedHostsOf(e.ALLOWED_HOSTS),
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST, hosts: allowedHostsOf(e.METRICS_HOSTS) },
    access: { codeGraceMs: e.CODE_GRACE_MS, tokenTtlAfterEndMs: e.TOKEN_TTL_AFTER_END_MS, maxPlayersPerSeat: e.MAX_PLAYERS_PER_SEAT },
    retention: { afterEndMs: e.SESSION_RETAIN_AFTER_END_MS, idleMs: e.SESSION_IDLE_RETAIN_MS },
    retentionSweepMs: e.RETENTION_SWEEP_MS,
    maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
    maxImportBytes: e.MAX_IMPORT_BYTES,
    maxSessions: e.MAX_SESSIONS,
    logCap: { maxEntries: e.MAX_LOG_ENTRIES, controlReserve: Math.min(e.LOG_CONTROL_RESERVE, e.MAX_LOG_ENTRIES) },
    snapshotEvery: e.SNAPSHOT_EVERY,
    storeTimeoutMs: e.STORE_TIMEOUT_MS,
    appendBatchMax: e.APPEND_BATCH_MAX,
    recoveryMs: e.RECOVERY_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    botDelays: { minMs: e.BOT_MIN_DELAY_MS, maxMs: Math.max(e.BOT_MIN_DELAY_MS, e.BOT_MAX_DELAY_MS) },
    botLeaseMs: e.BOT_LEASE_MS,
    llm:
      e.LLM_BASE_URL && e.LLM_MODEL
        ? { baseUrl: e.LLM_BASE_URL, model: e.LLM_MODEL, apiKey: e.LLM_API_KEY, timeoutMs: e.LLM_TIMEOUT_MS }
        : null,
  };
}
