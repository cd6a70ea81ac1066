/**
 * The tallied counter must read, through prom-client, exactly as prom-client's
 * own counter with the same increments would: the same exposition text at
 * every scrape, counts carried across scrapes, nothing counted twice.
 */
import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { TalliedCounter } from '../src/metrics.ts';

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
