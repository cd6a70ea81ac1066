/**
 * Test harness for the real server: starts an app (memory or Redis) on a
 * random port, creates sessions over REST, and connects real socket.io-client
 * sockets that record every raw event and acknowledgement they receive.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { nanoid } from 'nanoid';
import { createClient, type RedisClientType } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { mergeMessages } from '@rubicon/shared';
import type {
  Ack,
  ClientToServerEvents,
  Command,
  CommandResult,
  CreateSessionRequest,
  CreateSessionResponse,
  HelloData,
  JoinResponse,
  WireMessage,
  ServerToClientEvents,
  SessionFile,
  SyncData,
  UpdatePayload,
  WireView,
} from '@rubicon/shared';
import { createApp, type App, type AppDeps } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import type { Clock } from '../src/store/types.ts';
import { waitFor } from './child-server.ts';

// A child server and waitFor need none of the server's code (the browser tests use them too).
export { spawnServer, waitFor, type ChildServer } from './child-server.ts';

export type Backend = 'memory' | 'redis';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run or file shares. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${nanoid(8)}:`;
}

/** A clock tests can move forward, so beat deadlines pass without waiting. */
export class SkewClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

export interface ServerOptions {
  backend: Backend;
  prefix?: string;
  env?: Record<string, string>;
  deps?: AppDeps;
}

export interface TestServer {
  app: App;
  url: string;
  prefix: string;
  close(options?: { flush?: boolean }): Promise<void>;
}

export function testEnv(backend: Backend, prefix: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CLIENT_DIST: '/nonexistent-client-dist',
    TIMER_POLL_MS: '20',
    LOG_POLL_MS: '200',
    RATE_LIMIT_BURST: '1000',
    RATE_LIMIT_PER_SEC: '1000',
    SESSION_RATE_LIMIT_BURST: '1000',
    SESSION_RATE_LIMIT_PER_SEC: '1000',
    SOCKET_RATE_LIMIT_BURST: '1000',
    SOCKET_RATE_LIMIT_PER_SEC: '1000',
    HELLO_RATE_LIMIT_BURST: '1000',
    HELLO_RATE_LIMIT_PER_SEC: '1000',
    HTTP_RATE_LIMIT_BURST: '1000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
    PUBLIC_RATE_LIMIT_BURST: '1000',
    PUBLIC_RATE_LIMIT_PER_SEC: '1000',
    // Benchmarks here open many sockets from one address at once.
    ANONYMOUS_SOCKETS_PER_ADDRESS: '10000',
    // And tests of the other limits hold one token on many sockets (limit-bypass.test.ts's 50).
    SOCKETS_PER_TOKEN: '10000',
    JOIN_FAILURES_PER_WINDOW: '1000',
    IMPORT_BYTES_PER_HOUR: '1000000000',
    // Suites create hundreds of sessions from 127.0.0.1; the tests of this budget set their own.
    SESSIONS_PER_ADDRESS: '1000000',
    SNAPSHOT_EVERY: '7',
    REDIS_PREFIX: prefix,
    ...(backend === 'redis' ? { REDIS_URL } : {}),
    ...env,
  };
}

export async function startServer(options: ServerOptions): Promise<TestServer> {
  const prefix = options.prefix ?? uniquePrefix('server');
  const app = await createApp(loadConfig(testEnv(options.backend, prefix, options.env)), options.deps);
  const url = await app.listen();
  return { app, url, prefix, close: (o) => app.close(o) };
}

/** A logger that keeps every line at `warn` and above, so a test can say that bad input wrote no error. */
export function recordingLogger(): { logger: Logger; lines: () => { level: number; msg: string }[]; errors: () => string[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  // 50 is pino's `error`: a line at or above it means something failed that should not have.
  return { logger: pino({ level: 'warn' }, sink), lines: () => lines, errors: () => lines.filter((l) => l.level >= 50).map((l) => JSON.stringify(l)) };
}

/** Two or more apps on one Redis only serve one session together once they hear each other. */
export async function waitForPeers(servers: TestServer[], timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => {
    const counts = await Promise.all(servers.map((s) => s.app.io.of('/').adapter.serverCount()));
    return counts.every((c) => c >= servers.length);
  }, timeoutMs, 'the servers never saw each other');
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client: RedisClientType = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}

// ---- REST ---------------------------------------------------------------

