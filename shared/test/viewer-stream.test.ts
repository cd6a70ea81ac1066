import { describe, expect, it } from 'vitest';
import { applyEntry, initialState, persistGame, restoreGame } from '../src/game/game.ts';
import { isStale, viewerGameVersion } from '../src/game/viewer-game-version.ts';
import type { Viewer } from '../src/game/channel-policy.ts';
import { viewFor } from '../src/game/view.ts';
import {
  commandFromWire,
  eventSteps,
  messageByWireId,
  streamPosition,
  streamStep,
  UNSEEN_MESSAGE,
  wireMessageFor,
  wireMessagesFor,
} from '../src/game/viewer-stream.ts';
import { Driver } from './driver.ts';
import { mini, miniViewers } from './fixtures/mini-scenario.ts';

const { red, blue, grey, observer, facilitator } = miniViewers;

/** Planning in the first beat, then: red→grey (mediated), a public line, red–blue, grey relays red's line to blue. */
function talk() {
  const d = new Driver(mini, { seed: 3 });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  d.seat('red', { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'to the broker' });
  d.seat('blue', { type: 'SEND_MESSAGE', channel: 'public', text: 'for all' });
  d.seat('red', { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'bilateral' });
  d.seat('grey', { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'passed on', to: 'blue', relayOf: 'm3' });
  return d;
}

describe('each viewer own stream', () => {
  countAndNumberCases();
  resendAndIdCases();
});

/** What each viewer counts and how its messages are numbered and sent. */
function countAndNumberCases(): void {
  it('counts game commands for everyone and only the messages each may read', () => {
    const d = talk();
    expect(d.state.gameVersion).toBe(2);
    expect(streamPosition(d.game, d.state, facilitator)).toEqual({ version: d.state.version, messages: 4 });
    expect(streamPosition(d.game, d.state, red)).toEqual({ version: 5, messages: 3 });
    expect(streamPosition(d.game, d.state, blue)).toEqual({ version: 5, messages: 3 });
    // The relay reads what it passed on too.
    expect(streamPosition(d.game, d.state, grey)).toEqual({ version: 5, messages: 3 });
    expect(streamPosition(d.game, d.state, observer)).toEqual({ version: 3, messages: 1 });
    expect(viewFor(d.game, d.state, observer).version).toBe(3);
  });

  it('numbers messages in each reader own stream, and a relay by what the reader can read', () => {
    const d = talk();
    // A message that relays nothing carries no relayOf at all (WireMessage): shown here as null.
    const wire = (v: Viewer) => wireMessagesFor(d.game, d.state, v).messages.map((m) => [m.id, m.seq, m.text, 'relayOf' in m ? m.relayOf : null]);
    expect(wire(observer)).toEqual([['n1', 1, 'for all', null]]);
    expect(wire(blue)).toEqual([
      ['n1', 1, 'for all', null],
      ['n2', 2, 'bilateral', null],
      ['n3', 3, 'passed on', UNSEEN_MESSAGE],
    ]);
    expect(wire(grey)).toEqual([
      ['n1', 1, 'to the broker', null],
      ['n2', 2, 'for all', null],
      ['n3', 3, 'passed on', 'n1'],
    ]);
    expect(wire(facilitator).at(-1)).toEqual(['n4', 4, 'passed on', 'n1']);
    // No log position goes on the wire.
    for (const m of wireMessagesFor(d.game, d.state, facilitator).messages) expect(Object.keys(m)).not.toContain('hiddenAt');
    // One message for an update is numbered the same way.
    expect(wireMessageFor(d.game, d.state, blue, d.state.messages.at(-1)!).id).toBe('n3');
  });

  it('sends a message with the fields a reader needs and none at its default: no audience, no null to or relayOf', () => {
    const d = talk();
    const keys = (v: Viewer) => wireMessagesFor(d.game, d.state, v).messages.map((m) => Object.keys(m).sort().join(' '));
    const plain = 'at channel from id seq text';
    // The public message, the bilateral one, and the relay (which names what it relays): as each reader gets them.
    expect(keys(observer)).toEqual([plain]);
    expect(keys(blue)).toEqual([plain, plain, 'at channel from id relayOf seq text to']);
    expect(keys(facilitator)).toEqual([plain, plain, plain, 'at channel from id relayOf seq text to']);
    for (const v of [observer, blue, grey, facilitator])
      for (const m of wireMessagesFor(d.game, d.state, v).messages) {
        expect(m).not.toHaveProperty('audience');
        if ('to' in m) expect(m.to).not.toBeNull();
        if ('relayOf' in m) expect(m.relayOf).not.toBeNull();
      }
  });
}

