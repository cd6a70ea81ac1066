/**
 * Heap ballast for the bare server (FANOUT_BALLAST, opt-in): live objects
 * shaped like what Rubicon's in-memory message log keeps per public message,
 * so that bare can be run with Rubicon's heap size and growth but none of its
 * code path. It answers whether the p99 gap over bare comes from a bigger,
 * growing heap (cache misses, concurrent marking, write barriers) rather than
 * from Rubicon's work per message.
 *
 * Per message Rubicon kept about 586 B in six objects when this was written
 * (docs/performance/fan-out-log.md, "States made young…", "Option B": the
 * text 192.5 B, the message 104 B, the log entry 64 B, its command 48 B, the
 * command id 32 B, one time box 16 B) plus a slot in the log's and the
 * message list's arrays and the command-id index's table. `grow` keeps that
 * for every broadcast message; `static=<MB>` makes that many MB of the same
 * graphs before the load, in a session of their own. Since the memory store
 * keeps its log as columns (compact-log.ts) Rubicon keeps about 496 B in
 * five: the ballast models the heap the gap was
 * measured with, a little larger than today's.
 *
 * `burn=<µs>` is a CPU ballast instead: the server spins that long on the
 * clock for every message, before its broadcast (where Rubicon's command path
 * runs), and keeps nothing. A series of them reads bare's p99 against its
 * CPU per delivery, with its code path and heap otherwise bare's: how much
 * CPU a message Rubicon would have to shed to bring its p99 ratio to a
 * target, by the harness's own reading rather than a queueing model.
 */

/** One contender's ballast: MB made before the load, and whether each broadcast message keeps its graph. */
export interface BallastSpec {
  staticMb: number;
  grow: boolean;
  /** µs of CPU spent per message before its broadcast (0: none). */
  burnUs?: number;
}

/**
 * FANOUT_BALLAST: contenders separated by ";", each "grow", "static=<MB>",
 * "burn=<µs>" or several joined by "+" ("static=48+grow"); each is one more bare contender.
 * Unset or empty: none, and the bench runs as it did.
 */
export function parseBallasts(value: string | undefined): BallastSpec[] {
  const specs = (value ?? '').split(';').map((v) => v.trim()).filter(Boolean).map(parseBallast);
  const names = specs.map(ballastName);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`FANOUT_BALLAST: "${twice}" named twice`);
  return specs;
}

function parseBallast(text: string): BallastSpec {
  const spec: BallastSpec = { staticMb: 0, grow: false };
  for (const part of text.split('+').map((p) => p.trim())) {
    const mb = /^static=(\d+(?:\.\d+)?)$/.exec(part)?.[1];
    const us = /^burn=(\d+(?:\.\d+)?)$/.exec(part)?.[1];
    if (part === 'grow' && !spec.grow) spec.grow = true;
    else if (mb !== undefined && spec.staticMb === 0 && Number(mb) > 0) spec.staticMb = Number(mb);
    else if (us !== undefined && spec.burnUs === undefined && Number(us) > 0) spec.burnUs = Number(us);
    else throw new Error(`FANOUT_BALLAST: "${text}": each part is "grow", "static=<MB>" (MB > 0) or "burn=<µs>" (µs > 0), once each`);
  }
  return spec;
}

/** The name the contender carries, and the setting its server reads back (ballastFromSetting). */
export function ballastName(spec: BallastSpec): string {
  const burn = spec.burnUs ?? 0;
  return [...(spec.staticMb > 0 ? [`static=${spec.staticMb}`] : []), ...(spec.grow ? ['grow'] : []), ...(burn > 0 ? [`burn=${burn}`] : [])].join('+');
}

/** The bare server's side: its FANOUT_SERVER_ENV's BALLAST, or null for none. */
export function ballastFromSetting(settings: Record<string, string>): BallastSpec | null {
  const value = settings.BALLAST;
  if (value === undefined || value === '') return null;
  const [spec, ...more] = parseBallasts(value);
  if (!spec || more.length > 0) throw new Error(`BALLAST: "${value}" is not one ballast`);
  return spec;
}

