import { describe, expect, it } from 'vitest';
import { auditAcknowledgements } from '../bench/contention/audit.ts';
import { CONTENTION_DEFAULTS, CONTENTION_SEATS, serverEnv } from '../bench/contention.ts';
import { loadConfig } from '../src/config.ts';
import { dueAt, latencyFromDue, measuredWindow, owed, summarizePaced, type PacedSchedule, type Timed } from '../bench/contention/paced.ts';

const schedule: PacedSchedule = { start: 0, until: 1000, writers: 40, ratePerSecond: 1000 };

describe("the contention bench's paced schedule", () => {
  it('spreads the offered rate evenly over the writers: one command per ms at 1,000/s, each writer every 40 ms, offset from the others', () => {
    const all = Array.from({ length: 40 }, (_, w) => owed(schedule, w, 0, Infinity).dues).flat();
    expect(all.length).toBe(1000);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(owed(schedule, 3, 0, Infinity).dues.slice(0, 3)).toEqual([3, 43, 83]);
    expect(dueAt({ ...schedule, ratePerSecond: 1500 }, 1, 1)).toBeCloseTo(41 / 1.5, 9);
  });

  it('owes a writer that woke late every command due while it stalled, each at its own due time, and then the next one', () => {
    expect(owed(schedule, 0, 0, 0)).toEqual({ dues: [0], next: 1, nextDue: 40 });
    // Stalled from 0 until 500 ms: the 12 commands due at 40..480 are all owed at once.
    const late = owed(schedule, 0, 1, 500);
    expect(late.dues).toEqual([40, 80, 120, 160, 200, 240, 280, 320, 360, 400, 440, 480]);
    expect(late).toMatchObject({ next: 13, nextDue: 520 });
    // Nothing is due at or after `until`.
    expect(owed(schedule, 0, 24, 5000)).toEqual({ dues: [960], next: 25, nextDue: null });
  });
});

describe("the contention bench's paced figures", () => {
  it('reads exactly the offered rate from a window whose edges fall between due times, wherever the clock starts', () => {
    // 1014.246913578: a clock reading where, with edges on due times, rounding lets a 6,001st command into the window.
    for (const ratePerSecond of [1000, 1500, 777]) {
      for (const start of [0, 1014.246913578, 98765.4321]) {
        const s: PacedSchedule = { start, until: Infinity, writers: 40, ratePerSecond };
        const window = measuredWindow(s, 1500, 6000);
        const sched = { ...s, until: window.from + window.ms };
        const commands: Timed[] = Array.from({ length: 40 }, (_, w) => owed(sched, w, 0, Infinity).dues)
          .flat()
          .map((due) => ({ due, sentAt: due, ackAt: due + 1 }));
        const summary = summarizePaced(commands, window);
        expect(summary.offeredPerSecond).toBe(ratePerSecond);
        expect(summary.achievedPerSecond).toBe(ratePerSecond);
      }
    }
  });

  it("charges a stalled writer's late sends their whole wait, counted from the due time, not from the send", () => {
    // 39 writers on time (acknowledged 5 ms after due); writer 0 stalls until 500 ms, then sends its 13 commands due by then,
    // all acknowledged at 505 ms. Timed from the send, every command took 5 ms: the stall would vanish from the figures.
    const commands: Timed[] = [];
    for (let w = 1; w < 40; w++) for (const due of owed(schedule, w, 0, Infinity).dues) commands.push({ due, sentAt: due, ackAt: due + 5 });
    for (const due of owed(schedule, 0, 0, Infinity).dues) commands.push(due <= 500 ? { due, sentAt: 500, ackAt: 505 } : { due, sentAt: due, ackAt: due + 5 });
    const s = summarizePaced(commands, { from: 0, ms: 1000 });
    expect(s.max).toBe(505);
    expect(s.p99).toBe(105); // the 11th-latest of the 1,000 (nearest rank): the stalled writer's 13 commands are 1.3 % of them
    expect(s.p95).toBe(5);
    expect(s.sendLagP99).toBe(100);
    expect(latencyFromDue({ due: 40, sentAt: 500, ackAt: 505 })).toBe(465);
    expect(s).toMatchObject({ offeredPerSecond: 1000, sentPerSecond: 1000, achievedPerSecond: 1000, unanswered: 0 });
  });

  it('counts a command never acknowledged as infinitely late and not achieved', () => {
    const commands: Timed[] = Array.from({ length: 100 }, (_, i) => ({ due: i * 10, sentAt: i * 10, ackAt: i < 2 ? null : i * 10 + 3 }));
    const s = summarizePaced(commands, { from: 0, ms: 1000 });
    expect(s.unanswered).toBe(2);
    expect(s.p99).toBe(Infinity);
    expect(s.p95).toBe(3);
    expect(s.offeredPerSecond).toBe(100);
    expect(s.achievedPerSecond).toBe(98);
  });

  it('judges the commands due in the window, wherever their acknowledgements fall', () => {
    // Due before the window but acknowledged inside it: an acknowledgement of the window, not one of its commands.
    const commands: Timed[] = [
      { due: 90, sentAt: 90, ackAt: 150 },
      { due: 100, sentAt: 100, ackAt: 102 },
      { due: 150, sentAt: 150, ackAt: 260 },
    ];
    const s = summarizePaced(commands, { from: 100, ms: 100 });
    expect(s.offeredPerSecond).toBe(20);
    expect(s.achievedPerSecond).toBe(20);
    expect(s.acknowledgementsPerSecond).toBe(20);
    expect(s.max).toBe(110);
    expect(s.p50).toBe(2);
  });
});

describe("the contention bench's audit", () => {
  const log = [
    { commandId: 'a1', seq: 1 },
    { commandId: 'a2', seq: 2 },
    { commandId: 'b1', seq: 3 },
    { commandId: 'a3', seq: 4 },
  ];
  const after = new Map([
    ['a1', 1],
    ['a2', 2],
    ['b1', 1],
    ['a3', 3],
  ]);

  it('passes a writer whose commands were in flight together and answered out of order, each at a version that includes it', () => {
    const acked = [
      { commandId: 'a2', version: 2 },
      { commandId: 'a1', version: 2 },
      { commandId: 'b1', version: 1 },
      { commandId: 'a3', version: 3 },
    ];
    expect(auditAcknowledgements(log, acked, after)).toEqual({ acknowledged: 4, lost: 0, duplicated: 0, wrongVersion: 0 });
  });

  it('finds a lost command, a duplicated one and one acknowledged at a version before its own entry', () => {
    const acked = [
      { commandId: 'a1', version: 1 },
      { commandId: 'a2', version: 1 },
      { commandId: 'gone', version: 9 },
    ];
    expect(auditAcknowledgements([...log, { commandId: 'b1', seq: 5 }], acked, after)).toEqual({ acknowledged: 3, lost: 1, duplicated: 1, wrongVersion: 1 });
  });
});

describe("the contention bench's servers", () => {
  it("let every writer hold its seat's token at once, over all three processes", () => {
    // Since the per-token socket cap (SOCKETS_PER_TOKEN, 8 over all processes) every run stopped at its first
    // phase: the 9th and 10th writer of a seat were refused their hello.
    const config = loadConfig(serverEnv({ redisUrl: 'redis://127.0.0.1:6379' }, 'bench-contention-test:'));
    expect(config.socketsPerToken).toBeGreaterThanOrEqual(Math.ceil(CONTENTION_DEFAULTS.writers / CONTENTION_SEATS.length));
  });
});
