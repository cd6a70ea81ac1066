import { describe, expect, it } from 'vitest';
import { formatClock, minuteAnnouncement, remainingMs } from '../src/lib/time.ts';
import { offsetFromDateHeader } from '../src/net/clock.ts';
import { parseRoute, paths } from '../src/router.ts';
import { normalizeCode } from '../src/net/api.ts';
import { newCommandId } from '../src/net/commandId.ts';
import { timelineEntries } from '../src/lib/timeline.ts';
import { rowsFromProposal, rowsToEffects } from '../src/facilitate/OverrideForm.tsx';
import type { GameView } from '@rubicon/shared';

describe('clock', () => {
  it('formats and rounds up', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(1)).toBe('0:01');
    expect(formatClock(61_000)).toBe('1:01');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });

  it('computes remaining time from the absolute deadline, frozen when paused', () => {
    expect(remainingMs(null, 0)).toBeNull();
    expect(remainingMs({ deadline: 10_000, remainingMs: null, setAtVersion: 1 }, 4_000)).toBe(6_000);
    expect(remainingMs({ deadline: 10_000, remainingMs: null, setAtVersion: 1 }, 12_000)).toBe(0);
    expect(remainingMs({ deadline: null, remainingMs: 42_000, setAtVersion: 2 }, 99_999)).toBe(42_000);
  });

  it('announces minute marks only', () => {
    expect(minuteAnnouncement(300_400, 299_600)).toBe('5 minutes left.');
    expect(minuteAnnouncement(299_600, 299_100)).toBeNull();
    expect(minuteAnnouncement(60_100, 59_900)).toBe('1 minute left.');
    expect(minuteAnnouncement(45_000, 44_000)).toBeNull();
    expect(minuteAnnouncement(400, 0)).toBe('Time is up.');
    expect(minuteAnnouncement(null, 1000)).toBeNull();
    expect(minuteAnnouncement(1000, 65_000)).toBeNull(); // extended: no announcement going up
  });

  it('trusts the local clock unless the Date header says it is clearly off', () => {
    const now = Date.parse('2024-04-13T20:00:00Z');
    expect(offsetFromDateHeader('Sat, 13 Apr 2024 20:00:00 GMT', now, now + 40)).toBe(0);
    expect(offsetFromDateHeader('Sat, 13 Apr 2024 20:00:10 GMT', now, now + 40)).toBeGreaterThan(9000);
    expect(offsetFromDateHeader(null, now, now)).toBeNull();
    expect(offsetFromDateHeader('garbage', now, now)).toBeNull();
  });
});

describe('routes', () => {
  it('parses every screen', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/join/ab12cd')).toEqual({ name: 'join', code: 'ab12cd' });
    expect(parseRoute('/s/xyz/setup')).toEqual({ name: 'setup', sessionId: 'xyz' });
    expect(parseRoute('/s/xyz/play', '?seat=iran')).toEqual({ name: 'play', sessionId: 'xyz', seat: 'iran' });
    expect(parseRoute('/s/xyz/play')).toEqual({ name: 'play', sessionId: 'xyz', seat: null });
    expect(parseRoute('/s/xyz/display/')).toEqual({ name: 'display', sessionId: 'xyz' });
    expect(parseRoute('/s/xyz/facilitate')).toEqual({ name: 'facilitate', sessionId: 'xyz' });
    expect(parseRoute('/s/xyz/other').name).toBe('notFound');
    expect(parseRoute('/s/%E0%A4%A/play').name).toBe('notFound');
  });

  it('builds what it parses', () => {
    expect(parseRoute(paths.play('a b', 'iran').split('?')[0]!, '?seat=iran')).toEqual({ name: 'play', sessionId: 'a b', seat: 'iran' });
  });
});

describe('inputs', () => {
  it('normalizes join codes', () => {
    expect(normalizeCode(' ab-12 cd ')).toBe('AB12CD');
    expect(normalizeCode('abcd-efgh-jk')).toBe('ABCDEFGH');
  });

  it('makes command ids the protocol accepts', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newCommandId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });
});

describe('timeline', () => {
  it('orders resolutions and injects by version and ends with the outcome', () => {
    const view = {
      resolutions: [
        { beat: 'b', title: 'B', date: 'd', version: 9, at: 9, narrative: [{ text: 'It happened.', marks: [] }], choices: [], changes: [{ target: { kind: 'ladder' }, from: 2, to: 4 }] },
        { beat: 'a', title: 'A', date: 'd', version: 3, at: 3, narrative: [], choices: [{ title: 'Wait' }], changes: [] },
      ],
      injects: [{ inject: 'x', title: 'X', text: 'Storm', version: 5, at: 5 }],
      outcome: { title: 'Calm', description: 'Nothing came of it.' },
    } as unknown as GameView;
    const e = timelineEntries(view);
    expect(e.map((x) => x.kind)).toEqual(['resolution', 'inject', 'resolution', 'outcome']);
    expect(e[0]!.detail).toBe('Wait');
    expect(e[2]!.kind === 'resolution' && e[2]!.ladder).toEqual({ from: 2, to: 4 });
  });
});

describe('override rows', () => {
  const scenario = { seats: [{ id: 'iran', name: 'Iran' }], measures: [{ id: 'standing', label: 'Standing' }] } as unknown as GameView['scenario'];

  it('prefills from the proposal and turns back into fixed effects', () => {
    const rows = rowsFromProposal(
      [
        { effect: { kind: 'ladder', delta: 2 }, cause: { kind: 'rule', beat: 'b', rule: 'r' } },
        { effect: { kind: 'measure', seat: 'iran', measure: 'standing', delta: -5, when: { flag: 'x' } }, cause: { kind: 'rule', beat: 'b', rule: 'r' } },
        { effect: { kind: 'flag', flag: 'hotline', set: true }, cause: { kind: 'inject', inject: 'i' } },
      ],
      scenario,
    );
    expect(rows[1]!.from).toContain('conditional');
    expect(rowsToEffects(rows)).toEqual({
      ok: true,
      changes: [
        { kind: 'ladder', delta: 2 },
        { kind: 'measure', seat: 'iran', measure: 'standing', delta: -5 },
        { kind: 'flag', flag: 'hotline', set: true },
      ],
    });
  });

  it('refuses what the server would refuse', () => {
    const [row] = rowsFromProposal([{ effect: { kind: 'ladder', delta: 1 }, cause: { kind: 'inject', inject: 'i' } }], scenario);
    expect(rowsToEffects([{ ...row!, delta: '1.5' }]).ok).toBe(false);
    expect(rowsToEffects([{ ...row!, delta: '11' }]).ok).toBe(false);
    expect(rowsToEffects([{ ...row!, kind: 'flag', flag: 'Bad Flag' }]).ok).toBe(false);
  });
});

describe('rewind targets', () => {
  it('offers the beats entered on this path, once each, with the open one last', async () => {
    const { rewindTargets } = await import('../src/facilitate/rewind.ts');
    const view = {
      resolutions: [
        { beat: 'a', beatIndex: 1, title: 'A' },
        { beat: 'b', beatIndex: 2, title: 'B' },
      ],
      beat: { id: 'c', index: 3, title: 'C' },
    } as unknown as GameView;
    expect(rewindTargets(view)).toEqual([
      { id: 'a', label: 'Beat 1: A' },
      { id: 'b', label: 'Beat 2: B' },
      { id: 'c', label: 'Beat 3: C' },
    ]);
  });
});
