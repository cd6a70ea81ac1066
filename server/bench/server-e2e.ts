/**
 * The server end to end: a real app (createApp on port 0, loopback), a
 * session made over REST, five seats, the facilitator and an observer on
 * socket.io-client, and commands timed from emit to acknowledgement and to
 * the update arriving at other sockets.
 */
import { nanoid } from 'nanoid';
import { createClient, type RedisClientType } from 'redis';
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
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { now, quantile, type Report } from './stats.ts';
import { OPTIONAL_SEATS, Rng, randomText, SCENARIO_ID } from './workload.ts';

export const BENCH_SEATS = ['iran', 'israel', 'us', 'mediators', ...OPTIONAL_SEATS];

export interface E2eOptions {
  /** Messages sent one at a time, for the latency figures. */
  roundTrips: number;
  /** Per sender in the throughput run, and the run's time limit. */
  perSender: number;
  throughputMs: number;
  warmup: number;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A lean client: it only notes versions and the arrival of tagged messages. */
class BenchClient {
  readonly socket: ClientSocket;
  version = 0;
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
  }

  send(command: Command): Promise<Ack<CommandResult>> {
    return this.socket.timeout(10_000).emitWithAck('command', { commandId: `b-${nanoid(16)}`, expectedVersion: this.version, command });
  }

  async must(command: Command): Promise<number> {
    const ack = await this.send(command);
    if (!ack.ok) throw new Error(`${this.label}: ${command.type} refused: ${ack.error.code}: ${ack.error.message}`);
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

  untilVersion(version: number, timeoutMs = 15_000): Promise<void> {
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

async function api<T>(url: string, path: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (res.status !== expected) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function redisReachable(url: string): Promise<string | null> {
  const client: RedisClientType = createClient({ url, socket: { connectTimeout: 1500, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return null;
  } catch (err) {
    try {
      client.destroy();
    } catch {
      // Already closed.
    }
    return err instanceof Error ? err.message : String(err);
  }
}

async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
      if (keys.length > 0) deleted += await client.del(keys);
  } finally {
    await client.close();
  }
  return deleted;
}

export async function benchServer(report: Report, backend: 'memory' | 'redis', options: E2eOptions, redisUrl?: string): Promise<void> {
  const section = `5 server (${backend})`;
  const prefix = `bench-${nanoid(10)}:`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CLIENT_DIST: '/nonexistent-client-dist',
    // The per-socket limit would refuse a benchmark's bursts; production keeps its defaults.
    RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_PER_SEC: '1000000',
    HTTP_RATE_LIMIT_BURST: '1000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
    REDIS_PREFIX: prefix,
    ...(backend === 'redis' && redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
  const app = await createApp(config);
  const clients: BenchClient[] = [];
  try {
    const url = await app.listen();
    const session = await api<CreateSessionResponse>(url, '/api/sessions', { scenarioId: SCENARIO_ID, seed: 'bench-e2e', optionalSeats: OPTIONAL_SEATS }, 201);
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
    const facilitator = await connect(session.facilitatorToken, 'facilitator');
    const seats: BenchClient[] = [];
    for (const seat of BENCH_SEATS) {
      const joined = await api<JoinResponse>(url, '/api/join', { code: codeOf(seat) }, 200);
      seats.push(await connect(joined.token, seat));
    }
    const observerJoin = await api<JoinResponse>(url, '/api/join', { code: codeOf('observer') }, 200);
    await connect(observerJoin.token, 'observer');
    report.add(section, 'sockets connected (5 seats, facilitator, observer)', clients.length, 'sockets');

    // Into the first beat's planning, where a table talks most.
    await facilitator.must({ type: 'START' });
    await facilitator.untilVersion(1);
    await facilitator.must({ type: 'ADVANCE' });

    const rng = new Rng(`bench-e2e-${backend}`);
    const seatAt = (i: number) => seats[i % seats.length] as BenchClient;
    for (let i = 0; i < options.warmup; i++) await seatAt(i).must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText(rng, `warm${i}`) });

    // Latency: one message at a time, each from the next seat, awaited at the seat after it.
    const roundTrip: number[] = [];
    const fanOut: number[] = [];
    const fanOutAll: number[] = [];
    for (const c of clients) c.arrivals.clear();
    for (let i = 0; i < options.roundTrips; i++) {
      const sender = seatAt(i);
      const receiver = seatAt(i + 1);
      const tag = `rt${i}`;
      const arrival = receiver.expect(tag);
      const t0 = now();
      const ack = await sender.send({ type: 'SEND_MESSAGE', channel: 'public', text: randomText(rng, tag) });
      const t1 = now();
      if (!ack.ok) throw new Error(`round trip ${i} refused: ${ack.error.code}: ${ack.error.message}`);
      const at = await arrival;
      roundTrip.push(t1 - t0);
      fanOut.push(at - t0);
      await Promise.all(clients.map((c) => c.untilVersion(ack.data.version)));
      fanOutAll.push(Math.max(...clients.map((c) => c.arrivals.get(ack.data.version) ?? Number.NaN)) - t0);
      for (const c of clients) c.arrivals.clear();
    }
    report.add(section, `command round trip (send → ack), n=${roundTrip.length} · p50`, quantile(roundTrip, 0.5), 'ms');
    report.add(section, 'command round trip · p95', quantile(roundTrip, 0.95), 'ms');
    report.add(section, 'command round trip · p99', quantile(roundTrip, 0.99), 'ms');
    report.add(section, 'fan-out (send → update at another seat) · p50', quantile(fanOut, 0.5), 'ms');
    report.add(section, 'fan-out (send → update at another seat) · p95', quantile(fanOut, 0.95), 'ms');
    report.add(section, 'fan-out (send → update at all 7 sockets) · p50 / p95', `${quantile(fanOutAll, 0.5).toFixed(2)} / ${quantile(fanOutAll, 0.95).toFixed(2)}`, 'ms');

    // Throughput: five seats each sending as soon as its previous command is acknowledged.
    let accepted = 0;
    let refused = 0;
    let lastVersion = 0;
    const started = now();
    const stopAt = started + options.throughputMs;
    await Promise.all(
      seats.map(async (seat, s) => {
        const ownChannels = ['public', `team-${BENCH_SEATS[s] ?? ''}`];
        for (let i = 0; i < options.perSender && now() < stopAt; i++) {
          const ack = await seat.send({ type: 'SEND_MESSAGE', channel: ownChannels[i % 2] ?? 'public', text: randomText(rng, `tp${s}-${i}`) });
          if (ack.ok) {
            accepted++;
            lastVersion = Math.max(lastVersion, ack.data.version);
          } else refused++;
        }
      }),
    );
    const sentMs = now() - started;
    await Promise.all(clients.map((c) => c.untilVersion(lastVersion)));
    const deliveredMs = now() - started;
    report.add(section, 'throughput, 5 concurrent senders: accepted commands', accepted, 'cmd');
    report.add(section, 'throughput: accepted commands per second', (accepted / sentMs) * 1000, 'cmd/s');
    report.add(section, 'throughput: every update at all 7 sockets, per second', (accepted / deliveredMs) * 1000, 'cmd/s');
    if (refused > 0) report.add(section, 'throughput: refused commands', refused, 'cmd');
    report.add(section, 'session version (events in its log) at the end', lastVersion, 'events');
  } finally {
    for (const c of clients) c.close();
    await app.close();
    if (backend === 'redis' && redisUrl) {
      const deleted = await deleteKeys(redisUrl, prefix);
      report.note(`Redis run used key prefix ${prefix}; deleted ${deleted} keys afterwards.`);
    }
  }
}
