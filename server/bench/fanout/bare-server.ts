/**
 * The floor the fan-out benchmark measures Rubicon against: a bare Socket.IO
 * server doing the same room broadcasts and nothing else. A socket joins its
 * session's room; each message it sends is numbered, broadcast to the room
 * (the sender included, as Rubicon's update reaches its sender) and
 * acknowledged. No checks, no log, no views. With REDIS_URL it uses the same
 * Redis streams adapter as Rubicon, so several processes share the rooms.
 *
 * With a ballast (FANOUT_BALLAST, ballast.ts) it also keeps, per message or
 * before the load, objects shaped like Rubicon's message log: its heap, not
 * its work; or spends a fixed CPU time per message: CPU, not its work.
 *
 *   forked by fanout.ts with env PORT (0 for any), REDIS_URL, REDIS_PREFIX, FANOUT_SERVER_ENV ({"BALLAST": …} or {})
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient, type RedisClientType } from 'redis';
import { Server } from 'socket.io';
import { Ballast, ballastFromSetting } from './ballast.ts';
import { serveIpc } from './server-process.ts';

interface BareMessage {
  id: string;
  seq: number;
  at: number;
  channel: string;
  from: string;
  text: string;
}

/** The bare server listening (PORT, any by default), as the fan-out's IPC starts it; frame-bytes.ts starts it in its own process. */
export async function startBare(): Promise<{ url: string; close: () => Promise<void> }> {
  const redisUrl = process.env.REDIS_URL;
  const prefix = process.env.REDIS_PREFIX ?? 'bare:';
  let redis: RedisClientType | null = null;
  if (redisUrl) {
    redis = createClient({ url: redisUrl });
    redis.on('error', () => {});
    await redis.connect();
  }
  const http = createServer();
  const io = new Server(http, {
    ...(redis ? { adapter: createAdapter(redis, { streamName: `${prefix}socket.io`, blockTimeInMs: 1000 }) } : {}),
  });
  const spec = ballastFromSetting(JSON.parse(process.env.FANOUT_SERVER_ENV ?? '{}') as Record<string, string>);
  const ballast = spec ? new Ballast(spec) : null;
  let seq = 0;
  io.on('connection', (socket) => {
    let room: string | null = null;
    let seat = 'observer';
    socket.on('join', (p: { room: string; seat: string }, ack: (r: { ok: true }) => void) => {
      room = p.room;
      seat = p.seat;
      void socket.join(room);
      ack({ ok: true });
    });
    socket.on('msg', (p: { text: string }, ack: (r: { ok: true; data: { version: number } }) => void) => {
      if (!room) return;
      ballast?.beforeBroadcast();
      seq++;
      const message: BareMessage = { id: `m${seq}`, seq, at: Date.now(), channel: 'public', from: seat, text: p.text };
      io.to(room).emit('update', { version: seq, messages: [message] });
      ballast?.onMessage(room, seat, p.text, seq, message.at);
      ack({ ok: true, data: { version: seq } });
    });
  });
  await new Promise<void>((resolve) => http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await io.close();
      if (redis) await redis.close();
    },
  };
}

if (process.send) serveIpc(startBare);
