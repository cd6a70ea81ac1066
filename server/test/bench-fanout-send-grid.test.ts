// The fan-out harness's send schedule (send-grid.ts), driven by a fake clock: due times on a fixed grid, how late each
// send went, and seats back at their own offsets after a pause, where setInterval kept them bunched.
import { describe, expect, it } from 'vitest';
import { SendGrid, type GridClock } from '../bench/fanout/send-grid.ts';
import { latenessOf } from '../bench/fanout/harness-load.ts';

/** A clock that moves only when told; a timer fires once the clock has passed its time, in the order they come due. */
class FakeClock implements GridClock {
  private t = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): () => void {
    // As Node's setTimeout: never sooner than 1 ms.
    const timer = { at: this.t + Math.max(1, ms), fn, live: true };
    this.timers.push(timer);
    return () => (timer.live = false);
  }
  /** Time passes to `to`; with `stalled`, no timer runs until then (the process was paused), and the late ones run at `to`. */
  runTo(to: number, stalled = false): void {
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.t = stalled ? to : due.at;
      due.fn();
    }
    this.t = to;
  }
}

function grid(offsets: number[], origin = 1000, interval = 1000) {
  const clock = new FakeClock();
  clock.runTo(origin);
  const sends: { seat: number; due: number; at: number }[] = [];
  const g = new SendGrid(clock, origin, interval, offsets, (seat, due) => sends.push({ seat, due, at: clock.now() }));
  g.start();
  return { clock, sends, g };
}

describe('the send grid', () => {
  it("sends each seat's k-th message at origin + offset + k × interval, seats in due order", () => {
    const { clock, sends } = grid([500, 0, 250]);
    clock.runTo(3999);
    expect(sends.map((s) => [s.seat, s.due])).toEqual([
      [1, 1000], [2, 1250], [0, 1500],
      [1, 2000], [2, 2250], [0, 2500],
      [1, 3000], [2, 3250], [0, 3500],
    ]);
    // An undisturbed clock: every send at its due time, or 1 ms after where the timer's floor holds it (the first).
    expect(sends.every((s) => s.at - s.due <= 1)).toBe(true);
  });

  it('after a pause sends the late ones once each, then every seat at its own offset again', () => {
    const { clock, sends } = grid([0, 100, 200, 600]);
    clock.runTo(1050);
    // The harness paused from 1050 to 1430: seat 1 (due 1100) and seat 2 (due 1200) are late.
    clock.runTo(1430, true);
    clock.runTo(3000);
    const late = sends.filter((s) => s.at - s.due > 1);
    expect(late.map((s) => [s.seat, s.due, s.at])).toEqual([[1, 1100, 1430], [2, 1200, 1430]]);
    // The next round is on the grid, not 1 s after the late sends (setInterval would have sent seats 1 and 2 at 2430).
    const second = sends.filter((s) => s.due >= 2000 && s.due < 3000);
    expect(second.map((s) => [s.seat, s.at])).toEqual([[0, 2000], [1, 2100], [2, 2200], [3, 2600]]);
  });

  it('keeps the rate over a pause longer than the interval: every missed due time sends once', () => {
    const { clock, sends } = grid([0, 500]);
    clock.runTo(1001);
    clock.runTo(3700, true);
    expect(sends.filter((s) => s.at === 3700).map((s) => [s.seat, s.due])).toEqual([[1, 1500], [0, 2000], [1, 2500], [0, 3000], [1, 3500]]);
    clock.runTo(4600);
    expect(sends.slice(-2).map((s) => [s.seat, s.at])).toEqual([[0, 4000], [1, 4500]]);
  });

  it('sends nothing once stopped', () => {
    const { clock, sends, g } = grid([0, 500]);
    clock.runTo(1600);
    const n = sends.length;
    g.stop();
    clock.runTo(5000);
    expect(sends.length).toBe(n);
  });
});

describe('send lateness', () => {
  it('reads p50, p99 and max over the window of send time less due time', () => {
    const lateness = [...Array.from({ length: 98 }, () => 0.5), 7, 380];
    expect(latenessOf(lateness)).toEqual({ sends: 100, p50: 0.5, p99: 7, max: 380 });
    expect(latenessOf([])).toEqual({ sends: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN });
  });
});
