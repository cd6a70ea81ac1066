/**
 * The batched write path: commands waiting for one session are checked in
 * order, each on top of the ones before it, and appended together in one
 * atomic step. In memory the batching is deterministic; on Redis three
 * services (three processes' worth of clients) race into one session.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { Command, LogEntry } from '@rubicon/shared';
import type { ActingActor } from '../src/session/access.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService, type Executed } from '../src/session/session-service.ts';
import type { PendingCommand } from '../src/session/command-path.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { WriteBatches } from '../src/session/write-batches.ts';
import { createStores, type Stores } from '../src/store/index.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { Scheduler, SessionStore } from '../src/store/types.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const logger = pino({ level: 'silent' });
const clock = { now: () => 1_712_000_000_000 };
const facilitator: ActingActor = { kind: 'facilitator' };
const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
const seat = (i: number): ActingActor => ({ kind: 'seat', seat: SEATS[i % SEATS.length] ?? 'iran' });
const message = (i: number, text = `message ${i}`): Command => ({ type: 'SEND_MESSAGE', channel: `team-${SEATS[i % SEATS.length]}`, text });

function serviceOn(store: SessionStore, metrics: Metrics = createMetrics()): SessionService {
  return new SessionService({ store, scheduler: noScheduler, clock, logger, metrics, snapshotEvery: 50 });
}

/** A service's append attempts (rubicon_append_attempts): batches appended, those in one attempt, and the most any took. */
async function appendAttempts(metrics: Metrics): Promise<{ batches: number; firstTry: number; most: number }> {
  const { values } = await metrics.appendAttempts.histogram.get();
  const bucket = (le: number | string) => values.find((v) => v.metricName === 'rubicon_append_attempts_bucket' && v.labels.le === le)?.value ?? 0;
  const batches = values.find((v) => v.metricName === 'rubicon_append_attempts_count')?.value ?? 0;
  const bounds = [1, 2, 3, 4, 6, 8, 12, 16, 32];
  return { batches, firstTry: bucket(1), most: bounds.find((b) => bucket(b) === batches) ?? Infinity };
}

/** A session in its first beat (team channels open), created through `service`. */
async function sessionInPlay(service: SessionService): Promise<string> {
  const directory = new SessionDirectory(service, clock, logger);
  const { sessionId } = await directory.create({ scenarioId: 'april-2024', seed: 'batches', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  await service.execute(sessionId, facilitator, 'setup-start', 0, { type: 'START' });
  await service.execute(sessionId, facilitator, 'setup-advance', 1, { type: 'ADVANCE' });
  return sessionId;
}

const settled = <T>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

describe('batched appends, in memory', () => {
  it('append the commands waiting for a session in one step, in arrival order', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const batches = vi.spyOn(store, 'appendBatch');
    const sent = Array.from({ length: 30 }, (_, i) => service.execute(sessionId, seat(i), `m-${i}`, null, message(i)));
    const results = await Promise.all(sent);
    expect(batches).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.version)).toEqual(Array.from({ length: 30 }, (_, i) => 3 + i));
    const log = await store.readLog(sessionId, 2);
    expect(log.map((e) => e.commandId)).toEqual(Array.from({ length: 30 }, (_, i) => `m-${i}`));
  });

  it('decide each command on top of those before it: a game command made on the same version as one just ahead of it is stale', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const [pause, again, chat] = await Promise.all([
      settled(service.execute(sessionId, facilitator, 'pause-1', 2, { type: 'PAUSE' })),
      settled(service.execute(sessionId, facilitator, 'pause-2', 2, { type: 'PAUSE' })),
      settled(service.execute(sessionId, seat(0), 'chat-1', null, message(0))),
    ]);
    expect(pause).toMatchObject({ ok: true, value: { version: 3, duplicate: false } });
    expect(again).toMatchObject({ ok: false, error: { code: 'stale' } });
    expect(chat).toMatchObject({ ok: true, value: { version: 4 } });
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).toEqual(['setup-start', 'setup-advance', 'pause-1', 'chat-1']);
  });

  it('answer a command id sent twice at once with one entry, and a retry of a command no longer legal with its first answer', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const twice = await Promise.all([0, 1].map(() => service.execute(sessionId, seat(0), 'same-id', null, message(0))));
    expect(twice.map((r) => r.version)).toEqual([3, 3]);
    expect(twice.map((r) => r.duplicate).sort()).toEqual([false, true]);
    // START again is illegal now, but it is a retry of what was appended at 1.
    expect(await service.execute(sessionId, facilitator, 'setup-start', 0, { type: 'START' })).toEqual({ version: 1, duplicate: true });
    await expect(service.execute(sessionId, seat(1), 'same-id', null, message(1))).rejects.toMatchObject({ code: 'duplicate' });
    expect(await store.head(sessionId)).toBe(3);
  });

  it('never append a command whose caller was already answered unavailable', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    // The first holds the session's queue in the store; the second's deadline passes while it waits.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = store.appendBatch.bind(store);
    vi.spyOn(store, 'appendBatch').mockImplementationOnce(async (id, entries) => {
      await held;
      return original(id, entries);
    });
    const first = service.execute(sessionId, seat(0), 'first', null, message(0));
    await new Promise((r) => setTimeout(r, 10));
    const late = settled(service.execute(sessionId, seat(1), 'late', null, message(1), { deadline: performance.now() + 20 }));
    expect(await late).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    release();
    expect(await first).toMatchObject({ version: 3, duplicate: false });
    await service.execute(sessionId, seat(2), 'after', null, message(2));
    expect((await store.readLog(sessionId, 2)).map((e) => e.commandId)).toEqual(['first', 'after']);
  });
});