/** Sending again what a client lacks, reading ids in the sender's numbering, interventions and hides. */
function resendAndIdCases(): void {
  it('sends again what a client lacks: the messages after those it holds, and every moderated one', () => {
    const d = talk();
    d.fac({ type: 'HIDE_MESSAGE', message: 'm4', from: 'everyone' });
    expect(streamPosition(d.game, d.state, red).version).toBe(6);
    expect(streamPosition(d.game, d.state, observer).version).toBe(4);
    const again = wireMessagesFor(d.game, d.state, red, 3);
    expect(again.count).toBe(3);
    expect(again.messages.map((m) => [m.id, m.text, m.hidden])).toEqual([['n2', '', 'everyone']]);
    expect(wireMessagesFor(d.game, d.state, red, 2).messages.map((m) => m.id)).toEqual(['n2', 'n3']);
  });

  it('reads message ids in the sender own numbering, and refuses one it cannot read', () => {
    const d = talk();
    expect(messageByWireId(d.game, d.state, grey, 'n1')?.text).toBe('to the broker');
    expect(messageByWireId(d.game, d.state, facilitator, 'n3')?.text).toBe('bilateral');
    expect(messageByWireId(d.game, d.state, observer, 'n2')).toBeUndefined();
    for (const bad of ['m3', 'n0', 'n01', 'x', 'n99999999999']) expect(messageByWireId(d.game, d.state, facilitator, bad), bad).toBeUndefined();
    expect(commandFromWire(d.game, d.state, grey, { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'again', relayOf: 'n1' })).toEqual({
      type: 'SEND_MESSAGE',
      channel: 'via-grey',
      text: 'again',
      relayOf: 'm3',
    });
    expect(commandFromWire(d.game, d.state, facilitator, { type: 'HIDE_MESSAGE', message: 'n2', from: 'display' })).toEqual({ type: 'HIDE_MESSAGE', message: 'm4', from: 'display' });
    // Grey reads three messages: a fourth is none of its own.
    expect(commandFromWire(d.game, d.state, grey, { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'x', relayOf: 'n4' })).toBeNull();
    expect(commandFromWire(d.game, d.state, observer, { type: 'HIDE_MESSAGE', message: 'n2', from: 'display' })).toBeNull();
  });

  it('records the white cell interventions in game versions, which say nothing of the messages between them', () => {
    const d = talk();
    d.fac({ type: 'PAUSE' });
    expect(d.state.interventions.at(-1)).toMatchObject({ kind: 'pause', version: 3 });
  });

  it('counts every hide of a message, and refuses a snapshot from before hides were counted', () => {
    const d = talk();
    d.fac({ type: 'HIDE_MESSAGE', message: 'm4', from: 'everyone' });
    d.fac({ type: 'HIDE_MESSAGE', message: 'm4', from: 'none' });
    expect(d.state.messages.byId('m4')?.moderations).toBe(2);
    expect(streamPosition(d.game, d.state, facilitator).version).toBe(d.state.version);
    const snapshot = persistGame(d.game, d.state);
    expect(streamPosition(d.game, restoreGame(d.game, snapshot), red)).toEqual(streamPosition(d.game, d.state, red));
    const legacy = { ...snapshot, messages: snapshot.messages.map(({ moderations: _m, ...m }) => m) };
    expect(() => restoreGame(d.game, legacy)).toThrow(/moderation/);
  });
}

/** Red has a draft in (everyone sees that it has one); blue holds the view made after it. */
function drafted() {
  const d = new Driver(mini, { seed: 3 });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  d.seat('red', { type: 'SUBMIT_MOVE', move: 'wait', rationale: 'first thoughts', lock: false });
  return d;
}