export async function api<T>(url: string, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(new URL(path, url), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body = (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  return { status: res.status, body, headers: res.headers };
}

export async function createSession(url: string, request: CreateSessionRequest): Promise<CreateSessionResponse> {
  const r = await api<CreateSessionResponse>(url, '/api/sessions', { body: request });
  if (r.status !== 201) throw new Error(`create session: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The session's file, as its facilitator exports it. */
export async function exportSession(url: string, session: CreateSessionResponse): Promise<SessionFile> {
  const r = await api<SessionFile>(url, `/api/sessions/${session.sessionId}/export`, { token: session.facilitatorToken });
  if (r.status !== 200) throw new Error(`export: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function joinCode(url: string, code: string): Promise<JoinResponse> {
  const r = await api<JoinResponse>(url, '/api/join', { body: { code } });
  if (r.status !== 200) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export function codeFor(session: CreateSessionResponse, role: string): string {
  const code = session.codes.find((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind) === role)?.code;
  if (!code) throw new Error(`no code for ${role}`);
  return code;
}

// ---- sockets ------------------------------------------------------------

export interface Recorded {
  event: string;
  args: unknown[];
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One connected client that follows the protocol's versioning rules (apply
 * version+1 of its own stream, ignore old, sync on a gap) and records
 * everything it receives. Its view is the wire view (no scenario text).
 */
export class TestClient {
  readonly socket: ClientSocket;
  /** Every raw event and acknowledgement, in arrival order. */
  readonly received: Recorded[] = [];
  /** The versions of the `update` events received, in arrival order. */
  readonly updateVersions: number[] = [];
  view: WireView | null = null;
  messages: readonly WireMessage[] = [];
  gaps = 0;
  private helloInFlight = false;
  private early: UpdatePayload[] = [];

  constructor(
    readonly url: string,
    readonly sessionId: string,
    readonly token: string,
    readonly label: string,
  ) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.onAny((event: string, ...args: unknown[]) => this.received.push({ event, args: structuredClone(args) }));
    this.socket.on('update', (u) => {
      this.updateVersions.push(u.version);
      if (this.helloInFlight || !this.view) this.early.push(u);
      else this.onUpdate(u);
    });
  }

  get version(): number {
    return this.view?.version ?? -1;
  }

  /** Says hello (again), with what it holds when `lastVersion` is given; adopts the returned state like a real client would. */
  async hello(lastVersion?: number, token = this.token): Promise<Ack<HelloData>> {
    this.helloInFlight = true;
    try {
      const held = lastVersion === undefined ? {} : { lastVersion, messagesHeld: this.messages.length };
      // socket.io-client types a timed emitWithAck loosely; name what comes back.
      const ack: Ack<HelloData> = await this.socket.timeout(10_000).emitWithAck('hello', { sessionId: this.sessionId, token, ...held });
      this.record('ack:hello', ack);
      if (ack.ok) this.adopt(ack.data);
      return ack;
    } finally {
      this.helloInFlight = false;
      const early = this.early;
      this.early = [];
      for (const u of early) this.onUpdate(u);
    }
  }

  async command(command: Command, options: { commandId?: string; expectedGameVersion?: number } = {}): Promise<Ack<CommandResult>> {
    const ack: Ack<CommandResult> = await this.socket.timeout(10_000).emitWithAck('command', {
      commandId: options.commandId ?? `c-${nanoid(12)}`,
      expectedGameVersion: options.expectedGameVersion ?? this.view?.gameVersion ?? 0,
      command,
    });
    this.record('ack:command', ack);
    return ack;
  }

  /** Sends a command and fails loudly if it is refused. */
  async must(command: Command, options: { commandId?: string; expectedGameVersion?: number } = {}): Promise<CommandResult> {
    const ack = await this.command(command, options);
    if (!ack.ok) throw new Error(`${this.label}: ${command.type} refused: ${ack.error.code}: ${ack.error.message}`);
    return ack.data;
  }

  /** Asks for what it lacks since `sinceVersion` (0: everything again). */
  async sync(sinceVersion = Math.max(0, this.version)): Promise<Ack<SyncData>> {
    const held = sinceVersion > 0 ? { messagesHeld: this.messages.length } : {};
    const ack: Ack<SyncData> = await this.socket.timeout(10_000).emitWithAck('sync', { sinceVersion, ...held });
    this.record('ack:sync', ack);
    return ack;
  }

  /**
   * Resolves once this client holds everything its server has for it now.
   * The server answers a sync only after sending this socket every update
   * before it (and catching up with the shared log first), so holding the
   * answer's version means holding everything up to the moment of asking.
   */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const ack = await this.sync();
    if (!ack.ok) throw new Error(`${this.label}: sync refused: ${ack.error.code}: ${ack.error.message}`);
    if (ack.data.version > this.version) this.adopt(ack.data);
    await this.untilVersion(ack.data.version, timeoutMs);
  }

  /** Emits anything at all, as a broken or hostile client might; resolves with the ack or null if none came. */
  async raw(event: string, ...args: unknown[]): Promise<unknown> {
    const loose = this.socket as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };
    try {
      const ack = await loose.timeout(3000).emitWithAck(event, ...args);
      this.record(`ack:${event}`, ack);
      return ack;
    } catch {
      return null;
    }
  }

  async until(test: (view: WireView) => boolean, timeoutMs = 10_000, what = 'view'): Promise<WireView> {
    await waitFor(() => this.view !== null && test(this.view), timeoutMs, `${this.label}: ${what}`);
    if (!this.view) throw new Error('no view');
    return this.view;
  }

  /** Until its own stream reaches `version`. */
  async untilVersion(version: number, timeoutMs = 10_000): Promise<WireView> {
    return this.until((v) => v.version >= version, timeoutMs, `version ${version} (at ${this.version})`);
  }

  /** Until its view shows the game at `gameVersion` or later (every viewer's view does, after a game command). */
  async untilGameVersion(gameVersion: number, timeoutMs = 10_000): Promise<WireView> {
    return this.until((v) => v.gameVersion >= gameVersion, timeoutMs, `game version ${gameVersion} (at ${this.view?.gameVersion ?? -1})`);
  }

  /** Everything this socket ever received, as one string, for "never saw this text" checks. */
  transcript(): string {
    return JSON.stringify(this.received);
  }

  close(): void {
    this.socket.close();
  }

  private adopt(data: SyncData): void {
    this.view = data.view;
    this.messages = data.full ? [...data.messages] : mergeMessages(this.messages, data.messages);
  }

  private onUpdate(u: UpdatePayload): void {
    if (!this.view || u.version <= this.view.version) return;
    if (u.version !== this.view.version + 1) {
      this.gaps++;
      this.sync().then(
        (ack) => {
          if (ack.ok && ack.data.version > this.version) this.adopt(ack.data);
        },
        // The socket went away mid-sync (a killed server): whoever replaces it syncs again.
        () => {},
      );
      return;
    }
    this.view = u.view ?? { ...this.view, version: u.version };
    this.messages = mergeMessages(this.messages, u.messages);
  }

  private record(event: string, ack: unknown): void {
    this.received.push({ event, args: [structuredClone(ack)] });
  }
}

export async function connect(url: string, sessionId: string, token: string, label: string, lastVersion?: number): Promise<TestClient> {
  const client = new TestClient(url, sessionId, token, label);
  const ack = await client.hello(lastVersion);
  if (!ack.ok) throw new Error(`${label}: hello refused: ${ack.error.code}: ${ack.error.message}`);
  return client;
}

export const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
export type Seat = (typeof SEATS)[number];

export interface Table {
  session: CreateSessionResponse;
  facilitator: TestClient;
  seats: Record<Seat, TestClient>;
  observer: TestClient;
  tokens: Record<Seat | 'observer', string>;
  all(): TestClient[];
  close(): void;
}

/** What `seatTable` creates unless told otherwise. */
export const TABLE_SETUP = { scenarioId: 'april-2024', seed: 'harness-seed' } as const;

/** Creates a session and seats everyone: four seats, the facilitator and an observer (optionally on other servers). */
export async function seatTable(
  url: string,
  request: Partial<CreateSessionRequest> = {},
  urlFor: (role: Seat | 'observer' | 'facilitator') => string = () => url,
): Promise<Table> {
  const session = await createSession(url, { ...TABLE_SETUP, ...request });
  const tokens = {} as Record<Seat | 'observer', string>;
  for (const role of [...SEATS, 'observer'] as const) tokens[role] = (await joinCode(url, codeFor(session, role))).token;
  const facilitator = await connect(urlFor('facilitator'), session.sessionId, session.facilitatorToken, 'facilitator');
  const seats = {} as Record<Seat, TestClient>;
  for (const seat of SEATS) seats[seat] = await connect(urlFor(seat), session.sessionId, tokens[seat], seat);
  const observer = await connect(urlFor('observer'), session.sessionId, tokens.observer, 'observer');
  const all = () => [facilitator, ...SEATS.map((s) => seats[s]), observer];
  return { session, facilitator, seats, observer, tokens, all, close: () => all().forEach((c) => c.close()) };
}

/** Waits until every client holds everything its server has for it (each in its own stream). */
export async function settle(clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.caughtUp()));
}

export function randomText(tag: string): string {
  return `${tag} ${nanoid(10)}`;
}
