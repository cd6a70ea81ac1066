import { nanoid } from 'nanoid';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, CommandResult, ServerToClientEvents } from '@rubicon/shared';
import { owed, type PacedSchedule, type Timed } from './paced.ts';
import { now } from '../stats.ts';

// The contention bench's writer sockets (contention.ts), apart from the phases that drive them.

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long past its schedule a paced phase retries `unavailable` answers. */
const PACED_DRAIN_MS = 5000;

/** One command as its writer saw it: due, sent, and (when acknowledged) when and at which version. */
export interface CommandRecord extends Timed {
  commandId: string;
  version: number | null;
}

/**
 * One socket writing team-channel messages: in a closed loop (the next sent
 * when the previous is acknowledged) or paced (each sent when due, whatever
 * is still in flight).
 */
export class Writer {
  readonly socket: ClientSocket;
  /** Every command sent, in the order sent. */
  readonly commands: CommandRecord[] = [];
  unavailable = 0;
  /** The `unavailable` answers by message: the message tells the bound that passed from a store that failed. */
  readonly unavailableBy = new Map<string, number>();
  refused = 0;
  gaveUp = 0;
  /** After this, `unavailable` is not retried (the paced phase's drain bound): the command counts as unanswered. */
  private retryUntil = Infinity;

  constructor(
    url: string,
    private readonly sessionId: string,
    private readonly token: string,
    readonly channel: string,
  ) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  }

  /** `unavailable` (40 hellos at once on a loaded machine can pass the store bound) is retried, as the protocol says. */
  async hello(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ack: Ack<unknown> = await this.socket.timeout(10_000).emitWithAck('hello', { sessionId: this.sessionId, token: this.token });
      if (ack.ok) return;
      if (ack.error.code !== 'unavailable' || attempt >= 10) throw new Error(`hello refused: ${ack.error.code}: ${ack.error.message}`);
      await new Promise((r) => setTimeout(r, ack.error.retryAfterMs ?? 200));
    }
  }

  /** Closed loop: a command is due when the previous one is acknowledged. */
  async run(until: number): Promise<void> {
    for (let i = 0; now() < until; i++) await this.send(i, now());
  }

  /** Open loop: each command sent at its due time (all the overdue ones at once after a stall), none waiting for another. */
  async runPaced(schedule: PacedSchedule, writer: number): Promise<void> {
    // Past saturation every command waits out its 1 s bound and is retried, up to 20 times: bound the drain instead.
    this.retryUntil = schedule.until + PACED_DRAIN_MS;
    const inFlight: Promise<void>[] = [];
    let k = 0;
    for (;;) {
      const { dues, next, nextDue } = owed(schedule, writer, k, now());
      for (const [j, due] of dues.entries()) inFlight.push(this.send(k + j, due));
      k = next;
      if (nextDue === null) break;
      await new Promise((r) => setTimeout(r, Math.max(0, nextDue - now())));
    }
    await Promise.all(inFlight);
  }

  /**
   * Sends the i-th message and waits for its answer; `unavailable` is
   * retried with the same command id, as the protocol says, and the retry
   * counts in its latency (from `due`).
   */
  private async send(i: number, due: number): Promise<void> {
    const record: CommandRecord = { commandId: `k-${nanoid(14)}`, due, sentAt: now(), ackAt: null, version: null };
    this.commands.push(record);
    for (let attempt = 0; ; attempt++) {
      let ack: Ack<CommandResult>;
      try {
        ack = await this.socket.timeout(10_000).emitWithAck('command', { commandId: record.commandId, command: { type: 'SEND_MESSAGE', channel: this.channel, text: `c${i} ${record.commandId}` } });
      } catch {
        this.gaveUp++;
        return;
      }
      if (ack.ok) {
        record.ackAt = now();
        record.version = ack.data.version;
        return;
      }
      if (ack.error.code !== 'unavailable' || attempt >= 20) {
        this.refused++;
        return;
      }
      this.unavailable++;
      this.unavailableBy.set(ack.error.message, (this.unavailableBy.get(ack.error.message) ?? 0) + 1);
      if (now() >= this.retryUntil) {
        this.gaveUp++;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(ack.error.retryAfterMs ?? 100, 100)));
    }
  }

  /** The acknowledged commands. */
  acked(): { commandId: string; version: number; due: number; ackAt: number }[] {
    return this.commands.flatMap((c) => (c.ackAt === null || c.version === null ? [] : [{ commandId: c.commandId, version: c.version, due: c.due, ackAt: c.ackAt }]));
  }

  close(): void {
    this.socket.close();
  }
}
