/**
 * A complete Rubicon client in one file: create a session (as a facilitator
 * would), join the Iran seat with its code, keep an up-to-date view, and lock
 * in a move when planning opens. Run against a server:
 *
 *   npx tsx server/examples/join-and-move.ts http://localhost:3000
 *
 * docs/protocol.md explains each step; server/test/example-client.test.ts runs
 * this file's `runExample` against a real server.
 */
import { io, type Socket } from 'socket.io-client';
import { nanoid } from 'nanoid';
import { composeView, mergeMessages, scenarioTextPath } from '@rubicon/shared';
import type {
  Ack,
  ClientToServerEvents,
  CommandResult,
  CreateSessionResponse,
  GameView,
  JoinResponse,
  WireMessage,
  ScenarioText,
  ServerToClientEvents,
  SyncData,
  WireView,
} from '@rubicon/shared';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

async function post<T>(baseUrl: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}

function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/**
 * Keeps one viewer's picture of a session current, following the protocol's
 * rules: updates are numbered 1, 2, 3… in this viewer's own stream; apply the
 * next one, ignore old ones, sync on a gap. Views come without the
 * scenario's text, which is fetched once and put back with `composeView`.
 */
class SessionMirror {
  version: number;
  wire: WireView;
  messages: readonly WireMessage[];

  constructor(
    private readonly socket: ClientSocket,
    first: SyncData,
    private readonly text: ScenarioText,
  ) {
    this.version = first.version;
    this.wire = first.view;
    this.messages = first.messages;
    socket.on('update', (u) => {
      if (u.version <= this.version) return; // already have it
      if (u.version !== this.version + 1) {
        void this.resync(); // a gap: ask for what we missed
        return;
      }
      this.version = u.version;
      if (u.view) this.wire = u.view;
      this.messages = mergeMessages(this.messages, u.messages); // new ones appended, a moderated one replaced
    });
  }

  /** The whole view, as a screen would show it. */
  get view(): GameView {
    return composeView(this.wire, this.text);
  }

  private async resync(): Promise<void> {
    const data = unwrap(await this.socket.emitWithAck('sync', { sinceVersion: this.version, messagesHeld: this.messages.length }));
    this.version = data.version;
    this.wire = data.view;
    this.messages = data.full ? data.messages : mergeMessages(this.messages, data.messages);
  }

  /** Resolves once the view satisfies `test`. */
  until(test: (v: GameView) => boolean, timeoutMs = 10_000): Promise<GameView> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the view')), timeoutMs);
      const check = () => {
        if (!test(this.view)) return;
        clearTimeout(timer);
        this.socket.off('update', check);
        resolve(this.view);
      };
      this.socket.on('update', check);
      check();
    });
  }
}

async function connect(baseUrl: string, sessionId: string, token: string): Promise<{ socket: ClientSocket; mirror: SessionMirror }> {
  const socket: ClientSocket = io(baseUrl, { transports: ['websocket'] });
  const hello = unwrap(await socket.emitWithAck('hello', { sessionId, token }));
  // The scenario's text, once: its address names the exact text, so it may be cached for good.
  const res = await fetch(new URL(scenarioTextPath(hello.view.scenario), baseUrl));
  if (!res.ok) throw new Error(`scenario text: ${res.status}`);
  return { socket, mirror: new SessionMirror(socket, hello, (await res.json()) as ScenarioText) };
}

/** Sends a command against the version the mirror holds; retries once with the same id if the ack is lost. */
async function command(
  socket: ClientSocket,
  mirror: SessionMirror,
  cmd: Parameters<ClientToServerEvents['command']>[0]['command'],
): Promise<CommandResult> {
  const payload = { commandId: nanoid(), expectedGameVersion: mirror.wire.gameVersion, command: cmd };
  let ack: Ack<CommandResult>;
  try {
    ack = await socket.timeout(5000).emitWithAck('command', payload);
  } catch {
    ack = await socket.timeout(5000).emitWithAck('command', payload); // same commandId: applied at most once
  }
  return unwrap(ack);
}

export async function runExample(baseUrl: string): Promise<{ version: number; locked: string[] }> {
  // 1. A facilitator creates a session and hands out codes.
  const created = await post<CreateSessionResponse>(baseUrl, '/api/sessions', { scenarioId: 'april-2024', seed: 'example' });
  const iranCode = created.codes.find((c) => c.role.kind === 'seat' && c.role.seat === 'iran')?.code;
  if (!iranCode) throw new Error('no code for Iran');

  // 2. A player redeems the code for a token (keep it: reloads and reconnects use it).
  const join = await post<JoinResponse>(baseUrl, '/api/join', { code: iranCode });
  const player = await connect(baseUrl, join.sessionId, join.token);

  // 3. The facilitator opens the game (its own socket, its own token).
  const fac = await connect(baseUrl, created.sessionId, created.facilitatorToken);
  await command(fac.socket, fac.mirror, { type: 'START' });
  await command(fac.socket, fac.mirror, { type: 'ADVANCE' });

  // 4. The player waits for planning, reads the menu, and locks in a move with a rationale.
  const view = await player.mirror.until((v) => v.phase === 'planning' && v.menu !== null);
  const move = view.menu?.moves[0]?.id;
  if (!move) throw new Error('no move on the menu');
  const result = await command(player.socket, player.mirror, {
    type: 'SUBMIT_MOVE',
    move,
    rationale: 'Answer the strike, but leave room to stop.',
    lock: true,
  });
  const after = await fac.mirror.until((v) => (v.beat?.lockedIn ?? []).includes('iran'));

  player.socket.close();
  fac.socket.close();
  return { version: result.version, locked: after.beat?.lockedIn ?? [] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const baseUrl = process.argv[2] ?? 'http://localhost:3000';
  runExample(baseUrl).then(
    (r) => console.log(`Iran locked in at version ${r.version}; locked in now: ${r.locked.join(', ')}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
