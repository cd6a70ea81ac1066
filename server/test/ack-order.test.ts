/**
 * The order of a sender's frames, end to end: a real server in memory and real
 * Socket.IO clients. A command's acknowledgement must reach its sender before
 * any update caused by a command of a later batch of the same session, and
 * acknowledgements and updates each keep the log's order.
 *
 * Commands decided in one batch have their updates broadcast before any of
 * their acks (docs/protocol.md: an ack and the update of one's own command may
 * come in either order), so "later" means a later batch, which the test reads
 * from the server's own decisions (CommandPath.decideBatch).
 *
 * The order rests on where the ack is written: within the batch's decision,
 * by the command's Answer, right after the batch's updates are broadcast
 * (docs/performance/fan-out-log.md, "A command's ack by callback"); the second
 * test here checks that it is. A sender's commands sent back to back arrive in
 * one read and are handled in one turn, so they share a batch; a relay (a
 * command naming a message) is read in the session's queue first and reaches
 * its batch some turns later, right behind the plain messages' decision, which
 * is where a slower ack would be overtaken: when the ack was written two
 * reactions after the decision (a promise's), one reaction more on its way let
 * the first round's relay arrive before its plain message's ack.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ack, Command, CommandResult, UpdatePayload } from '@rubicon/shared';
import { CommandPath, type PendingCommand } from '../src/session/command-path.ts';
import { CommandAnswer } from '../src/socket/command-answer.ts';
import { randomText, seatTable, settle, startServer, type TestClient, type TestServer } from './harness.ts';

type Frame = { kind: 'ack'; commandId: string; ack: Ack<CommandResult> } | { kind: 'update'; version: number; texts: string[] };

/** Every update and command ack a client gets, in the order its socket decodes them (ack callbacks run at decoding). */
function recordFrames(client: TestClient): Frame[] {
  const frames: Frame[] = [];
  client.socket.on('update', (u: UpdatePayload) => frames.push({ kind: 'update', version: u.version, texts: u.messages.map((m) => m.text) }));
  return frames;
}

/** The batch each command was decided in, numbered in the order of the server's decisions. */
function watchBatches(): Map<string, number> {
  const batchOf = new Map<string, number>();
  const original = CommandPath.prototype.decideBatch;
  vi.spyOn(CommandPath.prototype, 'decideBatch').mockImplementation(function (this: CommandPath, sessionId: string, batch: readonly PendingCommand[]) {
    const index = batchOf.size === 0 ? 0 : Math.max(...batchOf.values()) + 1;
    for (const p of batch) batchOf.set(p.request.commandId, index);
    return original.call(this, sessionId, batch);
  });
  return batchOf;
}

interface Sent {
  commandId: string;
  text: string;
}

/** Emits a command without waiting, its ack recorded among the client's frames when it arrives. */
function emit(client: TestClient, frames: Frame[], sent: Sent[], command: Extract<Command, { type: 'SEND_MESSAGE' }>): void {
  // Unique within the test's own session.
  const commandId = `ord-${client.label}-${sent.length}`;
  sent.push({ commandId, text: command.text });
  client.socket.emit('command', { commandId, expectedGameVersion: 0, command }, (ack) => frames.push({ kind: 'ack', commandId, ack }));
}

/** Checks one sender's frames against the batches its commands were decided in. */
function checkOrder(frames: Frame[], sent: Sent[], everyone: Sent[], batchOf: Map<string, number>): void {
  // Any sender's command: an update of another seat's later batch may not overtake this one's ack either.
  const commandOfText = new Map(everyone.map((s) => [s.text, s.commandId]));
  const acks = frames.filter((f) => f.kind === 'ack');
  expect(acks).toHaveLength(sent.length);
  let lastAck = -Infinity;
  let lastUpdate = -Infinity;
  for (const [i, frame] of frames.entries()) {
    if (frame.kind === 'update') {
      // Updates in the log's order, none missing: the stream numbers them 1, 2, 3...
      if (lastUpdate !== -Infinity) expect(frame.version).toBe(lastUpdate + 1);
      lastUpdate = frame.version;
      continue;
    }
    expect(frame.ack.ok, JSON.stringify(frame.ack)).toBe(true);
    if (!frame.ack.ok) continue;
    // Acks in the log's order: each names a later place in the sender's stream than the one before.
    expect(frame.ack.data.version).toBeGreaterThan(lastAck);
    lastAck = frame.ack.data.version;
    const batch = batchOf.get(frame.commandId);
    expect(batch, frame.commandId).toBeDefined();
    // No update before this ack was caused by a command of a later batch.
    for (const earlier of frames.slice(0, i)) {
      if (earlier.kind !== 'update') continue;
      for (const text of earlier.texts) {
        const cause = commandOfText.get(text);
        if (cause !== undefined) expect(batchOf.get(cause) ?? -1, `${text} arrived before the ack of ${frame.commandId}`).toBeLessThanOrEqual(batch ?? -1);
      }
    }
  }
}

