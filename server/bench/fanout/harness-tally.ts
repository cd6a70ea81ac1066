/**
 * What every socket's receipts add up to in one phase of the fan-out
 * harness, and the tail's breakdown read from them. Each message carries its
 * send time and number, so a loss or a duplicate is counted per message.
 */
import { now, quantile } from '../stats.ts';
import type { DeliveryRecord, HarnessTail } from './tail-legs.ts';
import type { TailBreakdown } from './types.ts';

export interface Ack {
  ok: boolean;
  data?: { version: number; view?: { gameVersion: number } };
  error?: { code: string; message: string };
}
export interface Update {
  messages?: { text: string }[];
}

/** What every socket's receipts add up to. Each message is numbered, so a loss or a duplicate is counted per message. */
export class Tally {
  readonly latencies: number[] = [];
  /** With several server processes: deliveries to a socket on the sender's own process, and to one on another. */
  readonly sameProcess: number[] = [];
  readonly crossProcess: number[] = [];
  /** Send → acknowledgement of each acknowledged message. */
  readonly ackLatencies: number[] = [];
  /** Per delivery: its message's send time (from windowStart), for where the slow ones fall in the window. */
  readonly sentAt: number[] = [];
  /** Per delivery: its message's number (FANOUT_TAIL=1 joins it with the server's stamps). */
  readonly ks: number[] = [];
  private senderProcess = new Uint8Array(1 << 16);
  /** Deliveries of message k so far, and whether it was acknowledged. */
  private deliveries = new Uint8Array(1 << 16);
  private acked = new Uint8Array(1 << 16);
  received = 0;
  inWindow = 0;
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  sent = 0;
  acknowledged = 0;
  refused = 0;
  unacknowledged = 0;
  firstRefusal: string | null = null;

  /** A new message's number, for its text. */
  next(process: number): number {
    const k = this.sent++;
    if (k >= this.deliveries.length) {
      const grow = (a: Uint8Array) => {
        const b = new Uint8Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.deliveries = grow(this.deliveries);
      this.acked = grow(this.acked);
      this.senderProcess = grow(this.senderProcess);
    }
    this.senderProcess[k] = process;
    return k;
  }

  /** `process`: the index of the server process the receiving socket is connected to. */
  onUpdate(u: Update, process: number): void {
    const at = now();
    for (const m of u.messages ?? []) {
      // "f<send time>:<number> …"
      if (m.text.charCodeAt(0) !== 102 /* f */) continue;
      const colon = m.text.indexOf(':');
      const stamp = Number(m.text.slice(1, colon));
      const k = Number(m.text.slice(colon + 1, m.text.indexOf(' ')));
      if (!Number.isFinite(stamp) || !Number.isInteger(k) || k < 0 || k >= this.sent) continue;
      this.received++;
      this.deliveries[k] = Math.min(255, (this.deliveries[k] ?? 0) + 1);
      if (at >= this.windowStart && at < this.windowEnd) this.inWindow++;
      // Messages sent during the warm-up are counted (lost, duplicated, delivered in the window) but not timed.
      if (stamp < this.windowStart) continue;
      this.latencies.push(at - stamp);
      (this.senderProcess[k] === process ? this.sameProcess : this.crossProcess).push(at - stamp);
      this.sentAt.push(stamp - this.windowStart);
      this.ks.push(k);
    }
  }

  onAck(k: number, sentAt: number, err: Error | null, ack: Ack | undefined): void {
    if (err || !ack) this.unacknowledged++;
    else if (ack.ok) {
      this.acknowledged++;
      if (sentAt >= this.windowStart) this.ackLatencies.push(now() - sentAt);
      this.acked[k] = 1;
    } else {
      this.refused++;
      this.firstRefusal ??= `${ack.error?.code ?? '?'}: ${ack.error?.message ?? ''}`;
    }
  }

  /** Acknowledged messages' deliveries that never came; deliveries beyond one per socket. */
  losses(perMessage: number): { lost: number; duplicated: number; deliveredUnacknowledged: number } {
    let lost = 0;
    let duplicated = 0;
    let deliveredUnacknowledged = 0;
    for (let k = 0; k < this.sent; k++) {
      const d = this.deliveries[k] ?? 0;
      if (this.acked[k] === 1 && d < perMessage) lost += perMessage - d;
      if (d > perMessage) duplicated += d - perMessage;
      if (this.acked[k] !== 1 && d > 0) deliveredUnacknowledged++;
    }
    return { lost, duplicated, deliveredUnacknowledged };
  }

  settled(perMessage: number): boolean {
    return this.acknowledged + this.refused + this.unacknowledged >= this.sent && this.received >= this.acknowledged * perMessage;
  }
}


/**
 * Where the slowest deliveries come from: the p99 of deliveries within the
 * sender's process and across to the other, the acknowledgements' p50/p99,
 * and, of the deliveries past the overall p99, the share that crossed
 * processes and how many had been sent in each second of the window (a
 * burst shows as one second holding most of them).
 */
export function tailOf(tally: Tally, windowMs: number): TailBreakdown {
  const p99 = quantile(tally.latencies, 0.99);
  const perSecond = new Array<number>(Math.max(1, Math.ceil(windowMs / 1000))).fill(0);
  let slow = 0;
  let slowCross = 0;
  // latencies and sentAt are pushed together, one per delivery.
  for (let i = 0; i < tally.latencies.length; i++) {
    if ((tally.latencies[i] ?? 0) <= p99) continue;
    slow++;
    const second = Math.floor((tally.sentAt[i] ?? 0) / 1000);
    if (second >= 0 && second < perSecond.length) perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  // Counted separately: the same/cross split keeps only latencies.
  for (const ms of tally.crossProcess) if (ms > p99) slowCross++;
  return {
    sameP50: quantile(tally.sameProcess, 0.5),
    sameP99: quantile(tally.sameProcess, 0.99),
    crossP50: quantile(tally.crossProcess, 0.5),
    crossP99: quantile(tally.crossProcess, 0.99),
    ackP50: quantile(tally.ackLatencies, 0.5),
    ackP99: quantile(tally.ackLatencies, 0.99),
    slow,
    slowCross,
    slowBySecond: perSecond,
  };
}

/** FANOUT_TAIL=1: every delivery slower than the p99 and every 10th of all, as epoch ms, for tail-probe.ts. */
export function tailRecords(tally: Tally, gcs: HarnessTail['gcs']): HarnessTail {
  const p99 = quantile(tally.latencies, 0.99);
  const origin = performance.timeOrigin + tally.windowStart;
  const slow: DeliveryRecord[] = [];
  const sample: DeliveryRecord[] = [];
  for (let i = 0; i < tally.latencies.length; i++) {
    const ms = tally.latencies[i] ?? 0;
    const sent = origin + (tally.sentAt[i] ?? 0);
    const record: DeliveryRecord = [tally.ks[i] ?? -1, sent, sent + ms];
    if (ms > p99) slow.push(record);
    if (i % 10 === 0) sample.push(record);
  }
  return { slow, sample, gcs };
}