describe("a command's deadline, kept by the command itself", () => {
  /** WriteBatches with a decide that waits for `go` and answers every open command, as the command path does. */
  function batches(go: Promise<void>) {
    const bounds = new DeadlineQueue();
    const seen: PendingCommand[][] = [];
    const writes = new WriteBatches(new KeyedQueue(), bounds, async (_id, batch) => {
      seen.push([...batch]);
      await go;
      for (const p of batch) {
        if (p.answered) continue;
        p.answered = true;
        p.resolve({ version: 1, duplicate: false });
      }
    }, 16);
    const request = { actor: seat(0), commandId: 'c', expectedGameVersion: null, command: message(0) };
    return { bounds, seen, writes, request };
  }

  it('leaves the deadline queue when answered in time, and its deadline then does nothing', async () => {
    const { bounds, writes, request } = batches(Promise.resolve());
    const answer = writes.submit('S', request, performance.now() + 1000, performance.now() + 30);
    expect(bounds.size).toBe(1);
    await expect(answer).resolves.toMatchObject({ version: 1 });
    expect(bounds.size).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(bounds.size).toBe(0);
  });

  it('at its deadline answers `unavailable` and is marked answered and abandoned, so its batch neither takes nor answers it', async () => {
    let go = () => {};
    const { bounds, seen, writes, request } = batches(new Promise<void>((r) => (go = r)));
    const answer = settled(writes.submit('S', request, performance.now() + 1000, performance.now() + 20));
    expect(await answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(bounds.size).toBe(0);
    const pending = seen[0]?.[0];
    expect(pending).toMatchObject({ answered: true, abandoned: true });
    go();
  });

  it('without a deadline never enters the queue', async () => {
    const { bounds, writes, request } = batches(Promise.resolve());
    const answer = writes.submit('S', request, performance.now() + 1000);
    expect(bounds.size).toBe(0);
    await expect(answer).resolves.toMatchObject({ version: 1 });
  });
});

describe('a copy that fell behind the log', () => {
  it('appends after one conflict whose reply brings the missed entries, and refuses only on the log as it is', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const b = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    await b.execute(sessionId, seat(0), 'b-first', null, message(0));
    // A moves on; B hears nothing of it (no notices between these two).
    for (let i = 1; i <= 3; i++) await a.execute(sessionId, seat(i), `a-${i}`, null, message(i));
    await a.execute(sessionId, facilitator, 'a-pause', 2, { type: 'PAUSE' });
    expect(b.peek(sessionId)?.state.version).toBe(3);
    const reads = vi.spyOn(store, 'readLog');
    const batches = vi.spyOn(store, 'appendBatch');
    expect(await b.execute(sessionId, seat(1), 'b-second', null, message(1))).toMatchObject({ version: 8, duplicate: false });
    expect(batches).toHaveBeenCalledTimes(2);
    expect(reads).not.toHaveBeenCalled();
    // Made on the game as A left it, which B has not seen: refused only after B read the log, so accepted.
    await a.execute(sessionId, facilitator, 'a-resume', 3, { type: 'RESUME' });
    expect(await b.execute(sessionId, facilitator, 'b-pause', 4, { type: 'PAUSE' })).toMatchObject({ version: 10 });
    expect(reads).toHaveBeenCalled();
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).toEqual([
      'setup-start', 'setup-advance', 'b-first', 'a-1', 'a-2', 'a-3', 'a-pause', 'b-second', 'a-resume', 'b-pause',
    ]);
  });
});

