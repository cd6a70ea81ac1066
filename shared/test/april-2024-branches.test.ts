import { describe, it, expect } from 'vitest';
import type { Condition } from '../src/scenario/schema.ts';
import { everyEffect } from '../src/scenario/truth-check.ts';
import { OUTCOMES, beat, moveIds, scenario as s } from './april-2024.ts';

function walkConditions(c: Condition | undefined, visit: (atom: Condition) => void): void {
  if (!c) return;
  if ('all' in c) c.all.forEach((x) => walkConditions(x, visit));
  else if ('any' in c) c.any.forEach((x) => walkConditions(x, visit));
  else if ('not' in c) walkConditions(c.not, visit);
  else visit(c);
}
/** Visits every atomic condition the scenario holds (inside all/any/not too) with the beat or channel it sits in. */
function everyCondition(visit: (atom: Condition, where: string) => void): void {
  for (const b of s.beats) {
    b.next.forEach((n) => walkConditions(n.when, (c) => visit(c, b.id)));
    b.rules.forEach((r) => {
      walkConditions(r.when, (c) => visit(c, b.id));
      r.effects.forEach((e) => walkConditions(e.when, (c) => visit(c, b.id)));
    });
    b.draws.forEach((d) => {
      walkConditions(d.when, (c) => visit(c, b.id));
      d.options.forEach((o) => o.adjust.forEach((a) => walkConditions(a.when, (c) => visit(c, b.id))));
    });
    b.actors.forEach((a) => a.moves.forEach((m) => m.effects.forEach((e) => walkConditions(e.when, (c) => visit(c, b.id)))));
  }
  s.channels.forEach((ch) => walkConditions(ch.opensWhen, (c) => visit(c, `channel ${ch.id}`)));
}

describe('april-2024 scenario: the branch graph', () => {
  it('leads to every one of the outcomes from some beat', () => {
    const referenced = new Set(s.beats.flatMap((b) => b.next.flatMap((n) => ('outcome' in n ? [n.outcome] : []))));
    for (const o of OUTCOMES) expect(referenced, o).toContain(o);
  });

  it('branches after Iran’s decision: a direct strike opens the signalling window, anything else the shadow war', () => {
    const next = beat('iran-decision').next;
    expect(next.map((n) => ('beat' in n ? n.beat : n.outcome))).toEqual(['signalling-window', 'shadow-war']);
    expect(next[1]?.when).toBeUndefined();
  });

  it('checks the nuclear threshold first after Israel’s decision, and answers it in a beat of its own', () => {
    const first = beat('israel-decision').next[0];
    expect(first && 'beat' in first ? first.beat : null).toBe('nuclear-answer');
    for (const id of ['shadow-war', 'iran-counterstrike'])
      expect(beat(id).next.some((n) => 'beat' in n && n.beat === 'nuclear-answer'), id).toBe(true);
    // Israel and the United States both get to answer, with the nuclear instruments.
    expect(moveIds('nuclear-answer', 'us')).toEqual(
      expect.arrayContaining(['refer-to-iaea-board', 'press-for-snapback', 'offer-talks-via-oman', 'bomb-facilities-with-israel']),
    );
    expect(moveIds('nuclear-answer', 'israel')).toEqual(expect.arrayContaining(['bomb-nuclear-facilities', 'sabotage-nuclear-programme']));
  });

  it('only ever asks about choices that can already have been made', () => {
    // Predecessors of each beat (including itself): a `chose` must name a move of one of them.
    const preds = new Map<string, Set<string>>(s.beats.map((b) => [b.id, new Set([b.id])]));
    for (let changed = true; changed; ) {
      changed = false;
      for (const b of s.beats)
        for (const n of b.next)
          if ('beat' in n) {
            const target = preds.get(n.beat);
            for (const p of preds.get(b.id) ?? [])
              if (target && !target.has(p)) {
                target.add(p);
                changed = true;
              }
          }
    }
    const beatOfMove = new Map(s.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => [m.id, b.id] as const))));
    everyCondition((c, where) => {
      if (!('chose' in c) || where.startsWith('channel')) return;
      const home = beatOfMove.get(c.chose.move);
      expect(home && preds.get(where)?.has(home), `${where} asks about ${c.chose.move}`).toBe(true);
    });
  });

  it('sets every flag that a condition reads', () => {
    const settable = new Set([...s.initialFlags, ...everyEffect(s).flatMap((e) => (e.kind === 'flag' && e.set ? [e.flag] : []))]);
    everyCondition((c, where) => {
      if ('flag' in c) expect(settable.has(c.flag), `${where} reads ${c.flag}`).toBe(true);
    });
  });
});
