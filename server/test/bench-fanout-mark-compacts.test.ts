// The fan-out bench's account of mark-compacts (FANOUT_IDLE's companion figures): which deliveries a
// final pause held up, the rate per minute of load over windows pooled, the rows the summary over
// rounds gives, and where the idle figure is taken.
import { describe, expect, it } from 'vitest';
import { histogramCount, histogramQuantile, histogramOf } from '../bench/fanout/latency-histogram.ts';
import { markCompactShare, markCompactsPerMinute, poolShares, type MarkCompactPause } from '../bench/fanout/mark-compacts.ts';
import { idlePlacements } from '../bench/fanout/options.ts';
import { summariseRounds, type RoundFigures } from '../bench/fanout/rounds-summary.ts';

describe('deliveries in flight during a mark-compact', () => {
  // One pause from 1000 to 1010 (epoch ms).
  const pauses: MarkCompactPause[] = [[1000, 10]];

  it('counts a delivery sent before the pause ended and received after it began, and nothing that only touched its edges', () => {
    const sent = [990, 995, 1005, 1010, 980, 1020];
    const latency = [5, 6, 20, 3, 20, 2];
    // 990-995 ends before; 995-1001 and 1005-1025 overlap; 1010-1013 starts as it ends; 980-1000 ends as it starts; 1020-1022 after.
    const s = markCompactShare(sent, latency, pauses, 10);
    expect(s.deliveries).toBe(6);
    expect(s.inFlight).toBe(2);
    // Past the p99 of 10 ms: the 20 ms deliveries, one caught (1005) and one not (980).
    expect(s.slow).toBe(2);
    expect(s.slowInFlight).toBe(1);
    expect(histogramCount(s.clear)).toBe(4);
    expect(histogramQuantile(s.clear, 1)).toBeCloseTo(20, 0);
  });

  it('takes every server process’s pauses, and with none holds nothing up', () => {
    const sent = [100, 200, 300];
    const latency = [1, 1, 1];
    expect(markCompactShare(sent, latency, [[100.5, 1], [300.2, 0.1]], 0.5).inFlight).toBe(2);
    const none = markCompactShare(sent, latency, [], 0.5);
    expect(none).toEqual({ deliveries: 3, inFlight: 0, slow: 3, slowInFlight: 0, clear: histogramOf(latency) });
  });

  it('gives mark-compacts per minute over all the windows’ minutes, a window without one included', () => {
    expect(markCompactsPerMinute([{ count: 2, windowMs: 10_000 }])).toBe(12);
    expect(markCompactsPerMinute([{ count: 2, windowMs: 10_000 }, { count: 0, windowMs: 10_000 }, { count: 1, windowMs: 40_000 }])).toBe(3);
    expect(markCompactsPerMinute([])).toBeNaN();
  });

  it('pools shares by deliveries, not by rounds', () => {
    const a = markCompactShare([1000], [5], pauses, 1);
    const b = markCompactShare([0, 1, 2], [1, 1, 1], pauses, 1);
    expect(poolShares([a, b])).toEqual({ deliveries: 4, inFlight: 1, slow: 1, slowInFlight: 1 });
  });
});

describe('the summary over rounds with mark-compacts', () => {
  const round = (p99: number, count: number, latencies: number[], pauseAt: number | null, disturbed: string | null = null): RoundFigures => {
    const sent = latencies.map((_, i) => i * 10);
    return {
      cpuMicrosPerDelivery: 50,
      p99,
      disturbed,
      latencies: histogramOf(latencies),
      markCompacts: { count, windowMs: 10_000, share: markCompactShare(sent, latencies, pauseAt === null ? [] : [[pauseAt, 5]], p99) },
    };
  };
  const slowAt = (i: number) => Array.from({ length: 100 }, (_, k) => (k === i ? 30 : 2));

  it('gives each contender’s rate, shares and the p99 clear of them over the undisturbed rounds, and the pair’s ratio of that p99', () => {
    // Rubicon: its slowest delivery (500-530 ms) alone in flight during a pause (525-530) in round 1; none in round 2; round 3 disturbed.
    const rounds = [
      new Map([['bare', round(2, 0, slowAt(-1), null)], ['rubicon', round(2, 1, slowAt(50), 525)]]),
      new Map([['bare', round(2, 0, slowAt(-1), null)], ['rubicon', round(2, 0, slowAt(-1), null)]]),
      new Map([['bare', round(2, 0, slowAt(-1), null)], ['rubicon', round(2, 5, slowAt(-1), 0, 'others 90 %')]]),
    ];
    const rows = summariseRounds(rounds, [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
    const value = (name: string) => rows.find((r) => r.name === name)?.value;
    const share = "undisturbed rounds: mark-compacts per minute of load; deliveries in flight during one, of all · of those past their round's p99; p99 of the rest pooled";
    // 1 in 20 s: 3 a minute; 1 of 200 deliveries, 1 of the 1 past the p99; the rest all 2 ms. Bare was undisturbed in all 3.
    expect(value(`rubicon: ${share}`)).toBe('3.0 (1 in 2 windows); 0.5 % · 100.0 %; 2.0 ms (199)');
    expect(value(`bare: ${share}`)).toBe('0.0 (0 in 3 windows); 0.0 % · -; 2.0 ms (300)');
    expect(value('rubicon/bare: p99 of the deliveries no mark-compact held up, pooled, undisturbed pairs')).toBe('2.0 / 2.0 ms = 1.00× (2 rounds)');
  });

  it('gives no such rows for rounds saved before the servers counted their mark-compacts', () => {
    const old = (p99: number): RoundFigures => ({ cpuMicrosPerDelivery: 50, p99, disturbed: null, latencies: histogramOf([p99]) });
    const rows = summariseRounds([new Map([['bare', old(2)], ['rubicon', old(3)]])], [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
    expect(rows.filter((r) => r.name.includes('mark-compact'))).toEqual([]);
  });
});

describe('FANOUT_IDLE', () => {
  it('defaults to a separate idle phase; takes inline, separate or both, in the order named', () => {
    expect(idlePlacements(undefined)).toEqual(['separate']);
    expect(idlePlacements(' ')).toEqual(['separate']);
    expect(idlePlacements('inline')).toEqual(['inline']);
    expect(idlePlacements('inline, separate,inline')).toEqual(['inline', 'separate']);
    expect(() => idlePlacements('apart')).toThrow('FANOUT_IDLE: "apart" is neither "separate" nor "inline"');
  });
});