describe('plain messages placed past plain messages', () => {
  it('places a message planned behind other plain messages at the head in one append, acknowledged with the state after its real entry', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const b = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    await b.execute(sessionId, seat(0), 'b-first', null, message(0));
    for (let i = 1; i <= 3; i++) await a.execute(sessionId, seat(i), `a-${i}`, null, message(i));
    expect(b.peek(sessionId)?.state.version).toBe(3);
    const reads = vi.spyOn(store, 'readLog');
    const batches = vi.spyOn(store, 'appendBatch');
    const executed = await b.execute(sessionId, seat(1), 'b-second', null, message(1, 'after three'));
    // Placed at 7 in its one append: the three messages it was placed after came with the answer.
    expect(executed).toMatchObject({ version: 7, duplicate: false });
    expect(batches).toHaveBeenCalledTimes(1);
    expect(reads).not.toHaveBeenCalled();
    expect(executed.after?.version).toBe(7);
    expect(executed.after?.messages.at(-1)).toMatchObject({ id: 'm7', seq: 7, text: 'after three' });
    expect(b.peek(sessionId)?.state).toBe(executed.after);
    expect((await store.readLog(sessionId, 3)).map((e) => [e.seq, e.commandId])).toEqual([[4, 'a-1'], [5, 'a-2'], [6, 'a-3'], [7, 'b-second']]);
  });

  it('finds a placed batch whose answer was lost where the store put it, and answers it as appended there', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    let lost = 0;
    // Appends, then loses the answer (a dropped connection), once.
    const appendBatch: SessionStore['appendBatch'] = async (id, entries, options) => {
      const answer = await store.appendBatch(id, entries, options);
      if (lost++ > 0) return answer;
      throw new StoreUnavailableError('lost', 'the connection closed before the answer');
    };
    const b = serviceOn(new Proxy(store, { get: (target, prop) => (prop === 'appendBatch' ? appendBatch : Reflect.get(target, prop, target)) }));
    await b.withSession(sessionId, () => {});
    await a.execute(sessionId, seat(1), 'a-1', null, message(1));
    await a.execute(sessionId, seat(2), 'a-2', null, message(2));
    const executed = await b.execute(sessionId, seat(0), 'b-1', null, message(0, 'placed, answer lost'), { deadline: performance.now() + 5_000 });
    expect(executed).toMatchObject({ version: 5, duplicate: false });
    expect(executed.after?.version).toBe(5);
    expect(executed.after?.messages.at(-1)).toMatchObject({ seq: 5, text: 'placed, answer lost' });
    expect((await store.readLog(sessionId, 2)).map((e) => e.commandId)).toEqual(['a-1', 'a-2', 'b-1']);
  });

  it('does not place a message past a game command that changed what it may do (a line closing)', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const b = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    await a.execute(sessionId, facilitator, 'open-line', 2, { type: 'FIRE_INJECT', inject: 'direct-line-opened' });
    const line: Command = { type: 'SEND_MESSAGE', channel: 'iran-us-direct', text: 'on the line' };
    await b.execute(sessionId, seat(0), 'b-line', null, line);
    // A takes the session back to the beat's start, before the line opened; B has not heard.
    await a.execute(sessionId, facilitator, 'a-rewind', 3, { type: 'REWIND', beat: a.peek(sessionId)?.state.turn.context.beat ?? '' });
    await a.execute(sessionId, seat(1), 'a-after', null, message(1));
    const late = await settled(b.execute(sessionId, seat(0), 'b-line-2', null, line));
    expect(late).toMatchObject({ ok: false, error: { code: 'channel_closed' } });
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).not.toContain('b-line-2');
  });
});

/**
 * A view of `store` whose first `times` appends each lose the race for the
 * head: just before each, `rival` appends a message of its own.
 */
