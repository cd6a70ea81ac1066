// The fan-out benchmark's options with logic of their own: which Node binaries the servers and the
// harness run on (FANOUT_NODE, FANOUT_HARNESS_NODE) and the summary over rounds.
import { describe, expect, it } from 'vitest';
import { harnessNode, NodeBinaryError, nodeLabel, selfNode, serverNodes, type VersionOf } from '../bench/fanout/node-binaries.ts';
import { midMedian, summariseRounds, type RoundFigures } from '../bench/fanout/rounds-summary.ts';
import type { LatencyHistogram } from '../bench/fanout/latency-histogram.ts';

const self = { path: '/usr/bin/node', version: 'v20.20.2' };
const versions: Record<string, string> = { '/opt/node24/bin/node': 'v24.22.3', '/opt/node18/bin/node': 'v18.20.8', '/usr/bin/python3': 'Python 3.12.3' };
const ask: VersionOf = (binary) => versions[binary];

describe('FANOUT_NODE', () => {
  it('unset or empty: the bench’s own Node, as before', () => {
    expect(serverNodes(undefined, self, ask)).toEqual([self]);
    expect(serverNodes(' , ', self, ask)).toEqual([self]);
  });

  it('one binary or several, each with the version it gives, in the order named', () => {
    expect(serverNodes('/opt/node24/bin/node', self, ask)).toEqual([{ path: '/opt/node24/bin/node', version: 'v24.22.3' }]);
    versions['/usr/bin/node'] = 'v20.20.2';
    expect(serverNodes('/usr/bin/node, /opt/node24/bin/node', self, ask).map((n) => n.version)).toEqual(['v20.20.2', 'v24.22.3']);
  });

  it('refuses what is not a Node this bench can run, with a typed error naming the entry', () => {
    const refused = (value: string) => {
      try {
        serverNodes(value, self, ask);
      } catch (err) {
        return err instanceof NodeBinaryError ? err.message : `not typed: ${String(err)}`;
      }
      return 'accepted';
    };
    expect(refused('/nowhere/node')).toBe('FANOUT_NODE entry "/nowhere/node": cannot be run with --version');
    expect(refused('/usr/bin/python3')).toBe('FANOUT_NODE entry "/usr/bin/python3": says "Python 3.12.3", not a Node version');
    expect(refused('/opt/node18/bin/node')).toBe('FANOUT_NODE entry "/opt/node18/bin/node": is v18.20.8, older than v20.19');
    expect(refused('/opt/node24/bin/node,/opt/node24/bin/../bin/node')).toBe('FANOUT_NODE entry "/opt/node24/bin/../bin/node": named twice');
  });

  it('an entry may add flags of its own: the same binary with and without them is two entries, named apart', () => {
    const nodes = serverNodes('/opt/node24/bin/node, /opt/node24/bin/node --max-semi-space-size=16 --trace-gc', self, ask);
    expect(nodes).toEqual([
      { path: '/opt/node24/bin/node', version: 'v24.22.3' },
      { path: '/opt/node24/bin/node', version: 'v24.22.3', flags: ['--max-semi-space-size=16', '--trace-gc'] },
    ]);
    expect(nodes.map(nodeLabel)).toEqual(['v24.22.3', 'v24.22.3 --max-semi-space-size=16 --trace-gc']);
    expect(() => serverNodes('/opt/node24/bin/node --x=1,/opt/node24/bin/node --x=1', self, ask)).toThrow('named twice');
    expect(() => serverNodes('/opt/node24/bin/node 16', self, ask)).toThrow('"16" after the binary is not a --flag');
  });

  it('asks the real binary: this process’s own Node reads as itself', () => {
    expect(serverNodes(process.execPath, selfNode())).toEqual([{ path: process.execPath, version: process.version }]);
  });
});

describe('FANOUT_HARNESS_NODE', () => {
  it('defaults to the bench’s own Node and checks a binary it is given', () => {
    expect(harnessNode('', self, ask)).toBe(self);
    expect(harnessNode('/opt/node24/bin/node', self, ask).version).toBe('v24.22.3');
    expect(() => harnessNode('/nowhere/node', self, ask)).toThrow('FANOUT_HARNESS_NODE entry "/nowhere/node"');
    // The harness is the instrument, the same for every phase: its flags are not a contender's.
    expect(() => harnessNode('/opt/node24/bin/node --max-semi-space-size=16', self, ask)).toThrow('takes no flags');
  });
});

/** A phase's figures for the summary: undisturbed, no latencies, unless given. */
const fig = (cpuMicrosPerDelivery: number, p99: number, disturbed: string | null = null, latencies: LatencyHistogram = {}): RoundFigures => ({ cpuMicrosPerDelivery, p99, disturbed, latencies });

describe('the summary over rounds', () => {
  it('takes the median as the middle value, or the mean of the two middle ones', () => {
    expect(midMedian([3, 1, 2])).toBe(2);
    expect(midMedian([4, 1, 3, 2])).toBe(2.5);
    expect(midMedian([])).toBeNaN();
  });

  it('gives each round’s ratio and the median of the ratios, for CPU per delivery and p99', () => {
    const round = (bare: RoundFigures, rubicon: RoundFigures) =>
      new Map([
        ['bare', bare],
        ['rubicon', rubicon],
      ]);
    const rounds = [round(fig(30, 3), fig(45, 6)), round(fig(40, 8), fig(56, 6)), round(fig(32, 4), fig(48, 5))];
    const rows = summariseRounds(rounds, [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
    const value = (name: string) => rows.find((r) => r.name === name)?.value;
    expect(value('rubicon/bare: server CPU per delivery, each round; median over rounds')).toBe('1.50× / 1.40× / 1.50×; median 1.50×');
    expect(value('rubicon/bare: p99, each round; median over rounds')).toBe('2.00× / 0.75× / 1.25×; median 1.25×');
    expect(value('bare: CPU per delivery; p99: each round (median over rounds)')).toBe('30.0 / 40.0 / 32.0 (median 32.0) µs; 3.0 / 8.0 / 4.0 (median 4.0) ms');
  });

  it('leaves a round out of a pair it lacks a side of', () => {
    const rows = summariseRounds([new Map([['bare', fig(10, 1)]]), new Map([['bare', fig(10, 1)], ['rubicon', fig(20, 3)]])], [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
    expect(rows.find((r) => r.name.startsWith('rubicon/bare: p99'))?.value).toBe('3.00×; median 3.00×');
  });
});
