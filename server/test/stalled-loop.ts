/** For tests of what a bound does when the event loop was blocked past it while a reply sat unread. */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Holds the event loop for `ms`, as a long synchronous task, a GC pause or a starved process would. */
export function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else runs, no socket is read
  }
}

/**
 * Two ends of a loopback TCP connection: what `near` writes is in `far`'s socket buffer when the write
 * returns, and `far` reads it only when the loop next polls its sockets, as with a store's reply.
 */
export async function socketPair(): Promise<{ near: Socket; far: Socket; close: () => void }> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const near = createConnection((server.address() as { port: number }).port, '127.0.0.1');
  await once(near, 'connect');
  const [far] = await accepted;
  return { near, far, close: () => (near.destroy(), far.destroy(), server.close()) };
}
