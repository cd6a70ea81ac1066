/**
 * 2b. The replay viewer's own code path on a 10,000-event log: how fast the
 * browser rebuilds a session file (a Replayer: every event applied, scrubber
 * marks, a kept state every N events) and how long a scrub to an arbitrary
 * moment takes (`stateAt` + the point of view: viewFor and messagesFor, as
 * ReplayViewer renders it). Targets (issue 11): ≥100,000 events/s, scrub < 50 ms.
 */
import { buildSessionFile, messagesFor, Replayer, verifySessionFile, viewFor, type Game, type LogEntry, type Viewer } from '@rubicon/shared';
import { median, now, quantile, type Report } from './stats.ts';
import { Rng } from './workload.ts';

const SECTION = '2b replay viewer';

type Source = { game: Game; log: LogEntry[] };

export function benchReplayViewer(report: Report, source: Source, options: { runs: number; scrubs: number }): void {
  const replayer = rebuilds(report, source, options.runs);
  if (!replayer) return;
  openFile(report, source, Math.max(1, Math.floor(options.runs / 2)));
  const rng = new Rng('bench-scrub');
  scrubs(report, source, replayer, rng, options.scrubs);
  steps(report, source, replayer, rng, options.scrubs);
}

/** Building a Replayer from the whole log, `runs` times: the last one built, or null for no runs. */
function rebuilds(report: Report, { game, log }: Source, runs: number): Replayer | null {
  const builds: number[] = [];
  // CPU time as well as wall time: on a shared machine the wall clock also counts other processes' turns.
  const cpuBuilds: number[] = [];
  let replayer: Replayer | null = null;
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const c0 = process.cpuUsage();
    replayer = new Replayer(game, log);
    const c1 = process.cpuUsage(c0);
    builds.push(now() - t0);
    cpuBuilds.push((c1.user + c1.system) / 1000);
  }
  if (!replayer) return null;
  report.add(SECTION, `rebuild ${log.length} events (new Replayer, median of ${runs})`, median(builds), 'ms');
  report.add(SECTION, 'rebuild rate (median run)', log.length / (median(builds) / 1000), 'events/s');
  report.add(SECTION, 'rebuild rate (best run)', log.length / (Math.min(...builds) / 1000), 'events/s');
  report.add(SECTION, 'rebuild rate on CPU time (median run)', log.length / (median(cpuBuilds) / 1000), 'events/s');
  report.add(SECTION, 'kept states / marks', `${Math.ceil(log.length / replayer.every)} / ${replayer.markers.length}`, '');
  return replayer;
}

/** Opening a file in the viewer: the whole check (JSON, schema, hash chain) with the Replayer built as the re-simulation. */
function openFile(report: Report, { game, log }: Source, runs: number): void {
  const text = JSON.stringify(buildSessionFile({ session: { sessionId: 'bench', title: 'Bench', createdAt: 0, parent: null }, game, log, exportedAt: 0 }));
  const opens: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const r = verifySessionFile(text, (id) => (id === game.scenario.id ? game.scenario : undefined), (g, l) => new Replayer(g, l).final);
    opens.push(now() - t0);
    if (!r.ok) throw new Error(`bench file refused: ${r.problem.message}`);
  }
  report.add(SECTION, `open a ${Math.round(text.length / 1024)} KB session file: verify (chain) + rebuild (median)`, median(opens), 'ms');
}

/** Scrubs to seeded random moments, alternating the white cell's view and a seat's, as the viewer does. */
function scrubs(report: Report, { game, log }: Source, replayer: Replayer, rng: Rng, count: number): void {
  const seats = game.scenario.seats.filter((s) => !s.optional).map((s) => s.id);
  const state: number[] = [];
  const total: number[] = [];
  let checked = 0;
  for (let i = 0; i < count; i++) {
    const version = Math.floor(rng.next() * (log.length + 1));
    const viewer: Viewer = i % 2 === 0 ? { kind: 'facilitator' } : { kind: 'seat', seat: seats[i % seats.length]! };
    const t0 = now();
    const s = replayer.stateAt(version);
    const t1 = now();
    viewFor(game, s, viewer);
    messagesFor(game, s, viewer);
    const t2 = now();
    state.push(t1 - t0);
    total.push(t2 - t0);
    if (s.version === version) checked++;
  }
  report.add(SECTION, `scrub to a random event: state (median of ${count})`, median(state), 'ms');
  report.add(SECTION, 'scrub: state + view + messages (median)', median(total), 'ms');
  report.add(SECTION, 'scrub: state + view + messages (p95)', quantile(total, 0.95), 'ms');
  report.add(SECTION, 'scrub: state + view + messages (worst)', Math.max(...total), 'ms');
  report.add(SECTION, 'scrubs that landed on the asked event', `${checked} of ${count}`, '');
}

/** Playback and the → key: one event after another from a random moment. */
function steps(report: Report, { game, log }: Source, replayer: Replayer, rng: Rng, count: number): void {
  const start = Math.floor(rng.next() * (log.length - count));
  replayer.stateAt(start);
  const times: number[] = [];
  for (let v = start + 1; v <= start + count; v++) {
    const t0 = now();
    const s = replayer.stateAt(v);
    viewFor(game, s, { kind: 'facilitator' });
    messagesFor(game, s, { kind: 'facilitator' });
    times.push(now() - t0);
  }
  report.add(SECTION, `step forward one event: state + view + messages (median of ${count})`, median(times), 'ms');
}
