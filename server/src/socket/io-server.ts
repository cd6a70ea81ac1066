import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisClientType } from 'redis';
import type { Config } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import { handshakeHostAllowed, type HostPolicy } from '../http/host-check.ts';
import { originAllowed } from './origin-check.ts';
import type { RubiconServer } from './types.ts';
import { spliceParser } from './update-encoding.ts';
import { senderWrites } from './sender-writes.ts';

/**
 * The Socket.IO server as Rubicon configures it: its parser, recovery, Host and Origin checks, (with Redis) adapter, and (without) one
 * write for a sender's update and ack.
 */
export function createIoServer(httpServer: HttpServer, config: Config, hosts: HostPolicy, metrics: Metrics, redis: RedisClientType | null): RubiconServer {
  const prefix = config.redisPrefix;
  const isAllowedHost = handshakeHostAllowed(hosts);
  const isAllowedOrigin = originAllowed({ allowedOrigins: config.allowedOrigins, publicUrl: config.publicUrl });
  const io: RubiconServer = new Server(httpServer, {
    maxHttpBufferSize: config.maxPayloadBytes,
    // Updates go out pre-encoded, a message's body encoded once for all its readers (update-encoding.ts).
    parser: spliceParser,
    // An engine.io connection that never joins the namespace holds no socket for the anonymous cap to count: it
    // gets the hello deadline, not Socket.IO's 45 s (anonymous-sockets.ts closes one whose socket left).
    connectTimeout: config.helloTimeoutMs,
    // Socket.IO's in-memory recovery keeps every broadcast packet for the whole window (all sessions', with no
    // bound but time), so 0 turns it off altogether; a client that says hello with its version loses nothing.
    ...(config.recoveryMs > 0 ? { connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMs, skipMiddlewares: true } } : {}),
    // Socket.IO's polling and upgrade requests never reach Express, so its Host check is repeated here, first: a
    // DNS-rebinding page's Origin matches its Host, and only the Host's name gives it away (host-check.ts).
    allowRequest: (req, callback) => {
      if (!isAllowedHost(req)) {
        metrics.refusals.inc({ code: 'host_not_allowed' });
        return callback('host_not_allowed', false);
      }
      const allowed = isAllowedOrigin(req);
      if (!allowed) metrics.refusals.inc({ code: 'origin' });
      callback(allowed ? null : 'origin not allowed', allowed);
    },
    ...(redis
      ? {
          adapter: createAdapter(redis, {
            streamName: `${prefix}socket.io`,
            channelPrefix: `${prefix}socket.io`,
            sessionKeyPrefix: `${prefix}sio:session:`,
            // Short blocking reads, so that closing the adapter does not wait long for the last one.
            blockTimeInMs: 1000,
          }),
        }
      : {}),
  });
  // With Redis the ack follows the append's round trip, never the update in one iteration: nothing to merge, and the
  // hold measured 3-15 % more CPU per delivery there (docs/performance/fan-out-log.md, "Holding only the sender").
  if (!redis) senderWrites(io.engine);
  return io;
}