describe("a seat's move saved again over its own", () => {
  it("is its seat's and the white cell's alone: no one else is shown it, counts it or is staled by it", () => {
    const d = drafted();
    const before = d.state;
    const blueHad = viewFor(d.game, before, blue);
    const positions = Object.values(miniViewers).map((v: Viewer) => streamPosition(d.game, before, v));
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'second thoughts', lock: false });
    const entry = d.log.at(-1)!;
    const steps = Object.entries(miniViewers).map(([name, v]) => [name, streamStep(d.game, before, d.state, entry, v).kind]);
    expect(steps).toEqual([['red', 'view'], ['blue', 'none'], ['grey', 'none'], ['observer', 'none'], ['facilitator', 'view']]);
    // The machine's own numbering goes on: one more game command.
    expect(d.state.gameVersion).toBe(before.gameVersion + 1);
    expect(viewerGameVersion(d.state, red)).toBe(viewerGameVersion(before, red) + 1);
    expect(viewerGameVersion(d.state, facilitator)).toBe(d.state.gameVersion);
    for (const v of [blue, grey, observer]) expect(viewerGameVersion(d.state, v)).toBe(viewerGameVersion(before, v));
    // Each viewer's position moved by exactly the step it was shown.
    Object.values(miniViewers).forEach((v: Viewer, i) => {
      const moved = streamStep(d.game, before, d.state, entry, v).kind === 'none' ? 0 : 1;
      expect(streamPosition(d.game, d.state, v).version).toBe(positions[i]!.version + moved);
    });
    // Blue's picture is the one it had, and the lock-in it made on it is not stale.
    expect(viewFor(d.game, d.state, blue)).toEqual(blueHad);
    expect(isStale(d.state, { kind: 'seat', seat: 'blue' }, blueHad.gameVersion)).toBe(false);
    expect(isStale(d.state, { kind: 'seat', seat: 'red' }, viewFor(d.game, before, red).gameVersion)).toBe(true);
    expect(isStale(d.state, { kind: 'facilitator' }, viewFor(d.game, before, facilitator).gameVersion)).toBe(true);
  });

  it('a first draft, a lock-in and an unlock are everyone\'s: others see who has a move and who locked in', () => {
    const d = drafted();
    const blueAt = () => viewerGameVersion(d.state, blue);
    let was = blueAt();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'wait', rationale: 'sure now', lock: true });
    expect(blueAt()).toBe(was + 1);
    was = blueAt();
    // Locked in over a locked move: who has locked in is unchanged, so it is red's own.
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'surer', lock: true });
    expect(blueAt()).toBe(was);
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'revising', lock: false });
    expect(blueAt()).toBe(was + 1);
    expect(viewFor(d.game, d.state, blue).beat?.lockedIn).toEqual([]);
  });

  it('keeps its counts in snapshots, and refuses a snapshot from before they were kept', () => {
    const d = drafted();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'again', lock: false });
    expect(d.state.drafts).toEqual({ at: [d.state.gameVersion], bySeat: { red: [d.state.gameVersion] } });
    const snapshot = JSON.parse(JSON.stringify(persistGame(d.game, d.state))) as ReturnType<typeof persistGame>;
    const restored = restoreGame(d.game, snapshot);
    for (const v of Object.values(miniViewers)) expect(streamPosition(d.game, restored, v)).toEqual(streamPosition(d.game, d.state, v));
    const { drafts: _d, ...legacy } = snapshot;
    expect(() => restoreGame(d.game, legacy)).toThrow(/drafts/);
  });
});

describe('one event, every viewer', () => {
  it("gives each reader of a message one shared step, each viewer the step it gets alone", () => {
    const d = talk();
    let state = initialState(d.game);
    let shared = 0;
    for (const entry of d.log) {
      const r = applyEntry(d.game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      const stepOf = eventSteps(d.game, state, r.state, entry);
      const steps = Object.values(miniViewers).map((v: Viewer) => {
        const step = stepOf(v);
        expect(step, `${entry.seq} ${JSON.stringify(v)}`).toEqual(streamStep(d.game, state, r.state, entry, v));
        return step;
      });
      const reading = steps.filter((s) => s.kind === 'message');
      // Built once for the event, not once per reader (following a session's log made one per viewer).
      if (reading.length > 1) shared++;
      expect(new Set(reading).size).toBeLessThanOrEqual(1);
      state = r.state;
    }
    expect(shared).toBeGreaterThan(0);
  });
});
