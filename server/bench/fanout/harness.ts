/**
 * The fan-out benchmark's clients, one harness for both targets, run in a
 * process of its own (forked by fanout.ts). Per session six sockets: four
 * seats that send public messages at a fixed rate (open loop: a send does not
 * wait for the previous acknowledgement), an observer and the white cell.
 * Every message carries its send time; every socket that receives it records
 * send → receipt. Against Rubicon a session is created, joined and taken
 * into planning over the real protocol; against the bare server the six
 * sockets join a room.
 */
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { now, quantile } from '../stats.ts';
import { histogramOf } from './latency-histogram.ts';
import { Rng, randomText, SCENARIO_ID } from '../workload.ts';
import { GcLog, type DeliveryRecord, type HarnessTail } from './tail-legs.ts';
import { markCompactShare, type MarkCompactPause, type MarkCompactShare } from './mark-compacts.ts';
import { harnessGcOf } from './harness-gc.ts';
import { SENDING_SEATS, SOCKETS_PER_SESSION, type FromHarness, type HarnessOptions, type HarnessResult, type TailBreakdown, type ToHarness } from './types.ts';

const ACK_TIMEOUT_MS = 10_000;
// Sessions set up at once: each takes about 8 round trips one after another (more on a Redis store under load), so many overlap.
const SETUP_CONCURRENCY = 48;

interface Ack {
  ok: boolean;
  data?: { version: number; view?: { gameVersion: number } };
  error?: { code: string; message: string };
}
interface Update {
  messages?: { text: string }[];
}

/** What every socket's receipts add up to. Each message is numbered, so a loss or a duplicate is counted per message. */
class Tally {
  readonly latencies: number[] = [];
  /** With several server processes: deliveries to a socket on the sender's own process, and to one on another. */
  readonly sameProcess: number[] = [];
  readonly crossProcess: number[] = [];
  /** Send → acknowledgement of each acknowledged message. */
  readonly ackLatencies: number[] = [];
  /** Per delivery: its message's send time (from windowStart), for where the slow ones fall in the window. */
  readonly sentAt: number[] = [];
  /** Per delivery: its message's number (FANOUT_TAIL=1 joins it with the server's stamps). */
  readonly ks: number[] = [];
  private senderProcess = new Uint8Array(1 << 16);
  /** Deliveries of message k so far, and whether it was acknowledged. */
  private deliveries = new Uint8Array(1 << 16);
  private acked = new Uint8Array(1 << 16);
  received = 0;
  inWindow = 0;
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  sent = 0;
  acknowledged = 0;
  refused = 0;
  unacknowledged = 0;
  firstRefusal: string | null = null;

