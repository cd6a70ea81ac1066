import { io, type Socket } from 'socket.io-client';
import type { Ack, CommandResult, Command, CreateSessionResponse, HelloData } from '@rubicon/shared';
import { HISTORICAL_PATH } from './historical.ts';

/**
 * Plays a whole game against a running server over the real protocol (REST
 * and Socket.IO), much faster than through six browsers: for specs that need
 * a finished session to work with, not the playing itself.
 */
export interface PlayedSession {
  session: CreateSessionResponse;
  /** Texts that must only ever show to their channels' members. */
  secrets: { israelToUs: string; iranTeam: string; israelDraft: string };
  /** The rubric score the white cell gave after the outcome. */
  score: { seat: string; criterion: string; score: number; note: string };
}

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

class Player {
  readonly socket: Socket;
  private n = 0;
  constructor(
    base: string,
    readonly sessionId: string,
    readonly token: string,
    readonly name: string,
  ) {
    this.socket = io(base, { transports: ['websocket'], reconnection: false, forceNew: true });
  }
  async hello(): Promise<HelloData> {
    const ack = (await this.socket.timeout(10_000).emitWithAck('hello', { sessionId: this.sessionId, token: this.token })) as Ack<HelloData>;
    if (!ack.ok) throw new Error(`${this.name}: hello: ${ack.error.message}`);
    return ack.data;
  }
  /** Sends against the game version this seat sees now (messages need none). */
  async send(command: Command): Promise<number> {
    const expected = command.type === 'SEND_MESSAGE' ? {} : { expectedGameVersion: (await this.hello()).view.gameVersion };
    const ack = (await this.socket.timeout(10_000).emitWithAck('command', { commandId: `${this.name}-${++this.n}-${Date.now()}`, ...expected, command })) as Ack<CommandResult>;
    if (!ack.ok) throw new Error(`${this.name}: ${command.type}: ${ack.error.code}: ${ack.error.message}`);
    return ack.data.version;
  }
  close() {
    this.socket.close();
  }
}

export async function playSessionOverSockets(base: string, title: string): Promise<PlayedSession> {
  const session = await post<CreateSessionResponse>(base, '/api/sessions', { scenarioId: 'april-2024', seed: 'e2e-replay', title });
  const fac = new Player(base, session.sessionId, session.facilitatorToken, 'white-cell');
  const seats = new Map<string, Player>();
  for (const c of session.codes) {
    if (c.role.kind !== 'seat') continue;
    const join = await post<{ token: string }>(base, '/api/join', { code: c.code });
    seats.set(c.role.seat, new Player(base, session.sessionId, join.token, c.role.seat));
  }
  const score = { seat: 'iran', criterion: 'mediated-signalling', score: 3, note: 'Signalled its limits through Oman before striking.' };
  const secrets = { israelToUs: 'Only Washington may read this e2e line.', iranTeam: 'Iran team keeps this to itself.', israelDraft: 'An Israeli draft no one else sees.' };
  try {
    await fac.hello();
    for (const p of seats.values()) await p.hello();
    await fac.send({ type: 'START' });
    await fac.send({ type: 'ADVANCE' });
    for (let beatNo = 1; beatNo <= 12; beatNo++) {
      const state = await fac.hello();
      if (state.view.phase === 'outcome') break;
      const beat = state.view.beat;
      if (!beat || state.view.phase !== 'planning') throw new Error(`expected planning, got ${state.view.phase}`);
      if (beatNo === 1) {
        await seats.get('israel')!.send({ type: 'SEND_MESSAGE', channel: 'israel-us', text: secrets.israelToUs });
        await seats.get('iran')!.send({ type: 'SEND_MESSAGE', channel: 'team-iran', text: secrets.iranTeam });
        await seats.get('us')!.send({ type: 'SEND_MESSAGE', channel: 'public', text: 'The United States urges calm.' });
      }
      const wanted = HISTORICAL_PATH.find((b) => b.id === beat.id)?.moves ?? {};
      for (const seat of beat.actingSeats) {
        const p = seats.get(seat)!;
        const menu = (await p.hello()).view.menu!;
        const move = menu.moves.some((m) => m.id === wanted[seat as keyof typeof wanted]) ? wanted[seat as keyof typeof wanted]! : menu.defaultMove;
        if (beatNo === 3 && seat === 'israel') await p.send({ type: 'SUBMIT_MOVE', move, rationale: secrets.israelDraft, lock: false });
        await p.send({ type: 'SUBMIT_MOVE', move, rationale: `${seat} weighs ${beat.title}.`, lock: true });
      }
      await fac.send({ type: 'ACCEPT_ADJUDICATION' });
      await fac.send({ type: 'ADVANCE' });
    }
    // Scoring a finished session: an after-action rubric score, logged like any command.
    await fac.send({ type: 'SCORE_TEAM', ...score });
  } finally {
    fac.close();
    for (const p of seats.values()) p.close();
  }
  return { session, secrets, score };
}
