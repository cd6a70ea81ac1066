/**
 * A `redis-server` of a fault test's own: AOF on a temp dir, on a free port, that can be stopped, continued,
 * killed and restarted as an operator or a crash would, remembering each of its processes for a failing run's report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One run of a redis-server process: a restart is a new one. */
export interface RedisLife {
  proc: ChildProcess;
  output(): string;
  /** Held by SIGSTOP (until SIGCONT). */
  stopped: boolean;
}

/** A Redis of the test's own, persisted with appendfsync always: every acknowledged write survives a SIGKILL. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  /** Every process this Redis has run as, for a failing run's report. */
  readonly lives: RedisLife[] = [];
  /** Told what is done to it (stopped, killed, started), for a failing run's report. */
  notify: (what: string) => void = () => {};

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), await mkdtemp(join(tmpdir(), 'rubicon-fault-')));
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and directory, so a restart loads the AOF; resolves once it answers PING. */
  async start(): Promise<void> {
    const t0 = performance.now();
    const proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    let out = '';
    const keep = (d: Buffer) => (out += d.toString());
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    this.lives.push({ proc, output: () => out, stopped: false });
    await this.answering();
    this.notify(`started, pid ${proc.pid ?? '?'}, answering PING in ${Math.round(performance.now() - t0)} ms`);
  }

  private async answering(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') {
          client.destroy();
          return;
        }
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (client.isOpen) client.destroy();
      await sleep(50);
    }
  }

  stop(): void {
    this.proc?.kill('SIGSTOP');
    this.setStopped(true);
    this.notify('stopped (SIGSTOP)');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
    this.setStopped(false);
    this.notify('continued (SIGCONT)');
  }

  private setStopped(stopped: boolean): void {
    const life = this.lives[this.lives.length - 1];
    if (life) life.stopped = stopped;
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGCONT');
    proc.kill('SIGKILL');
    this.setStopped(false);
    await once(proc, 'exit');
    this.notify(`killed (SIGKILL), pid ${proc.pid ?? '?'}`);
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