function losingRaces(store: SessionStore, rival: SessionService, sessionId: string, times: number): { store: SessionStore; attempts: () => number } {
  let attempts = 0;
  const appendBatch: SessionStore['appendBatch'] = async (id, entries) => {
    attempts++;
    if (attempts <= times) await rival.execute(sessionId, seat(attempts), `rival-${attempts}`, null, message(attempts));
    return store.appendBatch(id, entries);
  };
  return { store: new Proxy(store, { get: (target, prop) => (prop === 'appendBatch' ? appendBatch : Reflect.get(target, prop, target)) }), attempts: () => attempts };
}

describe('a process that keeps losing the race for the head', () => {
  it('catches up from each conflict and sends again at once, however many times it loses, until its command is in', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    const races = losingRaces(store, a, sessionId, 24);
    const b = serviceOn(races.store);
    // B holds the session (as a process with sockets in it does) before the races begin.
    await b.withSession(sessionId, () => {});
    const reads = vi.spyOn(store, 'readLog');
    const executed = await b.execute(sessionId, seat(0), 'b-1', null, message(0), { deadline: performance.now() + 30_000 });
    // 24 lost races (more than the 16 attempts that used to end in `unavailable`), then in, after all of them.
    expect(races.attempts()).toBe(25);
    expect(executed).toMatchObject({ version: 2 + 24 + 1, duplicate: false });
    // Every conflict's reply carried the one entry B missed: no read of the log.
    expect(reads).not.toHaveBeenCalled();
    expect(b.peek(sessionId)?.state.version).toBe(27);
  });

  it('answers `unavailable` once its time bound has passed, and never writes it', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    const races = losingRaces(store, a, sessionId, Number.POSITIVE_INFINITY);
    const b = serviceOn(races.store);
    const late = await settled(b.execute(sessionId, seat(0), 'b-late', null, message(0), { deadline: performance.now() + 200 }));
    expect(late).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const attempts = races.attempts();
    expect(attempts).toBeGreaterThan(1);
    // Nothing more is tried once the caller was answered.
    await new Promise((r) => setTimeout(r, 50));
    expect(races.attempts()).toBe(attempts);
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).not.toContain('b-late');
  });
});