  /** A new message's number, for its text. */
  next(process: number): number {
    const k = this.sent++;
    if (k >= this.deliveries.length) {
      const grow = (a: Uint8Array) => {
        const b = new Uint8Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.deliveries = grow(this.deliveries);
      this.acked = grow(this.acked);
      this.senderProcess = grow(this.senderProcess);
    }
    this.senderProcess[k] = process;
    return k;
  }

  /** `process`: the index of the server process the receiving socket is connected to. */
  onUpdate(u: Update, process: number): void {
    const at = now();
    for (const m of u.messages ?? []) {
      // "f<send time>:<number> …"
      if (m.text.charCodeAt(0) !== 102 /* f */) continue;
      const colon = m.text.indexOf(':');
      const stamp = Number(m.text.slice(1, colon));
      const k = Number(m.text.slice(colon + 1, m.text.indexOf(' ')));
      if (!Number.isFinite(stamp) || !Number.isInteger(k) || k < 0 || k >= this.sent) continue;
      this.received++;
      this.deliveries[k] = Math.min(255, (this.deliveries[k] ?? 0) + 1);
      if (at >= this.windowStart && at < this.windowEnd) this.inWindow++;
      // Messages sent during the warm-up are counted (lost, duplicated, delivered in the window) but not timed.
      if (stamp < this.windowStart) continue;
      this.latencies.push(at - stamp);
      (this.senderProcess[k] === process ? this.sameProcess : this.crossProcess).push(at - stamp);
      this.sentAt.push(stamp - this.windowStart);
      this.ks.push(k);
    }
  }

  onAck(k: number, sentAt: number, err: Error | null, ack: Ack | undefined): void {
    if (err || !ack) this.unacknowledged++;
    else if (ack.ok) {
      this.acknowledged++;
      if (sentAt >= this.windowStart) this.ackLatencies.push(now() - sentAt);
      this.acked[k] = 1;
    } else {
      this.refused++;
      this.firstRefusal ??= `${ack.error?.code ?? '?'}: ${ack.error?.message ?? ''}`;
    }
  }

  /** Acknowledged messages' deliveries that never came; deliveries beyond one per socket. */
  losses(perMessage: number): { lost: number; duplicated: number; deliveredUnacknowledged: number } {
    let lost = 0;
    let duplicated = 0;
    let deliveredUnacknowledged = 0;
    for (let k = 0; k < this.sent; k++) {
      const d = this.deliveries[k] ?? 0;
      if (this.acked[k] === 1 && d < perMessage) lost += perMessage - d;
      if (d > perMessage) duplicated += d - perMessage;
      if (this.acked[k] !== 1 && d > 0) deliveredUnacknowledged++;
    }
    return { lost, duplicated, deliveredUnacknowledged };
  }

  settled(perMessage: number): boolean {
    return this.acknowledged + this.refused + this.unacknowledged >= this.sent && this.received >= this.acknowledged * perMessage;
  }
}

type AnySocket = Socket;

/** Which server process (its index in the URLs) each socket is connected to. */
const processOf = new WeakMap<AnySocket, number>();

/** A socket to server process `p`, its updates counted in the tally. */
function connect(urls: readonly string[], p: number, tally: Tally): Promise<AnySocket> {
  const socket = io(urls[p] as string, { transports: ['websocket'], reconnection: false, forceNew: true });
  processOf.set(socket, p);
  socket.on('update', (u: Update) => tally.onUpdate(u, p));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Set-up requests answered `unavailable` (the store not answering within its bound on a crowded machine), or whose connection failed, are sent again, as a client would. */
const SETUP_ATTEMPTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function emitAck(socket: AnySocket, event: string, payload: unknown): Promise<Ack> {
  for (let attempt = 1; ; attempt++) {
    const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack;
    if (ack.ok || ack.error?.code !== 'unavailable' || attempt >= SETUP_ATTEMPTS) return ack;
    await sleep(250);
  }
}

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (err) {
      // A kept-alive connection the server closed meanwhile, or a connect that timed out on a crowded machine: nothing was done.
      if (attempt >= SETUP_ATTEMPTS) throw err;
      await sleep(250);
      continue;
    }
    const json = (await res.json()) as T;
    if (res.ok) return json;
    if (res.status !== 503 || attempt >= SETUP_ATTEMPTS) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    await sleep(250);
  }
}

/** One session's sockets: the senders first, then the observer and the white cell. */
interface SessionSockets {
  senders: AnySocket[];
  all: AnySocket[];
}

async function bareSession(options: HarnessOptions, index: number, tally: Tally): Promise<SessionSockets> {
  const seats = [...SENDING_SEATS, 'observer', 'facilitator'];
  const all = await Promise.all(
    seats.map(async (seat, j) => {
      const socket = await connect(options.urls, (index + j) % options.urls.length, tally);
      await emitAck(socket, 'join', { room: `r${index}`, seat });
      return socket;
    }),
  );
  return { senders: all.slice(0, SENDING_SEATS.length), all };
}

async function rubiconSession(options: HarnessOptions, index: number, tally: Tally): Promise<SessionSockets> {
  const processAt = (j: number) => (index + j) % options.urls.length;
  const urlAt = (j: number) => options.urls[processAt(j)] as string;
  const session = await post<CreateSessionResponse>(urlAt(0), '/api/sessions', { scenarioId: SCENARIO_ID, seed: `${options.seed}-${index}`, optionalSeats: [] });
  const hello = async (token: string, j: number): Promise<{ socket: AnySocket; gameVersion: number }> => {
    const socket = await connect(options.urls, processAt(j), tally);
    const ack = await emitAck(socket, 'hello', { sessionId: session.sessionId, token });
    if (!ack.ok) throw new Error(`hello refused: ${ack.error?.code}: ${ack.error?.message}`);
    return { socket, gameVersion: ack.data?.view?.gameVersion ?? 0 };
  };
  const facilitator = await hello(session.facilitatorToken, SOCKETS_PER_SESSION - 1);
  // Into the first beat's planning, where a table talks most.
  let gameVersion = facilitator.gameVersion;
  for (const type of ['START', 'ADVANCE'] as const) {
    const ack = await emitAck(facilitator.socket, 'command', { commandId: `${options.seed}-${index}-${type}`, command: { type }, expectedGameVersion: gameVersion });
    if (!ack.ok) throw new Error(`${type} refused: ${ack.error?.code}: ${ack.error?.message}`);
    gameVersion++;
  }
  const roleOf = (c: CreateSessionResponse['codes'][number]) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind);
  const others = await Promise.all(
    [...SENDING_SEATS, 'observer'].map(async (role, j) => {
      const code = session.codes.find((c) => roleOf(c) === role)?.code;
      if (!code) throw new Error(`no join code for ${role}`);
      const joined = await post<JoinResponse>(urlAt(j), '/api/join', { code });
      return (await hello(joined.token, j)).socket;
    }),
  );
  return { senders: others.slice(0, SENDING_SEATS.length), all: [...others, facilitator.socket] };
}

