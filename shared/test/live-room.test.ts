import { describe, expect, it } from 'vitest';
import { messagesFor, viewFor } from '../src/game/view.ts';
import { replay } from '../src/game/game.ts';
import { MAX_STATEMENTS_PER_MINUTE } from '../src/limits.ts';
import { mini, miniViewers } from './fixtures/mini-scenario.ts';
import { Driver, inFirstPlanning, facilitator as white } from './driver.ts';

const { red, blue, observer, facilitator } = miniViewers;

const planning = () => inFirstPlanning(mini);

describe('moderation: HIDE_MESSAGE', () => {
  it('hides a statement from the display only, then from everyone, and a replay hides the same', () => {
    const d = planning();
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: 'spam spam spam' });
    const id = d.state.messages.at(0)!.id;
    d.fac({ type: 'HIDE_MESSAGE', message: id, from: 'display' });
    expect(messagesFor(d.game, d.state, observer)[0]).toMatchObject({ id, text: '', hidden: 'display' });
    expect(messagesFor(d.game, d.state, blue)[0]).toMatchObject({ id, text: 'spam spam spam' });

    d.fac({ type: 'HIDE_MESSAGE', message: id, from: 'everyone' });
    expect(messagesFor(d.game, d.state, blue)[0]?.text).toBe('');
    expect(messagesFor(d.game, d.state, red)[0]?.text).toBe('');
    expect(messagesFor(d.game, d.state, facilitator)[0]).toMatchObject({ text: 'spam spam spam', hidden: 'everyone' });
    // A client that held version 3 learns of the hide at version 4 through the message itself.
    expect(messagesFor(d.game, d.state, observer, d.state.version - 1).map((m) => m.id)).toEqual([id]);

    const again = replay(d.game, d.log);
    expect(again.messages).toEqual(d.state.messages);

    d.fac({ type: 'HIDE_MESSAGE', message: id, from: 'none' });
    expect(messagesFor(d.game, d.state, observer)[0]?.text).toBe('spam spam spam');
    expect(messagesFor(d.game, d.state, observer)[0]?.hidden).toBeUndefined();
  });

  it('is the white cell’s alone, names a real message, and still works after the game ends', () => {
    const d = planning();
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: 'hello' });
    const id = d.state.messages.at(0)!.id;
    const before = d.state;
    const bySeat = d.send({ kind: 'seat', seat: 'blue' }, { type: 'HIDE_MESSAGE', message: id, from: 'everyone' });
    expect(bySeat.ok ? null : bySeat.refusal.code).toBe('forbidden');
    const unknown = d.send(white, { type: 'HIDE_MESSAGE', message: 'm999', from: 'everyone' });
    expect(unknown.ok ? null : unknown.refusal.code).toBe('invalid');
    expect(d.state).toBe(before);
    d.fac({ type: 'END_GAME', outcome: 'contained', reason: 'time' });
    d.fac({ type: 'ADVANCE' });
    expect(d.phase).toBe('debrief');
    d.fac({ type: 'HIDE_MESSAGE', message: id, from: 'display' });
    expect(d.state.messages.at(0)?.hidden).toBe('display');
  });
});

describe('public statement cap', () => {
  it('refuses a seat’s statement past the cap within a minute of event time, and allows it after', () => {
    const d = planning();
    for (let i = 0; i < MAX_STATEMENTS_PER_MINUTE; i++) {
      d.now += 1000;
      d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: `statement ${i}` });
    }
    d.now += 1000;
    const over = d.send({ kind: 'seat', seat: 'red' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'one too many' });
    expect(over.ok ? null : over.refusal.code).toBe('rate_limited');
    // Other seats, other channels and the white cell are not affected.
    d.seat('blue', { type: 'SEND_MESSAGE', channel: 'public', text: 'blue speaks' });
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'private is fine' });
    d.fac({ type: 'SEND_MESSAGE', channel: 'public', text: 'white cell speaks' });
    d.now += 60_000;
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: 'a minute later' });
    expect(replay(d.game, d.log).messages.length).toBe(d.state.messages.length);
  });
  it('takes the cap a scenario declares on its public channel', () => {
    const chatty = { ...mini, channels: mini.channels.map((c) => (c.kind === 'public' ? { ...c, statementsPerMinute: 6 } : c)) };
    const d = new Driver(chatty, { seed: 3 });
    d.fac({ type: 'START' });
    d.fac({ type: 'ADVANCE' });
    for (let i = 0; i < 6; i++) {
      d.now += 1000;
      d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: `statement ${i}` });
    }
    d.now += 1000;
    const over = d.send({ kind: 'seat', seat: 'red' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'one too many' });
    expect(over.ok ? null : over.refusal.message).toMatch(/at most 6 statements a minute/);
  });
});

describe('people inside a seat', () => {
  it('records the name given on joining with the message, and it survives replay', () => {
    const d = planning();
    d.must({ kind: 'seat', seat: 'red', name: 'Sara' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'from Sara' });
    d.must({ kind: 'seat', seat: 'red', name: 'Ali' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'from Ali' });
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: 'no name' });
    const names = messagesFor(d.game, d.state, blue).map((m) => m.fromName ?? null);
    expect(names).toEqual(['Sara', 'Ali', null]);
    expect(replay(d.game, d.log).messages.toArray().map((m) => m.fromName ?? null)).toEqual(names);
  });
});

describe('interventions', () => {
  it('records pauses, extensions and a rewind with what it undid, for every viewer', () => {
    const d = planning();
    d.fac({ type: 'PAUSE' });
    d.fac({ type: 'RESUME' });
    d.fac({ type: 'EXTEND_TIMER', seconds: 60 });
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'brace', rationale: '', lock: true });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'REWIND', beat: 'first' });
    const v = viewFor(d.game, d.state, blue);
    expect(v.interventions.map((i) => i.kind)).toEqual(['pause', 'resume', 'extend', 'rewind']);
    expect(v.interventions[2]?.seconds).toBe(60);
    expect(v.interventions[3]).toMatchObject({ beat: 'first', undone: { beats: ['first'], injects: 0 } });
    expect(replay(d.game, d.log).interventions).toEqual(d.state.interventions);
  });
});
