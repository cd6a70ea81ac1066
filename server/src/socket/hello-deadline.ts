import type { RubiconSocket } from './types.ts';

/**
 * Closes a socket that has not said a successful hello within `ms` of
 * connecting: an anonymous connection costs memory and a file descriptor and
 * can do nothing useful, so it does not get to stay. A socket that recovered
 * its session (and so its grant) has nothing to prove.
 */
export function helloDeadline(socket: RubiconSocket, ms: number): void {
  if (socket.data.grant) return;
  const timer = setTimeout(() => {
    if (!socket.data.grant) socket.disconnect(true);
  }, ms);
  timer.unref();
  socket.once('disconnect', () => clearTimeout(timer));
}