/** Rubicon's `{seq, at, by, commandId, command}`: 64 B. */
interface Entry {
  seq: number;
  at: number;
  by: Actor;
  commandId: string;
  command: Command;
}

/** Rubicon's `{type, channel, text}`: 48 B. */
interface Command {
  type: string;
  channel: string;
  text: string;
}

/** Rubicon's message's ten fields: 104 B. */
interface Kept {
  seq: number;
  at: number;
  channel: string;
  from: string;
  text: string;
  audience: readonly string[];
  to: string | null;
  relayOf: number | null;
  gameVersion: number;
  fromName: string | null;
}

interface Actor {
  kind: string;
  seat: string;
}

/** What one session keeps: the log, the message list, and the command-id index, as Rubicon's memory store does. */
interface Log {
  entries: Entry[];
  messages: Kept[];
  seqOf: Map<string, number>;
}

const AUDIENCE: readonly string[] = ['iran', 'israel', 'us', 'mediators'];

/** What one message's graph was measured to keep (Node 20 and 24 alike, test/bench-fanout-ballast.test.ts): sizes the static ballast. */
export const BYTES_PER_MESSAGE = 540;

export class Ballast {
  private readonly logs = new Map<string, Log>();
  private readonly actors = new Map<string, Actor>();
  private kept = 0;

  constructor(private readonly spec: BallastSpec) {
    if (spec.staticMb > 0) this.fill(spec.staticMb);
  }

  /** Messages whose graphs this ballast holds (static ones included). */
  get messages(): number {
    return this.kept;
  }

  /** Spins `burn` µs on the clock (none without it): a message's CPU beyond bare's, spent before its broadcast. */
  beforeBroadcast(): void {
    const burnUs = this.spec.burnUs ?? 0;
    if (burnUs <= 0) return;
    const until = performance.now() + burnUs / 1000;
    while (performance.now() < until);
  }

  /** A broadcast message's graph, kept for good under its room's log (`grow` only). */
  onMessage(room: string, seat: string, text: string, seq: number, at: number): void {
    if (this.spec.grow) this.keep(room, seat, text, seq, at);
  }

  private fill(mb: number): void {
    const count = Math.round((mb * 2 ** 20) / BYTES_PER_MESSAGE);
    // Texts as long as the bench's (about 180 characters), each a string of its own, as each parsed message's is.
    const pad = 'x'.repeat(170);
    // JSON.parse, as the socket's parser does, makes each a flat string; a concatenation would keep a cons of shared parts.
    for (let i = 0; i < count; i++) this.keep(`static-${i % 200}`, AUDIENCE[i % 4] ?? 'us', JSON.parse(`"${pad}${i}"`) as string, -1 - i, 1.7e12 + i);
  }

  private keep(room: string, seat: string, text: string, seq: number, at: number): void {
    const log = this.logOf(room);
    // Under 13 characters, so V8 makes a flat string (32 B) rather than a cons of the parts.
    const commandId = `c${(seq >>> 0).toString(36)}${seat.slice(0, 2)}`;
    const command: Command = { type: 'SEND_MESSAGE', channel: 'public', text };
    // `at` as Rubicon's clock gives it: a double, boxed once and shared by the entry and the message.
    const entry: Entry = { seq, at, by: this.actorOf(seat), commandId, command };
    const message: Kept = { seq, at, channel: 'public', from: seat, text, audience: AUDIENCE, to: null, relayOf: null, gameVersion: seq, fromName: null };
    log.entries.push(entry);
    log.messages.push(message);
    log.seqOf.set(commandId, seq);
    this.kept++;
  }

  private logOf(room: string): Log {
    let log = this.logs.get(room);
    if (!log) this.logs.set(room, (log = { entries: [], messages: [], seqOf: new Map() }));
    return log;
  }

  private actorOf(seat: string): Actor {
    let actor = this.actors.get(seat);
    if (!actor) this.actors.set(seat, (actor = { kind: 'seat', seat }));
    return actor;
  }
}
