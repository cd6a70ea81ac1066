import { readFileSync } from 'node:fs';

/**
 * Sums a callgrind profile (cache simulation on) per function, self cost, with JIT code named from V8's
 * `--perf-basic-prof` map, and the call edges into chosen callees (the hash-table builtins) by caller: which
 * functions do the keyed lookups of a counted window, and the misses those lookups take. Used by the "keyed
 * lookups per public message" section of docs/performance/fan-out-log.md.
 *
 *   node --import tsx server/bench/message-cpu/callgrind-sum.ts <callgrind.out> <perf-PID.map> <messages> [callee regexp]
 */

/** One event vector, in the profile's `events:` order. */
export type Costs = number[];

export interface CallEdge {
  caller: string;
  callee: string;
  calls: number;
  costs: Costs;
}

export interface Profile {
  events: string[];
  /** Self cost by function name. */
  self: Map<string, Costs>;
  edges: CallEdge[];
}

interface MapEntry {
  start: number;
  end: number;
  name: string;
}

/** A perf map's entries (`start size name`, hex), in file order: a later entry for the same address is newer code. */
export function parsePerfMap(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (!m) continue;
    const start = parseInt(m[1] ?? '0', 16);
    out.push({ start, end: start + parseInt(m[2] ?? '0', 16), name: m[3] ?? '' });
  }
  return out;
}

/** Names a function callgrind knows only by address from the last map entry covering it. */
export function namer(entries: readonly MapEntry[]): (name: string) => string {
  const cache = new Map<string, string>();
  return (name) => {
    if (!/^0x[0-9a-f]+$/.test(name)) return name;
    let named = cache.get(name);
    if (named === undefined) {
      const address = parseInt(name, 16);
      named = name;
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i] as MapEntry;
        if (address >= e.start && address < e.end) {
          named = e.name;
          break;
        }
      }
      cache.set(name, named);
    }
    return named;
  };
}

function add(into: Costs, from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The name a compressed `fn=(id) name` or `fn=(id)` line stands for. */
function compressed(value: string, names: Map<string, string>): string {
  const m = /^\((\d+)\)(?: (.*))?$/.exec(value);
  if (!m) return value;
  const id = m[1] ?? '';
  if (m[2] !== undefined) names.set(id, m[2]);
  return names.get(id) ?? value;
}

/** Parses callgrind's format (name compression, `calls=` lines followed by the call's inclusive cost). */
export function parseCallgrind(text: string, nameOf: (name: string) => string = (n) => n): Profile {
  const profile: Profile = { events: [], self: new Map(), edges: [] };
  const fnNames = new Map<string, string>();
  let fn = '';
  let callee = '';
  let pendingCalls: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('events: ')) profile.events = line.slice(8).trim().split(' ');
    else if (line.startsWith('fn=')) fn = nameOf(compressed(line.slice(3), fnNames));
    else if (line.startsWith('cfn=')) callee = nameOf(compressed(line.slice(4), fnNames));
    else if (line.startsWith('calls=')) pendingCalls = Number(line.slice(6).split(' ')[0]);
    else if (/^[+\-*0-9]/.test(line)) {
      const costs = line.trim().split(/\s+/).slice(1).map(Number);
      if (pendingCalls !== null) {
        profile.edges.push({ caller: fn, callee, calls: pendingCalls, costs });
        pendingCalls = null;
      } else {
        let self = profile.self.get(fn);
        if (!self) profile.self.set(fn, (self = []));
        add(self, costs);
      }
    }
  }
  return profile;
}

/** The call edges into callees matching `callee`, summed by caller, largest first by the first event. */
export function callersOf(profile: Profile, callee: RegExp): { caller: string; calls: number; costs: Costs }[] {
  const by = new Map<string, { caller: string; calls: number; costs: Costs }>();
  for (const e of profile.edges) {
    if (!callee.test(e.callee) || callee.test(e.caller)) continue;
    let row = by.get(e.caller);
    if (!row) by.set(e.caller, (row = { caller: e.caller, calls: 0, costs: [] }));
    row.calls += e.calls;
    add(row.costs, e.costs);
  }
  return [...by.values()].sort((a, b) => (b.costs[0] ?? 0) - (a.costs[0] ?? 0));
}

/** Self cost summed over the functions matching `pattern`. */
export function selfOf(profile: Profile, pattern: RegExp): Costs {
  const out: Costs = [];
  for (const [name, costs] of profile.self) if (pattern.test(name)) add(out, costs);
  return out;
}

const HASH_BUILTINS = /^(Builtins_)?(FindOrderedHash(Map|Set)Entry|MapPrototype(Get|Has|Set|Delete)|SetPrototype(Has|Add|Delete)|WeakMap(Get|Has|LookupHashIndex|PrototypeSet|PrototypeDelete)|WeakSetPrototype(Add|Has|Delete)|WeakCollectionSet|WeakCollectionDelete)\b/;

/** V8's optimising and baseline compilers' own code (its threads share the simulated caches: kept apart, as the earlier sections did). */
const COMPILERS = /compiler::|turboshaft|maglev::|baseline::|wasm::/i;

function main(argv: readonly string[]): void {
  const [file, mapFile, messagesText, calleeText] = argv;
  if (!file || !mapFile || !messagesText) throw new Error('usage: callgrind-sum.ts <callgrind.out> <perf-PID.map> <messages> [callee regexp]');
  const messages = Number(messagesText);
  const profile = parseCallgrind(readFileSync(file, 'utf8'), namer(parsePerfMap(readFileSync(mapFile, 'utf8'))));
  const per = (c: Costs) => profile.events.map((e, i) => `${e} ${Math.round((c[i] ?? 0) / messages)}`).join(' ');
  const total: Costs = [];
  for (const c of profile.self.values()) add(total, c);
  console.log(`per message, whole process: ${per(total)}`);
  const compilers: Costs = selfOf(profile, COMPILERS);
  console.log(`per message, without V8's compilers: ${per(total.map((c, i) => c - (compilers[i] ?? 0)))}`);
  const callee = calleeText ? new RegExp(calleeText) : HASH_BUILTINS;
  console.log(`per message, self cost of ${callee.source}: ${per(selfOf(profile, callee))}`);
  const callers = callersOf(profile, callee);
  const own: Costs = [];
  let ownCalls = 0;
  for (const row of callers.filter((r) => /\/(server|shared)\/src\//.test(r.caller))) {
    add(own, row.costs);
    ownCalls += row.calls;
  }
  console.log(`per message, called from Rubicon's own code (server/src, shared/src): ${(ownCalls / messages).toFixed(2)} calls, ${per(own)}`);
  for (const row of callers.slice(0, 40)) console.log(`${(row.calls / messages).toFixed(2)} calls/msg  ${per(row.costs)}  ${row.caller}`);
}

if (process.argv[1]?.endsWith('callgrind-sum.ts')) main(process.argv.slice(2));
