import { describe, expect, it } from 'vitest';
import { formatPath, loadScenario, ScenarioError } from '../src/scenario/load.ts';
import { applyPreset, presetById, presetClock } from '../src/scenario/presets.ts';
import { estimateSession, presetEstimates } from '../src/game/session-length.ts';
import { debriefQuestions } from '../src/scenario/teaching.ts';
import { scenariosUnderTest } from './scenarios-under-test.ts';
import { viewFor } from '../src/game/view.ts';
import { teachingDocument } from '../src/scenario/teaching-document.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { miniTaught } from './fixtures/mini-teaching.ts';
import { inFirstPlanning } from './driver.ts';

const red = { kind: 'seat', seat: 'red' } as const;
const blue = { kind: 'seat', seat: 'blue' } as const;
const facilitator = { kind: 'facilitator' } as const;
const observer = { kind: 'observer' } as const;

/** Each problem as "key.path: message". */
function problemsOf(input: ScenarioInput): string[] {
  try {
    loadScenario(input);
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    throw err;
  }
}

function withTeaching(patch: (t: NonNullable<ScenarioInput['teaching']>) => void): ScenarioInput {
  const copy = structuredClone(miniTaught);
  patch(copy.teaching!);
  return copy;
}

describe('teaching layer schema', () => {
  it('loads a scenario with a teaching layer and presets', () => {
    expect(problemsOf(miniTaught)).toEqual([]);
  });

  it('refuses ids that do not resolve, naming each', () => {
    const bad = withTeaching((t) => {
      t.profiles = { ...t.profiles, purple: t.profiles!.red! };
      t.beats = { ...t.beats, third: {}, first: { ...t.beats!.first, injects: [{ inject: 'flood', when: 'never' }], memoPrompts: { grey: 'x' } } };
      t.debrief = { peace: ['?'] };
    });
    bad.presets!.list![0]!.timerSeconds = { fourth: 30 };
    expect(problemsOf(bad)).toEqual(
      expect.arrayContaining([
        'teaching.profiles.purple: unknown seat "purple"',
        'teaching.beats.third: unknown beat "third"',
        'teaching.beats.first.injects[0].inject: unknown inject "flood"',
        'teaching.beats.first.memoPrompts.grey: seat "grey" does not act in beat first',
        'teaching.debrief.peace: unknown outcome "peace"',
        'presets.list[0].timerSeconds.fourth: unknown beat "fourth"',
      ]),
    );
  });

  it('refuses a profile without its parts, or a team of fewer than three roles', () => {
    const bad = withTeaching((t) => {
      t.profiles!.red = { ...t.profiles!.red!, goals: [], teamRoles: t.profiles!.red!.teamRoles.slice(0, 2) };
    });
    const problems = problemsOf(bad);
    expect(problems.some((p) => p.startsWith('teaching.profiles.red.goals'))).toBe(true);
    expect(problems.some((p) => p.startsWith('teaching.profiles.red.teamRoles'))).toBe(true);
  });
});

describe('presets and the length estimate', () => {
  const s = loadScenario(miniTaught);

  it('sums briefing, then timer, reading and adjudication per beat of the historical path', () => {
    const e = estimateSession(s, { preset: 'short', timerScale: 1, timerSeconds: { first: 40, second: 30 } });
    expect(e.beats).toEqual([
      { beat: 'first', title: 'First move', timerSeconds: 40, readingSeconds: 30, adjudicationSeconds: 5 },
      { beat: 'second', title: 'Second move', timerSeconds: 30, readingSeconds: 10, adjudicationSeconds: 5 },
    ]);
    expect(e.totalSeconds).toBe(60 + 75 + 45);
    // The shortest path ends after the first beat (calm or war); the longest is the historical one.
    expect(e.shortestSeconds).toBe(60 + 75);
    expect(e.longestSeconds).toBe(e.totalSeconds);
  });

  it('scales the scenario timers with the clock when there is no preset', () => {
    const e = estimateSession(s, { timerScale: 2, timerSeconds: {} });
    expect(e.beats.map((b) => [b.timerSeconds, b.adjudicationSeconds])).toEqual([
      [120, 20],
      [120, 20],
    ]);
  });

  it('applies a preset to a request and refuses an unknown one', () => {
    const request = { timerScale: 0.5, timerSeconds: { second: 99 }, review: true };
    const r = applyPreset(s, { ...request, preset: 'short' });
    expect(r).toEqual({ ok: true, setup: { preset: 'short', timerScale: 1, timerSeconds: { first: 40, second: 99 }, review: false } });
    expect(applyPreset(s, { ...request, preset: 'slow' })).toMatchObject({ ok: true, setup: { timerScale: 2, review: true } });
    expect(applyPreset(s, request)).toEqual({ ok: true, setup: request });
    const unknown = applyPreset(s, { ...request, preset: 'marathon' });
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.message).toContain('"short", "slow"');
  });
});

