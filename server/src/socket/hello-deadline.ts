import type { RubiconSocket } from './types.ts';

/** Each waiting socket's way to call its deadline off. */
const waiting = new WeakMap<RubiconSocket, () => void>();

/**
 * Closes a socket that has not said a successful hello within `ms` of
 * connecting: an anonymous connection costs memory and a file descriptor and
 * can do nothing useful, so it does not get to stay. A socket that recovered
 * its session (and so its grant) has nothing to prove. `ended` is called once
 * the socket says hello or goes, whichever is first.
 */
export function helloDeadline(socket: RubiconSocket, ms: number, ended: () => void = () => undefined): void {
  if (socket.data.grant) return ended();
  const timer = setTimeout(() => {
    if (!socket.data.grant) socket.disconnect(true);
  }, ms);
  timer.unref();
  const callOff = () => {
    clearTimeout(timer);
    ended();
    socket.off('disconnect', callOff);
    waiting.delete(socket);
  };
  waiting.set(socket, callOff);
  socket.on('disconnect', callOff);
}

/** The socket said a successful hello: its deadline, and what it held, go at once rather than when it would have fired. */
export function helloSaid(socket: RubiconSocket): void {
  waiting.get(socket)?.();
}
