/**
 * The fan-out harness's set-up: per session six sockets, four seats that
 * will send, an observer and the white cell. Against Rubicon a session is
 * created, joined and taken into planning over the real protocol; against
 * the bare server the six sockets join a room. Every socket's updates go to
 * the tally from its connection on.
 */
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { SCENARIO_ID } from '../workload.ts';
import type { Ack, Tally } from './harness-tally.ts';
import { connectSocket, harnessClientOf, type HarnessSocket } from './harness-socket.ts';
import { SENDING_SEATS, SOCKETS_PER_SESSION, type HarnessOptions } from './types.ts';

export const ACK_TIMEOUT_MS = 10_000;
// Sessions set up at once: each takes about 8 round trips one after another (more on a Redis store under load), so many overlap.
const SETUP_CONCURRENCY = 48;

export type AnySocket = HarnessSocket;

/** FANOUT_HARNESS_CLIENT: light (the default) or full (socket.io-client); harness-socket.ts. */
export const harnessClient = harnessClientOf(process.env.FANOUT_HARNESS_CLIENT);

/** Which server process (its index in the URLs) each socket is connected to. */
export const processOf = new WeakMap<AnySocket, number>();

/** A socket to server process `p`, its updates counted in the tally. */
async function connect(urls: readonly string[], p: number, tally: Tally): Promise<AnySocket> {
  const socket = await connectSocket(harnessClient, urls[p] as string, (u) => tally.onUpdate(u, p));
  processOf.set(socket, p);
  return socket;
}

/** Set-up requests answered `unavailable` (the store not answering within its bound on a crowded machine), or whose connection failed, are sent again, as a client would. */
const SETUP_ATTEMPTS = 20;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function emitAck(socket: AnySocket, event: string, payload: unknown): Promise<Ack> {
  for (let attempt = 1; ; attempt++) {
    const ack = await new Promise<Ack>((resolve, reject) => socket.send(event, payload, ACK_TIMEOUT_MS, (err, a) => (err || !a ? reject(err ?? new Error(`${event}: no acknowledgement`)) : resolve(a))));
    if (ack.ok || ack.error?.code !== 'unavailable' || attempt >= SETUP_ATTEMPTS) return ack;
    await sleep(250);
  }
}

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (err) {
      // A kept-alive connection the server closed meanwhile, or a connect that timed out on a crowded machine: nothing was done.
      if (attempt >= SETUP_ATTEMPTS) throw err;
      await sleep(250);
      continue;
    }
    const json = (await res.json()) as T;
    if (res.ok) return json;
    if (res.status !== 503 || attempt >= SETUP_ATTEMPTS) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    await sleep(250);
  }
}

/** One session's sockets: the senders first, then the observer and the white cell. */
export interface SessionSockets {
  senders: AnySocket[];
  all: AnySocket[];
}

async function bareSession(options: HarnessOptions, index: number, tally: Tally): Promise<SessionSockets> {
  const seats = [...SENDING_SEATS, 'observer', 'facilitator'];
  const all = await Promise.all(
    seats.map(async (seat, j) => {
      const socket = await connect(options.urls, (index + j) % options.urls.length, tally);
      await emitAck(socket, 'join', { room: `r${index}`, seat });
      return socket;
    }),
  );
  return { senders: all.slice(0, SENDING_SEATS.length), all };
}

async function rubiconSession(options: HarnessOptions, index: number, tally: Tally): Promise<SessionSockets> {
  const processAt = (j: number) => (index + j) % options.urls.length;
  const urlAt = (j: number) => options.urls[processAt(j)] as string;
  const session = await post<CreateSessionResponse>(urlAt(0), '/api/sessions', { scenarioId: SCENARIO_ID, seed: `${options.seed}-${index}`, optionalSeats: [] });
  const hello = async (token: string, j: number): Promise<{ socket: AnySocket; gameVersion: number }> => {
    const socket = await connect(options.urls, processAt(j), tally);
    const ack = await emitAck(socket, 'hello', { sessionId: session.sessionId, token });
    if (!ack.ok) throw new Error(`hello refused: ${ack.error?.code}: ${ack.error?.message}`);
    return { socket, gameVersion: ack.data?.view?.gameVersion ?? 0 };
  };
  const facilitator = await hello(session.facilitatorToken, SOCKETS_PER_SESSION - 1);
  // Into the first beat's planning, where a table talks most.
  let gameVersion = facilitator.gameVersion;
  for (const type of ['START', 'ADVANCE'] as const) {
    const ack = await emitAck(facilitator.socket, 'command', { commandId: `${options.seed}-${index}-${type}`, command: { type }, expectedGameVersion: gameVersion });
    if (!ack.ok) throw new Error(`${type} refused: ${ack.error?.code}: ${ack.error?.message}`);
    gameVersion++;
  }
  const roleOf = (c: CreateSessionResponse['codes'][number]) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind);
  const others = await Promise.all(
    [...SENDING_SEATS, 'observer'].map(async (role, j) => {
      const code = session.codes.find((c) => roleOf(c) === role)?.code;
      if (!code) throw new Error(`no join code for ${role}`);
      const joined = await post<JoinResponse>(urlAt(j), '/api/join', { code });
      return (await hello(joined.token, j)).socket;
    }),
  );
  return { senders: others.slice(0, SENDING_SEATS.length), all: [...others, facilitator.socket] };
}

export async function setUp(options: HarnessOptions, tally: Tally): Promise<SessionSockets[]> {
  const sessions: SessionSockets[] = new Array<SessionSockets>(options.sessions);
  let next = 0;
  const worker = async () => {
    while (next < options.sessions) {
      const i = next++;
      sessions[i] = options.target === 'bare' ? await bareSession(options, i, tally) : await rubiconSession(options, i, tally);
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
  return sessions;
}

