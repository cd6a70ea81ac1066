/**
 * The tallied counter and histogram must read, through prom-client, exactly as prom-client's
 * own counter with the same increments would: the same exposition text at
 * every scrape, counts carried across scrapes, nothing counted twice.
 */
import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { TalliedCounter, TalliedHistogram, TalliedUnlabelledHistogram } from '../src/metrics.ts';

const config = { name: 'test_events_total', help: 'Events by type' };

describe('TalliedCounter', () => {
  it('scrapes as prom-client\'s counter does for the same increments, scrape after scrape', async () => {
    const plainRegistry = new Registry();
    const talliedRegistry = new Registry();
    const plain = new Counter({ ...config, labelNames: ['type'], registers: [plainRegistry] });
    const tallied = new TalliedCounter({ ...config, registers: [talliedRegistry] }, 'type');
    expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
    const types = ['SEND_MESSAGE', 'SUBMIT_MOVE', 'SEND_MESSAGE', 'ADVANCE', 'SEND_MESSAGE', 'type with "quotes"'];
    for (let round = 0; round < 3; round++) {
      for (const [i, type] of types.entries()) {
        if ((i + round) % 3 === 0) continue;
        plain.inc({ type });
        tallied.inc(type);
      }
      expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
    }
    // A read through the metric itself (get) sees the tally too, and a second read adds nothing.
    expect((await tallied.counter.get()).values).toEqual((await plain.get()).values);
    expect((await tallied.counter.get()).values).toEqual((await plain.get()).values);
  });
});

describe('TalliedHistogram', () => {
  const histogramConfig = { name: 'test_duration_seconds', help: 'Time to answer', buckets: [0.001, 0.005, 0.025, 0.1] };

  it('scrapes and reads as prom-client\'s histogram does for the same observations, scrape after scrape', async () => {
    const plainRegistry = new Registry();
    const talliedRegistry = new Registry();
    const plain = new Histogram({ ...histogramConfig, labelNames: ['type', 'result'], registers: [plainRegistry] });
    const tallied = new TalliedHistogram({ ...histogramConfig, registers: [talliedRegistry] }, 'type', 'result');
    expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
    // Label sets first seen in an order that nests differently (B then A's second result), values on a bound,
    // between bounds, above the last bound (+Inf only) and zero; sums that are not exact in binary.
    const observations: [string, string, number][] = [
      ['SEND_MESSAGE', 'ok', 0.0004],
      ['SUBMIT_MOVE', 'ok', 0.005],
      ['SEND_MESSAGE', 'stale', 0.3],
      ['SEND_MESSAGE', 'ok', 0.001],
      ['SUBMIT_MOVE', 'invalid', 0],
      ['SEND_MESSAGE', 'ok', 0.0251],
      ['type with "quotes"', 'ok\\n', 0.1],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [i, [type, result, seconds]] of observations.entries()) {
        if ((i + round) % 3 === 0) continue;
        plain.observe({ type, result }, seconds + round / 10);
        tallied.observe(type, result, seconds + round / 10);
      }
      expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
      expect((await tallied.histogram.get()).values).toEqual((await plain.get()).values);
    }
  });

  it('refuses a value that is not a number, as prom-client does, and counts nothing for it', async () => {
    const registry = new Registry();
    const tallied = new TalliedHistogram({ ...histogramConfig, registers: [registry] }, 'type', 'result');
    expect(() => tallied.observe('SEND_MESSAGE', 'ok', Number.NaN)).toThrow(TypeError);
    expect((await tallied.histogram.get()).values).toEqual([]);
  });
});

describe('TalliedUnlabelledHistogram', () => {
  const histogramConfig = { name: 'test_attempts', help: 'Attempts per batch', buckets: [1, 2, 4] };

  it('scrapes and reads as prom-client\'s histogram without labels does, from before the first observation on', async () => {
    const plainRegistry = new Registry();
    const talliedRegistry = new Registry();
    const plain = new Histogram({ ...histogramConfig, registers: [plainRegistry] });
    const tallied = new TalliedUnlabelledHistogram({ ...histogramConfig, registers: [talliedRegistry] });
    // prom-client shows a histogram without labels at zero before anything is observed.
    expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
    expect((await tallied.histogram.get()).values).toEqual((await plain.get()).values);
    // On a bound, between bounds, above the last (+Inf only), zero, and a sum not exact in binary.
    const values = [1, 1, 3, 2, 9, 0, 0.1, 4];
    for (let round = 0; round < 3; round++) {
      for (const [i, v] of values.entries()) {
        if ((i + round) % 3 === 0) continue;
        plain.observe(v + round);
        tallied.observe(v + round);
      }
      expect(await talliedRegistry.metrics()).toBe(await plainRegistry.metrics());
      expect((await tallied.histogram.get()).values).toEqual((await plain.get()).values);
    }
  });

  it('refuses a value that is not a number, as prom-client does, and counts nothing for it', async () => {
    const plain = new Histogram({ ...histogramConfig, registers: [] });
    const tallied = new TalliedUnlabelledHistogram({ ...histogramConfig, registers: [] });
    expect(() => tallied.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect((await tallied.histogram.get()).values).toEqual((await plain.get()).values);
  });
});
