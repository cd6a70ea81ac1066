/**
 * How every fault test gets its FaultReport: made when the test starts,
 * written when it ends if it failed (or always, with FAULT_LOG_DIR set), its
 * summary in the test's output. A test that plays a game hands over its
 * table, writers and processes (tableState), so the report holds the log a
 * live process exports then and its audit against the writers' answers.
 */
import { onTestFinished } from 'vitest';
import type { ChildServer, Table } from '../harness.ts';
import { audit, exportLog, sleep, type Writer } from './fault-harness.ts';
import { FaultReport, type FaultState } from './fault-report.ts';

/** What the report may add after the test failed: the export of the log, and its own writing. */
const REPORT_MS = 30_000;

/** A report for the test that is running; `state` is asked for when the test ends. */
export function reportOnFinish(name: string, state: () => FaultState = () => ({})): FaultReport {
  const report = new FaultReport(name);
  onTestFinished(async ({ task }) => {
    if (task.result?.state !== 'fail' && process.env.FAULT_LOG_DIR === undefined) return;
    console.error(await report.write(state(), task.result?.errors ?? []));
  }, REPORT_MS);
  return report;
}

/** What a test playing a game holds; read when the test ends, so each may still be unset. */
export interface GameHeld {
  servers: readonly ChildServer[];
  table: Table | undefined;
  writers: readonly Writer[];
}

const isAlive = (s: ChildServer) => s.child.exitCode === null && s.child.signalCode === null;

/** The report's view of a game: the writers, the observer and facilitator, and the log from a live process. */
export function tableState({ servers, table, writers }: GameHeld): FaultState {
  return {
    writers,
    others: table ? [table.observer, table.facilitator] : [],
    exportLog: async () => {
      const url = servers.find(isAlive)?.url;
      if (!table || url === undefined) throw new Error('no live process to export from');
      // Bounded: a failing run's live process may be the reason it failed.
      const timeout = sleep(10_000).then(() => Promise.reject(new Error('export took 10 s')));
      return Promise.race([exportLog(url, table.session.sessionId, table.session.facilitatorToken), timeout]);
    },
    audit: (log) => audit(log, writers),
  };
}
