/**
 * The contention bench's open loop: a fixed offered rate spread over the
 * writers, and latency counted from when each command was due.
 *
 * A closed loop (send the next when the previous is acknowledged) measures
 * the latency at saturation, and a writer that stalls sends less, so the
 * commands it should have sent meanwhile are never timed: coordinated
 * omission. Here each command has a due time from the schedule alone; a
 * writer that wakes late sends every command it owes at once, and each one's
 * latency runs from its own due time, so the stall counts in all of them.
 * A command never acknowledged counts as infinitely late.
 */
import { quantile } from '../stats.ts';

/** `writers` writers offering `ratePerSecond` together from `start` (ms) until before `until`. */
export interface PacedSchedule {
  start: number;
  until: number;
  writers: number;
  ratePerSecond: number;
}

/**
 * The k-th command of writer w: the writers take turns, so the whole
 * offered load is evenly spaced (one command every 1000 / rate ms) and each
 * writer's own commands are `writers` slots apart.
 */
export function dueAt(schedule: PacedSchedule, writer: number, k: number): number {
  return schedule.start + ((writer + k * schedule.writers) * 1000) / schedule.ratePerSecond;
}

/**
 * The measured window after `warmupMs`, shifted back by half a slot so that
 * no due time falls on either edge: it holds exactly rate × length commands
 * (when that is whole), however the clock's floats round.
 */
export function measuredWindow(schedule: Pick<PacedSchedule, 'start' | 'ratePerSecond'>, warmupMs: number, measureMs: number): { from: number; ms: number } {
  return { from: schedule.start + warmupMs - 500 / schedule.ratePerSecond, ms: measureMs };
}

/**
 * What writer w owes at time `t` from its k-th command on: the due times of
 * every command due by then (all of them, however many a stall let pile
 * up), and the next command's index and due time (null once past `until`).
 */
export function owed(schedule: PacedSchedule, writer: number, k: number, t: number): { dues: number[]; next: number; nextDue: number | null } {
  const dues: number[] = [];
  let next = k;
  for (let due = dueAt(schedule, writer, next); due < schedule.until; due = dueAt(schedule, writer, next)) {
    if (due > t) return { dues, next, nextDue: due };
    dues.push(due);
    next++;
  }
  return { dues, next, nextDue: null };
}

/** One command as the writer saw it: when it was due, sent, and acknowledged (null: refused or never answered). */
export interface Timed {
  due: number;
  sentAt: number;
  ackAt: number | null;
}

/** Acknowledgement time minus due time; a command never acknowledged is infinitely late. */
export const latencyFromDue = (c: Timed): number => (c.ackAt === null ? Infinity : c.ackAt - c.due);

export interface PacedSummary {
  /** Commands due in the window, per second: the schedule's rate. */
  offeredPerSecond: number;
  /** Commands sent in the window, per second (below offered when the bench itself falls behind). */
  sentPerSecond: number;
  /** Commands due in the window and acknowledged, per second. */
  achievedPerSecond: number;
  /** Acknowledgements received in the window, per second, whenever their commands were due. */
  acknowledgementsPerSecond: number;
  /** Latency from due time, over the commands due in the window. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Commands due in the window that were refused or never answered. */
  unanswered: number;
  /** How late the bench itself sent (sent − due), p99: its own share of the latency. */
  sendLagP99: number;
}

/**
 * The figures of the commands due in [from, from + ms). Rates are per the
 * window's nominal length, not the difference of two clock readings, so a
 * window that holds exactly rate × length commands reads exactly the rate.
 */
export function summarizePaced(commands: readonly Timed[], window: { from: number; ms: number }): PacedSummary {
  const seconds = window.ms / 1000;
  const until = window.from + window.ms;
  const inside = (t: number | null) => t !== null && t >= window.from && t < until;
  const due = commands.filter((c) => inside(c.due));
  const latencies = due.map(latencyFromDue);
  return {
    offeredPerSecond: due.length / seconds,
    sentPerSecond: commands.filter((c) => inside(c.sentAt)).length / seconds,
    achievedPerSecond: due.filter((c) => c.ackAt !== null).length / seconds,
    acknowledgementsPerSecond: commands.filter((c) => inside(c.ackAt)).length / seconds,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: quantile(latencies, 1),
    unanswered: due.filter((c) => c.ackAt === null).length,
    sendLagP99: quantile(
      due.map((c) => c.sentAt - c.due),
      0.99,
    ),
  };
}
