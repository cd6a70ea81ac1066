/**
 * The client side of the end-to-end benchmark, run in its own process (forked
 * by server-e2e.ts) so that seven sockets parsing updates do not share the
 * server's event loop. It creates a session over REST, seats five seats, the
 * facilitator and an observer with socket.io-client, times commands and
 * sends its figures back over IPC.
 */
import { nanoid } from 'nanoid';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  Command,
  CommandResult,
  CreateSessionResponse,
  HelloData,
  JoinResponse,
  ServerToClientEvents,
  UpdatePayload,
} from '@rubicon/shared';
import { isMessageSide } from '@rubicon/shared';
import { now, quantile } from './stats.ts';
import { OPTIONAL_SEATS, Rng, randomText, SCENARIO_ID } from './workload.ts';

export const BENCH_SEATS = ['iran', 'israel', 'us', 'mediators', ...OPTIONAL_SEATS];

export interface ClientRunOptions {
  url: string;
  seed: string;
  /** Messages sent one at a time, for the latency figures. */
  roundTrips: number;
  /** Per sender in the throughput run, and the run's time limit. */
  perSender: number;
  throughputMs: number;
  warmup: number;
}

export interface ClientRow {
  name: string;
  value: number | string;
  unit: string;
}

/** What the client process tells the server process, in order. */
export type ClientMessage =
  | { type: 'phase'; phase: 'throughput-start' | 'throughput-end' }
  | { type: 'done'; rows: ClientRow[]; accepted: number }
  | { type: 'failed'; error: string };

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A lean client: it only notes versions and the arrival of tagged messages. */
class BenchClient {
  readonly socket: ClientSocket;
  version = 0;
  /** The game version of the latest view: game commands are made against it. */
  gameVersion = 0;
  /** When each version's update arrived (cleared by the caller). */
  readonly arrivals = new Map<number, number>();
  private readonly waiting = new Map<string, (at: number) => void>();
  private versionWaiters: { version: number; resolve: () => void }[] = [];

