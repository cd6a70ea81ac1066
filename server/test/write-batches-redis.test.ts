/**
 * The batched write path on Redis: three services (three processes' worth of
 * clients) race into one session.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '@rubicon/shared';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import type { Executed, SessionService } from '../src/session/session-service.ts';
import { createStores, type Stores } from '../src/store/index.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';
import { clock, facilitator, losingRaces, message, seat, serviceOn, sessionInPlay } from './write-batches-fixture.ts';

/** A service's append attempts (rubicon_append_attempts): batches appended, those in one attempt, and the most any took. */
async function appendAttempts(metrics: Metrics): Promise<{ batches: number; firstTry: number; most: number }> {
  const { values } = await metrics.appendAttempts.histogram.get();
  const bucket = (le: number | string) => values.find((v) => v.metricName === 'rubicon_append_attempts_bucket' && v.labels.le === le)?.value ?? 0;
  const batches = values.find((v) => v.metricName === 'rubicon_append_attempts_count')?.value ?? 0;
  const bounds = [1, 2, 3, 4, 6, 8, 12, 16, 32];
  return { batches, firstTry: bucket(1), most: bounds.find((b) => bucket(b) === batches) ?? Infinity };
}

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
    const log: readonly LogEntry[] = await first.store.readLog(sessionId, 0);
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
    const log: readonly LogEntry[] = await first.store.readLog(sessionId, 0);
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
