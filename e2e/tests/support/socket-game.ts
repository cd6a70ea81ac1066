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

export async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export class Player {
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

/** A session whose seats all have a socket, played beat by beat along the historical path. */
export class SocketGame {
  private constructor(
    readonly session: CreateSessionResponse,
    readonly fac: Player,
    readonly seats: Map<string, Player>,
  ) {}

  static async create(base: string, title: string): Promise<SocketGame> {
    const session = await post<CreateSessionResponse>(base, '/api/sessions', { scenarioId: 'april-2024', seed: 'e2e-replay', title });
    const fac = new Player(base, session.sessionId, session.facilitatorToken, 'white-cell');
    const seats = new Map<string, Player>();
    for (const c of session.codes) {
      if (c.role.kind !== 'seat') continue;
      const join = await post<{ token: string }>(base, '/api/join', { code: c.code });
      seats.set(c.role.seat, new Player(base, session.sessionId, join.token, c.role.seat));
    }
    await fac.hello();
    for (const p of seats.values()) await p.hello();
    return new SocketGame(session, fac, seats);
  }

  /** Lobby to the first beat's planning. */
  async start(): Promise<void> {
    await this.fac.send({ type: 'START' });
    await this.fac.send({ type: 'ADVANCE' });
  }

  /**
   * Every acting seat locks in its historical move (or the default), and the
   * white cell accepts the adjudication: the beat is resolved. `before` runs
   * for each seat, with its move, before it locks in. Returns false once the game is over.
   */
  async resolveBeat(before?: (seat: string, p: Player, move: string) => Promise<void>): Promise<boolean> {
    const state = await this.fac.hello();
    if (state.view.phase === 'outcome') return false;
    const beat = state.view.beat;
    if (!beat || state.view.phase !== 'planning') throw new Error(`expected planning, got ${state.view.phase}`);
    const wanted = HISTORICAL_PATH.find((b) => b.id === beat.id)?.moves ?? {};
    for (const seat of beat.actingSeats) {
      const p = this.seats.get(seat)!;
      const menu = (await p.hello()).view.menu!;
      const move = menu.moves.some((m) => m.id === wanted[seat as keyof typeof wanted]) ? wanted[seat as keyof typeof wanted]! : menu.defaultMove;
      await before?.(seat, p, move);
      await p.send({ type: 'SUBMIT_MOVE', move, rationale: `${seat} weighs ${beat.title}.`, lock: true });
    }
    await this.fac.send({ type: 'ACCEPT_ADJUDICATION' });
    return true;
  }

  /** From a resolution to the next beat's planning (or the outcome). */
  async advance(): Promise<void> {
    await this.fac.send({ type: 'ADVANCE' });
  }

  close(): void {
    this.fac.close();
    for (const p of this.seats.values()) p.close();
  }
}

export async function playSessionOverSockets(base: string, title: string): Promise<PlayedSession> {
  const game = await SocketGame.create(base, title);
  const score = { seat: 'iran', criterion: 'mediated-signalling', score: 3, note: 'Signalled its limits through Oman before striking.' };
  const secrets = { israelToUs: 'Only Washington may read this e2e line.', iranTeam: 'Iran team keeps this to itself.', israelDraft: 'An Israeli draft no one else sees.' };
  try {
    await game.start();
    for (let beatNo = 1; beatNo <= 12; beatNo++) {
      if (beatNo === 1) {
        await game.seats.get('israel')!.send({ type: 'SEND_MESSAGE', channel: 'israel-us', text: secrets.israelToUs });
        await game.seats.get('iran')!.send({ type: 'SEND_MESSAGE', channel: 'team-iran', text: secrets.iranTeam });
        await game.seats.get('us')!.send({ type: 'SEND_MESSAGE', channel: 'public', text: 'The United States urges calm.' });
      }
      const played = await game.resolveBeat(async (seat, p, move) => {
        if (beatNo === 3 && seat === 'israel') await p.send({ type: 'SUBMIT_MOVE', move, rationale: secrets.israelDraft, lock: false });
      });
      if (!played) break;
      await game.advance();
    }
    // Scoring a finished session: an after-action rubric score, logged like any command.
    await game.fac.send({ type: 'SCORE_TEAM', ...score });
  } finally {
    game.close();
  }
  return { session: game.session, secrets, score };
}
