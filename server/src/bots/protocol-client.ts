import { io, type Socket } from 'socket.io-client';
import { nanoid } from 'nanoid';
import { composeView, isMessageSide, mergeMessages, scenarioTextPath } from '@rubicon/shared';
import type {
  Ack,
  ClientToServerEvents,
  Command,
  CommandResult,
  GameView,
  HelloData,
  SyncData,
  JoinResponse,
  WireMessage,
  ScenarioText,
  ServerToClientEvents,
  UpdatePayload,
  WireView,
} from '@rubicon/shared';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly view?: WireView,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ProtocolError';
  }
}

function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new ProtocolError(ack.error.code, ack.error.message, ack.error.view);
  return ack.data;
}

/**
 * One seat's connection, written against docs/protocol.md only: redeem a
 * join code over REST, say hello, fetch the scenario's text once, follow
 * `update`s by the version of this seat's own stream (syncing on a gap), and
 * send commands with client-chosen ids. Bots use nothing else.
 */
export class ProtocolClient {
  messages: readonly WireMessage[] = [];
  private wire: WireView | null = null;
  private text: { digest: string; text: ScenarioText } | null = null;
  private composed: GameView | null = null;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private socket: ClientSocket | null = null;
  private closed = false;
  /**
   * Updates that came before the first hello was answered: the server joins the socket to its room
   * and then answers, so an update can overtake the answer. Applied (or a sync asked) once it is in.
   */
  private early: UpdatePayload[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly code: string,
    /** Sent with the join and the socket's handshake (a process's own bots: OwnBots in server/src/http). */
    private readonly headers: Record<string, string> = {},
  ) {}

  /** What this seat sees now (the scenario's text put back), at the version of its stream. */
  get view(): GameView {
    if (!this.composed) throw new ProtocolError('unavailable', 'not connected yet');
    return this.composed;
  }

  async connect(timeoutMs = 10_000): Promise<void> {
    const res = await fetch(new URL('/api/join', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers },
      body: JSON.stringify({ code: this.code }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await res.json()) as JoinResponse | { error: { code: string; message: string } };
    if (!res.ok || 'error' in json) {
      const e = 'error' in json ? json.error : { code: 'internal', message: `HTTP ${res.status}` };
      throw new ProtocolError(e.code, e.message);
    }
    const socket: ClientSocket = io(this.baseUrl, { transports: ['websocket'], reconnection: true, extraHeaders: this.headers });
    this.socket = socket;
    const hello = async () => {
      const ack: Ack<HelloData> = await socket.timeout(timeoutMs).emitWithAck('hello', {
        sessionId: json.sessionId,
        token: json.token,
        ...(this.wire ? { lastVersion: this.version, messagesHeld: this.messages.length } : {}),
      });
      await this.adopt(unwrap(ack));
      const early = this.early;
      this.early = [];
      for (const u of early) this.follow(u);
    };
    socket.on('update', (u) => this.follow(u));
    // After a reconnect the socket must say hello again, with what it holds.
    socket.io.on('reconnect', () => void hello().catch(() => undefined));
    await hello();
  }

  private follow(u: UpdatePayload): void {
    if (!this.wire) return void this.early.push(u);
    if (u.version <= this.version) return;
    if (u.version !== this.version + 1) return void this.resync();
    this.version = u.version;
    this.messages = mergeMessages(this.messages, u.messages);
    void this.show(u.view ?? this.wire);
  }

  private async resync(): Promise<void> {
    if (!this.socket) return;
    try {
      const ack: Ack<SyncData> = await this.socket.timeout(10_000).emitWithAck('sync', { sinceVersion: this.version, messagesHeld: this.messages.length });
      const data = unwrap(ack);
      if (data.version > this.version) await this.adopt(data);
    } catch {
      // The next update will show the gap again and ask again.
    }
  }

  private async adopt(data: SyncData): Promise<void> {
    this.version = data.version;
    this.messages = data.full ? data.messages : mergeMessages(this.messages, data.messages);
    await this.show(data.view);
  }

  /** Holds the wire view and composes it with the scenario's text (fetched the first time). */
  private async show(wire: WireView): Promise<void> {
    this.wire = wire;
    const ref = wire.scenario;
    if (this.text?.digest !== ref.digest) {
      const res = await fetch(new URL(scenarioTextPath(ref), this.baseUrl), { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new ProtocolError('unavailable', `scenario text: HTTP ${res.status}`);
      this.text = { digest: ref.digest, text: (await res.json()) as ScenarioText };
    }
    // A later update may have come in while the text was fetched: compose the newest now, with this text if it
    // names it. Leaving it to that update's own show would leave connect() resolved with no view yet.
    const latest = this.wire;
    if (latest.scenario.digest !== this.text.digest) return;
    this.composed = { ...composeView(latest, this.text.text), version: this.version };
    this.notify();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Sends one command against the game version held (messages need none); retries a lost ack once with the same id. */
  async send(command: Command, expectedGameVersion = this.view.gameVersion): Promise<CommandResult> {
    const socket = this.socket;
    if (!socket || this.closed) throw new ProtocolError('unavailable', 'not connected');
    const payload = { commandId: nanoid(), command, ...(isMessageSide(command) ? {} : { expectedGameVersion }) };
    let ack: Ack<CommandResult>;
    try {
      ack = await socket.timeout(5000).emitWithAck('command', payload);
    } catch {
      ack = await socket.timeout(5000).emitWithAck('command', payload);
    }
    return unwrap(ack);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.socket?.close();
    this.socket = null;
  }
}
