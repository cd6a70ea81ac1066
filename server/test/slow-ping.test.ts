/**
 * A readiness PING past its own timeout (400 ms in production; commands wait STORE_TIMEOUT_MS, 1 s) is not yet
 * an outage of the commands: one warning, /healthz/ready not ready while it lasts (the probe answers false), and
 * no error line unless a command is refused or the PINGs go unanswered for as long as a command may wait. An
 * outage is still logged at error level once, however it started. A fake client whose PINGs answer when told.
 */
import type { RedisClientType } from 'redis';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.ts';
import { RedisGate, StoreUnavailableError } from '../src/store/redis-availability.ts';
import { OutageLog, RedisProbe, type OutageEvent } from '../src/store/redis-health.ts';

const PING_TIMEOUT_MS = 20;
/**
 * The probe calls a PING an outage once PINGs have gone unanswered, by the wall clock, for as long as a command
 * waits. So an event loop held up that long less the PING's own timeout looks like an outage: at 60 ms a 400 ms
 * stall of a loaded host (Node 24, 8 December) turned the first slow PING into 'down'. 600 ms leaves such stalls
 * room and is still thirty PINGs' timeouts, so a probe that called the first slow PING an outage still fails.
 */
const COMMAND_TIMEOUT_MS = 600;

/** A client whose PINGs hang until `answer` is called; its other commands are what a test gives `gate.run`. */
function setup() {
  const pending: ((reply: string) => void)[] = [];
  const client = { isReady: true, ping: () => new Promise<string>((resolve) => pending.push(resolve)) } as unknown as RedisClientType;
  const lines: { level: 'warn' | 'error'; msg: string }[] = [];
  const log = {
    warn: (_: unknown, msg: string) => lines.push({ level: 'warn', msg }),
    error: (_: unknown, msg: string) => lines.push({ level: 'error', msg }),
  } as unknown as Logger;
  const events: OutageEvent[] = [];
  const outages = new OutageLog(log, (e) => events.push(e));
  const gate = new RedisGate({ client, timeoutMs: COMMAND_TIMEOUT_MS, outages });
  const probe = new RedisProbe(gate, PING_TIMEOUT_MS);
  /** Answers the PINGs sent so far (late ones are read by nobody) and the next one at once. */
  const answerNext = () => {
    for (const resolve of pending.splice(0)) resolve('PONG');
    (client as unknown as { ping: () => Promise<string> }).ping = () => Promise.resolve('PONG');
  };
  const errors = () => lines.filter((l) => l.level === 'error').map((l) => l.msg);
  return { gate, probe, outages, lines, events, answerNext, errors };
}

describe('a slow readiness PING', () => {
  it('is a warning, not an error-level outage, when the next PING is answered', async () => {
    const { probe, outages, lines, events, answerNext, errors } = setup();
    expect(await probe.ping()).toBe(false);
    // Not ready while it lasts: readiness and rubicon_redis_down say so.
    expect(outages.down).toBe(true);
    answerNext();
    expect(await probe.ping()).toBe(true);
    expect(outages.down).toBe(false);
    expect(errors()).toEqual([]);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn']);
    expect(lines[1]?.msg).toMatch(/no command was refused/);
    // Not counted as an outage (rubicon_redis_outages_total counts 'down').
    expect(events).toEqual(['slow', 'up']);
  });

  it('becomes an outage, logged once at error level, when PINGs go unanswered for as long as a command waits', async () => {
    const { probe, events, answerNext, errors } = setup();
    const t0 = performance.now();
    while (performance.now() - t0 < COMMAND_TIMEOUT_MS * 2) expect(await probe.ping()).toBe(false);
    expect(errors()).toEqual(['Redis is unreachable: commands are refused as unavailable until it is back']);
    expect(events).toEqual(['slow', 'down']);
    answerNext();
    expect(await probe.ping()).toBe(true);
    expect(events).toEqual(['slow', 'down', 'up']);
  });

  it('becomes an outage at once when a command is refused meanwhile, and its error line is still written once', async () => {
    const { gate, probe, lines, events, errors } = setup();
    expect(await probe.ping()).toBe(false);
    const refused = () => gate.run(() => Promise.reject(new StoreUnavailableError('lost', 'The connection to Redis broke.')));
    await expect(refused()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(refused()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(gate.run(() => new Promise<never>(() => {}))).rejects.toMatchObject({ reason: 'timeout' });
    expect(errors()).toHaveLength(1);
    expect(events).toEqual(['slow', 'down']);
    await gate.run(() => Promise.resolve('OK'));
    expect(lines.at(-1)?.msg).toBe('Redis is reachable again');
  });

  it('leaves a command that timed out an error-level outage from the start', async () => {
    const { gate, events, errors } = setup();
    await expect(gate.run(() => new Promise<never>(() => {}))).rejects.toMatchObject({ reason: 'timeout' });
    expect(errors()).toHaveLength(1);
    expect(events).toEqual(['down']);
  });
});