async function setUp(options: HarnessOptions, tally: Tally): Promise<SessionSockets[]> {
  const sessions: SessionSockets[] = new Array<SessionSockets>(options.sessions);
  let next = 0;
  const worker = async () => {
    while (next < options.sessions) {
      const i = next++;
      sessions[i] = options.target === 'bare' ? await bareSession(options, i, tally) : await rubiconSession(options, i, tally);
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
  return sessions;
}

/** Every sender sends at the rate, from a random offset, until `stop` is called. */
function load(options: HarnessOptions, sessions: SessionSockets[], tally: Tally): () => void {
  const rng = new Rng(options.seed);
  const interval = 1000 / options.ratePerSeat;
  const timers: NodeJS.Timeout[] = [];
  let n = 0;
  const sendFrom = (socket: AnySocket, label: string) => {
    const k = tally.next(processOf.get(socket) ?? 0);
    const sentAt = now();
    const text = randomText(rng, `f${sentAt.toFixed(3)}:${k}`);
    const ack = (err: Error | null, a?: Ack) => tally.onAck(k, sentAt, err, a);
    if (options.target === 'bare') socket.timeout(ACK_TIMEOUT_MS).emit('msg', { text }, ack);
    else socket.timeout(ACK_TIMEOUT_MS).emit('command', { commandId: `${options.seed}-${label}-${n++}`, command: { type: 'SEND_MESSAGE', channel: 'public', text } }, ack);
  };
  sessions.forEach((s, i) =>
    s.senders.forEach((socket, j) => {
      const label = `${i}_${j}`;
      timers.push(
        setTimeout(() => {
          sendFrom(socket, label);
          timers.push(setInterval(() => sendFrom(socket, label), interval));
        }, rng.next() * interval),
      );
    }),
  );
  return () => {
    for (const t of timers) clearTimeout(t);
  };
}

/**
 * Where the slowest deliveries come from: the p99 of deliveries within the
 * sender's process and across to the other, the acknowledgements' p50/p99,
 * and, of the deliveries past the overall p99, the share that crossed
 * processes and how many had been sent in each second of the window (a
 * burst shows as one second holding most of them).
 */
function tailOf(tally: Tally, windowMs: number): TailBreakdown {
  const p99 = quantile(tally.latencies, 0.99);
  const perSecond = new Array<number>(Math.max(1, Math.ceil(windowMs / 1000))).fill(0);
  let slow = 0;
  let slowCross = 0;
  // latencies and sentAt are pushed together, one per delivery.
  for (let i = 0; i < tally.latencies.length; i++) {
    if ((tally.latencies[i] ?? 0) <= p99) continue;
    slow++;
    const second = Math.floor((tally.sentAt[i] ?? 0) / 1000);
    if (second >= 0 && second < perSecond.length) perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  // Counted separately: the same/cross split keeps only latencies.
  for (const ms of tally.crossProcess) if (ms > p99) slowCross++;
  return {
    sameP50: quantile(tally.sameProcess, 0.5),
    sameP99: quantile(tally.sameProcess, 0.99),
    crossP50: quantile(tally.crossProcess, 0.5),
    crossP99: quantile(tally.crossProcess, 0.99),
    ackP50: quantile(tally.ackLatencies, 0.5),
    ackP99: quantile(tally.ackLatencies, 0.99),
    slow,
    slowCross,
    slowBySecond: perSecond,
  };
}

/** FANOUT_TAIL=1: every delivery slower than the p99 and every 10th of all, as epoch ms, for tail-probe.ts. */
function tailRecords(tally: Tally, gcs: HarnessTail['gcs']): HarnessTail {
  const p99 = quantile(tally.latencies, 0.99);
  const origin = performance.timeOrigin + tally.windowStart;
  const slow: DeliveryRecord[] = [];
  const sample: DeliveryRecord[] = [];
  for (let i = 0; i < tally.latencies.length; i++) {
    const ms = tally.latencies[i] ?? 0;
    const sent = origin + (tally.sentAt[i] ?? 0);
    const record: DeliveryRecord = [tally.ks[i] ?? -1, sent, sent + ms];
    if (ms > p99) slow.push(record);
    if (i % 10 === 0) sample.push(record);
  }
  return { slow, sample, gcs };
}

async function drain(options: HarnessOptions, tally: Tally): Promise<void> {
  const until = now() + options.drainMs;
  while (now() < until && !tally.settled(SOCKETS_PER_SESSION)) await new Promise((r) => setTimeout(r, 50));
}

/** The deliveries against the servers' mark-compact pauses, which the orchestrator sends once the window has ended (null: none came, or the servers do not record them). */
async function markCompactsOf(tally: Tally, pauses: Promise<MarkCompactPause[] | null>): Promise<MarkCompactShare | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000).unref());
  const got = await Promise.race([pauses, timeout]);
  if (!got) return null;
  const origin = performance.timeOrigin + tally.windowStart;
  return markCompactShare(
    tally.sentAt.map((ms) => origin + ms),
    tally.latencies,
    got,
    quantile(tally.latencies, 0.99),
  );
}

