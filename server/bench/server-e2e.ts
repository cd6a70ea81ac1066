/**
 * The server end to end: a real app (createApp on port 0, loopback) in this
 * process, and the seven client sockets in a forked process (clients.ts), so
 * that the latencies are those of two processes talking over loopback, and
 * this process's CPU time is the server's alone.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { createClient, type RedisClientType } from 'redis';
import { createApp, type App } from '../src/app.ts';
import { benchCatalog } from './bench-catalog.ts';
import { loadConfig } from '../src/config.ts';
import type { ClientMessage, ClientRow, ClientRunOptions } from './clients.ts';
import { now, type Report } from './stats.ts';

export type E2eOptions = Omit<ClientRunOptions, 'url' | 'seed'> & { timeoutMs: number };

export async function redisReachable(url: string): Promise<string | null> {
  const client: RedisClientType = createClient({ url, socket: { connectTimeout: 1500, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return null;
  } catch (err) {
    try {
      client.destroy();
    } catch {
      // Already closed.
    }
    return err instanceof Error ? err.message : String(err);
  }
}

export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) deleted += await client.del(keys);
  } finally {
    await client.close();
  }
  return deleted;
}

/** The server's own time per command, from its histogram (receipt → acknowledgement), in ms. */
async function handlingTime(app: App): Promise<{ sum: number; count: number }> {
  const metric = await app.metrics.commandLatency.histogram.get();
  let sum = 0;
  let count = 0;
  for (const v of metric.values) {
    if (v.metricName?.endsWith('_sum')) sum += v.value;
    if (v.metricName?.endsWith('_count')) count += v.value;
  }
  return { sum: sum * 1000, count };
}

/** Forks the client process, hands it the options and collects what it reports. */
function runClientProcess(
  options: ClientRunOptions,
  timeoutMs: number,
  onPhase: (phase: 'throughput-start' | 'throughput-end') => void,
): Promise<{ rows: ClientRow[]; accepted: number }> {
  const child = fork(fileURLToPath(new URL('./clients.ts', import.meta.url)), ['--bench-clients'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: { rows: ClientRow[]; accepted: number } | null = null;
    let failure: Error | null = null;
    const timer = setTimeout(() => {
      failure = new Error(`the client process took more than ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m: ClientMessage) => {
      if (m.type === 'phase') onPhase(m.phase);
      else if (m.type === 'done') result = { rows: m.rows, accepted: m.accepted };
      else failure = new Error(`client process: ${m.error}`);
    });
    child.once('error', (err) => {
      failure ??= err;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(failure ?? new Error(`the client process exited with ${code} and no figures`));
    });
    child.send(options);
  });
}

/** The server as in production, on its own key prefix, with the limits that would refuse a benchmark's bursts from one address raised. */
function benchServerConfig(backend: 'memory' | 'redis', prefix: string, redisUrl: string | undefined) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CLIENT_DIST: '/nonexistent-client-dist',
    RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_PER_SEC: '1000000',
    SESSION_RATE_LIMIT_BURST: '1000000',
    SESSION_RATE_LIMIT_PER_SEC: '1000000',
    HELLO_RATE_LIMIT_BURST: '100000',
    HELLO_RATE_LIMIT_PER_SEC: '100000',
    ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
    HTTP_RATE_LIMIT_BURST: '1000',
    SESSIONS_PER_ADDRESS: '1000000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
    REDIS_PREFIX: prefix,
    ...(backend === 'redis' && redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
}

export async function benchServer(report: Report, backend: 'memory' | 'redis', options: E2eOptions, redisUrl?: string): Promise<void> {
  const section = `5 server (${backend})`;
  const prefix = `bench-${nanoid(10)}:`;
  const config = benchServerConfig(backend, prefix, redisUrl);
  // Five senders push hundreds of public statements a second: far past the classroom cap of 4 a minute per seat.
  const app = await createApp(config, { scenarios: benchCatalog(1_000_000) });
  try {
    const url = await app.listen();
    const cpuStart = process.cpuUsage();
    let tp: { cpu: NodeJS.CpuUsage; wall: number; handling: { sum: number; count: number } } | null = null;
    let tpResult: { cpuMs: number; wallMs: number; handlingMs: number; commands: number } | null = null;
    const pending: Promise<void>[] = [];
    const { rows, accepted } = await runClientProcess(
      { ...options, url, seed: `bench-e2e-${backend}` },
      options.timeoutMs,
      (phase) => {
        pending.push(
          (async () => {
            const cpu = process.cpuUsage();
            const wall = now();
            const handling = await handlingTime(app);
            if (phase === 'throughput-start') tp = { cpu, wall, handling };
            else if (tp) {
              const used = process.cpuUsage(tp.cpu);
              tpResult = {
                cpuMs: (used.user + used.system) / 1000,
                wallMs: wall - tp.wall,
                handlingMs: handling.sum - tp.handling.sum,
                commands: handling.count - tp.handling.count,
              };
            }
          })(),
        );
      },
    );
    await Promise.all(pending);
    const cpuAll = process.cpuUsage(cpuStart);
    for (const row of rows) report.add(section, row.name, row.value, row.unit);
    const result = tpResult as { cpuMs: number; wallMs: number; handlingMs: number; commands: number } | null;
    if (result && result.commands > 0) {
      report.add(section, 'throughput: server time per command, receipt → ack (mean, incl. queueing)', result.handlingMs / result.commands, 'ms');
      report.add(section, 'throughput: server CPU per command (incl. fan-out to 7 rooms)', (result.cpuMs * 1000) / result.commands, 'µs');
      report.add(section, 'throughput: server process CPU busy', (100 * result.cpuMs) / result.wallMs, '% of 1 core');
    }
    report.add(section, 'server CPU per accepted command, whole run', ((cpuAll.user + cpuAll.system) / accepted), 'µs');
  } finally {
    await app.close();
    if (backend === 'redis' && redisUrl) {
      const deleted = await deleteKeys(redisUrl, prefix);
      report.note(`Redis run used key prefix ${prefix}; deleted its ${deleted} keys afterwards.`);
    }
  }
}
