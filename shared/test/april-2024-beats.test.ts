import { describe, it, expect } from 'vitest';
import { HISTORICAL_BEATS, OPTIONAL, REQUIRED, actor, beat, moveIds, scenario as s } from './april-2024.ts';

describe('april-2024 scenario: beats', () => {
  beatShapeCases();
  menuAndDrawCases();
});

/** The shape of every beat: timers, briefings, prompts and menus, who acts, what is secret. */
function beatShapeCases(): void {
  it('gives every beat a timer of 4 to 10 minutes and a public situation', () => {
    for (const b of s.beats) {
      expect(b.timerSeconds, b.id).toBeGreaterThanOrEqual(240);
      expect(b.timerSeconds, b.id).toBeLessThanOrEqual(600);
      expect(b.situation.length, b.id).toBeGreaterThan(80);
    }
  });

  it('briefs exactly the seats that act in each beat, required seats included wherever they act', () => {
    for (const b of s.beats) {
      expect(Object.keys(b.briefings).sort(), b.id).toEqual(b.actors.map((a) => a.seat).sort());
      for (const a of b.actors) expect(b.briefings[a.seat]?.length ?? 0, `${b.id}/${a.seat}`).toBeGreaterThan(80);
    }
    const briefings = s.beats.flatMap((b) => Object.values(b.briefings));
    expect(new Set(briefings).size).toBe(briefings.length);
  });

  it('offers every acting seat a prompt, 3 to 6 moves and a default among them', () => {
    for (const b of s.beats)
      for (const a of b.actors) {
        expect(a.prompt.length).toBeGreaterThan(0);
        expect(a.moves.length, `${b.id}/${a.seat}`).toBeGreaterThanOrEqual(3);
        expect(a.moves.length, `${b.id}/${a.seat}`).toBeLessThanOrEqual(6);
        expect(a.moves.map((m) => m.id)).toContain(a.defaultMove);
        for (const m of a.moves) {
          expect(m.title.length).toBeGreaterThan(0);
          expect(m.description.length).toBeGreaterThan(0);
          expect(m.outcomeText.length).toBeGreaterThan(0);
        }
      }
  });

  it('has the four required seats acting in every historical beat (the mediators sit out the night of the strike)', () => {
    for (const id of HISTORICAL_BEATS) {
      const seats = beat(id).actors.map((a) => a.seat);
      for (const seat of REQUIRED) {
        if (id === 'strike-and-defence' && seat === 'mediators') continue;
        expect(seats, `${id}/${seat}`).toContain(seat);
      }
    }
  });

  it('keeps Iran’s response decision secret, with the fixed menu', () => {
    expect(moveIds('iran-decision', 'iran')).toEqual([
      'strategic-patience',
      'proxy-response',
      'covert-cyber',
      'telegraphed-strike',
      'massive-strike',
      'nuclear-signalling',
    ]);
    for (const m of actor('iran-decision', 'iran').moves) expect(m.visibility, m.id).toBe('actor');
  });
}

/** The seats' own menus, the optional seats' few beats, and the interception draw. */
function menuAndDrawCases(): void {
  it('gives Israel exactly the four retaliation options, and the US and Iran theirs', () => {
    expect(moveIds('israel-decision', 'israel')).toEqual(['take-the-win', 'limited-strike', 'major-strike', 'covert-action']);
    expect(moveIds('israel-decision', 'us')).toEqual(expect.arrayContaining(['press-restraint', 'green-light', 'join-strike']));
    expect(moveIds('israel-decision', 'iran')).toEqual(expect.arrayContaining(['threaten-escalation', 'signal-acceptance', 'mobilise-proxies']));
    expect(moveIds('iran-counterstrike', 'iran')).toEqual(['absorb-and-claim', 'limited-reply', 'full-barrage', 'nuclear-breakout']);
    expect(moveIds('iran-counterstrike', 'us')).toEqual(expect.arrayContaining(['defend-only', 'join-offensive', 'restrain-israel']));
    expect(moveIds('shadow-war', 'israel')).toEqual(expect.arrayContaining(['strike-proxies', 'strike-iran-directly', 'hold']));
  });

  it('lets optional seats act in a few beats only, with defaults that change nothing when they are absent', () => {
    for (const seat of OPTIONAL) {
      const beats = s.beats.filter((b) => b.actors.some((a) => a.seat === seat));
      expect(beats.length, seat).toBeGreaterThanOrEqual(2);
      expect(beats.length, seat).toBeLessThan(s.beats.length / 2 + 1);
      for (const b of beats) {
        const a = actor(b.id, seat);
        const def = a.moves.find((m) => m.id === a.defaultMove);
        expect(def?.effects, `${b.id}/${seat}`).toEqual([]);
        // The engine narrates defaults even for absent seats: keep them out of the public record.
        expect(def?.visibility, `${b.id}/${seat}`).not.toBe('public');
      }
    }
  });

  it('adjudicates the night of the strike with a seeded interception draw of three options', () => {
    const d = beat('strike-and-defence').draws.find((x) => x.id === 'interception');
    expect(d?.options.map((o) => o.id)).toEqual(['near-total', 'partial', 'breakthrough']);
    const places = d?.options.flatMap((o) => o.marks.map((m) => m.place)) ?? [];
    expect(places).toEqual(expect.arrayContaining(['jordan', 'israel', 'nevatim']));
    const launches = beat('strike-and-defence').actors.flatMap((a) => a.moves.flatMap((m) => m.marks)).filter((m) => m.kind === 'launch');
    expect(launches.map((m) => m.from)).toEqual(expect.arrayContaining(['western-iran', 'iraq', 'yemen', 'southern-lebanon']));
  });
}
