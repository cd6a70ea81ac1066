// The fan-out harness's light client (bench/fanout/harness-socket.ts) reads the frames both
// servers really send (captured by `FRAME_BYTES_SAVE=… frame-bytes.ts`) exactly as
// socket.io-client's own decoder does, writes what socket.io-client's encoder writes, and
// runs against the bare server end to end with the same deliveries as socket.io-client.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as SocketIoParser from 'socket.io-parser';
import { connectSocket, harnessClientOf, LightSocket, type HarnessSocket } from '../bench/fanout/harness-socket.ts';
import type { Ack, Update } from '../bench/fanout/harness-tally.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const parser = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
const frames = JSON.parse(readFileSync(new URL('./fixtures/harness-frames.json', import.meta.url), 'utf8')) as Record<'bare' | 'rubicon', { updates: string[]; acks: string[] }>;

/** What socket.io-client's decoder makes of one engine.io message frame. */
function decoded(frame: string): SocketIoParser.Packet {
  const decoder = new parser.Decoder();
  let got: SocketIoParser.Packet | null = null;
  decoder.on('decoded', (p: SocketIoParser.Packet) => (got = p));
  decoder.add(frame.slice(1));
  if (!got) throw new Error(`not decoded: ${frame}`);
  return got;
}

function fakeSocket(onUpdate: (u: Update) => void = () => {}): { socket: LightSocket; sent: string[] } {
  const sent: string[] = [];
  return { socket: new LightSocket({ send: (t: string) => sent.push(t), close: () => {} }, onUpdate), sent };
}

describe.each(['bare', 'rubicon'] as const)('the light client on %s frames', (target) => {
  it('hands on every update as the standard decoder decodes it', () => {
    const got: Update[] = [];
    const { socket } = fakeSocket((u) => got.push(u));
    for (const f of frames[target].updates) socket.onFrame(f);
    expect(got).toHaveLength(frames[target].updates.length);
    expect(got).toEqual(frames[target].updates.map((f) => (decoded(f).data as [string, Update])[1]));
    expect(got.every((u) => (u.messages?.[0]?.text ?? '').startsWith('f'))).toBe(true);
  });

  it('gives each acknowledgement to its own send, as decoded', () => {
    // The frames come from several sockets, whose ids overlap: one socket each, its sends up to the frame's id outstanding.
    for (const frame of frames[target].acks) {
      const packet = decoded(frame);
      const id = packet.id as number;
      const { socket } = fakeSocket();
      const answers = new Map<number, Ack | undefined>();
      for (let k = 0; k <= id + 1; k++) socket.send('msg', { text: `t${k}` }, 10_000, (err, ack) => answers.set(k, err ? undefined : ack));
      socket.onFrame(frame);
      expect([...answers.keys()]).toEqual([id]);
      expect(answers.get(id)).toEqual((packet.data as Ack[])[0]);
    }
  });
});

describe('the light client', () => {
  it("writes what socket.io-client's encoder writes, answers a ping, and times out unanswered sends", () => {
    const { socket, sent } = fakeSocket();
    const errors: number[] = [];
    const payload = { commandId: 'c-1', command: { type: 'SEND_MESSAGE', channel: 'public', text: 'f12.500:3 we "urge" \\ restraint é' } };
    socket.send('command', payload, 1_000, (err) => err && errors.push(0));
    socket.send('msg', { text: 'x' }, 5_000, (err) => err && errors.push(1));
    const encoder = new parser.Encoder();
    expect(sent).toEqual([`4${encoder.encode({ type: parser.PacketType.EVENT, nsp: '/', id: 0, data: ['command', payload] })[0] as string}`, `4${encoder.encode({ type: parser.PacketType.EVENT, nsp: '/', id: 1, data: ['msg', { text: 'x' }] })[0] as string}`]);
    socket.onFrame('2');
    expect(sent[2]).toBe('3');
    socket.expire(performance.now() + 2_000);
    expect(errors).toEqual([0]);
    socket.expire(performance.now() + 6_000);
    expect(errors).toEqual([0, 1]);
  });

  it('reads FANOUT_HARNESS_CLIENT: light by default, full on request, anything else refused', () => {
    expect(harnessClientOf(undefined)).toBe('light');
    expect(harnessClientOf('')).toBe('light');
    expect(harnessClientOf('full')).toBe('full');
    expect(() => harnessClientOf('raw')).toThrow(/FANOUT_HARNESS_CLIENT/);
  });

  it('gets the same updates and acknowledgements from a Socket.IO room broadcast as socket.io-client', async () => {
    // bare-server.ts's broadcast, in this process (importing that file would serve its IPC to vitest's worker).
    const http = createServer();
    const io = new Server(http);
    let seq = 0;
    io.on('connection', (s) => {
      s.on('join', (p: { room: string }, ack: (a: Ack) => void) => {
        void s.join(p.room);
        ack({ ok: true });
      });
      s.on('msg', (p: { text: string }, ack: (a: Ack) => void) => {
        seq++;
        io.to('r').emit('update', { version: seq, messages: [{ id: `m${seq}`, seq, at: 1, channel: 'public', from: 'iran', text: p.text }] });
        ack({ ok: true, data: { version: seq } });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const bare = { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, close: () => io.close() };
    const sockets: HarnessSocket[] = [];
    try {
      const got = { light: [] as Update[], full: [] as Update[] };
      for (const client of ['light', 'full'] as const) sockets.push(await connectSocket(client, bare.url, (u) => got[client].push(u)));
      const ask = (s: HarnessSocket, event: string, payload: unknown) => new Promise<Ack | undefined>((resolve) => s.send(event, payload, 5_000, (err, a) => resolve(err ? undefined : a)));
      for (const s of sockets) expect(await ask(s, 'join', { room: 'r', seat: 'iran' })).toEqual({ ok: true });
      const answers: (Ack | undefined)[] = [];
      for (let k = 0; k < 10; k++) answers.push(await ask(sockets[k % 2] as HarnessSocket, 'msg', { text: `f${k}.000:${k} we urge` }));
      expect(answers.map((a) => a?.data?.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await expect.poll(() => got.full.length).toBe(10);
      await expect.poll(() => got.light.length).toBe(10);
      expect(got.light).toEqual(got.full);
    } finally {
      for (const s of sockets) s.close();
      await bare.close();
    }
  });
});
