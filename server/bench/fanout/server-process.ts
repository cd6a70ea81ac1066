/** The IPC side every benchmark server process shares: say where it listens, answer stats requests, stop when told. */
import type { FromServer, ServerStats, ToServer } from './types.ts';

export function ownStats(gc: boolean): ServerStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, rssBytes: mem.rss, liveBytes: mem.heapUsed + mem.external };
}

export function serveIpc(start: () => Promise<{ url: string; close: () => Promise<void> }>): void {
  const send = (m: FromServer) => process.send?.(m);
  start().then(
    ({ url, close }) => {
      send({ type: 'listening', url });
      process.on('message', (m: ToServer) => {
        if (m.type === 'stats') send({ type: 'stats', stats: ownStats(m.gc) });
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