describe("a sender's acks and updates, end to end in memory", () => {
  let server: TestServer;
  const closing: (() => void)[] = [];
  beforeAll(async () => {
    // Room for every command the test sends at once (the seat's and the session's burst).
    server = await startServer({ backend: 'memory', env: { RATE_LIMIT_BURST: '500', SESSION_RATE_LIMIT_BURST: '1000' } });
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    for (const close of closing) close();
    await server?.close();
  });

  /** A new table's seats, and a message from Iran the mediators can relay (its id in their stream). */
  async function tableWithRelay(): Promise<{ t: Awaited<ReturnType<typeof seatTable>>; iran: TestClient; mediators: TestClient; relayOf: string }> {
    const t = await seatTable(server.url);
    closing.push(() => t.close());
    const { iran, mediators } = t.seats;
    const original = randomText('to relay');
    await iran.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: original });
    await settle(t.all());
    const relayOf = mediators.messages.find((m) => m.text === original)?.id ?? '';
    expect(relayOf).not.toBe('');
    return { t, iran, mediators, relayOf };
  }

  it('answers each command before any update of a later batch, relays and plain messages back to back, two seats interleaved', async () => {
    const { t, iran, mediators, relayOf } = await tableWithRelay();

    const batchOf = watchBatches();
    const mediatorFrames = recordFrames(mediators);
    const iranFrames = recordFrames(iran);
    const mediatorSent: Sent[] = [];
    const iranSent: Sent[] = [];
    // Each round's commands are sent in one go, so the server reads them together; the next round waits for its acks.
    const rounds = ['RP', 'RPP', 'RRP', 'PR', 'RPRP', 'RPPP', 'PRP', 'RRPP'];
    for (const [r, round] of rounds.entries()) {
      for (const [i, kind] of [...round].entries()) {
        if (kind === 'R') emit(mediators, mediatorFrames, mediatorSent, { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', to: 'us', relayOf, text: randomText(`relay ${r}.${i}`) });
        else emit(mediators, mediatorFrames, mediatorSent, { type: 'SEND_MESSAGE', channel: 'iran-mediators', text: randomText(`mediators ${r}.${i}`) });
      }
      emit(iran, iranFrames, iranSent, { type: 'SEND_MESSAGE', channel: 'iran-mediators', text: randomText(`iran ${r}`) });
      await vi.waitFor(() => {
        expect(mediatorFrames.filter((f) => f.kind === 'ack')).toHaveLength(mediatorSent.length);
        expect(iranFrames.filter((f) => f.kind === 'ack')).toHaveLength(iranSent.length);
      });
    }
    await settle(t.all());
    // A round's relays went in batches of their own, after its plain messages': the case the margin is about.
    expect(new Set(mediatorSent.map((s) => batchOf.get(s.commandId))).size).toBeGreaterThan(rounds.length);
    const everyone = [...mediatorSent, ...iranSent];
    checkOrder(mediatorFrames, mediatorSent, everyone, batchOf);
    checkOrder(iranFrames, iranSent, everyone, batchOf);
  });

  it("writes each accepted command's ack within its batch's decision, not after it", async () => {
    const { iran, mediators, relayOf } = await tableWithRelay();
    let deciding = 0;
    const decideBatch = CommandPath.prototype.decideBatch;
    vi.spyOn(CommandPath.prototype, 'decideBatch').mockImplementation(function (this: CommandPath, sessionId: string, batch: readonly PendingCommand[]) {
      deciding++;
      try {
        return decideBatch.call(this, sessionId, batch);
      } finally {
        deciding--;
      }
    });
    // An accepted command's ack is encoded (CommandAnswer.ackJson) as Socket.IO's ack callback writes it.
    const inDecision: boolean[] = [];
    const ackJson = CommandAnswer.prototype.ackJson;
    vi.spyOn(CommandAnswer.prototype, 'ackJson').mockImplementation(function (this: CommandAnswer, head: string) {
      inDecision.push(deciding > 0);
      return ackJson.call(this, head);
    });
    await Promise.all([
      mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: randomText('plain') }),
      mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', to: 'us', relayOf, text: randomText('relay') }),
      mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: randomText('plain again') }),
      iran.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: randomText('other seat') }),
    ]);
    expect(inDecision).toEqual([true, true, true, true]);
  });
});