const planning = () => inFirstPlanning(miniTaught);

describe('teaching in the views', () => {
  teachingViewCases();
  endingCases();
});

/** Profiles, memo prompts, facilitator notes and the outcome's questions, each to whom they belong. */
function teachingViewCases(): void {
  it('gives a seat its own profile and memo prompt, never another seat’s profile', () => {
    const d = planning();
    const r = viewFor(d.game, d.state, red).teaching!;
    const b = viewFor(d.game, d.state, blue).teaching!;
    expect(r.profile?.summary).toBe('Red profile summary.');
    expect(b.profile?.summary).toBe('Blue profile summary.');
    expect(JSON.stringify(viewFor(d.game, d.state, red))).not.toContain('Blue profile summary');
    expect(r.memoPrompt).toBe('What do you expect the others to do?');
    expect(b.memoPrompt).toBe('Blue: what would make you warn?');
    expect(r.notes).toBeNull();
    expect(r.debrief).toBeNull();
    expect(viewFor(d.game, d.state, { kind: 'seat', seat: 'grey' }).teaching!.memoPrompt).toBeNull();
  });

  it('gives the facilitator the beat’s notes and discussion questions, and no one else', () => {
    const d = planning();
    const notes = viewFor(d.game, d.state, facilitator).teaching!.notes;
    expect(notes).toEqual({
      beat: 'first',
      watchFor: ['Whether Red thinks about Blue.'],
      injects: [{ inject: 'storm', title: 'Storm', when: 'If the room is quiet.' }],
      discussion: ['What would Blue read into a strike?'],
    });
    expect(viewFor(d.game, d.state, observer).teaching!.notes).toBeNull();
    expect(JSON.stringify(viewFor(d.game, d.state, observer))).not.toContain('Whether Red thinks');
  });

  it('at the outcome gives everyone the questions, every profile and why the path went this way', () => {
    const d = planning();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'brace', rationale: '', lock: true });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
    expect(viewFor(d.game, d.state, observer).teaching!.debrief).toBeNull();
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'absorb', rationale: '', lock: true });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
    expect(d.phase).toBe('outcome');
    const debrief = viewFor(d.game, d.state, observer).teaching!.debrief!;
    expect(debrief.outcome).toBe('contained');
    expect(debrief.questions).toEqual(['Why did it stop at one blow each?', 'What surprised you?']);
    expect(debrief.profiles.map((p) => p.seat)).toEqual(['red', 'blue']);
    const [first, second] = debrief.causes;
    expect(first).toMatchObject({ beat: 'first', to: { kind: 'beat', id: 'second' }, fallback: true, because: [] });
    const ladder = d.ctx.checkpoints[1]!.world.ladder;
    expect(first!.passedOver).toEqual([
      { to: { kind: 'outcome', id: 'war', title: 'War' }, unmet: [expect.stringContaining(`rung ${ladder}`)] },
      { to: { kind: 'outcome', id: 'calm', title: 'Calm' }, unmet: ['Red chose “Strike” in “First move”'] },
    ]);
    expect(second).toMatchObject({ beat: 'second', to: { kind: 'outcome', id: 'contained' }, fallback: true });
    expect(second!.passedOver[0]!.unmet).toEqual(expect.arrayContaining(['Blue did not choose “Retaliate”']));
  });
}

