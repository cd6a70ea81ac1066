import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@rubicon/shared';
import type { Grant } from '../store/types.ts';

/** Between server processes (through the Redis adapter). */
export interface InterServerEvents {
  /** A process appended to a session's log up to `version`: the others catch up and update their own sockets. */
  appended: (sessionId: string, version: number) => void;
}

/** Kept per socket; plain data, because other processes read it through fetchSockets. */
export interface SocketData {
  grant: Grant | null;
  /** The display name this socket gave in its hello (seats only); stamped on the commands it sends. */
  name?: string | null;
}

export type RubiconServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RubiconSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
