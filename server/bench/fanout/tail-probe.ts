/**
 * Where the slowest deliveries' time goes (FANOUT_TAIL=1, bench only, bare
 * and Rubicon alike: it patches Socket.IO, which both run, never the app).
 * Each harness message carries its number ("f<send time>:<k> …"). The
 * server side stamps, for each message k read in the window, when Socket.IO
 * handed its packet to the socket (read), when the first broadcast carrying
 * it reached the adapter (emit), and when the loop iteration that read it
 * ended (the next setImmediate: every packet read in one poll phase, and
 * every microtask they queued, ran before it), with that iteration's number
 * of packets read (the burst) and the packet's place in it. It also keeps
 * every garbage collection (start, pause, kind). Times are epoch ms
 * (timeOrigin + now), comparable across the processes of one machine. The
 * harness (harness.ts) sends its slow deliveries and a sample of the rest;
 * `attributeTail` joins them.
 */
import { performance } from 'node:perf_hooks';
import { Adapter } from 'socket.io-adapter';
import { Socket } from 'socket.io';
import { epochNow, GcLog, messageNumber, type ServerTail } from './tail-legs.ts';

function grow(a: number[], k: number): void {
  while (a.length <= k) a.push(Number.NaN);
}

/** The server side (see above): patches Socket.IO's packet intake and the adapter's broadcast, once, for this process. */
export class ServerTailProbe {
  private recording = false;
  private readonly t: ServerTail = { read: [], emit: [], tickEnd: [], burst: [], place: [], gcs: [], bursts: [] };
  private readonly gc = new GcLog();
  private pending: number[] = [];
  private firstRead = 0;
  private idleAtFirstRead = 0;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the patched methods' `this` is Socket.IO's
    const probe = this;
    type OnPacket = (this: Socket, packet: { type: number; data?: unknown[] }) => void;
    const proto = Socket.prototype as unknown as { _onpacket: OnPacket };
    const onpacket = proto._onpacket;
    proto._onpacket = function (packet) {
      if (probe.recording) probe.onRead(packet.data);
      onpacket.call(this, packet);
    };
    type Broadcast = (this: Adapter, packet: { data?: unknown[] }, opts: unknown) => void;
    const aproto = Adapter.prototype as unknown as { broadcast: Broadcast };
    const broadcast = aproto.broadcast;
    aproto.broadcast = function (packet, opts) {
      if (probe.recording) probe.onEmit(packet.data);
      broadcast.call(this, packet, opts);
    };
  }

  private onRead(data: unknown[] | undefined): void {
    const body = data?.[1] as { text?: unknown; command?: { text?: unknown } } | undefined;
    const k = messageNumber(body?.text ?? body?.command?.text);
    if (k < 0) return;
    const at = epochNow();
    if (this.pending.length === 0) {
      this.firstRead = at;
      // libuv's poll-wait time so far: read once per iteration, not per packet.
      this.idleAtFirstRead = performance.eventLoopUtilization().idle;
      setImmediate(() => this.tickEnded());
    }
    grow(this.t.read, k);
    grow(this.t.place, k);
    this.t.read[k] = at;
    this.t.place[k] = this.pending.length;
    this.pending.push(k);
  }

  private onEmit(data: unknown[] | undefined): void {
    const payload = data?.[1] as { json?: unknown; messages?: { text?: unknown }[] } | undefined;
    const k = messageNumber(payload?.json ?? payload?.messages?.[0]?.text);
    if (k < 0) return;
    grow(this.t.emit, k);
    if (Number.isNaN(this.t.emit[k])) this.t.emit[k] = epochNow();
  }

  private tickEnded(): void {
    const at = epochNow();
    const n = this.pending.length;
    for (const k of this.pending) {
      grow(this.t.tickEnd, k);
      grow(this.t.burst, k);
      this.t.tickEnd[k] = at;
      this.t.burst[k] = n;
    }
    this.t.bursts.push({ n, ms: at - this.firstRead, at: this.firstRead, idle: this.idleAtFirstRead });
    this.pending = [];
  }

  start(): void {
    for (const a of [this.t.read, this.t.emit, this.t.tickEnd, this.t.burst, this.t.place, this.t.bursts]) a.length = 0;
    this.gc.start();
    this.recording = true;
  }

  stop(): ServerTail {
    this.recording = false;
    return { ...this.t, gcs: this.gc.stop() };
  }
}

