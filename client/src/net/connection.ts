import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  Command,
  ErrorCode,
  GameView,
  WireMessage,
  Presence,
  ScenarioText,
  ServerToClientEvents,
  SyncData,
  Viewer,
  WireError,
  WireView,
} from '@rubicon/shared';
import { isMessageSide } from '@rubicon/shared/message-side';
import { composeView } from '@rubicon/shared/wire-view';
import { newCommandId } from './commandId.ts';
import { heldFor, initialReconcileState, reconcile, type ReconcileEvent, type ReconcileState } from './reconcile.ts';
import { ScenarioTexts } from './scenario-texts.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The hello refusals that are for now: said again later (`unavailable` and `rate_limited` after their hint,
 * `internal` after 2 s). Every other is final: the same hello would get the same answer (a revoked token,
 * another session's, a malformed hello), so saying it again every 2 s only hides the problem.
 */
const FOR_NOW = ['unavailable', 'rate_limited', 'internal'] as const;
export type RetryReason = (typeof FOR_NOW)[number];

/**
 * Where the connection stands, one state at a time, each with what a screen needs to say about it.
 * `retrying`: connected, but the server refused the hello for now; `reason` is its code, `message` its words,
 * `retryAt` when the hello is said again (epoch ms, this device's clock). `failed`: it gave up, and `problem`
 * says why (bad token, unknown session), fit to show.
 */
export type Connection =
  | { status: 'idle' | 'connecting' | 'live' | 'reconnecting' }
  | { status: 'retrying'; reason: RetryReason; message: string; retryAt: number }
  | { status: 'failed'; problem: string };

export type ConnectionStatus = Connection['status'];

/**
 * Whether a refusal for now is the server's outage (told in general words: the server's are for a client, such
 * as "say hello again in a moment") rather than a limit whose own words tell the person what to do.
 */
export function isOutage(reason: RetryReason): boolean {
  return reason === 'unavailable' || reason === 'internal';
}

/** What screens render from. Replaced (never mutated) on every change. */
export interface SessionSnapshot {
  connection: Connection;
  role: Viewer | null;
  /** The latest version held; send game commands against this. */
  version: number | null;
  view: GameView | null;
  messages: readonly WireMessage[];
  presence: Presence | null;
}

export type SendOutcome = { ok: true; version: number; duplicate: boolean } | { ok: false; error: WireError };

export const idleSnapshot: SessionSnapshot = {
  connection: { status: 'idle' },
  role: null,
  version: null,
  view: null,
  messages: [],
  presence: null,
};

const ACK_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;
/** After the server dropped the socket on purpose, when it is reconnected. */
const SERVER_DROP_RECONNECT_MS = 500;
/**
 * One live connection to a session, for one token. Keeps the reconciled
 * picture (see reconcile.ts), re-introduces itself after every reconnect with
 * the last version it holds, fills gaps with `sync`, and sends commands with
 * idempotent retries. It never applies a command locally: the server's
 * update is the only thing that changes what is shown.
 */
export class SessionConnection {
  private socket: ClientSocket | null = null;
  private state: ReconcileState = initialReconcileState;
  private snapshot: SessionSnapshot = { ...idleSnapshot, connection: { status: 'connecting' } };
  private listeners = new Set<() => void>();
  private live = false;
  private everLive = false;
  private syncing = false;
  private stopped = false;
  /** The hello due after a refusal for now; a reconnect says its own, so a drop cancels it. */
  private helloDue: ReturnType<typeof setTimeout> | undefined;
  private waiters: (() => void)[] = [];
  /** The wire view last composed, and what it became. */
  private composed: { wire: WireView; text: ScenarioText; view: GameView } | null = null;

  constructor(
    readonly sessionId: string,
    private readonly token: string,
    private readonly makeSocket: () => ClientSocket = () =>
      io({ path: '/socket.io', transports: ['websocket', 'polling'], tryAllTransports: true, reconnectionDelayMax: 5000 }),
    /** The player's name, sent with every hello so the server records it with this device's commands. */
    private readonly name: string | null = null,
    /** Where the scenario's text comes from (fetched once per scenario version; the views carry none). */
    private readonly texts: ScenarioTexts = new ScenarioTexts(),
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  /** Whether this is the connection a screen asks for with these credentials. */
  isFor(sessionId: string, token: string, name: string | null): boolean {
    return this.sessionId === sessionId && this.token === token && this.name === name;
  }

  start(): void {
    if (this.socket) return;
    const socket = this.makeSocket();
    this.socket = socket;
    socket.on('connect', () => void this.hello());
    socket.on('disconnect', (reason) => this.disconnected(socket, reason));
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (this.snapshot.connection.status !== 'failed') this.publish({ connection: this.notLive() });
      // Refused by the server itself (too many connections from this address waiting to say hello):
      // Socket.IO does not retry that on its own, so try again once the server says to.
      if (!socket.active && !this.stopped) setTimeout(() => !this.stopped && socket.connect(), refusalWaitMs(err.data));
    });
    socket.on('update', (payload) => this.dispatch({ type: 'update', payload }));
    socket.on('presence', (presence) => this.publish({ presence }));
  }

  /**
   * The socket went. Dropped by the server on purpose (a revoked code, or a hello deadline passed while the
   * hello was refused for now): reconnect soon, and the hello says why. A refusal for now stands meanwhile,
   * due again at that reconnect: a tab over its token's limit is dropped at every deadline, and would
   * otherwise flash "Connecting…" in place of the server's words each time.
   */
  private disconnected(socket: ClientSocket, reason: string): void {
    this.live = false;
    clearTimeout(this.helloDue);
    if (this.stopped) return;
    const byServer = reason === 'io server disconnect';
    if (byServer) setTimeout(() => !this.stopped && socket.connect(), SERVER_DROP_RECONNECT_MS);
    const was = this.snapshot.connection;
    if (was.status === 'failed') return;
    this.publish({ connection: byServer && was.status === 'retrying' ? { ...was, retryAt: Date.now() + SERVER_DROP_RECONNECT_MS } : this.notLive() });
  }

  /** Not connected, and nothing refused: connecting for the first time, or again after being live. */
  private notLive(): Connection {
    return { status: this.everLive ? 'reconnecting' : 'connecting' };
  }

  stop(): void {
    this.stopped = true;
    this.live = false;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Sends a command. Resolves with the server's verdict; never throws. */
  send = async (command: Command): Promise<SendOutcome> => {
    const commandId = newCommandId();
    // Fixed across retries, so a retry is byte-for-byte the same command.
    let expectedGameVersion: number | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!(await this.whenLive(READY_TIMEOUT_MS)) || !this.socket) {
        return {
          ok: false,
          error: { code: 'unavailable', message: 'Not connected to the server, so this was not sent. Try again when the connection is back.' },
        };
      }
      // Messages never go stale; a game command is judged against the game as this client last saw it.
      if (!isMessageSide(command)) expectedGameVersion ??= this.state.synced?.view.gameVersion ?? 0;
      try {
        const payload = { commandId, command, ...(expectedGameVersion === undefined ? {} : { expectedGameVersion }) };
        const ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('command', payload);
        if (!ack.ok) {
          // The server's store was out of reach: the same id makes a retry safe, whether or not it landed.
          if (ack.error.code === 'unavailable' && ack.error.retryAfterMs !== undefined && attempt < 2) {
            await new Promise((resolve) => setTimeout(resolve, ack.error.retryAfterMs));
            continue;
          }
          if (ack.error.code === 'stale') this.dispatch({ type: 'stale', version: ack.error.version ?? Number.MAX_SAFE_INTEGER });
          return { ok: false, error: { code: ack.error.code, message: ack.error.message } };
        }
        return { ok: true, version: ack.data.version, duplicate: ack.data.duplicate };
      } catch {
        // No answer in time: the command may or may not have landed. The same id makes a retry safe.
      }
    }
    return { ok: false, error: { code: 'unavailable', message: 'The server did not answer. It may have received this; check before sending again.' } };
  };

  private whenLive(timeoutMs: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    if (this.stopped || this.snapshot.connection.status === 'failed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(this.live);
      };
      this.waiters.push(done);
    });
  }

  private async hello(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const held = this.state.synced;
    try {
      const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('hello', {
        sessionId: this.sessionId,
        token: this.token,
        ...(held ? { lastVersion: held.version, messagesHeld: held.messages.length } : {}),
        ...(this.name ? { name: this.name } : {}),
      });
      if (socket !== this.socket) return;
      if (!ack.ok) {
        const reason = retryReason(ack.error.code);
        if (reason === null) {
          // The view goes too: a screen keeps showing one as if it were still current (a revoked seat's console,
          // marked only "Disconnected"), whereas without one it says why and offers the join field (SessionPending).
          this.publish({ connection: { status: 'failed', problem: helloProblem(ack.error) }, view: null });
          socket.disconnect();
          for (const w of this.waiters.splice(0)) w();
        } else {
          this.helloAgainLater(socket, reason, ack.error);
        }
        return;
      }
      this.snapshot = { ...this.snapshot, role: ack.data.role };
      this.applySnapshot(ack.data, true);
      this.live = true;
      this.everLive = true;
      this.publish({ connection: { status: 'live' } });
      for (const w of this.waiters.splice(0)) w();
      this.maybeSync();
    } catch {
      if (socket === this.socket && socket.connected) setTimeout(() => socket.connected && void this.hello(), 1000);
    }
  }

  /**
   * A hello refused for now: said again after the server's `retryAfterMs` (within refusalWaitMs's bounds, so a
   * hint of 0 or of an hour does neither a storm nor a stall), or after 2 s without one; meanwhile the person
   * is told why (the refusal's code and words) and when.
   */
  private helloAgainLater(socket: ClientSocket, reason: RetryReason, error: WireError): void {
    const waitMs = refusalWaitMs(error);
    this.publish({ connection: { status: 'retrying', reason, message: error.message, retryAt: Date.now() + waitMs } });
    this.helloDue = setTimeout(() => socket === this.socket && socket.connected && void this.hello(), waitMs);
  }

  private applySnapshot(data: SyncData, authoritative: boolean): void {
    // The server's hello is the truth even if it is behind what we held (a restored store).
    if (authoritative && this.state.synced && data.version < this.state.synced.version) this.state = initialReconcileState;
    this.dispatch({ type: 'snapshot', data });
  }

  private dispatch(event: ReconcileEvent): void {
    const next = reconcile(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.render();
    this.maybeSync();
  }

  /** Publishes the reconciled picture once the scenario's text its view names is here (fetching it if not). */
  private render(): void {
    const s = this.state.synced;
    if (!s) return;
    const text = this.texts.get(s.view.scenario);
    if (!text) {
      void this.texts.load(s.view.scenario).then(
        () => !this.stopped && this.render(),
        () => !this.stopped && setTimeout(() => this.render(), 2000),
      );
      return;
    }
    const c = this.composed;
    const view = c && c.wire === s.view && c.text === text ? c.view : composeView(s.view, text);
    this.composed = { wire: s.view, text, view };
    if (view !== this.snapshot.view || s.messages !== this.snapshot.messages || s.version !== this.snapshot.version) {
      this.publish({ view, messages: s.messages, version: s.version });
    }
  }

  private maybeSync(): void {
    const need = this.state.need;
    if (need === 'none' || this.syncing || !this.live || !this.socket) return;
    const socket = this.socket;
    const held = heldFor(this.state, need);
    this.syncing = true;
    this.state = reconcile(this.state, { type: 'syncRequested' });
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('sync', held)
      .then((ack) => {
        this.syncing = false;
        if (socket !== this.socket) return;
        if (ack.ok) this.dispatch({ type: 'snapshot', data: ack.data });
        else this.retrySync(need);
        this.maybeSync();
      })
      .catch(() => {
        this.syncing = false;
        if (socket === this.socket) this.retrySync(need);
      });
  }

  private retrySync(need: ReconcileState['need']): void {
    setTimeout(() => {
      if (this.stopped) return;
      this.state = { ...this.state, need: need === 'full' || this.state.need === 'full' ? 'full' : 'since' };
      this.maybeSync();
    }, 1500);
  }

  private publish(patch: Partial<SessionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }
}

/** The refusal's code if it is one for now (the hello is said again later), null if it is final. */
function retryReason(code: ErrorCode): RetryReason | null {
  return FOR_NOW.find((c) => c === code) ?? null;
}

/**
 * What a person is told of a final hello refusal: the server's words, which say what to do; for a malformed
 * hello (the server names the field) what it means here, since this browser sent what it had saved.
 */
export function helloProblem(error: WireError): string {
  if (error.code !== 'invalid') return error.message;
  return `The server could not read this browser's hello (${error.message}). The link or the key this device saved for the session may be damaged: join again with your code.`;
}

/** How long to wait after a refused connection or hello: the server's `retryAfterMs`, within 1–30 s (2 s without one). */
export function refusalWaitMs(data: unknown): number {
  const asked = typeof data === 'object' && data !== null && 'retryAfterMs' in data && typeof data.retryAfterMs === 'number' ? data.retryAfterMs : 2000;
  return Math.min(30_000, Math.max(1000, asked));
}
