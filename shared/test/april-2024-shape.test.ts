import { describe, it, expect } from 'vitest';
import { OPTIONAL, OUTCOMES, REQUIRED, BEAT_ORDER, scenario as s } from './april-2024.ts';

describe('april-2024 scenario: identity and shape', () => {
  it('loads and carries the fixed ids', () => {
    expect(s.id).toBe('april-2024');
    expect(s.version).toBe(4);
    expect(s.startBeat).toBe('consulate-strike');
    expect(s.beats.map((b) => b.id)).toEqual(BEAT_ORDER);
    expect(s.outcomes.map((o) => o.id).sort()).toEqual([...OUTCOMES].sort());
    expect(s.historicalOutcome).toBe('contained-exchange');
    expect(s.outcomes.filter((o) => o.historical).map((o) => o.id)).toEqual(['contained-exchange']);
    expect(s.title.length).toBeGreaterThan(0);
    expect(s.summary.length).toBeGreaterThan(0);
    expect(s.openingBriefing).toMatch(/Zahedi/);
    expect(s.openingBriefing).toMatch(/war between the wars/);
  });

  it('has the seven seats, four required and three optional, each with a distinct colour', () => {
    expect(s.seats.filter((x) => !x.optional).map((x) => x.id)).toEqual(REQUIRED);
    expect(s.seats.filter((x) => x.optional).map((x) => x.id)).toEqual(OPTIONAL);
    const colours = s.seats.map((x) => x.color.toLowerCase());
    expect(new Set(colours).size).toBe(colours.length);
  });

  it('gives every seat colour good contrast on a dark navy background', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const navy = lum('#0b1a33');
    for (const seat of s.seats) expect((lum(seat.color) + 0.05) / (navy + 0.05), seat.id).toBeGreaterThanOrEqual(4.5);
  });

  it('defines the six measures with their bounds and plausible opening values', () => {
    const ids = s.measures.map((m) => m.id);
    expect(ids).toEqual(['deterrence', 'domestic-pressure', 'standing', 'cohesion', 'casualties', 'nuclear-latency']);
    for (const m of s.measures) {
      expect(m.min).toBe(0);
      expect(m.max).toBe(m.id === 'casualties' ? 100000 : 100);
    }
    const iran = s.seats.find((x) => x.id === 'iran');
    expect(iran?.initial['nuclear-latency']).toBeGreaterThanOrEqual(60);
    for (const seat of s.seats.filter((x) => x.id !== 'iran')) expect(seat.initial['nuclear-latency'] ?? 0).toBe(0);
    for (const seat of s.seats) expect(seat.initial.casualties ?? 0).toBe(0);
  });

  it('has a nine-rung ladder opening on rung 2, just after the Damascus strike', () => {
    expect(s.ladder.rungs.map((r) => r.level)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.ladder.initial).toBe(2);
  });
});

describe('april-2024 scenario: injects and channels', () => {
  it('offers five to eight injects, including the direct line and the IAEA report', () => {
    expect(s.injects.length).toBeGreaterThanOrEqual(5);
    expect(s.injects.length).toBeLessThanOrEqual(8);
    const direct = s.injects.find((i) => i.id === 'direct-line-opened');
    expect(direct?.effects).toContainEqual({ kind: 'flag', flag: 'direct-line-open', set: true });
    const iaea = s.injects.find((i) => i.id === 'iaea-report');
    expect(iaea?.effects.some((e) => e.kind === 'measure' && e.seat === 'iran' && e.measure === 'nuclear-latency' && e.delta > 0)).toBe(true);
  });

  it('has a public channel for all, a team channel per seat and the bilateral lines', () => {
    const ch = (id: string) => s.channels.find((c) => c.id === id);
    expect(ch('public')?.kind).toBe('public');
    expect([...(ch('public')?.members ?? [])].sort()).toEqual(s.seats.map((x) => x.id).sort());
    for (const seat of s.seats) expect(ch(`team-${seat.id}`), seat.id).toMatchObject({ kind: 'team', members: [seat.id] });
    for (const id of ['israel-us', 'us-mediators', 'iran-mediators', 'israel-mediators', 'us-jordan', 'iran-hezbollah', 'eu-iran']) {
      expect(ch(id)?.kind, id).toBe('bilateral');
      expect(ch(id)?.members.length, id).toBe(2);
    }
  });

  it('routes Iran–US talk through the mediators, with a direct line closed until a flag opens it', () => {
    const mediated = s.channels.find((c) => c.id === 'iran-us-mediated');
    expect(mediated).toMatchObject({ kind: 'mediated', relay: 'mediators' });
    expect([...(mediated?.members ?? [])].sort()).toEqual(['iran', 'mediators', 'us']);
    const direct = s.channels.find((c) => c.id === 'iran-us-direct');
    expect(direct).toMatchObject({ kind: 'bilateral', members: ['iran', 'us'], opensWhen: { flag: 'direct-line-open' } });
    expect(s.initialFlags).not.toContain('direct-line-open');
    // No other channel lets Iran and the US talk without the mediators.
    const together = s.channels.filter((c) => c.kind !== 'public' && c.members.includes('iran') && c.members.includes('us'));
    expect(together.map((c) => c.id).sort()).toEqual(['iran-us-direct', 'iran-us-mediated']);
  });
});
