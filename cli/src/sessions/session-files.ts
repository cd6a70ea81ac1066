import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { verifySessionFile, type FileProblem, type VerifiedSession } from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';
import { UsageError } from '../command.ts';

/**
 * Session files on disk for the `replay`, `verify` and `summarize` commands:
 * read, then checked with the one verifier the server and the browser use
 * (the hash chain, then a re-simulation of the log against the scenarios
 * shipped with this Rubicon).
 */

/** A verifier's problem, or a file the system would not let us read. */
export type SessionFileProblem = Omit<FileProblem, 'code'> & { code: FileProblem['code'] | 'unreadable' };

export type LoadedSession = { ok: true; session: VerifiedSession } | { ok: false; problem: SessionFileProblem };

/** Reads and verifies one file; a file that cannot be read is a problem of its own kind, not a crash. */
export async function loadSessionFile(path: string): Promise<LoadedSession> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, problem: { code: 'unreadable', where: 'the whole file', message: `It cannot be read: ${err instanceof Error ? err.message : String(err)}` } };
  }
  const catalog = shippedScenarios();
  const r = verifySessionFile(text, (id) => catalog.get(id));
  return r.ok ? { ok: true, session: r.session } : { ok: false, problem: r.problem };
}

/** "FILE: event_changed at log[4] (event 5): Event 5 was changed after export…" */
export function formatProblem(file: string, p: SessionFileProblem): string {
  return `${file}: ${p.code} at ${p.where}${p.seq === undefined ? '' : ` (event ${p.seq})`}: ${p.message}`;
}

const MAX_DEPTH = 4;

/**
 * The session files named: files as given, directories searched for `*.json`
 * (sorted, a few levels deep). Paths come back relative to `cwd` when inside it.
 */
export async function sessionFilesIn(args: readonly string[], cwd: string): Promise<string[]> {
  if (args.length === 0) throw new UsageError('name session files or a directory of them');
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) await walk(path, depth + 1);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.json')) found.push(path);
    }
  };
  for (const arg of args) {
    const path = resolve(cwd, arg);
    const info = await stat(path).catch(() => null);
    if (!info) throw new UsageError(`no file or directory "${arg}"`);
    if (info.isDirectory()) await walk(path, 0);
    else found.push(path);
  }
  return [...new Set(found)].map((p) => (p.startsWith(cwd) ? relative(cwd, p) : p));
}
