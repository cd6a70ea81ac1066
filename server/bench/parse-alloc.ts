/**
 * Bytes allocated and time taken per parse of a fan-out bench message, by the
 * schemas every message passes: the socket's CommandPayload and the store's
 * LogEntry. Allocation is counted as the heap's growth over a run with no
 * collection in it, so run it with a young generation large enough to hold
 * the whole run:
 *
 *   node --expose-gc --min-semi-space-size=256 --max-semi-space-size=256 --import tsx server/bench/parse-alloc.ts
 *
 * The bytes do not depend on how busy the machine is; the times do.
 */
import { CommandPayload, LogEntry } from '@rubicon/shared';

const command = { type: 'SEND_MESSAGE', channel: 'public', text: 'bench message 123 at 1733280000000' };
const payload = { commandId: 'c-1234567890', command };
const entry = { seq: 5, at: 1000, by: { kind: 'seat', seat: 'iran' }, commandId: 'c-1234567890', command };

const RUNS = 20_000;

function measure(parse: () => unknown): { bytes: number; ns: number } {
  for (let i = 0; i < RUNS; i++) parse();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  // The results are kept so that the count is of what a parse allocates, none of it collected in between.
  const kept: unknown[] = new Array<unknown>(RUNS);
  const heap = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) kept[i] = parse();
  const ns = Number(process.hrtime.bigint() - start) / RUNS;
  const bytes = (process.memoryUsage().heapUsed - heap) / RUNS;
  if (kept.length !== RUNS) throw new Error('unreachable');
  return { bytes: Math.round(bytes), ns: Math.round(ns) };
}

for (let round = 1; round <= 3; round++) {
  const p = measure(() => CommandPayload.parse(payload));
  const e = measure(() => LogEntry.parse(entry));
  console.log(`round ${round}: CommandPayload ${p.bytes} B, ${p.ns} ns; LogEntry ${e.bytes} B, ${e.ns} ns (per parse of a SEND_MESSAGE)`);
}