  constructor(
    url: string,
    readonly sessionId: string,
    readonly token: string,
    readonly label: string,
  ) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('update', (u) => this.onUpdate(u));
  }

  async hello(): Promise<void> {
    const ack: Ack<HelloData> = await this.socket.timeout(10_000).emitWithAck('hello', { sessionId: this.sessionId, token: this.token });
    if (!ack.ok) throw new Error(`${this.label}: hello refused: ${ack.error.code}: ${ack.error.message}`);
    this.version = Math.max(this.version, ack.data.version);
    this.gameVersion = Math.max(this.gameVersion, ack.data.view.gameVersion);
  }

  send(command: Command): Promise<Ack<CommandResult>> {
    const expected = isMessageSide(command) ? {} : { expectedGameVersion: this.gameVersion };
    return this.socket.timeout(10_000).emitWithAck('command', { commandId: `b-${nanoid(16)}`, command, ...expected });
  }

  async must(command: Command): Promise<number> {
    const ack = await this.send(command);
    if (!ack.ok) throw new Error(`${this.label}: ${command.type} refused: ${ack.error.code}: ${ack.error.message}`);
    // The ack names the game version after this command; counting it up instead would count twice when the
    // update (which also moves gameVersion) arrives before the ack, as it can when appends are batched.
    this.gameVersion = Math.max(this.gameVersion, ack.data.gameVersion);
    return ack.data.version;
  }

  /** Resolves with the time the message whose text starts with `tag` arrives here. */
  expect(tag: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(tag);
        reject(new Error(`${this.label}: message ${tag} never arrived`));
      }, timeoutMs);
      this.waiting.set(tag, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  untilVersion(version: number, timeoutMs = 20_000): Promise<void> {
    if (this.version >= version) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: stuck at version ${this.version}, wanted ${version}`)), timeoutMs);
      this.versionWaiters.push({
        version,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private onUpdate(u: UpdatePayload): void {
    const at = now();
    this.arrivals.set(u.version, at);
    if (u.version > this.version) this.version = u.version;
    if (u.view && u.view.gameVersion > this.gameVersion) this.gameVersion = u.view.gameVersion;
    if (this.waiting.size > 0)
      for (const m of u.messages) {
        const space = m.text.indexOf(' ');
        const tag = space < 0 ? m.text : m.text.slice(0, space);
        const resolve = this.waiting.get(tag);
        if (resolve) {
          this.waiting.delete(tag);
          resolve(at);
        }
      }
    if (this.versionWaiters.length > 0) {
      const ready = this.versionWaiters.filter((w) => w.version <= this.version);
      this.versionWaiters = this.versionWaiters.filter((w) => w.version > this.version);
      for (const w of ready) w.resolve();
    }
  }
}

async function post<T>(url: string, path: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (res.status !== expected) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

type Add = (name: string, value: number | string, unit: string) => void;

/** A session over REST, with the facilitator, every bench seat and an observer connected (each pushed to `clients` as it connects). */
async function seatTable(options: ClientRunOptions, clients: BenchClient[], add: Add): Promise<{ facilitator: BenchClient; seats: BenchClient[] }> {
  const { url } = options;
  const t0 = now();
  const session = await post<CreateSessionResponse>(url, '/api/sessions', { scenarioId: SCENARIO_ID, seed: options.seed, optionalSeats: OPTIONAL_SEATS }, 201);
  add('REST: create session (first request, cold)', now() - t0, 'ms');
  const codeOf = (role: string) => {
    const code = session.codes.find((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind) === role)?.code;
    if (!code) throw new Error(`no join code for ${role}`);
    return code;
  };
  const connect = async (token: string, label: string) => {
    const c = new BenchClient(url, session.sessionId, token, label);
    clients.push(c);
    await c.hello();
    return c;
  };
  const t1 = now();
  const facilitator = await connect(session.facilitatorToken, 'facilitator');
  const seats: BenchClient[] = [];
  for (const seat of BENCH_SEATS) {
    const joined = await post<JoinResponse>(url, '/api/join', { code: codeOf(seat) }, 200);
    seats.push(await connect(joined.token, seat));
  }
  const observerJoin = await post<JoinResponse>(url, '/api/join', { code: codeOf('observer') }, 200);
  await connect(observerJoin.token, 'observer');
  add(`join + connect + hello, ${clients.length} sockets (5 seats, facilitator, observer)`, now() - t1, 'ms');
  return { facilitator, seats };
}

/** Latency: one public message at a time, each from the next seat, awaited at the seat after it. */
async function measureRoundTrips(count: number, seats: readonly BenchClient[], clients: readonly BenchClient[], rng: Rng, add: Add): Promise<void> {
  const seatAt = (i: number) => seats[i % seats.length] as BenchClient;
  const roundTrip: number[] = [];
  const fanOut: number[] = [];
  const fanOutAll: number[] = [];
  for (const c of clients) c.arrivals.clear();
  for (let i = 0; i < count; i++) {
    const sender = seatAt(i);
    const receiver = seatAt(i + 1);
    const tag = `rt${i}`;
    const arrival = receiver.expect(tag);
    const start = now();
    const ack = await sender.send({ type: 'SEND_MESSAGE', channel: 'public', text: randomText(rng, tag) });
    const acked = now();
    if (!ack.ok) throw new Error(`round trip ${i} refused: ${ack.error.code}: ${ack.error.message}`);
    const at = await arrival;
    roundTrip.push(acked - start);
    fanOut.push(at - start);
    await Promise.all(clients.map((c) => c.untilVersion(ack.data.version)));
    fanOutAll.push(Math.max(...clients.map((c) => c.arrivals.get(ack.data.version) ?? Number.NaN)) - start);
    for (const c of clients) c.arrivals.clear();
  }
  add(`command round trip (send → ack), n=${roundTrip.length} · p50`, quantile(roundTrip, 0.5), 'ms');
  add('command round trip · p95', quantile(roundTrip, 0.95), 'ms');
  add('command round trip · p99', quantile(roundTrip, 0.99), 'ms');
  add('fan-out (send → update at another seat) · p50', quantile(fanOut, 0.5), 'ms');
  add('fan-out (send → update at another seat) · p95', quantile(fanOut, 0.95), 'ms');
  add('fan-out (send → update at all 7 sockets) · p50 / p95', `${quantile(fanOutAll, 0.5).toFixed(2)} / ${quantile(fanOutAll, 0.95).toFixed(2)}`, 'ms');
}

/** Throughput: five seats, each sending as soon as its previous command is acknowledged. Returns the commands accepted. */
async function measureThroughput(options: ClientRunOptions, seats: readonly BenchClient[], clients: readonly BenchClient[], rng: Rng, add: Add, tell: (m: ClientMessage) => void): Promise<number> {
  let ok = 0;
  let refused = 0;
  let lastVersion = 0;
  tell({ type: 'phase', phase: 'throughput-start' });
  const started = now();
  const cpu = process.cpuUsage();
  const stopAt = started + options.throughputMs;
  await Promise.all(
    seats.map(async (seat, s) => {
      const channels = ['public', `team-${BENCH_SEATS[s] ?? ''}`];
      for (let i = 0; i < options.perSender && now() < stopAt; i++) {
        const ack = await seat.send({ type: 'SEND_MESSAGE', channel: channels[i % 2] ?? 'public', text: randomText(rng, `tp${s}-${i}`) });
        if (ack.ok) {
          ok++;
          lastVersion = Math.max(lastVersion, ack.data.version);
        } else refused++;
      }
    }),
  );
  const sentMs = now() - started;
  // Each viewer has its own stream (a team channel's messages are not in the observer's), so there is no one
  // version to wait for: a last public statement from every seat, delivered in log order, closes what each may see.
  const ends = seats.map((_, s) => `tp-end${s}`);
  const closed = clients.flatMap((c) => ends.map((tag) => c.expect(tag, 30_000)));
  await Promise.all(seats.map((seat, s) => seat.must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText(rng, ends[s] ?? '') })));
  await Promise.all(closed);
  const deliveredMs = now() - started;
  const used = process.cpuUsage(cpu);
  tell({ type: 'phase', phase: 'throughput-end' });
  add(`throughput, 5 concurrent senders (1 in flight each): accepted`, ok, 'cmd');
  add('throughput: accepted commands per second', (ok / sentMs) * 1000, 'cmd/s');
  add('throughput: updates at all 7 sockets, per second', (ok / deliveredMs) * 1000, 'cmd/s');
  if (refused > 0) add('throughput: refused commands', refused, 'cmd');
  add('throughput: client process CPU busy (7 sockets parsing updates)', (used.user + used.system) / 10 / deliveredMs, '% of 1 core');
  add("the longest seat's update stream at the end", lastVersion, 'updates');
  return ok;
}

export async function runClients(options: ClientRunOptions, tell: (m: ClientMessage) => void): Promise<{ rows: ClientRow[]; accepted: number }> {
  const rows: ClientRow[] = [];
  const add: Add = (name, value, unit) => rows.push({ name, value, unit });
  const clients: BenchClient[] = [];
  let accepted = 0;
  try {
    const { facilitator, seats } = await seatTable(options, clients, add);
    // Into the first beat's planning, where a table talks most.
    await facilitator.must({ type: 'START' });
    await facilitator.untilVersion(1);
    await facilitator.must({ type: 'ADVANCE' });
    accepted += 2;

    const rng = new Rng(options.seed);
    for (let i = 0; i < options.warmup; i++) {
      await (seats[i % seats.length] as BenchClient).must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText(rng, `warm${i}`) });
      accepted++;
    }
    await measureRoundTrips(options.roundTrips, seats, clients, rng, add);
    accepted += options.roundTrips;
    accepted += await measureThroughput(options, seats, clients, rng, add, tell);
    return { rows, accepted };
  } finally {
    for (const c of clients) c.close();
  }
}

// Forked by server-e2e.ts: wait for the options, run, report, leave.
if (process.send && process.argv.includes('--bench-clients')) {
  process.once('message', (options: ClientRunOptions) => {
    const send = (m: ClientMessage) => process.send?.(m);
    runClients(options, send)
      .then(({ rows, accepted }) => send({ type: 'done', rows, accepted }))
      .catch((err: unknown) => send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
      .finally(() => process.disconnect());
  });
}
