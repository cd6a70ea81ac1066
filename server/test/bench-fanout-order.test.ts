// The fan-out's phase order over rounds and calls (phase-order.ts, FANOUT_ROUND_OFFSET) and the pool's reading of CPU per
// delivery by the place a phase ran in (position-effect.ts, through rounds-summary.ts as fanout-pool.ts prints it).
import { describe, expect, it } from 'vitest';
import { phaseOrder, type PhasePosition } from '../bench/fanout/phase-order.ts';
import { roundOffsetOf } from '../bench/fanout/options.ts';
import { summariseRounds, type RoundFigures } from '../bench/fanout/rounds-summary.ts';

/** Contenders as fanout.ts lays them out: Node by Node, the same kinds on each. */
const laidOut = (nodes: string[], kinds: string[]) => nodes.flatMap((node) => kinds.map((kind) => ({ node, name: `${kind} @ ${node}` })));
const orderOf = (items: { node: string; name: string }[], index: number) => phaseOrder(items, (c) => c.node, index);

describe('the phases’ order over rounds and calls', () => {
  const two = laidOut(['20', '24'], ['bare', 'main', 'base']);

  it('keeps the laid-out order in round 0, and with one Node alternates two contenders as before', () => {
    expect(orderOf(two, 0).map((p) => p.item.name)).toEqual(two.map((c) => c.name));
    const one = laidOut(['20'], ['bare', 'main']);
    expect([0, 1, 2].map((i) => orderOf(one, i).map((p) => p.item.name).join(','))).toEqual(['bare @ 20,main @ 20', 'main @ 20,bare @ 20', 'bare @ 20,main @ 20']);
  });

  it('gives each contender each place among its Node’s phases once every three calls, where a reverse kept main in the middle', () => {
    for (const start of [0, 1, 4]) {
      const places = [0, 1, 2].map((i) => orderOf(two, start + i).find((p) => p.item.name === 'main @ 20')?.position.inGroup);
      expect(places.sort()).toEqual([1, 2, 3]);
    }
  });

  it('keeps each Node’s phases together and gives each contender each place in the round once every Nodes × contenders calls', () => {
    for (const [nodes, kinds] of [[['20', '24'], ['bare', 'main', 'base']], [['20', '24'], ['a', 'b', 'c', 'd']], [['20'], ['a', 'b', 'c']]] as const) {
      const items = laidOut([...nodes], [...kinds]);
      for (const order of Array.from({ length: items.length }, (_, i) => orderOf(items, i))) {
        const groups = order.map((p) => p.item.node);
        expect(groups.filter((g, i) => g !== groups[i - 1]).length).toBe(nodes.length);
        expect(order.every((p) => p.position.group === p.item.node && p.position.ofRound === items.length && p.position.ofGroup === kinds.length)).toBe(true);
      }
      // From call 0, and (where Nodes and contenders share no factor) from any call.
      for (const start of nodes.length === 2 && kinds.length === 4 ? [0] : [0, 3]) {
        const calls = Array.from({ length: items.length }, (_, i) => orderOf(items, start + i));
        for (const item of items) expect(calls.map((order) => order.find((p) => p.item === item)?.position.inRound).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(items.map((_, i) => i + 1));
      }
    }
  });

  it('reads FANOUT_ROUND_OFFSET as a whole number ≥ 0 and refuses anything else', () => {
    expect(roundOffsetOf(undefined)).toBe(0);
    expect(roundOffsetOf('')).toBe(0);
    expect(roundOffsetOf('5')).toBe(5);
    for (const bad of ['-1', '1.5', 'two']) expect(() => roundOffsetOf(bad)).toThrow('FANOUT_ROUND_OFFSET');
  });
});

describe('CPU per delivery by the place a phase ran in, pooled', () => {
  const at = (cpu: number, position: Omit<PhasePosition, 'ofRound' | 'ofGroup' | 'group'>, disturbed: string | null = null): RoundFigures => ({
    cpuMicrosPerDelivery: cpu,
    p99: 5,
    disturbed,
    latencies: {},
    position: { ...position, ofRound: 3, ofGroup: 3, group: '20' },
  });
  const pair = { label: 'main/bare', of: 'main', over: 'bare' };
  const row = (rounds: Map<string, RoundFigures>[]) => summariseRounds(rounds, [pair]).find((r) => r.name.startsWith('main/bare: CPU per delivery, median over the undisturbed pairs by main'))?.value;

  it('gives the median ratio by main’s place, and with it before and after bare', () => {
    const rounds = [
      new Map([['bare', at(40, { inRound: 1, inGroup: 1 })], ['main', at(52, { inRound: 2, inGroup: 2 })]]), // 1.30×, 2nd, after
      new Map([['main', at(44, { inRound: 1, inGroup: 1 })], ['bare', at(40, { inRound: 3, inGroup: 3 })]]), // 1.10×, 1st, before
      new Map([['bare', at(40, { inRound: 2, inGroup: 2 })], ['main', at(56, { inRound: 3, inGroup: 3 })]]), // 1.40×, 3rd, after
      new Map([['bare', at(40, { inRound: 1, inGroup: 1 })], ['main', at(60, { inRound: 2, inGroup: 2 })]]), // 1.50×, 2nd, after
      new Map([['bare', at(40, { inRound: 1, inGroup: 1 }, 'others 30 % of a core')], ['main', at(80, { inRound: 2, inGroup: 2 })]]), // disturbed: left out
    ];
    expect(row(rounds)).toBe('1st 1.10× (1) · 2nd 1.40× (2) · 3rd 1.40× (1); before 1.10× (1) · after 1.40× (3)');
  });

  it('prints nothing for rounds saved without places', () => {
    const plain = (cpu: number): RoundFigures => ({ cpuMicrosPerDelivery: cpu, p99: 5, disturbed: null, latencies: {} });
    expect(row([new Map([['bare', plain(40)], ['main', plain(52)]])])).toBeUndefined();
  });
});
