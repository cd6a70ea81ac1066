/** The bench's side of a server process, bare or Rubicon: forked, told what to do over IPC (server-process.ts is the other side). */
import { fork, type ChildProcess } from 'node:child_process';
import type { NodeBinary } from './node-binaries.ts';
import type { FromServer, ServerStats, Target, ToServer } from './types.ts';

/** A server process of either kind, driven over IPC. */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly replies: ((m: FromServer) => void)[] = [];
  private readonly profiled: (() => void)[] = [];
  readonly url: Promise<string>;
  /** The Node version the server says it runs on (a baseline from before says nothing). */
  reportedNode: string | undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `script`: a server's .ts under tsx, or its bundle (compile.ts) under plain `node`, run by `node`. */
  constructor(target: Target, env: Record<string, string>, script: string, tsx: boolean, node: NodeBinary) {
    this.child = fork(script, [], {
      execPath: node.path,
      // FANOUT_NODE_FLAGS: V8/Node flags for every server process, bare and Rubicon alike (a flag's A/B stays fair).
      execArgv: ['--expose-gc', ...(process.env.FANOUT_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(node.flags ?? []), ...(tsx ? ['--import', 'tsx'] : [])],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.url = new Promise((resolve, reject) => {
      this.child.on('message', (m: FromServer) => {
        // A server that says how its code was built must say what was asked (a baseline from before says nothing).
        if (m.type === 'listening' && m.keepNames !== undefined && m.keepNames !== tsx) reject(new Error(`${target} server: keepNames ${m.keepNames}, expected ${tsx} (${script})`));
        // Likewise the Node it runs on (FANOUT_NODE), where it says.
        else if (m.type === 'listening' && m.node !== undefined && m.node !== node.version) reject(new Error(`${target} server: Node ${m.node}, expected ${node.version} (${node.path})`));
        else if (m.type === 'listening') {
          this.reportedNode = m.node;
          resolve(m.url);
        }
        else if (m.type === 'failed') reject(new Error(`${target} server: ${m.error}`));
        else if (m.type === 'profiled') this.profiled.shift()?.();
        else this.replies.shift()?.(m);
      });
      this.child.once('exit', (code) => reject(new Error(`${target} server exited with ${code}`)));
    });
  }

  stats(gc: boolean, window?: 'start' | 'end'): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.replies.push((m) => {
        if (m.type === 'stats') resolve(m.stats);
      });
      this.child.send({ type: 'stats', gc, ...(window ? { window } : {}) } satisfies ToServer);
    });
  }

  profileStart(kind: 'cpu' | 'heap'): void {
    this.child.send({ type: 'profile-start', kind } satisfies ToServer);
  }

  profileStop(file: string): Promise<void> {
    return new Promise((resolve) => {
      this.profiled.push(resolve);
      this.child.send({ type: 'profile-stop', file } satisfies ToServer);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'stop' } satisfies ToServer);
    });
  }
}