/** A white-cell ending named as such. */
function endingCases(): void {
  it('names a white-cell ending as such', () => {
    const d = planning();
    d.fac({ type: 'END_GAME', outcome: 'calm', reason: 'Out of time.' });
    const causes = viewFor(d.game, d.state, red).teaching!.debrief!.causes;
    expect(causes).toEqual([expect.objectContaining({ beat: 'first', to: expect.objectContaining({ id: 'calm' }), endedBy: { reason: 'Out of time.' } })]);
  });
}

describe('the guide document', () => {
  it('carries the teaching layer and the public scenario, never a per-beat briefing', () => {
    const doc = teachingDocument(loadScenario(miniTaught));
    const text = JSON.stringify(doc);
    expect(text).not.toContain('secret briefing');
    expect(text).not.toContain('Blue must answer');
    expect(doc.seats.find((s) => s.id === 'red')?.profile?.goals).toEqual(['Red goal.']);
    expect(doc.beats[0]!.actors.map((a) => a.memoPrompt)).toEqual(['What do you expect the others to do?', 'Blue: what would make you warn?', 'What do you expect the others to do?']);
    expect(doc.outcomes.find((o) => o.id === 'contained')).toMatchObject({ historical: true, questions: ['Why did it stop at one blow each?'] });
    expect(doc.debriefQuestions).toEqual(['What surprised you?']);
    expect(doc.presets.map((p) => [p.id, p.estimate.totalSeconds])).toEqual([
      ['short', 180],
      ['slow', 60 + (120 + 30 + 20) + (120 + 10 + 20)],
    ]);
  });
});

describe('the shipped scenarios’ teaching layers', () => {
  const april = scenariosUnderTest.find((s) => s.id === 'april-2024')!;

  it('fits the 50-minute class: timers, reading and adjudication over the historical path come to 40 minutes or less', () => {
    const preset = presetById(april, 'class-50')!;
    const e = estimateSession(april, { preset: preset.id, ...presetClock(preset) });
    expect(e.beats.map((b) => b.beat)).toEqual([...new Set(april.historicalPath.map((h) => h.beat))]);
    expect(e.totalSeconds).toBeLessThanOrEqual(40 * 60);
    // Every beat still has a real decision window.
    for (const b of e.beats) expect(b.timerSeconds).toBeGreaterThanOrEqual(120);
  });

  it('offers the three class lengths, in increasing length', () => {
    const totals = presetEstimates(april).map((p) => [p.id, p.estimate.totalSeconds] as const);
    expect(totals.map(([id]) => id)).toEqual(['class-50', 'seminar-90', 'half-day']);
    expect(totals[1]![1]).toBeLessThanOrEqual(90 * 60);
    expect(totals[2]![1]).toBeGreaterThan(totals[1]![1]);
  });

  it('gives every seat a profile and every beat notes, questions and a memo prompt for each actor', () => {
    for (const s of scenariosUnderTest.filter((x) => x.teaching)) {
      const doc = teachingDocument(s);
      for (const seat of doc.seats) expect(seat.profile, `${s.id} ${seat.id}`).not.toBeNull();
      for (const b of doc.beats) {
        expect(b.watchFor.length, `${s.id} ${b.id}`).toBeGreaterThan(0);
        expect(b.discussion.length, `${s.id} ${b.id}`).toBeGreaterThan(0);
        for (const a of b.actors) expect(a.memoPrompt, `${s.id} ${b.id} ${a.seat}`).not.toBeNull();
      }
      for (const o of doc.outcomes) expect(debriefQuestions(s, o.id).length, `${s.id} ${o.id}`).toBeGreaterThan(0);
    }
  });
});