export async function runHarness(options: HarnessOptions, tell: (m: FromHarness) => void, go: Promise<void>, pauses: Promise<MarkCompactPause[] | null> = Promise.resolve(null)): Promise<HarnessResult> {
  const tally = new Tally();
  const t0 = now();
  const sessions = await setUp(options, tally);
  const setupMs = now() - t0;
  // FANOUT_HARNESS_GC=1: set-up's garbage (Rubicon's hello answers carry whole views) collected before the load, so the
  // harness's own mark-compacts do not fall in one contender's window more than another's (docs/performance.md,
  // "What Node 20's p99 is made of"). Off by default: the figures before it were taken without.
  if (process.env.FANOUT_HARNESS_GC === '1') (globalThis as { gc?: () => void }).gc?.();
  try {
    tell({ type: 'ready' });
    await go;
    const stop = load(options, sessions, tally);
    await sleep(options.warmupMs);
    tell({ type: 'load-start' });
    // Always on (one entry per collection): the harness's mark-compacts in the window are part of every phase's report.
    const gcLog = new GcLog();
    gcLog.start();
    const cpu = process.cpuUsage();
    tally.windowStart = now();
    await sleep(options.loadMs);
    stop();
    tally.windowEnd = now();
    const used = process.cpuUsage(cpu);
    const gcs = gcLog.stop();
    tell({ type: 'load-end' });
    await drain(options, tally);
    if (tally.firstRefusal) process.stderr.write(`  fan-out harness: first refusal: ${tally.firstRefusal}\n`);
    const windowMs = tally.windowEnd - tally.windowStart;
    const late = tally.latencies.reduce((k, ms) => (ms > 2000 ? k + 1 : k), 0);
    const { lost, duplicated, deliveredUnacknowledged } = tally.losses(SOCKETS_PER_SESSION);
    return {
      lost,
      duplicated,
      deliveredUnacknowledged,
      sockets: sessions.reduce((k, s) => k + s.all.length, 0),
      sent: tally.sent,
      acknowledged: tally.acknowledged,
      refused: tally.refused,
      unacknowledged: tally.unacknowledged,
      expected: tally.acknowledged * SOCKETS_PER_SESSION,
      received: tally.received,
      deliveriesPerSecond: (tally.inWindow / windowMs) * 1000,
      latencies: histogramOf(tally.latencies),
      p50: quantile(tally.latencies, 0.5),
      p95: quantile(tally.latencies, 0.95),
      p99: quantile(tally.latencies, 0.99),
      max: tally.latencies.reduce((a, b) => Math.max(a, b), 0),
      lateOver2s: late,
      setupMs,
      harnessCpuPercent: ((used.user + used.system) / 10 / windowMs),
      node: process.version,
      tail: tailOf(tally, windowMs),
      gc: harnessGcOf(gcs),
      ...(process.env.FANOUT_TAIL === '1' ? { tailRecords: tailRecords(tally, gcs) } : {}),
      markCompacts: await markCompactsOf(tally, pauses),
    };
  } finally {
    for (const s of sessions) for (const socket of s.all) socket.close();
  }
}

// Forked by fanout.ts: wait for the options, set up, wait for go, run, report, leave.
if (process.send && process.argv.includes('--fanout-harness')) {
  const send = (m: FromHarness) => process.send?.(m);
  let goResolve: () => void = () => {};
  const go = new Promise<void>((resolve) => (goResolve = resolve));
  let pausesResolve: (p: MarkCompactPause[] | null) => void = () => {};
  const pauses = new Promise<MarkCompactPause[] | null>((resolve) => (pausesResolve = resolve));
  process.on('message', (m: ToHarness) => {
    if (m.type === 'go') goResolve();
    else if (m.type === 'mark-compacts') pausesResolve(m.pauses);
    else
      runHarness(m.options, send, go, pauses)
        .then((result): FromHarness => ({ type: 'done', result }))
        .catch((err: unknown): FromHarness => ({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
        // Disconnected only once the last message is written: a large one (FANOUT_TAIL's records) was cut off otherwise.
        .then((last) => process.send?.(last, () => process.disconnect()));
  });
}
