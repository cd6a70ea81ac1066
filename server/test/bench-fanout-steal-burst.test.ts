// The fan-out bench's worst second of steal (steal-burst.ts) and the rule that marks a phase by it (disturbance.ts):
// a burst the window's mean steal dilutes below FANOUT_STEAL_MAX must still mark the phase.
import { describe, expect, it } from 'vitest';
import { DISTURBANCE_DEFAULTS, disturbanceOf } from '../bench/fanout/disturbance.ts';
import { worstSpanSteal, type StealReading } from '../bench/fanout/steal-burst.ts';

/** Readings every 250 ms over `seconds` on a two-core machine (50 ticks a reading), with `stolen(k)` ticks stolen in the k-th quarter-second. */
function window(seconds: number, stolen: (k: number) => number): StealReading[] {
  const out: StealReading[] = [{ at: 0, ticks: { steal: 0, total: 0 } }];
  for (let k = 0; k < seconds * 4; k++) {
    const prev = out[out.length - 1]?.ticks ?? { steal: 0, total: 0 };
    out.push({ at: (k + 1) * 250, ticks: { steal: prev.steal + stolen(k), total: prev.total + 50 } });
  }
  return out;
}

describe('the worst second of steal', () => {
  // 30 s, quiet but for 60 ticks (600 ms of one core) stolen over two quarter-seconds 3 s in: the call-2 kind of burst.
  const burst = window(30, (k) => (k === 12 || k === 13 ? 30 : 0));

  it('finds a burst the window mean dilutes', () => {
    const mean = ((burst.at(-1)?.ticks?.steal ?? 0) / (burst.at(-1)?.ticks?.total ?? 1)) * 100;
    expect(mean).toBeCloseTo(1.0, 5);
    // 60 of the 200 ticks of the second holding both quarter-seconds.
    expect(worstSpanSteal(burst)).toBeCloseTo(30, 5);
  });

  it('reads steady steal as itself, each second alike', () => {
    expect(worstSpanSteal(window(10, () => 5))).toBeCloseTo(10, 5);
    expect(worstSpanSteal(window(10, () => 0))).toBe(0);
  });

  it('takes spans of at least a second, and the whole window when it is shorter', () => {
    // Uneven readings: the span from 0 runs to the reading at 1100 ms, not the one at 700 ms, short of a second.
    const uneven: StealReading[] = [
      { at: 0, ticks: { steal: 0, total: 0 } },
      { at: 700, ticks: { steal: 70, total: 140 } },
      { at: 1100, ticks: { steal: 70, total: 220 } },
      { at: 2200, ticks: { steal: 70, total: 440 } },
    ];
    expect(worstSpanSteal(uneven)).toBeCloseTo((70 / 220) * 100, 5);
    expect(worstSpanSteal(window(0.5, (k) => (k === 0 ? 10 : 0)))).toBeCloseTo(10, 5);
  });

  it('skips readings without /proc/stat and gives null with fewer than two', () => {
    expect(worstSpanSteal([{ at: 0, ticks: null }, { at: 1000, ticks: { steal: 5, total: 200 } }])).toBeNull();
    expect(worstSpanSteal([])).toBeNull();
    const holes = window(3, (k) => (k === 5 ? 40 : 0)).map((r, i) => (i === 2 ? { ...r, ticks: null } : r));
    expect(worstSpanSteal(holes)).toBeCloseTo(20, 5);
  });
});

describe('a phase marked by its worst second of steal', () => {
  it('marks the burst the window rule passes, and keeps the window rule', () => {
    expect(DISTURBANCE_DEFAULTS.stealSecondPercent).toBe(25);
    expect(disturbanceOf({ stealPercent: 1.1, othersPercent: 2 }, DISTURBANCE_DEFAULTS)).toBeNull();
    expect(disturbanceOf({ stealPercent: 1.1, stealSecondPercent: 30, othersPercent: 2 }, DISTURBANCE_DEFAULTS)).toBe("steal's worst second 30 %");
    expect(disturbanceOf({ stealPercent: 1.1, stealSecondPercent: 25, othersPercent: 2 }, DISTURBANCE_DEFAULTS)).toBeNull();
    expect(disturbanceOf({ stealPercent: 8, stealSecondPercent: 12, othersPercent: 2 }, DISTURBANCE_DEFAULTS)).toBe('steal 8 %');
    expect(disturbanceOf({ stealPercent: 8, stealSecondPercent: 40, othersPercent: 20 }, DISTURBANCE_DEFAULTS)).toBe("steal 8 %; steal's worst second 40 %; others 20 % of a core");
    expect(disturbanceOf({ stealPercent: 1, stealSecondPercent: 40, othersPercent: 2 }, { ...DISTURBANCE_DEFAULTS, stealSecondPercent: 50 })).toBeNull();
  });
});
