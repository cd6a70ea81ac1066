/**
 * Every way the command path answers a command gives its caller exactly one answer, through the Answer it handed
 * in (SessionService.executeTo, as the socket's command handler does): no promise is left to swallow a second
 * settling, so each outcome is counted here. Accepted and retried, refused by the game, over a limit in the
 * append, overdue after lost races, refused by a store that failed, and refused at the deadline while a lookup
 * was still under way (whose end must then answer nothing).
 */
import { describe, expect, it } from 'vitest';
import type { Answer } from '../src/session/answer.ts';
import type { CommandLimit, CommandRequest, Executed } from '../src/session/command-path.ts';
import { ServiceError } from '../src/session/service-error.ts';
import type { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import type { SessionStore } from '../src/store/types.ts';
import { facilitator, losingRaces, message, seat, serviceOn, sessionInPlay } from './write-batches-fixture.ts';

type Call = { ok: true; value: Executed } | { ok: false; error: unknown };

/** An Answer that records every call made to it; `answered` settles at the first. */
function recording(): { answer: Answer<Executed>; calls: Call[]; answered: Promise<void> } {
  const calls: Call[] = [];
  let first = () => {};
  const answered = new Promise<void>((resolve) => (first = resolve));
  const answer: Answer<Executed> = {
    ok: (value) => {
      calls.push({ ok: true, value });
      first();
    },
    fail: (error) => {
      calls.push({ ok: false, error });
      first();
    },
  };
  return { answer, calls, answered };
}

const say = (commandId: string, i = 0): CommandRequest => ({ actor: seat(i), commandId, expectedGameVersion: null, command: message(i) });

/** `store` with `overrides` in place of its own methods. */
function storeWith(store: SessionStore, overrides: Partial<SessionStore>): SessionStore {
  return new Proxy(store, { get: (target, prop) => (Object.hasOwn(overrides, prop) ? overrides[prop as keyof SessionStore] : Reflect.get(target, prop, target)) });
}

/** A promise the test lets go of when it chooses. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves once everything queued for the session so far has finished, its batches' lookups included. */
const drained = (service: SessionService, sessionId: string) => service.withSession(sessionId, () => undefined);

const refusal = (code: string) => ({ ok: false, error: expect.objectContaining({ code }) as unknown });

describe('a command answered through its Answer', () => {
  acceptedOrRefusedCases();
  retryAndLimitCases();
  overdueAndFailedCases();
});

/** Answered once when accepted, retried, refused, or at its deadline while a refusal is looked up. */
function acceptedOrRefusedCases(): void {
  it('is answered once when accepted, and once when retried (its first version, looked up)', async () => {
    const service = serviceOn(new MemoryStore());
    const sessionId = await sessionInPlay(service);
    const first = recording();
    service.executeTo(sessionId, say('c-1'), undefined, first.answer);
    await first.answered;
    const retry = recording();
    service.executeTo(sessionId, say('c-1'), undefined, retry.answer);
    await retry.answered;
    await drained(service, sessionId);
    expect(first.calls).toEqual([{ ok: true, value: expect.objectContaining({ version: 3, duplicate: false }) as unknown }]);
    expect(retry.calls).toEqual([{ ok: true, value: { version: 3, duplicate: true } }]);
  });

  it('is answered once when the game refuses it (after looking up that its id is new)', async () => {
    const service = serviceOn(new MemoryStore());
    const sessionId = await sessionInPlay(service);
    const stale = recording();
    service.executeTo(sessionId, { actor: facilitator, commandId: 'old-pause', expectedGameVersion: 0, command: { type: 'PAUSE' } }, undefined, stale.answer);
    await stale.answered;
    await drained(service, sessionId);
    expect(stale.calls).toEqual([refusal('stale')]);
  });

  it('is answered once at its deadline when the lookup for a refusal ends after it', async () => {
    const store = new MemoryStore();
    const lookup = gate();
    const service = serviceOn(storeWith(store, { commandSeq: async (id, commandId) => lookup.opened.then(() => store.commandSeq(id, commandId)) }));
    const sessionId = await sessionInPlay(service);
    const stale = recording();
    service.executeTo(sessionId, { actor: facilitator, commandId: 'old-pause', expectedGameVersion: 0, command: { type: 'PAUSE' } }, performance.now() + 20, stale.answer);
    await stale.answered;
    lookup.open();
    await drained(service, sessionId);
    expect(stale.calls).toEqual([refusal('unavailable')]);
  });
}

/** Answered once at its deadline while a retry is looked up, and when refused over its limit in the append. */
function retryAndLimitCases(): void {
  it('is answered once at its deadline when the lookup for a retry ends after it', async () => {
    const store = new MemoryStore();
    const reads = { held: false, gate: gate() };
    const service = serviceOn(
      storeWith(store, { readLog: async (id, after) => (reads.held ? reads.gate.opened : Promise.resolve()).then(() => store.readLog(id, after)) }),
    );
    const sessionId = await sessionInPlay(service);
    const first = recording();
    service.executeTo(sessionId, say('c-1'), undefined, first.answer);
    await first.answered;
    reads.held = true;
    const retry = recording();
    service.executeTo(sessionId, say('c-1'), performance.now() + 20, retry.answer);
    await retry.answered;
    reads.gate.open();
    await drained(service, sessionId);
    expect(retry.calls).toEqual([refusal('unavailable')]);
  });

  it('is answered once when refused over its limit in the append, and the batch\'s other command once when it goes in', async () => {
    const store = new MemoryStore();
    // The batch of two is refused at its first entry's limit; everything else goes to the store.
    const service = serviceOn(
      storeWith(store, {
        appendBatch: (id, entries, options) => (entries.length === 2 ? { ok: false, reason: 'limited', index: 0, link: 0, retryAfterMs: 500 } : store.appendBatch(id, entries, options)),
      }),
    );
    const sessionId = await sessionInPlay(service);
    const limit: CommandLimit = {
      keys: ['seat-count'],
      links: [{ points: 1, windowSeconds: 1 }],
      refused: (_link, retryAfterMs) => new ServiceError('rate_limited', 'Too many commands', { retryAfterMs }),
      countAlone: () => Promise.resolve(),
    };
    const limited = recording();
    const free = recording();
    // Handed in together, so they share a batch.
    service.executeTo(sessionId, { ...say('c-limited', 0), limit }, undefined, limited.answer);
    service.executeTo(sessionId, say('c-free', 1), undefined, free.answer);
    await Promise.all([limited.answered, free.answered]);
    await drained(service, sessionId);
    expect(limited.calls).toEqual([refusal('rate_limited')]);
    expect(free.calls).toEqual([{ ok: true, value: expect.objectContaining({ version: 3 }) as unknown }]);
  });
}

/** Answered once when overdue after losing the race for the head, and when the store cannot say whether it appended. */
function overdueAndFailedCases(): void {
  it('is answered once when overdue after losing the race for the head, with no deadline of its own', async () => {
    const store = new MemoryStore();
    const rival = serviceOn(store);
    const sessionId = await sessionInPlay(rival);
    const races = losingRaces(store, rival, sessionId, Number.POSITIVE_INFINITY);
    const service = serviceOn(races.store, undefined, 5);
    await drained(service, sessionId);
    const overdue = recording();
    service.executeTo(sessionId, say('c-overdue'), undefined, overdue.answer);
    await overdue.answered;
    await drained(service, sessionId);
    expect(races.attempts()).toBeGreaterThan(0);
    expect(overdue.calls).toEqual([refusal('unavailable')]);
  });

  it('is answered once, each command of the batch, when the store fails and cannot say whether the append was made', async () => {
    const store = new MemoryStore();
    const down = () => new StoreUnavailableError('timeout', 'Redis did not answer within 5 ms.');
    let failing = false;
    const service = serviceOn(
      storeWith(store, {
        appendBatch: (id, entries, options) => (failing ? Promise.reject(down()) : store.appendBatch(id, entries, options)),
        commandSeq: (id, commandId) => (failing ? Promise.reject(down()) : store.commandSeq(id, commandId)),
      }),
      undefined,
      5,
    );
    const sessionId = await sessionInPlay(service);
    failing = true;
    const answers = [recording(), recording()];
    answers.forEach((a, i) => service.executeTo(sessionId, say(`c-${i}`, i), undefined, a.answer));
    await Promise.all(answers.map((a) => a.answered));
    await drained(service, sessionId);
    for (const a of answers) expect(a.calls).toEqual([refusal('unavailable')]);
  });
}
