/**
 * The fault suites' tools: a private `redis-server` (private-redis.ts,
 * re-exported here); server processes run as production runs them
 * (server/src/main.ts compiled to JavaScript, under plain `node`); and writers
 * that keep commands flowing, retry `unavailable` with the same command id as
 * the protocol says, fail over to another process when theirs dies, and
 * remember every answer so the log can be checked against them afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { afterAll, expect } from 'vitest';
import { createGame, senderStreamVersions, type Ack, type CommandResult, type GameSetupInput, type LogEntry } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { bundleService } from '../../bench/compile.ts';
import { TABLE_SETUP, TestClient, api, spawnServer, testEnv, type ChildServer, type Table } from '../harness.ts';

import { sleep, type PrivateRedis } from './private-redis.ts';

export { PrivateRedis, freePort, sleep, type RedisLife } from './private-redis.ts';

/** The environment a fault-suite server runs with: production defaults except the test's Redis and generous rate limits. */
export function faultEnv(redis: PrivateRedis, env: Record<string, string> = {}): Record<string, string> {
  return testEnv('redis', `fault-${nanoid(6)}:`, { REDIS_URL: redis.url, LOG_POLL_MS: '200', TIMER_POLL_MS: '50', ...env });
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
let service: { dir: string; main: Promise<string> } | undefined;

/**
 * server/src/main.ts and its import worker as JavaScript (bench/compile.ts's bundleService), made once per
 * test file (about 0.6 s) in a temporary folder. Under tsx each process loaded the server's TypeScript through
 * the loader on its own; the shipped image runs JavaScript too.
 */
async function compiledService(): Promise<string> {
  if (!service) {
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-fault-js-'));
    service = { dir, main: bundleService(repoRoot, dir) };
  }
  return service.main;
}

// Removed when the test file is done: vitest ends its workers with SIGTERM, so no 'exit' handler would run.
// A file that starts no server (or imports this for its other tools) has nothing to remove.
afterAll(async () => {
  if (!service) return;
  const { dir, main } = service;
  service = undefined;
  await main.catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** One server process from the compiled service, under the node running the tests; resolves once it listens. */
export async function startServer(env: Record<string, string>): Promise<ChildServer> {
  return spawnServer(env, 60_000, { node: process.execPath, args: [await compiledService()] });
}

export async function startServers(n: number, env: Record<string, string>): Promise<ChildServer[]> {
  return Promise.all(Array.from({ length: n }, () => startServer(env)));
}

/** Lines a server wrote that mean it crashed or treated a Redis fault as a bug. */
/** The URLs of the processes not killed (nor exited): where a writer fails over to. */
export function aliveUrls(servers: readonly ChildServer[]): string[] {
  return servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null).map((s) => s.url);
}

export function crashLines(server: ChildServer): string[] {
  return server
    .output()
    .split('\n')
    // A logged error (JSON, level 50) may carry a Redis error's stack on purpose; only a
    // raw stack on stderr (not JSON) means the error escaped every handler.
    .filter(
      (l) =>
        /unhandled rejection|uncaught|"level":60|a socket handler failed|request failed/.test(l) ||
        (!l.startsWith('{') && /SocketClosedUnexpectedlyError/.test(l)),
    );
}

/** The JSON lines a server logged at error level or above (pino's 50 and 60), message and error type only. */
export function errorLines(server: ChildServer): string[] {
  return server
    .output()
    .split('\n')
    .filter((l) => /^\{"level":(50|60),/.test(l))
    .map((l) => {
      const { msg, err } = JSON.parse(l) as { msg?: string; err?: { type?: string } };
      return `${msg ?? ''}${err?.type ? ` (${err.type})` : ''}`;
    });
}

export function countLines(server: ChildServer, text: string): number {
  return server.output().split('\n').filter((l) => l.includes(text)).length;
}

export interface HealthAnswer {
  status: number;
  ms: number;
  body: unknown;
}

export async function health(url: string, path = '/healthz/ready'): Promise<HealthAnswer> {
  const t0 = performance.now();
  const res = await fetch(new URL(path, url), { signal: AbortSignal.timeout(5000) });
  const body: unknown = await res.json();
  return { status: res.status, ms: performance.now() - t0, body };
}

/** One answer to one sending of a command: `sentAt` is the wall clock (Date.now()) when it was sent, `ms` how long it took. */
export interface CommandAnswer {
  ok: boolean;
  code?: string;
  retryAfterMs?: number;
  sentAt: number;
  ms: number;
  version?: number;
  duplicate?: boolean;
}

/** What one command's sender learnt: its id, every answer it got, and how long each took. */
export interface CommandRecord {
  commandId: string;
  answers: CommandAnswer[];
  /** Sendings that got no answer (their socket died, or 10 s passed), each followed by a failover. */
  unanswered: number;
  final: 'ok' | 'refused' | 'gave-up';
  version?: number;
}

/**
 * One failover of a writer, for a failing run's report: when (wall clock, as `sentAt`), why (a sending got
 * no answer, or the socket was found closed before sending), from where to where, how long it took.
 */
export interface Failover {
  at: number;
  why: 'unanswered' | 'closed';
  from: string;
  to: string;
  ms: number;
}

/** A channel each seat may write to from the first beat on, with no cap on how often (public statements are capped). */
export const CHANNEL_OF: Record<string, string> = { iran: 'iran-mediators', mediators: 'iran-mediators', israel: 'israel-us', us: 'israel-us' };

/**
 * One seat sending messages on its bilateral channel in a loop. `unavailable` with a retry
 * hint is retried with the same id; a dead server is replaced by the next
 * URL in `urls` (a new socket and hello), and the command in flight is sent
 * again with the same id.
 */
export class Writer {
  readonly records: CommandRecord[] = [];
  client: TestClient;
  private running = false;
  private loop: Promise<void> | null = null;
  /** The failovers completed; `failoverCount` counts those begun. */
  readonly failovers: Failover[] = [];
  private failoversBegun = 0;

  constructor(
    private urls: () => string[],
    readonly sessionId: string,
    readonly token: string,
    readonly label: string,
  ) {
    this.client = new TestClient(this.urls()[0] ?? '', sessionId, token, label);
  }

  async connect(): Promise<void> {
    const ack = await this.client.hello();
    if (!ack.ok) throw new Error(`${this.label}: hello refused: ${ack.error.code}`);
  }

  /** Sends until `stop`; `gapMs` between commands. */
  start(gapMs: number): void {
    this.running = true;
    this.loop = (async () => {
      let i = 0;
      while (this.running) {
        await this.sendOne(`${this.label} #${i++}`);
        await sleep(gapMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One command to its final answer (or until it gives up after ~30 s). */
  async sendOne(text: string): Promise<CommandRecord> {
    const record: CommandRecord = { commandId: `f-${nanoid(12)}`, answers: [], unanswered: 0, final: 'gave-up' };
    this.records.push(record);
    const giveUpAt = Date.now() + 30_000;
    while (Date.now() < giveUpAt) {
      // Its process died while this writer waited between sendings: socket.io-client would hold a command
      // on a closed socket for a reconnection that never comes (reconnection is off) until the 10 s timeout.
      if (!this.client.socket.connected) {
        await this.failover('closed');
        continue;
      }
      const t0 = performance.now();
      const sentAt = Date.now();
      let ack: Ack<CommandResult>;
      try {
        ack = await this.client.command({ type: 'SEND_MESSAGE', channel: CHANNEL_OF[this.label] ?? 'public', text }, { commandId: record.commandId });
      } catch {
        // No answer: the socket died with its server, or nothing came in time. Same id, another process.
        record.unanswered++;
        await this.failover('unanswered');
        continue;
      }
      const ms = performance.now() - t0;
      if (ack.ok) {
        record.answers.push({ ok: true, sentAt, ms, version: ack.data.version, duplicate: ack.data.duplicate });
        record.final = 'ok';
        record.version = ack.data.version;
        return record;
      }
      record.answers.push({ ok: false, code: ack.error.code, sentAt, ms, ...(ack.error.retryAfterMs === undefined ? {} : { retryAfterMs: ack.error.retryAfterMs }) });
      if (ack.error.code !== 'unavailable' || ack.error.retryAfterMs === undefined) {
        record.final = 'refused';
        return record;
      }
      await sleep(ack.error.retryAfterMs / 4);
    }
    return record;
  }

  get failoverCount(): number {
    return this.failoversBegun;
  }

  private async failover(why: Failover['why']): Promise<void> {
    this.failoversBegun++;
    const old = this.client;
    old.close();
    const at = Date.now();
    const t0 = performance.now();
    for (let attempt = 0; attempt < 100; attempt++) {
      const urls = this.urls();
      const url = urls[(this.failoversBegun + attempt) % urls.length] ?? '';
      const next = new TestClient(url, this.sessionId, this.token, this.label);
      next.view = old.view;
      next.messages = old.messages;
      try {
        const ack = await next.hello(old.version >= 0 ? old.version : undefined);
        if (ack.ok) {
          this.client = next;
          this.failovers.push({ at, why, from: old.url, to: url, ms: Math.round(performance.now() - t0) });
          return;
        }
      } catch {
        // That one is down too (or still starting): try the next.
      }
      next.close();
      await sleep(100);
    }
    throw new Error(`${this.label}: no server to fail over to`);
  }

  close(): void {
    this.client.close();
  }
}

export async function exportLog(url: string, sessionId: string, facilitatorToken: string): Promise<LogEntry[]> {
  const r = await api<{ log: (LogEntry & { hash?: string })[] }>(url, `/api/sessions/${sessionId}/export`, { token: facilitatorToken });
  if (r.status !== 200) throw new Error(`export: ${r.status} ${JSON.stringify(r.body)}`);
  // The file chains each entry to the one before by hash; the entries themselves are what was logged.
  return r.body.log.map(({ hash: _hash, ...entry }) => entry);
}

export interface LogAudit {
  acknowledged: number;
  lost: string[];
  duplicated: string[];
  /** Refused for good (not `unavailable`), yet in the log. */
  refusedButApplied: string[];
  /** Acknowledged at a version of the sender's own stream from before the command. */
  wrongVersion: string[];
  gaveUp: number;
  /**
   * Acknowledged as new (`duplicate: false`) by a sending after an earlier one went unanswered or was
   * refused `unavailable`, yet logged before that sending left: the earlier one had been applied and the
   * retry did not say so. Each entry's `at` is the appending server's clock when it was decided, the
   * same machine's clock as `sentAt`.
   */
  retryNotTold: string[];
  /** Refused `unavailable` (or unanswered) and applied all the same, which the retry's `duplicate: true` told. */
  appliedThoughUnavailable: number;
}

/**
 * Checks every writer's answers against the log: each acknowledged command
 * in it exactly once, and acknowledged at a version of the sender's own
 * stream that includes it. `setup` is the session's (seatTable's by default).
 */
export function audit(log: readonly LogEntry[], writers: readonly Writer[], setup: GameSetupInput = TABLE_SETUP): LogAudit {
  const seqsById = new Map<string, number[]>();
  const atById = new Map<string, number>();
  for (const e of log) {
    seqsById.set(e.commandId, [...(seqsById.get(e.commandId) ?? []), e.seq]);
    atById.set(e.commandId, e.at);
  }
  const records = writers.flatMap((w) => w.records);
  const acked = records.filter((r) => r.final === 'ok');
  const after = senderStreamVersions(createGame(shippedScenario(String(setup.scenarioId)), setup), log);
  return {
    acknowledged: acked.length,
    lost: acked.filter((r) => !seqsById.has(r.commandId)).map((r) => r.commandId),
    duplicated: [...seqsById].filter(([, seqs]) => seqs.length > 1).map(([id]) => id),
    refusedButApplied: records.filter((r) => r.final === 'refused' && seqsById.has(r.commandId)).map((r) => r.commandId),
    wrongVersion: acked.filter((r) => r.version === undefined || r.version < (after.get(r.commandId) ?? Infinity)).map((r) => r.commandId),
    gaveUp: records.filter((r) => r.final === 'gave-up').length,
    retryNotTold: acked.filter((r) => lastAnswer(r)?.duplicate === false && (atById.get(r.commandId) ?? Infinity) < (lastAnswer(r)?.sentAt ?? 0)).map((r) => r.commandId),
    appliedThoughUnavailable: acked.filter((r) => lastAnswer(r)?.duplicate === true && r.answers.some((a) => a.code === 'unavailable')).length,
  };
}

const lastAnswer = (r: CommandRecord): CommandAnswer | undefined => r.answers[r.answers.length - 1];

/**
 * How long a writer may take to fail over (a new socket and hello on a live process) once its process died:
 * well under the 10 s acknowledgement timeout a command buffered on a closed socket waits for, well over a
 * failover on a loaded machine (33-360 ms measured at load 8-14).
 */
export const FAILOVER_WITHIN_MS = 5000;

/**
 * The latest any answer to a command may come, from its sending, with Redis up or down: the server answers
 * within STORE_TIMEOUT_MS (1 s by default) of a command's arrival, `unavailable` if the store has not
 * answered by then. Three times that is the loosest limit redis-outage.test.ts accepts from its measured
 * load margin (a run whose limit comes to more is too loaded to tell late from slow); the kill tests, which
 * do not scrape the servers' lag, use it as is.
 */
export const ANSWER_WITHIN_MS = 3 * 1000;

/** Every answer (acknowledgement or refusal) that came later than `ms` after its sending. */
export function answersLaterThan(writers: readonly Writer[], ms: number): CommandAnswer[] {
  return writers.flatMap((w) => w.records.flatMap((r) => r.answers.filter((a) => a.ms > ms)));
}

/** Every failover that took longer than `ms`, labelled with its writer. */
export function failoversLongerThan(writers: readonly Writer[], ms: number): (Failover & { label: string })[] {
  return writers.flatMap((w) => w.failovers.filter((f) => f.ms > ms).map((f) => ({ ...f, label: w.label })));
}

/** Every `unavailable` answer's latency, for the "refused within the bound" check. */
export function unavailableLatencies(writers: readonly Writer[]): number[] {
  return writers.flatMap((w) => w.records.flatMap((r) => r.answers.filter((a) => a.code === 'unavailable').map((a) => a.ms)));
}

/**
 * Issue 10's properties on a live session once its writers stopped: each failover and every answer (any
 * `unavailable` included) within its bound, every acknowledged command in the log exactly once (more than
 * `minAcknowledged` of them), and the writers' and the table's clients converged on the log's head.
 * `step` reports the export before the wait for the clients.
 */
export async function expectLiveSessionWhole(
  url: string,
  game: Table,
  writers: readonly Writer[],
  minAcknowledged: number,
  step: (what: string) => void = () => {},
): Promise<{ log: LogEntry[]; result: LogAudit }> {
  expect(failoversLongerThan(writers, FAILOVER_WITHIN_MS)).toEqual([]);
  expect(answersLaterThan(writers, ANSWER_WITHIN_MS)).toEqual([]);
  const log = await exportLog(url, game.session.sessionId, game.session.facilitatorToken);
  const result = audit(log, writers);
  expect(result.acknowledged).toBeGreaterThan(minAcknowledged);
  expect(result).toMatchObject({ lost: [], duplicated: [], refusedButApplied: [], wrongVersion: [], gaveUp: 0 });
  step(`log exported: ${log.length} entries; ${result.acknowledged} acknowledged`);
  await Promise.all([...writers.map((w) => w.client), game.observer, game.facilitator].map((c) => c.caughtUp(15_000)));
  step('every client caught up');
  expect(game.facilitator.version).toBe(log.length);
  return { log, result };
}
