import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, UpdatePayload } from '@rubicon/shared';
import type { Grant } from '../store/types.ts';
import type { EncodedJson } from './update-encoding.ts';

/** What the server emits: the protocol's events, an update possibly already encoded (update-encoding.ts). */
export interface ServerEmits extends Omit<ServerToClientEvents, 'update'> {
  update: (payload: UpdatePayload | EncodedJson) => void;
}

/** Between server processes through the Redis adapter: none (appends are published by the store, store/append-notice.ts). */
export type InterServerEvents = Record<string, never>;

/** Kept per socket; plain data, because other processes read it through fetchSockets. */
export interface SocketData {
  grant: Grant | null;
  /** The display name this socket gave in its hello (seats only); stamped on the commands it sends. */
  name?: string | null;
  /**
   * The hash of the token its grant came with (as the store keeps it, never the token), under which
   * token-sockets.ts counts the socket; kept here so that a recovered socket is counted again.
   */
  tokenKey?: string;
}

export type RubiconServer = Server<ClientToServerEvents, ServerEmits, InterServerEvents, SocketData>;
export type RubiconSocket = Socket<ClientToServerEvents, ServerEmits, InterServerEvents, SocketData>;