describe('batched appends, three services on one Redis', () => {
  const prefix = uniquePrefix('batches');
  const opened: Stores[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await deleteRedisKeys(prefix);
  });

  it('take every command exactly once, each writer in its order, whichever service a retry goes through', async () => {
    for (let i = 0; i < 3; i++) opened.push(await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 }));
    const services = opened.map((s) => serviceOn(s.store));
    const [first] = services;
    if (!first) throw new Error('no service');
    const sessionId = await sessionInPlay(first);
    const perWriter = 8;
    const writers = 24;
    // Each writer sends its commands one after the other through its own service; every third also
    // retries each command at once through the next service, as a client failing over would.
    const acks = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const own = services[w % 3] as SessionService;
        const other = services[(w + 1) % 3] as SessionService;
        const answers: { commandId: string; executed: Executed[] }[] = [];
        for (let k = 0; k < perWriter; k++) {
          const commandId = `w${w}-${k}`;
          const command = message(w, `writer ${w} #${k}`);
          const tries = [own.execute(sessionId, seat(w), commandId, null, command)];
          if (w % 3 === 0) tries.push(other.execute(sessionId, seat(w), commandId, null, command));
          answers.push({ commandId, executed: await Promise.all(tries) });
        }
        return answers;
      }),
    );
    const log: LogEntry[] = await first.store.readLog(sessionId, 0);
    const seqOf = new Map(log.map((e) => [e.commandId, e.seq]));
    expect(log).toHaveLength(2 + writers * perWriter);
    expect(seqOf.size).toBe(log.length);
    for (const [w, answers] of acks.entries()) {
      const seqs = answers.map((a) => seqOf.get(a.commandId));
      // In the log, once, at the version every answer named, and after the writer's previous command.
      for (const [k, a] of answers.entries()) {
        expect(a.executed.map((e) => e.version)).toEqual(a.executed.map(() => seqs[k]));
        expect(a.executed.filter((e) => !e.duplicate).length).toBeLessThanOrEqual(1);
      }
      expect(seqs, `writer ${w}`).toEqual([...seqs].sort((x, y) => (x ?? 0) - (y ?? 0)));
    }
    // Every service's copy caught up to the same log.
    for (const s of services) await s.refresh(sessionId);
    for (const s of services) expect(s.peek(sessionId)?.state.version).toBe(log.length);
  }, 60_000);

  it('place plain messages flooding in through three services in one attempt each, and let a game command in among them at once', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 })));
    opened.push(...stores);
    const metrics = stores.map(() => createMetrics());
    const services = stores.map((s, i) => serviceOn(s.store, metrics[i]));
    const [first, , , chair] = services;
    if (!first || !chair) throw new Error('no service');
    const sessionId = await sessionInPlay(first);
    await chair.withSession(sessionId, () => {});
    const writers = 30;
    const perWriter = 10;
    let paused: Executed | null = null;
    const acks = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const own = services[w % 3] as SessionService;
        const answers: { commandId: string; executed: Executed }[] = [];
        for (let k = 0; k < perWriter; k++) {
          const commandId = `flood-${w}-${k}`;
          answers.push({ commandId, executed: await own.execute(sessionId, seat(w), commandId, null, message(w, `writer ${w} #${k}`)) });
          // Half way through, the white cell pauses the game through a fourth service whose copy is far behind.
          if (w === 0 && k === perWriter / 2) paused = await chair.execute(sessionId, facilitator, 'pause', 2, { type: 'PAUSE' });
        }
        return answers;
      }),
    );
    const log: LogEntry[] = await first.store.readLog(sessionId, 0);
    const seqOf = new Map(log.map((e) => [e.commandId, e.seq]));
    expect(log).toHaveLength(2 + writers * perWriter + 1);
    expect(seqOf.size).toBe(log.length);
    for (const [w, answers] of acks.entries()) {
      const seqs = answers.map((a) => seqOf.get(a.commandId));
      // Once, at the version its answer named, acknowledged with the state after its own entry, in the writer's order.
      for (const [k, a] of answers.entries()) {
        expect(a.executed).toMatchObject({ version: seqs[k], duplicate: false });
        expect(a.executed.after?.version).toBe(seqs[k]);
        expect(a.executed.after?.messages.at(-1)?.text).toBe(`writer ${w} #${k}`);
      }
      expect(seqs, `writer ${w}`).toEqual([...seqs].sort((x, y) => (x ?? 0) - (y ?? 0)));
    }
    expect(paused).toMatchObject({ version: seqOf.get('pause'), duplicate: false });
    // The pause went in at its first attempt; a flooding batch took a second only when the pause overtook it.
    expect(await appendAttempts(metrics[3] as Metrics)).toEqual({ batches: 1, firstTry: 1, most: 1 });
    const flood = await Promise.all(metrics.slice(0, 3).map((m) => appendAttempts(m)));
    const overtaken = flood.reduce((n, f) => n + f.batches - f.firstTry, 0);
    expect(overtaken).toBeLessThanOrEqual(3);
    for (const f of flood) expect(f.most).toBeLessThanOrEqual(2);
    for (const s of services) await s.refresh(sessionId);
    for (const s of services) expect(s.peek(sessionId)?.state.version).toBe(log.length);
  }, 60_000);

  it('let a service that loses the race for the head 24 times running catch up from each conflict reply and get its command in', async () => {
    const [mine, rivals] = [await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 }), await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 })];
    opened.push(mine, rivals);
    const rival = serviceOn(rivals.store);
    const sessionId = await sessionInPlay(rival);
    const races = losingRaces(mine.store, rival, sessionId, 24);
    const service = serviceOn(races.store);
    await service.withSession(sessionId, () => {});
    const reads = vi.spyOn(mine.store, 'readLog');
    const executed = await service.execute(sessionId, seat(0), 'mine', null, message(0), { deadline: performance.now() + 30_000 });
    expect(races.attempts()).toBe(25);
    expect(executed).toMatchObject({ version: 27, duplicate: false });
    expect(reads).not.toHaveBeenCalled();
    const log = await mine.store.readLog(sessionId, 0);
    expect(log.map((e) => e.commandId)).toEqual(['setup-start', 'setup-advance', ...Array.from({ length: 24 }, (_, i) => `rival-${i + 1}`), 'mine']);
  }, 60_000);
});
