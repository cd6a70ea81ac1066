/**
 * Which Node binaries the fan-out benchmark's processes run on. Production
 * runs Node 24 (the Dockerfile) while the bench is usually started with the
 * machine's Node 20, and the two differ in GC and compiler, so
 * `FANOUT_NODE=<binary>[,<binary>…]` runs the servers (bare and Rubicon
 * alike) on the given binaries: one binary replaces the bench's own, several
 * run every contender on each, in the same rounds. The harness is the
 * measuring instrument and stays on one binary for every phase of a run,
 * the bench's own unless `FANOUT_HARNESS_NODE` names another.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface NodeBinary {
  /** The binary as forked (absolute). */
  path: string;
  /** What it says with --version, e.g. "v24.22.3". */
  version: string;
  /**
   * Node/V8 flags for this entry's server processes alone (`FANOUT_NODE="<binary>,<binary> --max-semi-space-size=16"`),
   * so one run measures a flag against none on the same Node, bare and Rubicon alike, in the same rounds.
   */
  flags?: string[];
}

/** How a phase names its Node: the version, and the entry's own flags if any. */
export const nodeLabel = (n: NodeBinary): string => [n.version, ...(n.flags ?? [])].join(' ');

/** One entry's identity: its binary and its own flags. */
export const nodeKey = (n: NodeBinary): string => [n.path, ...(n.flags ?? [])].join(' ');

/** A FANOUT_NODE (or FANOUT_HARNESS_NODE) entry that is not a Node binary this bench can run. */
export class NodeBinaryError extends Error {
  constructor(
    readonly variable: string,
    readonly entry: string,
    reason: string,
  ) {
    super(`${variable} entry "${entry}": ${reason}`);
    this.name = 'NodeBinaryError';
  }
}

/** Asks a binary its version; `undefined` if it cannot be run. Injected in tests. */
export type VersionOf = (binary: string) => string | undefined;

export const versionOf: VersionOf = (binary) => {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

/** The package's engines field: the bundles and tsx need 20.19 or later. */
const MINIMUM: readonly [number, number] = [20, 19];

function checked(variable: string, entry: string, ask: VersionOf): NodeBinary {
  const [file = '', ...flags] = entry.split(/\s+/);
  const notFlag = flags.find((f) => !f.startsWith('--'));
  if (notFlag !== undefined) throw new NodeBinaryError(variable, entry, `"${notFlag}" after the binary is not a --flag`);
  const binary = path.resolve(file);
  const version = ask(binary);
  if (version === undefined) throw new NodeBinaryError(variable, entry, 'cannot be run with --version');
  const m = /^v(\d+)\.(\d+)\.\d+/.exec(version);
  if (!m) throw new NodeBinaryError(variable, entry, `says "${version}", not a Node version`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) throw new NodeBinaryError(variable, entry, `is ${version}, older than v${MINIMUM.join('.')}`);
  return { path: binary, version, ...(flags.length > 0 ? { flags } : {}) };
}

/**
 * The servers' binaries from FANOUT_NODE's value: unset or empty, the bench's
 * own (`self`); else each comma-separated entry (a binary, then optionally its
 * own --flags), checked, none twice (the same binary with other flags is another entry).
 */
export function serverNodes(value: string | undefined, self: NodeBinary, ask: VersionOf = versionOf): NodeBinary[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return [self];
  const nodes = entries.map((e) => checked('FANOUT_NODE', e, ask));
  const seen = new Set<string>();
  for (const [i, n] of nodes.entries()) {
    if (seen.has(nodeKey(n))) throw new NodeBinaryError('FANOUT_NODE', entries[i] ?? '', 'named twice');
    seen.add(nodeKey(n));
  }
  return nodes;
}

/** The harness's binary from FANOUT_HARNESS_NODE: unset or empty, the bench's own. */
export function harnessNode(value: string | undefined, self: NodeBinary, ask: VersionOf = versionOf): NodeBinary {
  const entry = value?.trim();
  if (!entry) return self;
  const node = checked('FANOUT_HARNESS_NODE', entry, ask);
  if (node.flags) throw new NodeBinaryError('FANOUT_HARNESS_NODE', entry, 'takes no flags: the harness runs the same for every phase');
  return node;
}

/** The Node running this process. */
export const selfNode = (): NodeBinary => ({ path: process.execPath, version: process.version });
