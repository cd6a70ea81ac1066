/** The IPC side every benchmark server process shares: say where it listens, answer stats requests, profile on demand, stop when told. */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { FromServer, ServerStats, ToServer } from './types.ts';

export function ownStats(gc: boolean): ServerStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, systemMicros: cpu.system, rssBytes: mem.rss, liveBytes: mem.heapUsed + mem.external };
}

/** V8's profiler on this process, so a profile covers the load window alone (not start-up and set-up, as --cpu-prof would). */
class Profiler {
  private session: Session | null = null;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  }

  async stop(file: string): Promise<void> {
    if (!this.session) return;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    this.session = null;
    await writeFile(file, JSON.stringify(profile));
  }
}

export function serveIpc(start: () => Promise<{ url: string; close: () => Promise<void> }>): void {
  const send = (m: FromServer) => process.send?.(m);
  const profiler = new Profiler();
  start().then(
    ({ url, close }) => {
      send({ type: 'listening', url });
      process.on('message', (m: ToServer) => {
        if (m.type === 'stats') send({ type: 'stats', stats: ownStats(m.gc) });
        else if (m.type === 'profile-start') void profiler.start();
        else if (m.type === 'profile-stop') void profiler.stop(m.file).then(() => send({ type: 'profiled', file: m.file }));
        else
          void close()
            .catch(() => {})
            .finally(() => process.exit(0));
      });
    },
    (err: unknown) => {
      send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    },
  );
}
