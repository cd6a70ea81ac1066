import { io, type Socket } from 'socket.io-client';
import { nanoid } from 'nanoid';
import { isMessageSide } from '@rubicon/shared';
import type {
  Ack,
  ClientToServerEvents,
  Command,
  CommandResult,
  GameView,
  HelloData,
  SyncData,
  JoinResponse,
  Message,
  ServerToClientEvents,
} from '@rubicon/shared';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly view?: GameView,
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
 * join code over REST, say hello, follow `update`s by version (syncing on a
 * gap), and send commands with client-chosen ids. Bots use nothing else.
 */
export class ProtocolClient {
  view!: GameView;
  messages: Message[] = [];
  private readonly listeners = new Set<() => void>();
  private socket: ClientSocket | null = null;
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    private readonly code: string,
  ) {}

  async connect(timeoutMs = 10_000): Promise<void> {
    const res = await fetch(new URL('/api/join', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: this.code }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await res.json()) as JoinResponse | { error: { code: string; message: string } };
    if (!res.ok || 'error' in json) {
      const e = 'error' in json ? json.error : { code: 'internal', message: `HTTP ${res.status}` };
      throw new ProtocolError(e.code, e.message);
    }
    const socket: ClientSocket = io(this.baseUrl, { transports: ['websocket'], reconnection: true });
    this.socket = socket;
    const hello = async () => {
      const ack: Ack<HelloData> = await socket.timeout(timeoutMs).emitWithAck('hello', {
        sessionId: json.sessionId,
        token: json.token,
        ...(this.view ? { lastVersion: this.view.version } : {}),
      });
      const data = unwrap(ack);
      this.messages = data.full ? data.messages : [...this.messages, ...data.messages];
      this.view = data.view;
      this.notify();
    };
    socket.on('update', (u) => {
      if (!this.view || u.version <= this.view.version) return;
      if (u.version !== this.view.version + 1) return void this.resync();
      this.view = u.view ?? { ...this.view, version: u.version };
      this.messages.push(...u.messages);
      this.notify();
    });
    // After a reconnect the socket must say hello again, with the last version it holds.
    socket.io.on('reconnect', () => void hello().catch(() => undefined));
    await hello();
  }

  private async resync(): Promise<void> {
    if (!this.socket) return;
    try {
      const ack: Ack<SyncData> = await this.socket.timeout(10_000).emitWithAck('sync', { sinceVersion: this.view.version });
      const data = unwrap(ack);
      if (data.version <= this.view.version) return;
      this.messages = data.full ? data.messages : [...this.messages, ...data.messages];
      this.view = data.view;
      this.notify();
    } catch {
      // The next update will show the gap again and ask again.
    }
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
