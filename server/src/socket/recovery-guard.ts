import type { Grant } from '../store/types.ts';
import type { TokenPlaces } from './token-sockets.ts';
import type { RubiconServer, SocketData } from './types.ts';

/** The grant a persisted socket's data holds, if any (the data is ours, stored by Socket.IO as it was: in Redis, as JSON). */
function grantIn(data: unknown): Grant | null {
  if (typeof data !== 'object' || data === null || !('grant' in data)) return null;
  return (data as SocketData).grant;
}

/**
 * Socket.IO's connection state recovery (RECOVERY_MS) gives a socket back its rooms, its data and every packet
 * sent to those rooms while it was away, as it constructs the socket: before any middleware or handler of ours
 * runs. A socket whose connection was lost is not there for a revocation or an expiry to drop, so without this
 * a revoked seat's client came back in its rooms and was sent what they got after the revocation. A session
 * whose grant no longer holds (or cannot be checked now) is not restored: the client connects as a new socket
 * and says hello, which its token answers. The recheck after the connection (socket-grants.ts) still covers a
 * revocation landing between this check and the rooms' join.
 *
 * Its place under its token's cap (SOCKETS_PER_TOKEN) is taken here too, by the socket's id (a recovered socket
 * keeps the session's), before it is in any room: a socket past the cap is never sent a packet of them, and its
 * client's hello is answered `rate_limited`. The connection claims the place (TokenPlaces.claim).
 * A session without a grant is never restored (ANONYMOUS_SOCKETS_PER_ADDRESS counts it as a new socket).
 */
export function guardRecovery(io: RubiconServer, stillHolds: (grant: Grant) => Promise<void>, places: TokenPlaces): void {
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    if (!session) return session;
    const grant = grantIn(session.data);
    // A socket that never said hello is in no room, so it has nothing to recover; restored, it would skip the
    // anonymous cap's middleware and stay uncounted. It connects as a new socket instead, and is counted.
    // Socket.IO declares Promise<Session>, but its own adapter answers null for a session it does not have, and
    // the server takes null as "connect as new": the cast says what the declaration leaves out.
    if (!grant) return null as unknown as typeof session;
    const restored = await stillHolds(grant).then(
      async () => {
        const key = (session.data as SocketData).tokenKey;
        return key === undefined || (await places.reserve(session.sid, key));
      },
      () => false,
    );
    // socket.io types a session that is not restored as none at all; it treats null (or a throw) as that.
    return restored ? session : (null as unknown as typeof session);
  };
}
