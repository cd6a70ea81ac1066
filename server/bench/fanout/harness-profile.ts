/**
 * FANOUT_HARNESS_CPU_PROF=<dir>: a CPU profile of the harness process over
 * the load window only (set-up, warm-up and drain left out), written as
 * <dir>/harness-<target>-<pid>.cpuprofile, with the window's user and system
 * CPU beside it (.cpu.json), for where the harness's own core goes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

export interface HarnessProfile {
  stop: () => Promise<void>;
}

export async function startHarnessProfile(target: string, dir = process.env.FANOUT_HARNESS_CPU_PROF): Promise<HarnessProfile | null> {
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    stop: async () => {
      const used = process.cpuUsage(cpu);
      const ms = performance.now() - started;
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const base = path.join(dir, `harness-${target}-${process.pid}`);
      writeFileSync(`${base}.cpuprofile`, JSON.stringify(profile));
      writeFileSync(`${base}.cpu.json`, JSON.stringify({ windowMs: ms, userMs: used.user / 1000, systemMs: used.system / 1000 }));
    },
  };
}
