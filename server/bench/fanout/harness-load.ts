/**
 * The fan-out harness's load: every sending seat sends public messages at
 * the rate, open loop, on a fixed grid of due times (send-grid.ts) from a
 * random offset, bare and Rubicon alike. Each message carries its actual
 * send time, from which its deliveries are timed; how late each send went
 * against its due time is kept for the window, so a harness stall shows in
 * the phase's figures.
 */
import { now, quantile } from '../stats.ts';
import { Rng, randomText } from '../workload.ts';
import { LATE_MS } from './disturbance.ts';
import type { Ack, Tally } from './harness-tally.ts';
import { ACK_TIMEOUT_MS, processOf, type AnySocket, type SessionSockets } from './harness-setup.ts';
import { SendGrid, type GridClock } from './send-grid.ts';
import type { HarnessOptions, LateSend, SendLateness } from './types.ts';

const wallClock: GridClock = {
  now,
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** At most this many are listed: a minute of every send late is 48,000. */
const LATE_SENDS_KEPT = 50_000;

/**
 * The window's send lateness (send time less due time), ms; `due` (epoch ms,
 * one per send) lists the sends late past LATE_MS with their due times.
 */
export function latenessOf(lateness: readonly number[], due?: readonly number[]): SendLateness {
  const figures = { sends: lateness.length, p50: quantile(lateness, 0.5), p99: quantile(lateness, 0.99), max: lateness.length === 0 ? Number.NaN : lateness.reduce((a, b) => Math.max(a, b), 0) };
  if (!due) return figures;
  const late: LateSend[] = [];
  for (let i = 0; i < lateness.length && late.length < LATE_SENDS_KEPT; i++) {
    const ms = lateness[i] ?? 0;
    if (ms > LATE_MS) late.push([due[i] ?? Number.NaN, ms]);
  }
  return { ...figures, late };
}

/** Starts the load; `stop` ends it, `lateness` reads the sends made since the tally's window opened. */
export function load(options: HarnessOptions, sessions: SessionSockets[], tally: Tally): { stop: () => void; lateness: () => SendLateness } {
  const rng = new Rng(options.seed);
  const interval = 1000 / options.ratePerSeat;
  const seats = sessions.flatMap((s, i) => s.senders.map((socket, j) => ({ socket, label: `${i}_${j}` })));
  const lateness: number[] = [];
  /** Each window send's due time, epoch ms (comparable with the orchestrator's thread readings, thread-cpu.ts). */
  const dueAt: number[] = [];
  let n = 0;
  const sendFrom = (socket: AnySocket, label: string, due: number) => {
    const k = tally.next(processOf.get(socket) ?? 0);
    const sentAt = now();
    if (sentAt >= tally.windowStart) {
      lateness.push(sentAt - due);
      dueAt.push(performance.timeOrigin + due);
    }
    const text = randomText(rng, `f${sentAt.toFixed(3)}:${k}`);
    const ack = (err: Error | null, a?: Ack) => tally.onAck(k, sentAt, err, a);
    if (options.target === 'bare') socket.send('msg', { text }, ACK_TIMEOUT_MS, ack);
    else socket.send('command', { commandId: `${options.seed}-${label}-${n++}`, command: { type: 'SEND_MESSAGE', channel: 'public', text } }, ACK_TIMEOUT_MS, ack);
  };
  const offsets = seats.map(() => rng.next() * interval);
  const grid = new SendGrid(wallClock, now(), interval, offsets, (seat, due) => {
    const s = seats[seat];
    if (s) sendFrom(s.socket, s.label, due);
  });
  grid.start();
  return { stop: () => grid.stop(), lateness: () => latenessOf(lateness, dueAt) };
}
